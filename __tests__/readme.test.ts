/** The README a newcomer reads first: short, every shell block accounted for, every link and anchor there. */
import { existsSync, readdirSync, readFileSync } from 'fs';
import * as path from 'path';
import { headingAnchors, relativeLinks, RUN_KINDS, shellBlocks } from './support/readme';

const ROOT = path.join(__dirname, '..');
const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const DOCS = readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md'));

test('README.md stays under 250 lines (reference material lives in docs/)', () => {
  expect(README.split('\n').length).toBeLessThan(250);
});

test('every shell block in the README says how it is proven (a readme-run marker)', () => {
  const unmarked = shellBlocks(README).filter((b) => b.kind === undefined);
  expect(unmarked.map((b) => `README.md:${b.line}`)).toEqual([]);
  expect(shellBlocks(README).some((b) => b.kind === 'no-aws')).toBe(true);
});

test('the block parser sees markers, kinds and unmarked blocks', () => {
  const md = [
    '<!-- readme-run: no-aws -->',
    '```sh',
    'npm ci',
    '```',
    '',
    '```sh',
    'rm -rf /',
    '```',
    '<!-- readme-run: bogus -->',
    '```bash',
    'x',
    '```',
  ].join('\n');
  expect(shellBlocks(md)).toEqual([
    { line: 2, kind: 'no-aws', script: 'npm ci\n' },
    { line: 6, kind: undefined, script: 'rm -rf /\n' },
    { line: 10, kind: undefined, script: 'x\n' },
  ]);
  expect(RUN_KINDS).toContain('sandbox');
});

test.each(['README.md', ...DOCS.map((f) => `docs/${f}`)])('%s: every relative link and anchor resolves', (file) => {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  const broken: string[] = [];
  for (const { target, anchor } of relativeLinks(text)) {
    const resolved = target ? path.join(ROOT, path.dirname(file), target) : path.join(ROOT, file);
    if (!existsSync(resolved)) broken.push(`${target}: no such file`);
    else if (anchor && resolved.endsWith('.md') && !headingAnchors(readFileSync(resolved, 'utf8')).has(anchor))
      broken.push(`${target}#${anchor}: no such heading`);
  }
  expect(broken).toEqual([]);
});

test('every docs/ page is linked from the README', () => {
  const linked = new Set(relativeLinks(README).map((l) => l.target));
  expect(DOCS.filter((f) => !linked.has(`docs/${f}`))).toEqual([]);
});
