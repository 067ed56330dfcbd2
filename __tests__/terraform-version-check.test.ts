/** The version check runs once per distinct check: counted by a command that leaves a mark each time it runs. */
import { readFileSync, writeFileSync } from 'fs';
import * as path from 'path';
import { ValidateBinaryVersion } from 'cdktf/lib/validations/validate-binary-version';
import '../lib/terraform-version-check';
import { scratchDir } from './support/scratch';

const marks = path.join(scratchDir('version'), 'runs');
writeFileSync(marks, '');
const runs = () => readFileSync(marks, 'utf8').split('\n').filter(Boolean).length;
const command = (tag: string) => `echo ${tag} >> ${marks}; echo "v1.11.4"`;

test('the same version check runs its command once per process, with the same result', () => {
  const check = () => new ValidateBinaryVersion('terraform', '>=1.5.0', command('a')).validate();
  expect(check()).toEqual([]);
  expect(check()).toEqual([]);
  expect(runs()).toBe(1);
});

test('a failing check still fails, every time it is asked', () => {
  const check = () => new ValidateBinaryVersion('terraform', '>=2.0.0', command('b'), 'upgrade').validate();
  const expected = ['terraform version 1.11.4 is lower than the required version >=2.0.0 for this construct. upgrade'];
  expect(check()).toEqual(expected);
  expect(check()).toEqual(expected);
});

test('different constraints are checked separately', () => {
  const before = runs();
  new ValidateBinaryVersion('terraform', '>=1.1.0', command('c')).validate();
  new ValidateBinaryVersion('terraform', '>=1.4.0', command('c')).validate();
  expect(runs() - before).toBe(2);
});
