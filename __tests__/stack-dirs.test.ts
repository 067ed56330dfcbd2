import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { synthesizedAppDir } from '../lib/stack-dirs';

describe("synthesizedAppDir: where the synthesized app is read (cdktf.json's output, else cdktf.out)", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'amp-xa-appdir-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const cdktfJson = (text: string) => writeFileSync(path.join(dir, 'cdktf.json'), text);

  test("cdktf.json's output, relative to the project", () => {
    cdktfJson(JSON.stringify({ app: 'node main.ts', output: 'build/app' }));
    expect(synthesizedAppDir(dir)).toBe(path.join(dir, 'build', 'app'));
  });

  test('cdktf.out when cdktf.json names no output, names an empty or non-text one, is not JSON or is missing', () => {
    for (const text of [JSON.stringify({ app: 'node main.ts' }), JSON.stringify({ output: '' }), JSON.stringify({ output: 7 }), '{ not json']) {
      cdktfJson(text);
      expect(synthesizedAppDir(dir)).toBe(path.join(dir, 'cdktf.out'));
    }
    rmSync(path.join(dir, 'cdktf.json'));
    expect(synthesizedAppDir(dir)).toBe(path.join(dir, 'cdktf.out'));
  });

  test('the project directory defaults to the working directory, as the scripts run', () => {
    expect(synthesizedAppDir()).toBe('cdktf.out');
  });
});
