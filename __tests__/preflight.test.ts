/**
 * The preflight in a synthesized scraper stack: each cluster, VPC, subnet, security group and workspace read once
 * per stack whatever the number of pairs, the checks as postconditions of a data source per cluster and per
 * workspace (aws_partition: no API call, nothing added to a plan), and every pair's roles (so everything of the pair
 * after them) depending on its cluster's and its workspace's. The conditions themselves: preflight-checks.test.ts.
 */
import { all, exampleConfig, synthFleet } from './support/fleet';
import { preflightReads } from '../lib/preflight/reads';

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

  test('reads each cluster and workspace once, and one listing per account for each kind', () => {
    expect({
      clusterListings: count('aws_eks_clusters'),
      clusters: count('aws_eks_cluster'),
      vpcs: count('aws_vpc'),
      subnetListings: count('aws_subnets'),
      subnets: count('aws_subnet'),
      securityGroupListings: count('aws_security_groups'),
      workspaceListings: count('aws_prometheus_workspaces'),
      workspaces: count('aws_prometheus_workspace'),
    }).toEqual({ clusterListings: 1, clusters: 5, vpcs: 1, subnetListings: 1, subnets: 1, securityGroupListings: 1, workspaceListings: 1, workspaces: 10 });
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
    const whileImporting = '${var.amp_xa_recover_import ? toset([]) : ';
    expect(subnet.for_each).toMatch(/^\$\{var\.amp_xa_recover_import \? toset\(\[\]\) : toset\(try\(data\.aws_subnets\.\S+\[0\]\.ids, \[\]\)\)\}$/);
    const [vpc] = Object.values<any>(all(stack, 'aws_vpc', 'data'));
    expect(vpc.for_each).toMatch(/^\$\{var\.amp_xa_recover_import \? toset\(\[\]\) : local\.preflight_workload-vpc-ids_\w+\}$/);
    // Each VPC once, whichever clusters share it.
    expect(stack.locals[vpc.for_each.slice(whileImporting.length, -1).replace(/^local\./, '')]).toMatch(/^\$\{toset\(compact\(concat\(/);
  });

  test('the checks are postconditions of a gate per cluster and per workspace, a cluster check naming all its pairs; no resource is added', () => {
    expect(all(stack, 'terraform_data')).toEqual({});
    const gates = all(stack, 'aws_partition', 'data');
    const postconditions = (kind: string) =>
      Object.entries<any>(gates)
        .filter(([name]) => name.includes(`-${kind}-`))
        .map(([, g]) => g.lifecycle.postcondition.length);
    expect({ clusters: postconditions('cluster'), workspaces: postconditions('workspace') }).toEqual({
      clusters: Array(5).fill(11),
      workspaces: Array(10).fill(3),
    });
    const first = Object.entries<any>(gates).find(([name]) => name.includes('-cluster-eks-0_'))![1];
    expect(first.lifecycle.postcondition[0].error_message).toContain('amp-xa: pairs eks-0-to-ws-0, eks-0-to-ws-1, eks-0-to-ws-2');
    // No check is a local: Terraform evaluates every local on every plan, a skipped gate's postconditions never.
    expect(Object.keys(stack.locals).filter((k) => /check/.test(k))).toEqual([]);
    // Each sentence once per stack, however many clusters and workspaces: the messages format it.
    const templates = Object.keys(stack.locals).filter((k) => k.startsWith('preflight_message-'));
    expect(templates.length).toBe(
      new Set(Object.values(gates).flatMap((g: any) => g.lifecycle.postcondition.map((p: any) => p.error_message.match(/format\(local\.(\S+?), /)[1]))).size,
    );
    expect(templates.length).toBeLessThanOrEqual(14);
  });

  test("every pair's roles depend on its cluster's and its workspace's gates: a failed check means nothing of the pair is applied", () => {
    const roles = Object.entries<any>(all(stack, 'aws_iam_role'));
    expect(roles).toHaveLength(100);
    for (const [name, role] of roles) {
      const [, cluster, workspace] = /^(eks-\d)-to-(ws-\d)_/.exec(name)!;
      expect(role.depends_on).toEqual([
        expect.stringMatching(new RegExp(`^data\\.aws_partition\\.preflight_gate-workload-cluster-${cluster}_\\w+$`)),
        expect.stringMatching(new RegExp(`^data\\.aws_partition\\.preflight_gate-observability-workspace-${workspace}_\\w+$`)),
      ]);
    }
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
  const conditions = Object.values<any>(all(stack, 'aws_partition', 'data'))
    .flatMap((gate) => gate.lifecycle.postcondition.map((p: any) => p.condition as string))
    .filter((v) => v.includes('authentication_mode'));
  expect(conditions.some((v) => v.includes('== "API_AND_CONFIG_MAP"'))).toBe(true);
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

  test('every read is counted on the recorded digest, and every check holds for a skipped cluster or workspace', () => {
    const verifiedLocal = Object.entries<any>(stack.locals).find(([k]) => k.startsWith('preflight_verified-workload-cluster-'))!;
    const recorded = digest.match(/"([0-9a-f]{32})"/)[1];
    expect(verifiedLocal[1]).toBe(
      `\${var.amp_xa_recover_import ? true : (try(data.terraform_remote_state.own-state[0].outputs.amp_xa_preflight_verified["prod-to-central"], "") == "${recorded}")}`,
    );
    expect(stack.variable.amp_xa_recover_import).toEqual(expect.objectContaining({ type: 'bool', default: false }));
    for (const type of ['aws_eks_clusters', 'aws_subnets', 'aws_prometheus_workspaces'])
      for (const block of Object.values<any>(all(stack, type, 'data'))) expect(block.count).toMatch(/^\$\{\(local\.preflight_verified-.*\) \? 0 : 1\}$/);
    for (const block of Object.values<any>(all(stack, 'aws_eks_cluster', 'data')))
      expect(block.count).toMatch(/^\$\{\(local\.preflight_verified-\S+ \? false : contains\(/);
    // A skipped cluster's or workspace's gate has no instance: none of its checks is evaluated.
    for (const gate of Object.values<any>(all(stack, 'aws_partition', 'data'))) expect(gate.count).toMatch(/^\$\{local\.preflight_verified-\S+ \? 0 : 1\}$/);
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
  const skips = Object.entries<string>(stack.locals).filter(([k]) => k.startsWith('preflight_verified-'));
  expect(skips.length).toBeGreaterThan(0);
  for (const [, skip] of skips) expect(skip).toBe('${var.amp_xa_recover_import ? true : (false)}');
});
