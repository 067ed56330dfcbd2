/**
 * Hostile input against fleet isolation: fleet names and config file names that would not make a safe state
 * location, backend locations that would reach another fleet's state, and the guard every stack carries. Refused
 * input exits 1 with one line naming the field and writes nothing; valid input lands each fleet in its own place.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'fs';
import * as path from 'path';
import { exampleConfig, expectRejected, freshDir, rejects, stackJson, synth, writeConfig } from './hostile-input.helpers';
import { claimStackDirectory } from '../lib/stack-dirs';
import { scratchDir } from './support/scratch';

const SCRAPERS = 'fleet-scrapers';
const TRUST = 'fleet-trust';

describe('fleet names: a name that could leave its folder, collide or inject is refused', () => {
  test.each([
    ['a path', '../other'],
    ['an absolute path', '/etc'],
    ['a nested path', 'a/b'],
    ['upper case', 'Prod'],
    ['one character', 'a'],
    ['33 characters', 'a'.repeat(33)],
    ['a template', '${var.x}'],
    ['a directive', '%{ if x }'],
    ['a space', 'prod fleet'],
    ['a trailing dash', 'prod-'],
    ['a leading digit', '1prod'],
    ['a dot', 'prod.eu'],
    ['an empty string', ''],
    ['a control character', 'prod\u0007'],
    ['a bidirectional mark', 'prod\u202e'],
    ['a number', 42],
    ['null', null],
    ['an object', { name: 'prod' }],
  ])('%s as "fleet"', (_name, value) => {
    const { problems } = rejects((c) => (c.fleet = value));
    const lines = problems('fleet');
    expect(lines.filter((l) => l.startsWith('fleet:'))).toHaveLength(1);
  });

  test('a "fleet" refused by the schema is not also reported as missing', () => {
    const dir = freshDir();
    const run = synth(writeConfig(dir, { ...exampleConfig(), fleet: 'Bad Name' }, 'My Fleet.json'));
    const lines = expectRejected(run, 'fleet');
    expect(lines.filter((l) => l.startsWith('fleet:'))).toHaveLength(1);
    expect(run.text).not.toContain('is not a fleet name (2-32 chars');
  });
});

describe('config file names: the default fleet name comes from the file, only when it is a valid name', () => {
  test.each(['My Fleet.json', 'prod.eu.json', '.json', '1prod.json', 'a.json', `${'a'.repeat(33)}.json`, 'prod$.json', 'prod.yaml', 'fleet%{x}.json'])(
    '%s without "fleet" is refused, naming the fleet field and the fix',
    (name) => {
      const run = synth(writeConfig(freshDir(), exampleConfig(), name));
      const [line] = expectRejected(run, 'fleet');
      expect(line).toMatch(/^fleet: the config file name ".*" is not a fleet name .* add "fleet": "<name>"/);
    },
  );

  test.each([
    ['prod.json', 'prod'],
    ['prod.JSON', 'prod'],
    ['team-b.json', 'team-b'],
  ])('%s is fleet %s', (name, fleet) => {
    const dir = freshDir();
    const run = synth(writeConfig(dir, exampleConfig(), name));
    expect(run.code).toBe(0);
    expect(stackJson(run, SCRAPERS).output.amp_xa_fleet.value).toBe(fleet);
    expect(stackJson(run, SCRAPERS).terraform.backend.local.path).toMatch(new RegExp(`/state/${fleet}/terraform\\.fleet-scrapers\\.tfstate$`));
  });

  test('an explicit "fleet" wins over the file name', () => {
    const run = synth(writeConfig(freshDir(), { ...exampleConfig(), fleet: 'payments' }, 'prod.json'));
    expect(run.code).toBe(0);
    expect(stackJson(run, TRUST).output.amp_xa_fleet.value).toBe('payments');
  });
});

describe('state locations: two fleets never meet, whatever their account, unit and workspace names', () => {
  const locations = (backend: unknown, fleet: string, name = 'fleet.json', dir = freshDir()) => {
    const run = synth(writeConfig(dir, { ...exampleConfig(), fleet, backend }, name));
    expect(run.code).toBe(0);
    const json = stackJson(run, SCRAPERS);
    return JSON.stringify(json.terraform.backend ?? json.terraform.cloud);
  };

  test.each([
    ['local', { type: 'local', directory: 'state' }],
    ['local, absolute', { type: 'local', directory: '/var/lib/amp-xa' }],
    ['local, with dot segments', { type: 'local', directory: './state/../state' }],
    ['S3', { type: 's3', bucket: 'tf-state', region: 'eu-west-1', keyPrefix: 'amp-xa' }],
    ['S3, prefix with a trailing slash', { type: 's3', bucket: 'tf-state', region: 'eu-west-1', keyPrefix: 'amp-xa/' }],
    ['HCP Terraform', { type: 'cloud', organization: 'acme' }],
  ])('%s: fleets a and b in the same folder get different locations', (_name, backend) => {
    const dir = freshDir();
    expect(locations(backend, 'team-a', 'a.json', dir)).not.toEqual(locations(backend, 'team-b', 'b.json', dir));
  });

  test('S3: one fleet name cannot reach into another fleet through the key prefix', () => {
    // <prefix>/<fleet>/<stack>: prefix "amp-xa/team" with fleet "a" is amp-xa/team/a/, never amp-xa/team-a/.
    const one = locations({ type: 's3', bucket: 'tf-state', region: 'eu-west-1', keyPrefix: 'amp-xa' }, 'team-a');
    const two = locations({ type: 's3', bucket: 'tf-state', region: 'eu-west-1', keyPrefix: 'amp-xa/team' }, 'aa');
    expect(JSON.parse(one).s3.key).toBe('amp-xa/team-a/fleet-scrapers.tfstate');
    expect(JSON.parse(two).s3.key).toBe('amp-xa/team/aa/fleet-scrapers.tfstate');
  });

  test('a local directory relative to the config file: configs in different folders with the same name stay apart', () => {
    const root = freshDir();
    const paths = ['east', 'west'].map((sub) => {
      const dir = path.join(root, sub);
      const run = synth(writeConfig(dir, exampleConfig(), 'prod.json'), dir);
      expect(run.code).toBe(0);
      return path.resolve(run.outdir, 'stacks', SCRAPERS, stackJson(run, SCRAPERS).terraform.backend.local.path);
    });
    expect(paths).toEqual(['east', 'west'].map((sub) => path.join(root, sub, 'state', 'prod', 'terraform.fleet-scrapers.tfstate')));
  });
});

describe('the guard: every stack refuses a state another fleet recorded', () => {
  test.each([SCRAPERS, TRUST])('%s records its fleet and checks its own state before the plan goes on (local)', (stack) => {
    const run = synth(writeConfig(freshDir(), { ...exampleConfig(), fleet: 'team-a' }));
    const json = stackJson(run, stack);
    expect(json.output.amp_xa_fleet.value).toBe('team-a');
    const own = json.data.terraform_remote_state['own-state'];
    expect(own.config.path).toBe(json.terraform.backend.local.path);
    expect(own.lifecycle.postcondition).toEqual([expect.objectContaining({ condition: '${try(self.outputs.amp_xa_fleet, "team-a") == "team-a"}' })]);
    expect(own.lifecycle.postcondition[0].error_message).toMatch(
      /^The state of stack .* belongs to amp-xa fleet "\$\{try\(tostring\(self\.outputs\.amp_xa_fleet\), "\?"\)\}", not to fleet "team-a"/,
    );
  });

  test('S3: the same check, on the key the stack writes, listed through one state-bucket provider', () => {
    const run = synth(writeConfig(freshDir(), { ...exampleConfig(), fleet: 'team-a', backend: { type: 's3', bucket: 'tf-state', region: 'eu-west-1' } }));
    const json = stackJson(run, TRUST);
    expect(json.data.terraform_remote_state['own-state'].config.key).toBe(json.terraform.backend.s3.key);
    expect(json.data.terraform_remote_state['scraper-state'].config.key).toBe('amp-xa/team-a/fleet-scrapers.tfstate');
    expect(json.provider.aws.filter((p: any) => p.alias === 'state-bucket')).toHaveLength(1);
  });

  test('HCP Terraform: recorded, not read (a workspace without state fails a remote-state read); the workspace name is the guard', () => {
    const run = synth(writeConfig(freshDir(), { ...exampleConfig(), fleet: 'team-a', backend: { type: 'cloud', organization: 'acme' } }));
    const json = stackJson(run, SCRAPERS);
    expect(json.output.amp_xa_fleet.value).toBe('team-a');
    expect(json.data?.terraform_remote_state?.['own-state']).toBeUndefined();
    expect(json.terraform.cloud.workspaces.name).toBe('amp-xa-team-a-fleet-scrapers');
  });
});

describe('stack working directories shared by two fleets in one checkout', () => {
  const stackDir = () => {
    const dir = path.join(scratchDir('stack-dir'), 'fleet-scrapers');
    mkdirSync(path.join(dir, '.terraform'), { recursive: true });
    writeFileSync(path.join(dir, '.terraform', 'terraform.tfstate'), '{"backend":{"type":"local"}}');
    writeFileSync(path.join(dir, '.terraform', 'providers-kept'), 'x');
    return dir;
  };
  const pointer = (dir: string) => {
    try {
      return readFileSync(path.join(dir, '.terraform', 'terraform.tfstate'), 'utf8');
    } catch {
      return undefined;
    }
  };

  test("another fleet's directory: its backend settings go (never a state, never the providers), and it is this fleet's", () => {
    const dir = stackDir();
    claimStackDirectory(dir, 'team-a');
    expect(pointer(dir)).toBeUndefined();
    expect(readFileSync(path.join(dir, '.terraform', 'providers-kept'), 'utf8')).toBe('x');
    expect(readFileSync(path.join(dir, '.amp-xa-fleet'), 'utf8')).toBe('team-a\n');
  });

  test("the same fleet's directory keeps its backend settings (Terraform's own migration prompt stays for a changed backend)", () => {
    const dir = stackDir();
    writeFileSync(path.join(dir, '.amp-xa-fleet'), 'team-a\n');
    claimStackDirectory(dir, 'team-a');
    expect(pointer(dir)).toBe('{"backend":{"type":"local"}}');
    claimStackDirectory(dir, 'team-b');
    expect(pointer(dir)).toBeUndefined();
  });
});
