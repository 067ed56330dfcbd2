/**
 * Temporary folders that the test file which made them removes, also when a test fails: a folder made during a
 * test (or its beforeEach) goes after that test; one made while the file loads, in a describe body or in a
 * beforeAll goes after the file's last test. Importing this module registers the hooks on the importing test file.
 */
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';

let inTest = false;
const forTest: string[] = [];
const forFile: string[] = [];

function remove(dirs: string[]): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

beforeEach(() => {
  inTest = true;
});
afterEach(() => {
  inTest = false;
  remove(forTest);
});
afterAll(() => remove(forFile));

/** A fresh folder `<tmpdir>/amp-xa-<name>-XXXXXX`, removed for you (see above). */
export function scratchDir(name: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `amp-xa-${name}-`));
  (inTest ? forTest : forFile).push(dir);
  return dir;
}
