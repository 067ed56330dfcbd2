/**
 * The preflight in a synthesized scraper stack: each cluster, VPC, subnet, security group and workspace read once
 * per stack whatever the number of pairs, the checks as postconditions of a data source per cluster and per
 * workspace (aws_partition: no API call, nothing added to a plan), and every pair's roles (so everything of the pair
 * after them) depending on its cluster's and its workspace's. The conditions themselves: preflight-checks.test.ts.
 */
import { all, exampleConfig, synthFleet } from './support/fleet';
import { preflightReads } from '../lib/preflight/reads';
import { evaluate } from './support/terraform-eval';

/** 50 pairs: 5 clusters (sharing a subnet and a security group pairwise) x 10 workspaces. */
function bigFleet(): any {
  const config = exampleConfig();
  const clusters: Record<string, unknown> = {};
  const workspaces: Record<string, unknown> = {};
  const pairs: unknown[] = [];
  for (let c = 0; c < 5; c++)
    clusters[`eks-${c}`] = {
      account: 'workload',
      arn: `arn:aws:eks:eu-west-1:111111111111:cluster/eks-${c}`,
      subnetIds: [`subnet-0000000${c}`, `subnet-0000000${c + 1}`],
      securityGroupIds: [`sg-0000000${c % 2}`],
    };
  for (let w = 0; w < 10; w++)
    workspaces[`ws-${w}`] = { account: 'observability', arn: `arn:aws:aps:eu-west-1:222222222222:workspace/ws-0000000${w}-0000-0000-0000-000000000000` };
  for (let c = 0; c < 5; c++) for (let w = 0; w < 10; w++) pairs.push({ name: `eks-${c}-to-ws-${w}`, cluster: `eks-${c}`, workspace: `ws-${w}` });
  return { ...config, clusters, workspaces, pairs };
}

describe('a fleet of 50 pairs on 5 clusters and 10 workspaces', () => {
  const synth = synthFleet(bigFleet());
  const stack = synth.json['fleet-scrapers'];
  const count = (type: string) => Object.keys(all(stack, type, 'data')).length;
  const localNamed = (prefix: string) => Object.entries<string>(stack.locals).find(([k]) => k.startsWith(prefix))!;

  test('one data source per kind and account, whatever the number of clusters and workspaces: the instances are per cluster and workspace', () => {
    expect({
      clusterListings: count('aws_eks_clusters'),
      clusters: count('aws_eks_cluster'),
      vpcs: count('aws_vpc'),
      subnetListings: count('aws_subnets'),
      subnets: count('aws_subnet'),
      securityGroupListings: count('aws_security_groups'),
      workspaceListings: count('aws_prometheus_workspaces'),
      workspaces: count('aws_prometheus_workspace'),
      gates: count('aws_partition'),
    }).toEqual({
      clusterListings: 1,
      clusters: 1,
      vpcs: 1,
      subnetListings: 1,
      subnets: 1,
      securityGroupListings: 1,
      workspaceListings: 1,
      workspaces: 1,
      gates: 2,
    });
    const [cluster] = Object.values<any>(all(stack, 'aws_eks_cluster', 'data'));
    expect(cluster.name).toMatch(/^\$\{local\.preflight_inputs-workload-clusters_\w+\[each\.key\]\.eks\}$/);
    expect(cluster.for_each).toMatch(/\[for k in local\.preflight_pending-workload-clusters_\w+ : k if contains\(/);
  });

  test("each account's inputs are one object per cluster (workspace) that Terraform evaluates to the config's values", () => {
    const [clustersName, clusters] = localNamed('preflight_inputs-workload-clusters_');
    const [workspacesName, workspaces] = localNamed('preflight_inputs-observability-workspaces_');
    const values: any = evaluate(
      { [clustersName]: clusters, [workspacesName]: workspaces },
      { clusters: `local.${clustersName}`, workspaces: `local.${workspacesName}` },
    );
    expect(Object.keys(values.clusters)).toEqual(['eks-0', 'eks-1', 'eks-2', 'eks-3', 'eks-4']);
    expect(values.clusters['eks-1']).toEqual({
      at: `amp-xa: pairs ${Array.from({ length: 10 }, (_, w) => `eks-1-to-ws-${w}`).join(', ')}: `,
      name: 'eks-1',
      eks: 'eks-1',
      arn: 'arn:aws:eks:eu-west-1:111111111111:cluster/eks-1',
      region: 'eu-west-1',
      account: '111111111111',
      subnets: ['subnet-00000001', 'subnet-00000002'],
      groups: ['sg-00000001'],
      // Left out of the config: compared as "takes access entries" (the rule), not as the default mode.
      mode: 'API_AND_CONFIG_MAP',
      mode_rule: 'entries',
    });
    expect(Object.keys(values.workspaces)).toHaveLength(10);
    expect(values.workspaces['ws-3']).toMatchObject({
      id: 'ws-00000003-0000-0000-0000-000000000000',
      pending: false,
      at: expect.stringContaining('eks-4-to-ws-3'),
    });
  });

  test('subnets and security groups: each once in the account listing; VPCs and subnets read per key (for_each)', () => {
    const [subnets] = Object.values<any>(all(stack, 'aws_subnets', 'data'));
    expect(subnets.filter[0]).toEqual({
      name: 'subnet-id',
      values: ['subnet-00000000', 'subnet-00000001', 'subnet-00000002', 'subnet-00000003', 'subnet-00000004', 'subnet-00000005'],
    });
    const [groups] = Object.values<any>(all(stack, 'aws_security_groups', 'data'));
    expect(groups.filter[0]).toEqual({ name: 'group-id', values: ['sg-00000000', 'sg-00000001'] });
    const [subnet] = Object.values<any>(all(stack, 'aws_subnet', 'data'));
    // Empty while recover imports (Terraform's import walk sees a counted data source without instances as unknown).
    expect(subnet.for_each).toMatch(/^\$\{var\.amp_xa_recover_import \? toset\(\[\]\) : toset\(try\(data\.aws_subnets\.\S+\[0\]\.ids, \[\]\)\)\}$/);
    const [vpc] = Object.values<any>(all(stack, 'aws_vpc', 'data'));
    // Each VPC once, whichever clusters share it.
    expect(vpc.for_each).toMatch(
      /^\$\{var\.amp_xa_recover_import \? toset\(\[\]\) : toset\(compact\(\[for c in data\.aws_eks_cluster\.preflight_workload-cluster_\w+ : c\.vpc_config\[0\]\.vpc_id\]\)\)\}$/,
    );
  });

  test('the checks are postconditions of a gate per account with an instance per cluster (workspace) to check; no resource is added', () => {
    expect(all(stack, 'terraform_data')).toEqual({});
    const gates = Object.entries<any>(all(stack, 'aws_partition', 'data'));
    expect(Object.fromEntries(gates.map(([name, g]) => [name.replace(/_\w+$/, ''), g.lifecycle.postcondition.length]))).toEqual({
      'preflight_gate-workload-clusters': 11,
      'preflight_gate-observability-workspaces': 3,
    });
    for (const [name, gate] of gates) {
      const kind = name.includes('-clusters') ? 'workload-clusters' : 'observability-workspaces';
      expect(gate.for_each).toMatch(new RegExp(`^\\$\\{local\\.preflight_pending-${kind}_\\w+\\}$`));
      for (const p of gate.lifecycle.postcondition) expect(p.condition).toContain(`local.preflight_inputs-${kind}`);
    }
    // No check is a local: Terraform evaluates every local on every plan, a gate's postconditions only per instance.
    expect(Object.keys(stack.locals).filter((k) => /check/.test(k))).toEqual([]);
    // Each sentence once per stack: the messages format it.
    const templates = Object.keys(stack.locals).filter((k) => k.startsWith('preflight_message-'));
    expect(templates).toHaveLength(14);
  });

  test("every pair's roles depend on its source account's and its target account's gates: a failed check means nothing of the pair is applied", () => {
    const roles = Object.entries<any>(all(stack, 'aws_iam_role'));
    expect(roles).toHaveLength(100);
    for (const [, role] of roles)
      expect(role.depends_on).toEqual([
        expect.stringMatching(/^data\.aws_partition\.preflight_gate-workload-clusters_\w+$/),
        expect.stringMatching(/^data\.aws_partition\.preflight_gate-observability-workspaces_\w+$/),
      ]);
  });
});

test('reads: pairs grouped by cluster and workspace, in config order', () => {
  const synth = synthFleet(bigFleet());
  const reads = preflightReads(synth.fleet.pairs);
  expect(reads.sources).toHaveLength(1);
  expect(reads.sources[0].clusters.map((c) => [c.configName, c.pairs.length])).toEqual([0, 1, 2, 3, 4].map((c) => [`eks-${c}`, 10]));
  expect(reads.targets[0].workspaces.map((w) => w.pairs)).toEqual(Array.from({ length: 10 }, (_, w) => [0, 1, 2, 3, 4].map((c) => `eks-${c}-to-ws-${w}`)));
});

test('the example: no authenticationMode mismatch allowed, the config mode compared exactly', () => {
  const stack = synthFleet(exampleConfig()).json['fleet-scrapers'];
  const [, inputs] = Object.entries<string>(stack.locals).find(([k]) => k.startsWith('preflight_inputs-workload-clusters_'))!;
  expect(inputs).toContain('mode = "API_AND_CONFIG_MAP", mode_rule = "exact"');
});

describe('deployed pairs are not read again while their inputs are the same', () => {
  const synth = synthFleet(exampleConfig());
  const stack = synth.json['fleet-scrapers'];
  const [name, scraper] = Object.entries<any>(all(stack, 'aws_prometheus_scraper'))[0];
  const digest = stack.output.amp_xa_preflight_verified.value['prod-to-central'];

  test('the state records a digest per pair once its scraper exists', () => {
    expect(digest).toMatch(new RegExp(`^\\$\\{aws_prometheus_scraper\\.${name}\\.id != "" \\? "[0-9a-f]{32}" : ""\\}$`));
    expect(scraper.tags['amp-xa:pair']).toBe('prod-to-central');
  });

  test('every read and gate is counted on the pending clusters (workspaces): none once the state records the same digests', () => {
    const pending = Object.entries<string>(stack.locals).find(([k]) => k.startsWith('preflight_pending-workload-clusters_'))!;
    const recorded = digest.match(/"([0-9a-f]{32})"/)[1];
    expect(pending[1]).toBe(
      `\${var.amp_xa_recover_import ? toset([]) : toset(compact([(try(data.terraform_remote_state.own-state[0].outputs.amp_xa_preflight_verified["prod-to-central"], "") == "${recorded}") ? "" : "prod-eks"]))}`,
    );
    expect(stack.variable.amp_xa_recover_import).toEqual(expect.objectContaining({ type: 'bool', default: false }));
    for (const type of ['aws_eks_clusters', 'aws_subnets', 'aws_security_groups', 'aws_prometheus_workspaces'])
      for (const block of Object.values<any>(all(stack, type, 'data')))
        expect(block.count).toMatch(/^\$\{length\(local\.preflight_pending-\S+\) > 0 \? 1 : 0\}$/);
    for (const type of ['aws_eks_cluster', 'aws_prometheus_workspace'])
      for (const block of Object.values<any>(all(stack, type, 'data')))
        expect(block.for_each).toMatch(/\[for k in local\.preflight_pending-\S+ : k if contains\(/);
    // A gate has no instance for a cluster or workspace that is not pending: none of its checks is evaluated for it.
    for (const gate of Object.values<any>(all(stack, 'aws_partition', 'data'))) expect(gate.for_each).toMatch(/^\$\{local\.preflight_pending-\S+\}$/);
  });

  test('pending, evaluated by Terraform: what the state does not record with the same digest, nothing while recover imports', () => {
    const big = synthFleet(bigFleet()).json['fleet-scrapers'];
    const digests = Object.fromEntries(
      Object.entries<string>(big.output.amp_xa_preflight_verified.value).map(([pair, v]) => [pair, /"([0-9a-f]{32})"/.exec(v)![1]]),
    );
    const pendings = Object.entries<string>(big.locals).filter(([k]) => k.startsWith('preflight_pending-'));
    const ownState = 'data.terraform_remote_state.own-state[0].outputs';
    const run = (state: Record<string, unknown> | undefined, importing: boolean) => {
      const locals: Record<string, unknown> = { state: state === undefined ? {} : { amp_xa_preflight_verified: state } };
      const outputs: Record<string, string> = {};
      for (const [name, expression] of pendings) {
        const kind = name.includes('clusters') ? 'clusters' : 'workspaces';
        outputs[kind] = expression.slice(2, -1).split(ownState).join('local.state');
      }
      const values = evaluate(locals, outputs, { amp_xa_recover_import: importing });
      return { clusters: values.clusters, workspaces: values.workspaces };
    };
    const { 'eks-2-to-ws-5': _left, ...allButOne } = digests;
    expect(run(undefined, false)).toEqual({
      clusters: ['eks-0', 'eks-1', 'eks-2', 'eks-3', 'eks-4'],
      workspaces: Array.from({ length: 10 }, (_, w) => `ws-${w}`),
    });
    expect(run(digests, false)).toEqual({ clusters: [], workspaces: [] });
    expect(run(allButOne, false)).toEqual({ clusters: ['eks-2'], workspaces: ['ws-5'] });
    expect(run({ ...digests, 'eks-4-to-ws-0': '0'.repeat(32) }, false)).toEqual({ clusters: ['eks-4'], workspaces: ['ws-0'] });
    expect(run(undefined, true)).toEqual({ clusters: [], workspaces: [] });
  });

  test('the digest changes with anything the checks read, not with what they do not', () => {
    const digestOf = (config: any) => synthFleet(config).json['fleet-scrapers'].output.amp_xa_preflight_verified.value['prod-to-central'];
    const base = exampleConfig();
    const changed = (edit: (c: any) => void) => {
      const c = exampleConfig();
      edit(c);
      return digestOf(c);
    };
    expect(digestOf(base)).toBe(digest);
    expect(changed((c) => Object.values<any>(c.clusters)[0].subnetIds.reverse().push('subnet-0fffffffffffffff0'))).not.toBe(digest);
    expect(changed((c) => (Object.values<any>(c.clusters)[0].authenticationMode = 'CONFIG_MAP'))).not.toBe(digest);
    expect(changed((c) => (c.tags = { team: 'other' }))).toBe(digest);
  });
});

test('an HCP Terraform stack cannot read its own state at plan time: it reads and checks every pair, and records nothing', () => {
  const config = exampleConfig();
  config.backend = { type: 'cloud', organization: 'acme', workspacePrefix: 'amp-xa-' };
  const stack = synthFleet(config).json['fleet-scrapers'];
  expect(stack.output.amp_xa_preflight_verified).toBeUndefined();
  expect(JSON.stringify(stack)).not.toContain('amp_xa_preflight_verified');
  // Only recover's imports skip the reads there.
  const pending = Object.entries<string>(stack.locals).filter(([k]) => k.startsWith('preflight_pending-'));
  expect(pending.map(([, p]) => p).sort()).toEqual([
    '${var.amp_xa_recover_import ? toset([]) : toset(["central"])}',
    '${var.amp_xa_recover_import ? toset([]) : toset(["prod-eks"])}',
  ]);
});
