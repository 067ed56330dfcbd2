/**
 * The preflight's checks, evaluated by real Terraform (built-ins only: `terraform apply` of locals): the data
 * sources they read are stood in for by locals shaped like the provider's attributes, so every condition is seen
 * true for a healthy setup and false for exactly the setup it guards against, with its message rendered.
 */
import { clusterChecks, clusterInput, messageExpression, workspaceChecks, workspaceInput, type PreflightCheck } from '../lib/preflight/checks';
import type { ClusterRead, WorkspaceRead } from '../lib/preflight/reads';
import { interpolation } from '../lib/terraform-expr';
import { plan, exampleConfig } from './support/fleet';
import { evaluate } from './support/terraform-eval';

const CLUSTER: ClusterRead = {
  configName: 'prod',
  eksName: 'prod-eks',
  arn: 'arn:aws:eks:eu-west-1:111111111111:cluster/prod-eks',
  region: 'eu-west-1',
  pairs: ['prod-to-central', 'prod-to-audit'],
  subnetIds: ['subnet-a', 'subnet-b'],
  securityGroupIds: ['sg-1'],
  authenticationMode: 'API',
  authenticationModeDeclared: true,
  allowAuthenticationModeMismatch: false,
};

/** The provider's attributes of a healthy setup, as locals; `change` breaks one thing. */
function healthy(change: (s: any) => void = () => undefined): Record<string, unknown> {
  const s: any = {
    names: ['other', 'prod-eks'],
    cluster: [
      {
        status: 'ACTIVE',
        vpc_config: [{ vpc_id: 'vpc-1', endpoint_private_access: true }],
        access_config: [{ authentication_mode: 'API' }],
      },
    ],
    vpcs: { 'vpc-1': { enable_dns_support: true, enable_dns_hostnames: true } },
    subnet_ids: ['subnet-a', 'subnet-b'],
    subnets: { 'subnet-a': { vpc_id: 'vpc-1', availability_zone: 'eu-west-1a' }, 'subnet-b': { vpc_id: 'vpc-1', availability_zone: 'eu-west-1b' } },
    groups: { ids: ['sg-1'], vpc_ids: ['vpc-1'] },
  };
  change(s);
  return s;
}

/** Evaluates every check of `read` over each scenario: { scenario: { checkId: true | message } }. */
function run(read: ClusterRead, scenarios: Record<string, Record<string, unknown>>): Record<string, Record<string, true | string>> {
  const locals: Record<string, unknown> = {};
  const outputs: Record<string, string> = {};
  const checksOf: Record<string, PreflightCheck[]> = {};
  for (const [name, data] of Object.entries(scenarios)) {
    for (const [k, v] of Object.entries(data)) locals[`${name}_${k}`] = v;
    locals[`${name}_input`] = interpolation(clusterInput(read, '111111111111'));
    const checks = clusterChecks({
      input: `local.${name}_input`,
      clusterNames: `local.${name}_names`,
      cluster: `local.${name}_cluster[0]`,
      vpcs: `local.${name}_vpcs`,
      existingSubnetIds: `local.${name}_subnet_ids`,
      subnets: `local.${name}_subnets`,
      securityGroups: `local.${name}_groups`,
    });
    checksOf[name] = checks;
    checks.forEach((c) => {
      outputs[`${name}__${c.id}__ok`] = c.condition;
      // A message is only evaluated when its check fails, as Terraform does.
      outputs[`${name}__${c.id}__message`] = `(${c.condition}) ? "" : ${messageExpression(c.message)}`;
      // Terraform evaluates a message local whether its check fails or not: it must never be an error.
      outputs[`${name}__${c.id}__always`] = messageExpression(c.message);
    });
  }
  const values = evaluate(locals, outputs);
  return Object.fromEntries(
    Object.entries(checksOf).map(([name, checks]) => [
      name,
      Object.fromEntries(checks.map((c) => [c.id, values[`${name}__${c.id}__ok`] === true ? true : String(values[`${name}__${c.id}__message`])])),
    ]),
  );
}

/** The checks that failed, with their messages. */
const failures = (results: Record<string, true | string>) => Object.fromEntries(Object.entries(results).filter(([, v]) => v !== true));

describe('cluster checks', () => {
  const results = run(CLUSTER, {
    healthy: healthy(),
    missing: healthy((s) => (s.names = ['other'])),
    // Nothing at all exists: the data sources (counted, for_each) hold nothing, as Terraform then has them.
    nothing: { names: [], cluster: [], vpcs: {}, subnet_ids: [], subnets: {}, groups: { ids: [], vpc_ids: [] } },
    creating: healthy((s) => (s.cluster[0].status = 'CREATING')),
    public: healthy((s) => (s.cluster[0].vpc_config[0].endpoint_private_access = false)),
    nodnssupport: healthy((s) => (s.vpcs['vpc-1'].enable_dns_support = false)),
    nohostnames: healthy((s) => (s.vpcs['vpc-1'].enable_dns_hostnames = false)),
    nosubnet: healthy((s) => (s.subnet_ids = ['subnet-a'])),
    onezone: healthy((s) => (s.subnets['subnet-b'].availability_zone = 'eu-west-1a')),
    foreignsubnet: healthy((s) => (s.subnets['subnet-b'].vpc_id = 'vpc-2')),
    nogroup: healthy((s) => (s.groups = { ids: [], vpc_ids: [] })),
    foreigngroup: healthy((s) => (s.groups = { ids: ['sg-1', 'sg-9'], vpc_ids: ['vpc-2', 'vpc-1'] })),
    configmap: healthy((s) => (s.cluster[0].access_config = [{ authentication_mode: 'CONFIG_MAP' }])),
    apiandconfigmap: healthy((s) => (s.cluster[0].access_config = [{ authentication_mode: 'API_AND_CONFIG_MAP' }])),
    noaccessconfig: healthy((s) => (s.cluster[0].access_config = [])),
  });
  const prefix = 'amp-xa: pairs prod-to-central, prod-to-audit: ';

  test('a healthy cluster passes every check', () => {
    expect(failures(results.healthy)).toEqual({});
    expect(Object.keys(results.healthy)).toEqual([
      'cluster-exists',
      'cluster-active',
      'private-endpoint',
      'vpc-dns-support',
      'vpc-dns-hostnames',
      'subnets-exist',
      'subnets-in-cluster-vpc',
      'subnets-two-zones',
      'security-groups-exist',
      'security-groups-in-cluster-vpc',
      'authentication-mode',
    ]);
  });

  test('a missing cluster gives one message, and its detail checks do not touch the missing data', () => {
    expect(failures(results.missing)).toEqual({
      'cluster-exists': `${prefix}cluster prod-eks (clusters.prod.arn ${CLUSTER.arn}) does not exist in account 111111111111 region eu-west-1; fix clusters.prod.arn, or create the cluster first. Nothing was created.`,
    });
  });

  test('nothing exists: the existence checks fail, and every message still evaluates (Terraform evaluates them all)', () => {
    expect(Object.keys(failures(results.nothing))).toEqual(['cluster-exists', 'subnets-exist', 'subnets-two-zones', 'security-groups-exist']);
    expect(failures(results.nothing)['subnets-two-zones']).toContain('that exist () span 0 Availability Zone(s)');
  });

  test.each([
    ['creating', 'cluster-active', `${prefix}cluster prod-eks is CREATING; AMP needs an ACTIVE cluster`],
    [
      'public',
      'private-endpoint',
      `${prefix}cluster prod-eks has no private endpoint access (AMP scrapes it from inside the VPC); enable it: aws eks update-cluster-config --region eu-west-1 --name prod-eks --resources-vpc-config endpointPrivateAccess=true. Nothing was created.`,
    ],
    [
      'nodnssupport',
      'vpc-dns-support',
      `${prefix}VPC vpc-1 of cluster prod-eks has DNS support disabled; enable it: aws ec2 modify-vpc-attribute --region eu-west-1 --vpc-id vpc-1 --enable-dns-support.`,
    ],
    [
      'nohostnames',
      'vpc-dns-hostnames',
      `${prefix}VPC vpc-1 of cluster prod-eks has DNS hostnames disabled; enable them: aws ec2 modify-vpc-attribute --region eu-west-1 --vpc-id vpc-1 --enable-dns-hostnames.`,
    ],
    [
      'onezone',
      'subnets-two-zones',
      `${prefix}the subnets of clusters.prod.subnetIds that exist (subnet-a in eu-west-1a, subnet-b in eu-west-1a) span 1 Availability Zone(s)`,
    ],
    [
      'foreignsubnet',
      'subnets-in-cluster-vpc',
      `${prefix}subnets subnet-b (in vpc-2) of clusters.prod.subnetIds are not in the VPC of cluster prod-eks (vpc-1)`,
    ],
    [
      'nogroup',
      'security-groups-exist',
      `${prefix}security groups sg-1 of clusters.prod.securityGroupIds do not exist in account 111111111111 region eu-west-1`,
    ],
    [
      'foreigngroup',
      'security-groups-in-cluster-vpc',
      `${prefix}security groups sg-1 (in vpc-2) of clusters.prod.securityGroupIds are not in the VPC of cluster prod-eks (vpc-1)`,
    ],
    [
      'configmap',
      'authentication-mode',
      `${prefix}cluster prod-eks is in authentication mode CONFIG_MAP but clusters.prod.authenticationMode says API. The cluster takes no access entries: the scraper would be ACTIVE with no data. Fix: enable access entries: aws eks update-cluster-config --region eu-west-1 --name prod-eks --access-config authenticationMode=API_AND_CONFIG_MAP`,
    ],
    [
      'apiandconfigmap',
      'authentication-mode',
      `${prefix}cluster prod-eks is in authentication mode API_AND_CONFIG_MAP but clusters.prod.authenticationMode says API. Fix: set clusters.prod.authenticationMode to the live mode.`,
    ],
    ['noaccessconfig', 'authentication-mode', `${prefix}cluster prod-eks is in authentication mode CONFIG_MAP but`],
  ])('%s fails %s only', (scenario, check, message) => {
    const failed = failures(results[scenario]);
    expect(Object.keys(failed)).toEqual([check]);
    expect(failed[check]).toContain(message);
    expect(failed[check]).toMatch(/Nothing was created\.$/);
  });

  test('a missing subnet is named, and the zone check counts the subnets that exist', () => {
    expect(failures(results.nosubnet)).toEqual({
      'subnets-exist': `${prefix}subnets subnet-b of clusters.prod.subnetIds do not exist in account 111111111111 region eu-west-1; fix clusters.prod.subnetIds. Nothing was created.`,
      'subnets-two-zones': expect.stringContaining('that exist (subnet-a in eu-west-1a) span 1 Availability Zone(s)'),
    });
  });
});

describe('authentication mode: declared, default, allowed mismatch', () => {
  const scenarios = {
    api: healthy((s) => (s.cluster[0].access_config = [{ authentication_mode: 'API' }])),
    both: healthy((s) => (s.cluster[0].access_config = [{ authentication_mode: 'API_AND_CONFIG_MAP' }])),
    configmap: healthy((s) => (s.cluster[0].access_config = [{ authentication_mode: 'CONFIG_MAP' }])),
  };
  const mode = (read: Partial<ClusterRead>) => {
    const results = run({ ...CLUSTER, ...read }, scenarios);
    return Object.fromEntries(
      Object.entries(results).map(([k, v]) => [k, v['authentication-mode'] === undefined ? 'unchecked' : v['authentication-mode'] === true]),
    );
  };

  test('left out of the config: the live cluster must take access entries (API or API_AND_CONFIG_MAP)', () => {
    expect(mode({ authenticationModeDeclared: false, authenticationMode: 'API_AND_CONFIG_MAP' })).toEqual({ api: true, both: true, configmap: false });
  });
  test('declared CONFIG_MAP: exactly CONFIG_MAP', () => {
    expect(mode({ authenticationMode: 'CONFIG_MAP' })).toEqual({ api: false, both: false, configmap: true });
  });
  test('allowAuthenticationModeMismatch: no comparison at all', () => {
    expect(mode({ allowAuthenticationModeMismatch: true })).toEqual({ api: true, both: true, configmap: true });
  });
  test('declared CONFIG_MAP on an API cluster: the fix is to declare the live mode', () => {
    const results = run({ ...CLUSTER, authenticationMode: 'CONFIG_MAP' }, { api: scenarios.api });
    expect(results.api['authentication-mode']).toContain(
      'is in authentication mode API but clusters.prod.authenticationMode says CONFIG_MAP. Fix: set clusters.prod.authenticationMode to the live mode.',
    );
  });
  test('left out of the config on a CONFIG_MAP cluster: both ways out are named', () => {
    const results = run({ ...CLUSTER, authenticationModeDeclared: false }, { configmap: scenarios.configmap });
    expect(results.configmap['authentication-mode']).toBe(
      'amp-xa: pairs prod-to-central, prod-to-audit: cluster prod-eks is in authentication mode CONFIG_MAP, which takes no EKS access entries: AMP could not give the scraper access and it would be ACTIVE with no data. Enable access entries: aws eks update-cluster-config --region eu-west-1 --name prod-eks --access-config authenticationMode=API_AND_CONFIG_MAP; or set clusters.prod.authenticationMode to CONFIG_MAP and apply the RBAC manifest and aws-auth mapping amp-xa outputs (npm run eks-access). Nothing was created.',
    );
  });
});

describe('security groups', () => {
  const refs = { input: 'a', clusterNames: 'b', cluster: 'c', vpcs: 'd', existingSubnetIds: 'e', subnets: 'f' };
  test('not read in the account (no cluster names any): not checked', () => {
    const ids = clusterChecks(refs).map((c) => c.id);
    expect(ids).not.toContain('security-groups-exist');
    expect(ids).not.toContain('security-groups-in-cluster-vpc');
    expect(clusterChecks({ ...refs, securityGroups: 'g' }).map((c) => c.id)).toContain('security-groups-exist');
  });
  test('a cluster without groups in an account whose other clusters name some passes (the cluster security group is in its VPC)', () => {
    const results = run({ ...CLUSTER, securityGroupIds: undefined }, { nogroups: healthy((s) => (s.groups = { ids: ['sg-9'], vpc_ids: ['vpc-2'] })) });
    expect(failures(results.nogroups)).toEqual({});
  });
});

describe('workspace checks', () => {
  const fleet = plan(exampleConfig());
  const read: WorkspaceRead = { name: 'central', workspace: fleet.pairs[0].workspace, pairs: ['prod-to-central'], region: 'eu-west-1' };
  const id = 'ws-0123abcd-4567-89ef-0123-456789abcdef';
  const scenarios: Record<string, { ids: string[]; ws: unknown[]; pending?: boolean }> = {
    healthy: { ids: [id], ws: [{ status: 'ACTIVE', arn: `arn:aws:aps:eu-west-1:222222222222:workspace/${id}` }] },
    missing: { ids: ['ws-other'], ws: [] },
    creating: { ids: [id], ws: [{ status: 'CREATING', arn: `arn:aws:aps:eu-west-1:222222222222:workspace/${id}` }] },
    elsewhere: { ids: [id], ws: [{ status: 'ACTIVE', arn: `arn:aws:aps:us-east-1:222222222222:workspace/${id}` }] },
    pending: { ids: [], ws: [], pending: true },
  };
  const locals: Record<string, unknown> = {};
  const outputs: Record<string, string> = {};
  for (const [name, s] of Object.entries(scenarios)) {
    locals[`${name}_ids`] = s.ids;
    locals[`${name}_ws`] = s.ws;
    locals[`${name}_input`] = interpolation(workspaceInput(read, '222222222222', JSON.stringify(id), s.pending === undefined ? undefined : String(s.pending)));
    for (const c of workspaceChecks({ workspaceIds: `local.${name}_ids`, input: `local.${name}_input`, workspace: `local.${name}_ws[0]` }))
      outputs[`${name}__${c.id}`] = `(${c.condition}) ? "ok" : ${messageExpression(c.message)}`;
  }
  const values = evaluate(locals, outputs);
  const failed = (name: string) =>
    Object.fromEntries(
      Object.entries(values)
        .filter(([k, v]) => k.startsWith(`${name}__`) && v !== 'ok')
        .map(([k, v]) => [k.split('__')[1], v]),
    );

  test('an existing ACTIVE workspace of the region passes; a pending one (its stack not applied yet) is not checked', () => {
    expect(failed('healthy')).toEqual({});
    expect(failed('pending')).toEqual({});
  });
  test('missing, not ACTIVE, another region: one message each, naming the pair and the fix', () => {
    expect(failed('missing')).toEqual({
      'workspace-exists': `amp-xa: pair prod-to-central: workspace central (${id}, workspaces.central.arn arn:aws:aps:eu-west-1:222222222222:workspace/${id}) does not exist in account 222222222222 region eu-west-1; fix workspaces.central.arn, or create the workspace first. Nothing was created.`,
    });
    expect(failed('creating')).toEqual({
      'workspace-active': `amp-xa: pair prod-to-central: workspace central (${id}) is CREATING; AMP writes only to an ACTIVE workspace: wait for it, or choose another. Nothing was created.`,
    });
    expect(failed('elsewhere')).toEqual({ 'workspace-region': expect.stringContaining('workspace central is in region us-east-1, its cluster in eu-west-1') });
  });
});
