import { exampleConfig, addresses, at, plan, synthFleet } from './support/fleet';
import { normalizePolicy } from './support/policy';
import { targetPermissionsPolicy } from '../lib/iam-documents';

const deps = (stack: { dependencies: { node: { id: string } }[] }) => stack.dependencies.map((d) => d.node.id).sort();
const withoutHash = (list: string[]) => list.map((a) => a.replace(/_[0-9A-F]{8}$/, ''));

describe('multi-account fleet (examples/fleet.json)', () => {
  const synth = synthFleet(exampleConfig('fleet.json'));

  test('stacks: one phase-1 and one phase-2 stack for the whole fleet, a stack per created workspace; none per account or pair', () => {
    expect(Object.keys(synth.json).sort()).toEqual(['audit-workspace', 'fleet-scrapers', 'fleet-trust']);
    expect(synth.stacks.all.map((s) => s.node.id)).toEqual(['audit-workspace', 'fleet-scrapers', 'fleet-trust']);
  });

  test('stack order: created workspace -> scrapers -> trust', () => {
    const fleet = synth.stacks.units.get('fleet')!;
    expect(deps(fleet.scraper)).toEqual(['audit-workspace']);
    expect(deps(fleet.trust)).toEqual(['fleet-scrapers']);
  });

  test('the fleet unit holds every pair of every source account', () => {
    expect(withoutHash(addresses(synth.json['fleet-scrapers'])).filter((a) => a.startsWith('aws_prometheus_scraper'))).toEqual([
      'aws_prometheus_scraper.prod-to-audit_scraper',
      'aws_prometheus_scraper.prod-to-central_scraper',
      'aws_prometheus_scraper.staging-to-central_scraper',
    ]);
    expect(Object.keys(synth.json['fleet-trust'].output.pinned_scraper_arns.value).sort()).toEqual(['prod-to-audit', 'prod-to-central', 'staging-to-central']);
  });

  test('a created workspace: read once per unit from its stack state (S3 listing), a placeholder before', () => {
    const stack = synth.json['fleet-scrapers'];
    const arn = '${local.workspace-audit-state-workspace_arn}';
    expect(stack.locals['workspace-audit-state-workspace_arn']).toBe(
      '${try(data.terraform_remote_state.workspace-audit-state[0].outputs.workspace_arn, "arn:aws:aps:eu-west-1:222222222222:workspace/ws-pending")}',
    );
    expect(normalizePolicy(JSON.parse(at(stack, 'aws_iam_role_policy', 'prod-to-audit/target-remote-write').policy))).toEqual(
      normalizePolicy(targetPermissionsPolicy(arn)),
    );
    expect(at(stack, 'aws_prometheus_scraper', 'prod-to-audit/scraper').destination[0].amp[0].workspace_arn).toBe(arn);
    const remote = stack.data.terraform_remote_state['workspace-audit-state'];
    expect(remote).toMatchObject({ backend: 's3', config: { key: 'amp-xa/prod/fleet/audit-workspace.tfstate' } });
    expect(remote.count).toBe('${contains(data.aws_s3_objects.workspace-audit-state-probe.keys, "amp-xa/prod/fleet/audit-workspace.tfstate") ? 1 : 0}');
    expect(stack.provider.aws.find((p: any) => p.alias === 'state-bucket')).toEqual({
      alias: 'state-bucket',
      region: 'eu-west-1',
      profile: 'observability',
    });
  });

  test('a provider per account, each pinned to its account; every pair uses the provider of the account its resource is in', () => {
    const aliases = (stack: string) =>
      synth.json[stack].provider.aws
        .map((p: any) => p.alias)
        .filter((a: string) => !a.endsWith('-bucket'))
        .sort();
    expect(aliases('fleet-scrapers')).toEqual(['to-observability', 'to-workload-a', 'to-workload-b']);
    expect(aliases('fleet-trust')).toEqual(['to-observability', 'to-workload-a', 'to-workload-b']);
    expect(synth.json['fleet-scrapers'].provider.aws.find((p: any) => p.alias === 'to-workload-b')).toMatchObject({
      allowed_account_ids: ['333333333333'],
      profile: 'workload-b',
    });
    const stack = synth.json['fleet-scrapers'];
    expect(at(stack, 'aws_prometheus_scraper', 'staging-to-central/scraper').provider).toBe('aws.to-workload-b');
    expect(at(stack, 'aws_iam_role', 'prod-to-central/source-role').provider).toBe('aws.to-workload-a');
    expect(at(stack, 'aws_iam_role', 'staging-to-central/target-role').provider).toBe('aws.to-observability');
  });

  test('the default scrape config labels series with their cluster, so clusters sharing a workspace stay apart', () => {
    expect(at(synth.json['fleet-scrapers'], 'aws_prometheus_scraper', 'prod-to-central/scraper').scrape_configuration).toMatch(
      /external_labels:\n {4}cluster: prod-eks\n/,
    );
    expect(at(synth.json['fleet-scrapers'], 'aws_prometheus_scraper', 'staging-to-central/scraper').scrape_configuration).toMatch(
      /external_labels:\n {4}cluster: staging-eks\n/,
    );
  });

  test('the workspace stack: target account, ignores the tag scrapers add, outputs ARN and remote-write URL', () => {
    const ws = synth.json['audit-workspace'];
    expect(Object.values<any>(ws.resource.aws_prometheus_workspace)[0]).toMatchObject({
      alias: 'amp-xa-audit',
      tags: { retention: 'long' },
      provider: 'aws.target',
    });
    expect(ws.provider.aws[0]).toMatchObject({ allowed_account_ids: ['222222222222'], ignore_tags: [{ keys: ['AMPAgentlessScraper'] }] });
    expect(Object.keys(ws.output).sort()).toEqual(['amp_xa_fleet', 'remote_write_url', 'workspace_arn', 'workspace_id']);
  });

  test('no interpolation carries an escaped quote (HCL rejects `\\"` inside `${}`: JSON text must embed references, not expressions)', () => {
    const strings: string[] = [];
    const walk = (v: unknown): void => {
      if (typeof v === 'string') strings.push(v);
      else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    };
    walk(synth.json);
    expect(strings.length).toBeGreaterThan(100);
    expect(strings.filter((text) => /\$\{[^}]*\\"/.test(text))).toEqual([]);
  });
});

describe('the unit is the deployment unit: removing, renaming, reordering pairs', () => {
  const before = synthFleet(exampleConfig('fleet.json')).json;
  const scrapers = (json: Record<string, any>) => addresses(json['fleet-scrapers']);

  test('removing a pair removes exactly its resources from its unit; every other address is untouched', () => {
    const config = exampleConfig('fleet.json');
    config.pairs = config.pairs.filter((p: any) => p.name !== 'prod-to-audit');
    const after = synthFleet(config).json;
    const removed = scrapers(before).filter((a) => !scrapers(after).includes(a));
    expect(withoutHash(removed)).toEqual([
      'aws_iam_role.prod-to-audit_source-role',
      'aws_iam_role.prod-to-audit_target-role',
      'aws_iam_role_policy.prod-to-audit_source-assume-target',
      'aws_iam_role_policy.prod-to-audit_target-remote-write',
      'aws_prometheus_scraper.prod-to-audit_scraper',
    ]);
    expect(scrapers(after).every((a) => scrapers(before).includes(a))).toBe(true);
    // The workspace a removed pair wrote to stays: it holds metrics, and amp-xa does not delete it behind the user's back.
    expect(Object.keys(after)).toContain('audit-workspace');
  });

  test("the last pair of an account goes: the unit's stacks keep the account's provider, so the deploy destroys what the state held", () => {
    const config = exampleConfig('fleet.json');
    config.pairs = config.pairs.filter((p: any) => p.cluster !== 'staging-eks');
    delete config.clusters['staging-eks'];
    const after = synthFleet(config).json;
    expect(withoutHash(scrapers(after)).some((a) => a.includes('staging-to-central'))).toBe(false);
    expect(after['fleet-scrapers'].provider.aws.map((p: any) => p.alias)).toContain('to-workload-b');
  });

  test('the last pair of a named unit goes: its stacks stay (now empty) while an account names the unit', () => {
    const config = exampleConfig('fleet.json');
    config.accounts['workload-b'].unit = 'staging';
    config.pairs = config.pairs.filter((p: any) => p.cluster !== 'staging-eks');
    delete config.clusters['staging-eks'];
    const after = synthFleet(config).json;
    expect(after['staging-scrapers'].resource).toBeUndefined();
    expect(after['staging-trust'].output.pinned_scraper_arns.value).toEqual({});
    // state-bucket: the stack reads its own state (S3 listing) to refuse another fleet's.
    expect(after['staging-scrapers'].provider.aws.map((p: any) => p.alias).sort()).toEqual([
      'state-bucket',
      'to-observability',
      'to-workload-a',
      'to-workload-b',
    ]);
    delete config.accounts['workload-b'];
    expect(Object.keys(synthFleet(config).json)).not.toContain('staging-scrapers');
  });

  test("a renamed pair: the old name's resources leave the plan and the new name's enter it, in the same unit", () => {
    const config = exampleConfig('fleet.json');
    config.pairs[0].name = 'prod-to-central-v2';
    const after = scrapers(synthFleet(config).json);
    const gone = withoutHash(scrapers(before).filter((a) => !after.includes(a)));
    const added = withoutHash(after.filter((a) => !scrapers(before).includes(a)));
    expect(gone.length).toBe(5);
    expect(gone.every((a) => a.includes('.prod-to-central_'))).toBe(true);
    expect(added).toEqual(gone.map((a) => a.replace('.prod-to-central_', '.prod-to-central-v2_')));
  });

  test('the order of pairs, clusters and accounts in the config changes nothing', () => {
    const config = exampleConfig('fleet.json');
    config.pairs.reverse();
    config.accounts = Object.fromEntries(Object.entries(config.accounts).reverse());
    config.clusters = Object.fromEntries(Object.entries(config.clusters).reverse());
    const after = synthFleet(config).json;
    for (const stack of ['fleet-scrapers', 'fleet-trust']) expect(addresses(after[stack])).toEqual(addresses(before[stack]));
  });

  test('a created workspace no pair uses still gets its stack (never orphaned by removing its last pair)', () => {
    const config = exampleConfig('fleet.json');
    config.pairs = config.pairs.filter((p: any) => p.workspace !== 'audit');
    expect(Object.keys(synthFleet(config).json)).toContain('audit-workspace');
  });
});

test('names that are Object.prototype keys are ordinary names', () => {
  const config = exampleConfig();
  config.clusters = { constructor: { ...config.clusters['prod-eks'] } };
  config.workspaces = { constructor: config.workspaces.central };
  config.accounts = { constructor: config.accounts.workload, observability: config.accounts.observability };
  config.clusters.constructor.account = 'constructor';
  config.pairs = [{ name: 'p1', cluster: 'constructor', workspace: 'constructor' }];
  const fleet = plan(config);
  expect(fleet.pairs.map((p) => [p.name, p.cluster.name, p.workspace.name, p.source.name])).toEqual([['p1', 'constructor', 'constructor', 'constructor']]);
  expect(fleet.units.map((u) => [u.scraperStackName, u.pairs.length])).toEqual([['fleet-scrapers', 1]]);
  expect(Object.keys(synthFleet(config).json).sort()).toEqual(['fleet-scrapers', 'fleet-trust']);
});

test('a pair naming an Object.prototype key that is not defined is an error, not a silent drop', () => {
  const config = exampleConfig();
  config.pairs = [{ name: 'p1', cluster: 'constructor', workspace: 'constructor' }];
  expect(() => plan(config)).toThrow(/pairs\[0\]\.cluster: unknown cluster "constructor"[\s\S]*pairs\[0\]\.workspace: unknown workspace "constructor"/);
});
