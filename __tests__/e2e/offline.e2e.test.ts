/**
 * The air-gapped path: the mirror is found, the CLI config installs only from it, the committed lock
 * file pins its hashes, and every stack of the multi-pair example passes `terraform validate` with the
 * real hashicorp/aws 5.100.0 schema.
 */
import { readFileSync, readdirSync, writeFileSync } from 'fs';
import * as path from 'path';
import { E2eEnvironment, exampleFleet, run } from './harness';

const ROOT = path.join(__dirname, '..', '..');
const fleet = exampleFleet('fleet.json');
fleet.pairs.forEach((p: any) => delete p.scrapeConfigFile); // the file path is relative to examples/
fleet.backend = { type: 'local', directory: 'state' };
fleet.finalizer = { resource: 'terraform_data' };

const env = new E2eEnvironment(fleet);
beforeAll(() => env.start(), 60_000);
afterAll(() => env.stop());

test('the generated CLI config installs providers only from the mirror', () => {
  const rc = readFileSync(path.join(env.workDir, 'terraform', 'terraformrc'), 'utf8');
  expect(rc).toMatch(/filesystem_mirror \{\n\s+path\s+= "\/[^"]+"/);
  expect(rc).toMatch(/direct \{\n\s+exclude = \["registry\.terraform\.io\/\*\/\*"\]/);
});

test('every stack of the multi-pair example initializes offline against the lock file and validates', async () => {
  await env.synthAndLock();
  const stacksDir = path.join(env.workDir, 'cdktf.out', 'stacks');
  const stacks = readdirSync(stacksDir).sort();
  expect(stacks).toEqual(['audit-workspace', 'fleet-scrapers', 'fleet-trust']);
  const committedLock = readFileSync(path.join(ROOT, '.terraform.lock.hcl'), 'utf8');
  for (const stack of stacks) {
    const dir = path.join(stacksDir, stack);
    expect(readFileSync(path.join(dir, '.terraform.lock.hcl'), 'utf8')).toBe(committedLock);
    const init = await run('terraform', ['init', '-backend=false', '-input=false', '-no-color'], { cwd: dir, env: env.baseEnv });
    expect({ stack, code: init.code, out: init.code ? init.output : '' }).toEqual({ stack, code: 0, out: '' });
    const validate = await run('terraform', ['validate', '-no-color'], { cwd: dir, env: env.baseEnv });
    expect({ stack, code: validate.code, out: validate.code ? validate.output : '' }).toEqual({ stack, code: 0, out: '' });
  }
});

test('a lock file whose hash does not match the mirror stops terraform init', async () => {
  const dir = path.join(env.workDir, 'cdktf.out', 'stacks', 'fleet-scrapers');
  writeFileSync(
    path.join(dir, '.terraform.lock.hcl'),
    readFileSync(path.join(ROOT, '.terraform.lock.hcl'), 'utf8').replace(/h1:[^"]+/, 'h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='),
  );
  const init = await run('terraform', ['init', '-backend=false', '-input=false', '-no-color', '-upgrade=false'], { cwd: dir, env: env.baseEnv });
  expect(init.code).not.toBe(0);
  expect(init.output).toMatch(/checksum|doesn't match any of the checksums/i);
});
