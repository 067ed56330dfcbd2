/**
 * Every npm script and every shell script answers -h and --help with its usage on stdout, exit 0, and changes
 * nothing. They run in a copy of the work tree (node_modules linked), so a script that acts instead of helping
 * shows up as a changed, added or removed file there, or in its HOME or TMPDIR, whatever other tests do meanwhile.
 */
import { execFileSync, spawnSync } from 'child_process';
import { copyFileSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const scripts: Record<string, string> = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts;
const shellScripts = [
  ...['scripts', 'scripts/ci'].flatMap((dir) =>
    readdirSync(path.join(ROOT, dir))
      .filter((f) => f.endsWith('.sh'))
      .map((f) => `${dir}/${f}`),
  ),
  '.ci/run',
];

let copy: string;
let home: string;
let tmp: string;
let npmCache: string;

/** Every file of a tree with its size and mtime (node_modules is a link into the real tree: not followed). */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const name of readdirSync(path.join(dir, rel))) {
      const file = path.join(rel, name);
      const stat = lstatSync(path.join(dir, file));
      if (stat.isDirectory()) walk(file);
      else out[file] = `${stat.size} ${stat.mtimeMs}`;
    }
  };
  walk('');
  return out;
}

beforeAll(() => {
  const base = mkdtempSync(path.join(tmpdir(), 'amp-xa-help-'));
  copy = path.join(base, 'tree');
  home = path.join(base, 'home');
  tmp = path.join(base, 'tmp');
  npmCache = path.join(base, 'npm-cache'); // npm writes its logs there
  for (const d of [copy, home, tmp]) mkdirSync(d);
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0');
  for (const file of files.filter(Boolean)) {
    mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
    try {
      copyFileSync(path.join(ROOT, file), path.join(copy, file));
    } catch {
      /* deleted in the work tree but not yet in the index */
    }
  }
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'));
});

afterAll(() => rmSync(path.dirname(copy), { recursive: true, force: true }));

function run(command: string, args: string[]) {
  const before = snapshot(copy);
  const env = {
    PATH: `${path.join(copy, 'node_modules', '.bin')}:${process.env.PATH}`,
    HOME: home,
    TMPDIR: tmp,
    CDKTF_OUTDIR: '',
    npm_config_cache: npmCache,
    NODE_DISABLE_COMPILE_CACHE: '1',
  };
  const r = spawnSync(command, args, { cwd: copy, env, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, changed: { tree: snapshot(copy), home: readdirSync(home), tmp: readdirSync(tmp) }, before };
}

const expectHelp = (r: ReturnType<typeof run>) => {
  expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  expect(r.stdout).toMatch(/^usage: \S/);
  expect(r.changed).toEqual({ tree: r.before, home: [], tmp: [] });
};

describe.each(['--help', '-h'])('%s', (flag) => {
  // What `npm run NAME -- FLAG` runs: the script's command line with the flag appended, in sh.
  test.each(Object.keys(scripts))('npm run %s', (name) => {
    expectHelp(run('sh', ['-c', `${scripts[name]} ${flag}`]));
  });

  test.each(shellScripts)('%s', (file) => {
    expectHelp(run(path.join(copy, file), [flag]));
  });
});

test('through npm itself: the flag reaches the script, and npm run help prints the help file', () => {
  expectHelp(run('npm', ['run', '--silent', 'schema', '--', '--help']));
  const r = spawnSync('npm', ['run', '--silent', 'help'], { cwd: ROOT, encoding: 'utf8' });
  expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 0, stdout: readFileSync(path.join(ROOT, 'help'), 'utf8') });
});

test('the cdktf wrappers print amp-xa usage of their own command', () => {
  for (const command of ['synth', 'deploy', 'destroy']) expect(run('sh', ['-c', `${scripts[command]} --help`]).stdout).toMatch(`usage: npm run ${command} `);
});
