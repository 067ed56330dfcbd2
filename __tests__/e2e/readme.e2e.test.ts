/**
 * The README's no-AWS shell blocks, run verbatim, in order, in one shell, on a fresh copy of the project (the
 * tracked files only, in a new git work tree: no node_modules, no cdktf.out), as a newcomer types them after cloning.
 */
import { execFileSync } from 'child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { run } from './harness';
import { shellBlocks } from '../support/readme';

const ROOT = path.join(__dirname, '..', '..');
let clone = '';

beforeAll(() => {
  clone = mkdtempSync(path.join(tmpdir(), 'amp-xa-readme-'));
  // The tracked files as they are in this checkout (a CI clone's files, or a developer's edits).
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT })
    .toString()
    .split('\0')
    // Regular files only: a node_modules symlink (a worktree sharing another's install) must not come along, or the
    // README's npm ci would empty the tree it points to.
    .filter((f) => f && !f.split('/').includes('node_modules') && existsSync(path.join(ROOT, f)) && lstatSync(path.join(ROOT, f)).isFile());
  execFileSync('tar', ['-cf', path.join(clone, '.files.tar'), '--null', '-T', '-'], { cwd: ROOT, input: files.join('\0') });
  execFileSync('tar', ['-xf', '.files.tar'], { cwd: clone });
  rmSync(path.join(clone, '.files.tar'));
  // A clone is a git work tree (some unit tests list the project's files with git): the same files, staged.
  execFileSync('git', ['init', '-q'], { cwd: clone });
  execFileSync('git', ['add', '-A'], { cwd: clone });
});
afterAll(() => rmSync(clone, { recursive: true, force: true }));

test("the README's no-AWS blocks run verbatim on a fresh copy", async () => {
  const blocks = shellBlocks(readFileSync(path.join(clone, 'README.md'), 'utf8')).filter((b) => b.kind === 'no-aws');
  expect(blocks.length).toBeGreaterThan(0);
  const script = ['set -e', ...blocks.map((b) => b.script)].join('\n');
  // A newcomer's shell: no test-run variables (this project's CI demands ../shared, which a clone elsewhere lacks).
  const { AMP_XA_REQUIRE_SHARED_DATA: _ci, AMP_XA_CONFIG: _config, JEST_WORKER_ID: _worker, ...env } = process.env;
  const result = await run('sh', ['-c', script], { cwd: clone, env });
  expect({ code: result.code, tail: result.code ? result.output.slice(-3000) : '' }).toEqual({ code: 0, tail: '' });
  // What the blocks promise: the stacks of both configs, the diagram, a config of one's own.
  expect(existsSync(path.join(clone, 'cdktf.out', 'fleet.mmd'))).toBe(true);
  expect(existsSync(path.join(clone, 'my-fleet.json'))).toBe(true);
  expect(JSON.parse(readFileSync(path.join(clone, 'my-fleet.json'), 'utf8')).$schema).toBe('./amp-xa.schema.json');
  expect(existsSync(path.join(clone, 'cdktf.out', 'stacks', 'fleet-scrapers', 'cdk.tf.json'))).toBe(true);
  expect(result.output).toMatch(/^Tests: .*\b\d+ passed/m);
});
