/** The app as `cdktf synth` runs it: a child process, config from AMP_XA_CONFIG, output to CDKTF_OUTDIR. */
import { spawnSync } from 'child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'fs';
import * as path from 'path';
import { exampleConfig } from './support/fleet';
import { scratchDir } from './support/scratch';

const ROOT = path.join(__dirname, '..');

/** `configFile`: a config `prepare` wrote, relative to the scratch directory (instead of `configText` as fleet.json). */
function runApp(configText: string | undefined, prepare: (dir: string) => void = () => undefined, configFile?: string) {
  const dir = scratchDir('main');
  prepare(dir);
  const out = path.join(dir, 'out');
  const env: Record<string, string> = { PATH: process.env.PATH!, CDKTF_OUTDIR: out };
  if (configText !== undefined) {
    writeFileSync(path.join(dir, 'fleet.json'), configText);
    env.AMP_XA_CONFIG = path.join(dir, 'fleet.json');
  }
  if (configFile !== undefined) env.AMP_XA_CONFIG = path.join(dir, configFile);
  const result = spawnSync(process.execPath, ['-r', path.join(ROOT, 'scripts', 'register.js'), path.join(ROOT, 'main.ts')], {
    cwd: dir,
    env,
    encoding: 'utf8',
  });
  const written = existsSync(out) ? readdirSync(out, { recursive: true }) : [];
  return { ...result, dir, out, written };
}

test('synth reports a local state whose stack left the app (an account removed too early), with the way to destroy it', () => {
  const r = runApp(JSON.stringify(exampleConfig()), (dir) => {
    mkdirSync(path.join(dir, 'state', 'fleet'), { recursive: true });
    for (const stack of ['fleet-scrapers', 'gone-scrapers', 'gone-trust']) writeFileSync(path.join(dir, 'state', 'fleet', `terraform.${stack}.tfstate`), '{}');
  });
  // On stdout: cdktf prints every line of its app's stderr as "[ERROR] default - <time> ...".
  expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  const warnings = r.stdout.split('\n').filter((line) => line.startsWith('amp-xa warning:'));
  expect(warnings).toHaveLength(2);
  expect(warnings[0]).toMatch(
    /gone-scrapers.*state\/fleet\/terraform\.gone-scrapers\.tfstate.*put an account with "unit": "gone" and no clusters back in the config/,
  );
  expect(warnings[1]).toMatch(/gone-trust/);
});

test("another fleet's states in the same folder are not this fleet's orphans: each fleet has its own folder", () => {
  const r = runApp(JSON.stringify(exampleConfig()), (dir) => {
    mkdirSync(path.join(dir, 'state', 'other'), { recursive: true });
    writeFileSync(path.join(dir, 'state', 'other', 'terraform.gone-scrapers.tfstate'), '{}');
  });
  expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  expect(r.stdout).not.toContain('amp-xa warning');
});

test('a state where amp-xa kept it before fleets had their own folders stops the synth with the move to make; nothing is written', () => {
  const r = runApp(JSON.stringify(exampleConfig()), (dir) => {
    mkdirSync(path.join(dir, 'state'));
    writeFileSync(path.join(dir, 'state', 'terraform.fleet-scrapers.tfstate'), '{}');
  });
  expect({ status: r.status, written: r.written }).toEqual({ status: 1, written: [] });
  expect(r.stderr).toContain('mkdir -p state/fleet && mv state/terraform.fleet-scrapers.tfstate state/fleet/terraform.fleet-scrapers.tfstate');
  expect(r.stderr.split('\n').filter((line) => line.startsWith('amp-xa: state of stack'))).toHaveLength(1);
});

test('the local state folder is relative to the config file, not to where the command runs', () => {
  const r = runApp(
    undefined,
    (dir) => {
      mkdirSync(path.join(dir, 'fleets'));
      writeFileSync(path.join(dir, 'fleets', 'prod.json'), JSON.stringify({ ...exampleConfig(), backend: { type: 'local', directory: 'tf-state' } }));
    },
    'fleets/prod.json',
  );
  expect(r.status).toBe(0);
  const backend = JSON.parse(readFileSync(path.join(r.out, 'stacks', 'fleet-scrapers', 'cdk.tf.json'), 'utf8')).terraform.backend.local.path;
  expect(path.resolve(r.out, 'stacks', 'fleet-scrapers', backend)).toBe(path.join(r.dir, 'fleets', 'tf-state', 'prod', 'terraform.fleet-scrapers.tfstate'));
});

test('a config file whose name is not a fleet name needs a "fleet" field, and says so', () => {
  const r = runApp(undefined, (dir) => writeFileSync(path.join(dir, 'My Fleet.json'), JSON.stringify(exampleConfig())), 'My Fleet.json');
  expect({ status: r.status, written: r.written }).toEqual({ status: 1, written: [] });
  expect(r.stderr).toMatch(/fleet: the config file name "My Fleet\.json" is not a fleet name .* add "fleet": "<name>"/);
  const named = runApp(
    undefined,
    (dir) => writeFileSync(path.join(dir, 'My Fleet.json'), JSON.stringify({ ...exampleConfig(), fleet: 'prod' })),
    'My Fleet.json',
  );
  expect(named.status).toBe(0);
});

test('without AMP_XA_CONFIG, the embedded example synthesizes both phases', () => {
  const r = runApp(undefined);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.written).toEqual(expect.arrayContaining(['manifest.json', 'stacks/fleet-scrapers/cdk.tf.json', 'stacks/fleet-trust/cdk.tf.json']));
});

test.each([
  ['an empty file', '', /\(file\): is empty/],
  ['not JSON', '{ accounts: ', /\(file\): not valid JSON/],
  ['a JSON array', '[]', /\(root\): expected object, got \[\]/],
  [
    'a bad field',
    JSON.stringify({ ...exampleConfig(), pairs: [{ ...exampleConfig().pairs[0], cluster: 'nope' }] }),
    /pairs\[0\]\.cluster: unknown cluster "nope"/,
  ],
])('%s: exit 1, the field in the message, nothing written', (_name, text, message) => {
  const r = runApp(text);
  expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 1, stdout: '' });
  expect(r.stderr).toMatch(/^invalid amp-xa config /);
  expect(r.stderr).toMatch(message);
  expect(r.written).toEqual([]);
});

test('an invalid scrape config file: exit 1, the key path in the message, nothing written', () => {
  const config = exampleConfig();
  config.pairs[0].scrapeConfigFile = 'scrape.yaml';
  const dir = scratchDir('main');
  writeFileSync(path.join(dir, 'fleet.json'), JSON.stringify(config));
  writeFileSync(path.join(dir, 'scrape.yaml'), 'scrape_configs:\n  - job_name: a\n    file_sd_configs: [{files: [x]}]\n');
  const r = spawnSync(process.execPath, ['-r', path.join(ROOT, 'scripts', 'register.js'), path.join(ROOT, 'main.ts')], {
    cwd: dir,
    env: { PATH: process.env.PATH!, CDKTF_OUTDIR: path.join(dir, 'out'), AMP_XA_CONFIG: path.join(dir, 'fleet.json') },
    encoding: 'utf8',
  });
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/pairs\[0\]\.scrapeConfigFile \(scrape\.yaml\) scrape_configs\[0\]\.file_sd_configs: not supported by the AMP managed collector/);
  expect(existsSync(path.join(dir, 'out'))).toBe(false);
});

test('a missing config file names AMP_XA_CONFIG', () => {
  const dir = scratchDir('main');
  const r = spawnSync(process.execPath, ['-r', path.join(ROOT, 'scripts', 'register.js'), path.join(ROOT, 'main.ts')], {
    cwd: dir,
    env: { PATH: process.env.PATH!, CDKTF_OUTDIR: path.join(dir, 'out'), AMP_XA_CONFIG: path.join(dir, 'missing.json') },
    encoding: 'utf8',
  });
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/AMP_XA_CONFIG: cannot read .*missing\.json \(ENOENT\)/);
  expect(existsSync(path.join(dir, 'out'))).toBe(false);
});

test('quota warnings go to stdout without failing synth', () => {
  const config = exampleConfig();
  for (let i = 0; i < 10; i++) {
    config.workspaces[`ws-${i}`] = { account: 'observability', arn: `arn:aws:aps:eu-west-1:222222222222:workspace/ws-${i}abc` };
    config.pairs.push({ name: `p-${i}`, cluster: 'prod-eks', workspace: `ws-${i}` });
  }
  const r = runApp(JSON.stringify(config));
  expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  expect(r.stdout).toMatch(/^amp-xa warning: account\/region 111111111111 eu-west-1 gets 11 scrapers/);
});
