/**
 * Harness of the hostile-input suites: every case goes through the app's real entry (synthFleetApp, or
 * main.ts in a child process where a regression could block the test process) with a temporary outdir.
 */
import { spawnSync } from 'child_process';
import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'fs';
import * as path from 'path';
import { synthFleetApp } from '../lib/fleet-app';
import { MAX_PROBLEM_LENGTH, MAX_PROBLEMS_SHOWN } from '../lib/config/errors';
import { exampleConfig } from './support/fleet';
import { scratchDir } from './support/scratch';

export { exampleConfig };
const ROOT = path.join(__dirname, '..');

export interface Run {
  readonly code: number;
  /** Everything the app logged, split into lines. */
  readonly lines: string[];
  readonly text: string;
  readonly outdir: string;
  readonly dir: string;
}

/**
 * A fresh, empty folder, removed after the test (realpath: macOS's /tmp is a symlink). It sits one level down in
 * a scratch folder of its own, so a file a test puts next to it (`../secret.yaml`) goes with it, not into /tmp.
 */
export function freshDir(): string {
  const dir = path.join(realpathSync(scratchDir('hostile')), 'config');
  mkdirSync(dir);
  return dir;
}

/** Writes `config` (an object, or raw text) as `name` in `dir`; returns its path. */
export function writeConfig(dir: string, config: unknown, name = 'fleet.json'): string {
  const file = path.join(dir, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, typeof config === 'string' || Buffer.isBuffer(config) ? config : JSON.stringify(config, null, 2));
  return file;
}

/** The app's entry, in process. */
export function synth(configPath: string, dir = path.dirname(configPath)): Run {
  const outdir = path.join(dir, 'cdktf.out');
  const logged: string[] = [];
  const code = synthFleetApp({ configPath, outdir, log: (l) => logged.push(l) });
  const text = logged.join('\n');
  return { code, lines: text.split('\n'), text, outdir, dir };
}

/**
 * The app as `cdktf synth` runs it (main.ts), in a child process: for inputs that would block or exhaust
 * the test process if the protection regressed (a FIFO, /dev/zero). The timeout only stops a hung child so
 * the test fails instead of hanging; nothing asserts on durations.
 */
export function synthInChild(configPath: string, dir: string): Run {
  const outdir = path.join(dir, 'cdktf.out');
  const r = spawnSync(process.execPath, ['-r', path.join(ROOT, 'scripts', 'register.js'), path.join(ROOT, 'main.ts')], {
    cwd: dir,
    env: { PATH: process.env.PATH!, CDKTF_OUTDIR: outdir, AMP_XA_CONFIG: configPath, CHECKPOINT_DISABLE: '1' },
    encoding: 'utf8',
    timeout: 30_000,
    maxBuffer: 1024 * 1024,
  });
  if (r.error) throw new Error(`the app did not finish: ${r.error.message}`);
  const text = r.stderr.replace(/\n$/, '');
  return { code: r.status ?? -1, lines: text.split('\n'), text, outdir, dir };
}

/** Printable ASCII and line breaks only: no control, invisible, direction or homoglyph character raw. */
export const SAFE_OUTPUT = /^[\x20-\x7e\n]*$/;

/**
 * The contract for rejected input: exit 1, nothing written, a header line, then one bounded, printable line per
 * problem in the form `<field>: <message>` (at most MAX_PROBLEMS_SHOWN, then "and N more"), and among them a
 * line for each expected field.
 */
export function expectRejected(run: Run, ...fields: string[]): string[] {
  expect(run.code).toBe(1);
  expect(existsSync(run.outdir)).toBe(false);
  expect(run.text).toMatch(SAFE_OUTPUT);
  const [header, ...rest] = run.lines;
  expect(header).toMatch(/^invalid amp-xa config .*:$/);
  const more = rest.length && /^ {2}\.\.\. and \d+ more problems? /.test(rest[rest.length - 1]) ? rest.pop() : undefined;
  expect(rest.length).toBeGreaterThan(0);
  expect(rest.length).toBeLessThanOrEqual(MAX_PROBLEMS_SHOWN);
  for (const line of rest) {
    expect(line).toMatch(/^ {2}- \S.*?: \S/);
    // The cut notice adds at most ~30 characters to a line cut at MAX_PROBLEM_LENGTH.
    expect(line.length).toBeLessThanOrEqual(4 + MAX_PROBLEM_LENGTH + 40);
  }
  const problems = rest.map((l) => l.slice(4));
  for (const field of fields) {
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^${escapeRegExp(field)}[: ]`))]));
  }
  if (more) expect(problems).toHaveLength(MAX_PROBLEMS_SHOWN);
  return problems;
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A config from the shipped example, mutated, written to a fresh folder with optional extra files. */
export function configIn(mutate: (c: any) => void = () => undefined, files: Record<string, string | Buffer> = {}): { dir: string; file: string } {
  const dir = freshDir();
  const config = exampleConfig();
  mutate(config);
  for (const [name, content] of Object.entries(files)) writeConfig(dir, content, name);
  return { dir, file: writeConfig(dir, config) };
}

/** Rejects a config mutated from the example, through the in-process entry. */
export function rejects(mutate: (c: any) => void, files: Record<string, string | Buffer> = {}): { run: Run; problems: (...fields: string[]) => string[] } {
  const { file } = configIn(mutate, files);
  const run = synth(file);
  return { run, problems: (...fields: string[]) => expectRejected(run, ...fields) };
}

/**
 * A string as Terraform reads it from JSON syntax: `$${` is a literal `${`, `%%{` a literal `%{`; an
 * unescaped `${` or `%{` is an interpolation or directive, so the string is not the literal the user wrote.
 */
export function terraformLiteral(text: string): string {
  let out = '';
  for (let i = 0; i < text.length;) {
    const c = text[i];
    if ((c === '$' || c === '%') && text[i + 1] === c && text[i + 2] === '{') {
      out += `${c}{`;
      i += 3;
    } else if ((c === '$' || c === '%') && text[i + 1] === '{') {
      throw new Error(`not a literal: Terraform would evaluate the template sequence at offset ${i} of ${JSON.stringify(text.slice(0, 200))}`);
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** The synthesized Terraform JSON of one stack. */
export function stackJson(run: Run, stack: string): any {
  return JSON.parse(readFileSync(path.join(run.outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8'));
}

/** Every local-exec provisioner of a stack, with its resource address. */
export function localExecs(json: any): Array<{ address: string; command: string; environment: Record<string, string> }> {
  const out = [];
  for (const [type, resources] of Object.entries<any>(json.resource ?? {})) {
    for (const [name, r] of Object.entries<any>(resources)) {
      for (const p of r.provisioner ?? []) if (p['local-exec']) out.push({ address: `${type}.${name}`, ...p['local-exec'] });
    }
  }
  return out;
}
