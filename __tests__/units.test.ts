/**
 * Deployment units: the default fleet-wide pair of stacks, named units, and a move of an account between units
 * that imports in the new unit and forgets in the old one, so no scraper is replaced.
 */
import { spawnSync } from 'child_process';
import { mkdirSync, writeFileSync } from 'fs';
import * as path from 'path';
import { exampleConfig, addresses, plan, synthFleet } from './support/fleet';
import { scratchDir } from './support/scratch';

const ROOT = path.join(__dirname, '..');
const deps = (stack: { dependencies: { node: { id: string } }[] }) => stack.dependencies.map((d) => d.node.id).sort();
const aliases = (stackJson: any) => stackJson.provider.aws.map((p: any) => p.alias).sort();

/** examples/fleet.json with workload-a in unit team-a and workload-b in team-b. */
function splitConfig(): any {
  const config = exampleConfig('fleet.json');
  config.accounts['workload-a'].unit = 'team-a';
  config.accounts['workload-b'].unit = 'team-b';
  return config;
}

describe('named units', () => {
  const fleet = synthFleet(exampleConfig('fleet.json')).json;
  const split = synthFleet(splitConfig());

  test('each unit gets its own pair of stacks with exactly its accounts’ pairs', () => {
    expect(Object.keys(split.json).sort()).toEqual(['audit-workspace', 'team-a-scrapers', 'team-a-trust', 'team-b-scrapers', 'team-b-trust']);
    expect(Object.keys(split.json['team-a-trust'].output.pinned_scraper_arns.value).sort()).toEqual(['prod-to-audit', 'prod-to-central']);
    expect(Object.keys(split.json['team-b-trust'].output.pinned_scraper_arns.value)).toEqual(['staging-to-central']);
    expect(deps(split.stacks.units.get('team-a')!.scraper)).toEqual(['audit-workspace']);
    expect(deps(split.stacks.units.get('team-b')!.trust)).toEqual(['team-b-scrapers']);
  });

  test('a pair has the same Terraform addresses in every unit, so moving it is a forget and an import, not a replace', () => {
    expect([...addresses(split.json['team-a-scrapers']), ...addresses(split.json['team-b-scrapers'])].sort()).toEqual(addresses(fleet['fleet-scrapers']));
    // Per pair; the finalizer batches (stateless terraform_data, one per trust stack, account and role kind) are the unit's own.
    const pairAddresses = (json: any) => addresses(json).filter((a) => !/^(terraform_data|null_resource)\.trust-/.test(a));
    expect([...pairAddresses(split.json['team-a-trust']), ...pairAddresses(split.json['team-b-trust'])].sort()).toEqual(pairAddresses(fleet['fleet-trust']));
    expect(
      addresses(split.json['team-a-trust'])
        .filter((a) => a.startsWith('terraform_data.'))
        .map((a) => a.replace(/_finalizer_\w+$/, '')),
    ).toEqual(['terraform_data.trust-source-workload-a', 'terraform_data.trust-target-observability']);
  });

  test('every unit reaches every account (a removed pair stays destroyable), one provider block per account: linear in accounts', () => {
    for (const stack of ['team-a-scrapers', 'team-b-trust'])
      expect(aliases(split.json[stack]).filter((a: string) => !a.endsWith('-bucket'))).toEqual(['to-observability', 'to-workload-a', 'to-workload-b']);
  });

  test('accounts that only own workspaces make no unit; a unit label on them is ignored', () => {
    const config = splitConfig();
    config.accounts.observability.unit = 'central';
    expect(plan(config).units.map((u) => u.name)).toEqual(['team-a', 'team-b']);
  });
});

/**
 * Pair names cannot collide with a stack's own construct IDs: pairs live in their own scope. These names are the
 * IDs the stacks use themselves (providers, remote-state readers, outputs, the pair scope).
 */
test.each(['source', 'to-observability', 'to-workload', 'scraper-state', 'null', 'workspace-central-state', 'default', 'moved-from-fleet-state', 'pinned'])(
  'a pair named %s synthesizes',
  (name) => {
    const config = exampleConfig();
    config.pairs[0].name = name;
    const { json } = synthFleet(config);
    expect(Object.keys(json['fleet-trust'].output.pinned_scraper_arns.value)).toEqual([name]);
    expect(addresses(json['fleet-scrapers']).filter((a) => a.startsWith('aws_prometheus_scraper'))).toHaveLength(1);
  },
);

describe('moving an account between units', () => {
  /** workload-b leaves the fleet unit for team-b. */
  function moveConfig(): any {
    const config = exampleConfig('fleet.json');
    config.accounts['workload-b'].unit = 'team-b';
    config.accounts['workload-b'].movedFrom = 'fleet';
    return config;
  }
  const before = synthFleet(exampleConfig('fleet.json')).json;
  const moved = synthFleet(moveConfig());
  const movedAddresses = addresses(before['fleet-scrapers']).filter((a) => a.includes('.staging-to-central_'));

  test('the new unit imports each of the pair’s five resources, gated on the old unit’s state holding the pair', () => {
    const imports = moved.json['team-b-scrapers'].import;
    expect(movedAddresses).toHaveLength(5);
    expect(imports.map((i: any) => i.to).sort()).toEqual(movedAddresses);
    const forEach =
      '${{ for k, v in { "staging-to-central" = try(data.terraform_remote_state.moved-from-fleet-state[0].outputs.scraper_ids["staging-to-central"], "") } : k => v if v != "" }}';
    for (const block of imports) expect(block.for_each).toBe(forEach);
    const byType = Object.fromEntries(imports.map((i: any) => [i.to.split('.')[0] + (i.to.includes('source') ? ':source' : ':target'), i.id]));
    expect(byType).toEqual({
      'aws_iam_role:source': 'amp-xa-staging-to-central-source',
      'aws_iam_role:target': 'amp-xa-staging-to-central-target',
      'aws_iam_role_policy:source': 'amp-xa-staging-to-central-source:amp-xa-assume-target',
      'aws_iam_role_policy:target': 'amp-xa-staging-to-central-target:amp-xa-remote-write',
      'aws_prometheus_scraper:target': '${each.value}',
    });
    expect(moved.json['team-b-scrapers'].data.terraform_remote_state['moved-from-fleet-state'].config.key).toBe('amp-xa/prod/fleet/fleet-scrapers.tfstate');
  });

  test('the old unit forgets exactly those resources (destroy = false) after the new unit has imported them', () => {
    const removed = moved.json['fleet-scrapers'].removed;
    expect(removed.map((r: any) => r.from).sort()).toEqual(movedAddresses);
    for (const block of removed) expect(block.lifecycle).toEqual({ destroy: false });
    expect(addresses(moved.json['fleet-scrapers']).some((a) => a.includes('staging-to-central'))).toBe(false);
    expect(aliases(moved.json['fleet-scrapers'])).toContain('to-workload-b');
    expect(deps(moved.stacks.units.get('fleet')!.scraper)).toContain('team-b-scrapers');
    const order = moved.stacks.all.map((s) => s.node.id);
    expect(order.indexOf('team-b-scrapers')).toBeLessThan(order.indexOf('fleet-scrapers'));
  });

  test('pairs of accounts that did not move get neither blocks', () => {
    expect(moved.json['fleet-scrapers'].import).toBeUndefined();
    expect(moved.json['team-b-scrapers'].removed).toBeUndefined();
  });

  test('from an amp-xa 0.2 per-account unit: the old stack gets the `source` alias its state names', () => {
    const config = exampleConfig('fleet.json');
    config.accounts['workload-b'].movedFrom = 'workload-b';
    const { json } = synthFleet(config);
    expect(json['workload-b-scrapers'].removed).toHaveLength(5);
    expect(json['workload-b-scrapers'].provider.aws.find((p: any) => p.alias === 'source')).toMatchObject({ allowed_account_ids: ['333333333333'] });
    expect(json['fleet-scrapers'].import).toHaveLength(5);
  });

  test.each([
    [
      'movedFrom names the unit the account is in',
      (c: any) => (c.accounts['workload-b'].movedFrom = 'fleet'),
      /accounts\.workload-b\.movedFrom: the account is in unit fleet already/,
    ],
    [
      'moves in both directions',
      (c: any) => {
        c.accounts['workload-b'].unit = 'team-b';
        c.accounts['workload-b'].movedFrom = 'fleet';
        c.accounts['workload-a'].movedFrom = 'team-b';
      },
      /accounts\.workload-a\.movedFrom: unit fleet also moves accounts .* to unit team-b; moves in both directions cannot be ordered/,
    ],
    [
      'an adoption in flight',
      (c: any) => {
        c.accounts['workload-b'].unit = 'team-b';
        c.accounts['workload-b'].movedFrom = 'fleet';
        c.pairs[2].adopt = { scraperId: 's-1234' };
      },
      /accounts\.workload-b\.movedFrom: pair staging-to-central is still being adopted/,
    ],
    ['a unit name that is not a name', (c: any) => (c.accounts['workload-b'].unit = 'Team B'), /accounts\.workload-b\.unit: expected unit name/],
  ])('refused: %s', (_what, edit, message) => {
    const config = exampleConfig('fleet.json');
    edit(config);
    expect(() => plan(config)).toThrow(message);
  });

  test('Terraform accepts the synthesized import and removed blocks (terraform validate)', () => {
    const dir = scratchDir('units-validate');
    const cli = spawnSync(path.join(ROOT, 'scripts', 'offline-terraform.sh'), [path.join(dir, 'cli')], { encoding: 'utf8' });
    expect(cli.status).toBe(0);
    const env = { ...process.env, TF_CLI_CONFIG_FILE: path.join(dir, 'cli', 'terraformrc'), CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' };
    for (const stack of ['team-b-scrapers', 'fleet-scrapers']) {
      const stackDir = path.join(dir, stack);
      mkdirSync(stackDir);
      writeFileSync(path.join(stackDir, 'cdk.tf.json'), moved.text[stack]);
      const init = spawnSync('terraform', ['init', '-backend=false', '-input=false', '-no-color'], { cwd: stackDir, env, encoding: 'utf8' });
      expect({ stack, code: init.status, out: init.status ? init.stdout + init.stderr : '' }).toEqual({ stack, code: 0, out: '' });
      const validate = spawnSync('terraform', ['validate', '-no-color'], { cwd: stackDir, env, encoding: 'utf8' });
      expect({ stack, code: validate.status, out: validate.status ? validate.stdout + validate.stderr : '' }).toEqual({ stack, code: 0, out: '' });
    }
  });
});
