import { Testing } from 'cdktf';
import { exampleConfig, only, synthFleet } from './support/fleet';
import { normalizePolicy } from './support/policy';
import { targetPermissionsPolicy, sourcePermissionsPolicy } from '../lib/iam-documents';

describe('multi-pair fleet (examples/fleet.json)', () => {
  const synth = synthFleet(exampleConfig('fleet.json'));

  test('stacks: one workspace stack, a scraper and a trust stack per pair', () => {
    expect(Object.keys(synth.json).sort()).toEqual([
      'audit-workspace',
      'prod-to-audit-scraper',
      'prod-to-audit-trust',
      'prod-to-central-scraper',
      'prod-to-central-trust',
      'staging-to-central-scraper',
      'staging-to-central-trust',
    ]);
  });

  test('stack order: workspace -> scraper -> trust', () => {
    const deps = (stack: { dependencies: { node: { id: string } }[] }) => stack.dependencies.map((d) => d.node.id).sort();
    const audit = synth.stacks.pairs.get('prod-to-audit')!;
    expect(deps(audit.scraper)).toEqual(['audit-workspace']);
    expect(deps(audit.trust)).toEqual(['prod-to-audit-scraper']);
    const central = synth.stacks.pairs.get('prod-to-central')!;
    expect(deps(central.scraper)).toEqual([]);
    expect(deps(central.trust)).toEqual(['prod-to-central-scraper']);
  });

  test('one cluster into two workspaces: two scrapers, separate roles, each writing only its own workspace', () => {
    const central = synth.json['prod-to-central-scraper'];
    const audit = synth.json['prod-to-audit-scraper'];
    for (const s of [central, audit]) expect(only(s, 'aws_prometheus_scraper').source[0].eks[0].cluster_arn).toBe('arn:aws:eks:eu-west-1:111111111111:cluster/prod-eks');
    expect(central.resource.aws_iam_role['source-role'].name).toBe('amp-xa-prod-to-central-source');
    expect(audit.resource.aws_iam_role['source-role'].name).toBe('amp-xa-prod-to-audit-source');
    const auditArn = '${local.workspace-state-workspace_arn}';
    expect(audit.locals['workspace-state-workspace_arn']).toBe('${try(data.terraform_remote_state.workspace-state[0].outputs.workspace_arn, "arn:aws:aps:eu-west-1:222222222222:workspace/ws-pending")}');
    expect(normalizePolicy(JSON.parse(audit.resource.aws_iam_role_policy['target-remote-write'].policy))).toEqual(normalizePolicy(targetPermissionsPolicy(auditArn)));
    expect(only(audit, 'aws_prometheus_scraper').destination[0].amp[0].workspace_arn).toBe(auditArn);
    expect(audit.output.remote_write_url.value).toBe('${local.workspace-state-remote_write_url}');
  });

  test('two clusters into one workspace: two Target roles in the target account, two source accounts', () => {
    const prod = synth.json['prod-to-central-scraper'];
    const staging = synth.json['staging-to-central-scraper'];
    const ws = 'arn:aws:aps:eu-west-1:222222222222:workspace/ws-0123abcd-4567-89ef-0123-456789abcdef';
    for (const s of [prod, staging]) expect(only(s, 'aws_prometheus_scraper').destination[0].amp[0].workspace_arn).toBe(ws);
    expect(prod.resource.aws_iam_role['target-role'].name).not.toBe(staging.resource.aws_iam_role['target-role'].name);
    const stagingSource = staging.provider.aws.find((p: any) => p.alias === 'source');
    expect(stagingSource).toMatchObject({ allowed_account_ids: ['333333333333'], profile: 'workload-b' });
    expect(normalizePolicy(JSON.parse(staging.resource.aws_iam_role_policy['source-assume-target'].policy))).toEqual(
      normalizePolicy(sourcePermissionsPolicy('${aws_iam_role.target-role.arn}')),
    );
    expect(only(staging, 'aws_prometheus_scraper').alias).toBe('staging');
  });

  test('the default scrape config labels series with their cluster, so clusters sharing a workspace stay apart', () => {
    const prod = only(synth.json['prod-to-central-scraper'], 'aws_prometheus_scraper').scrape_configuration;
    const staging = only(synth.json['staging-to-central-scraper'], 'aws_prometheus_scraper').scrape_configuration;
    expect(prod).toMatch(/external_labels:\n {4}cluster: prod-eks\n/);
    expect(staging).toMatch(/external_labels:\n {4}cluster: staging-eks\n/);
  });

  test('the workspace stack: target account, ignores the tag scrapers add, outputs ARN and remote-write URL', () => {
    const ws = synth.json['audit-workspace'];
    const workspace = only(ws, 'aws_prometheus_workspace');
    expect(workspace).toMatchObject({ alias: 'amp-xa-audit', tags: { retention: 'long' }, provider: 'aws.target' });
    expect(ws.provider.aws[0]).toMatchObject({ allowed_account_ids: ['222222222222'], ignore_tags: [{ keys: ['AMPAgentlessScraper'] }] });
    expect(Object.keys(ws.output).sort()).toEqual(['remote_write_url', 'workspace_arn', 'workspace_id']);
    expect(ws.output.remote_write_url.value).toBe('${aws_prometheus_workspace.workspace.prometheus_endpoint}api/v1/remote_write');
  });

  test('phase 1 reads a created workspace from its stack state once it exists (S3 listing), a placeholder before', () => {
    const stack = synth.json['prod-to-audit-scraper'];
    const remote = stack.data.terraform_remote_state['workspace-state'];
    expect(remote.backend).toBe('s3');
    expect(remote.config.key).toBe('amp-xa/prod/audit-workspace.tfstate');
    expect(remote.count).toBe('${contains(data.aws_s3_objects.workspace-state-probe.keys, "amp-xa/prod/audit-workspace.tfstate") ? 1 : 0}');
    expect(stack.data.aws_s3_objects['workspace-state-probe']).toMatchObject({ bucket: 'amp-xa-state-222222222222', prefix: 'amp-xa/prod/audit-workspace.tfstate', max_keys: 1, provider: 'aws.workspace-state-bucket' });
    expect(stack.provider.aws.find((p: any) => p.alias === 'workspace-state-bucket')).toEqual({ alias: 'workspace-state-bucket', region: 'eu-west-1', profile: 'observability' });
  });

  test('no interpolation carries an escaped quote (HCL rejects `\\"` inside `${}`: JSON text must embed references, not expressions)', () => {
    const strings: string[] = [];
    const walk = (v: unknown): void => {
      if (typeof v === 'string') strings.push(v);
      else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    };
    walk(synth.json);
    expect(strings.filter((text) => /\$\{[^}]*\\"/.test(text))).toEqual([]);
  });

  test('every stack passes cdktf validations', () => {
    for (const pair of synth.stacks.pairs.values()) {
      expect(() => Testing.synth(pair.scraper, true)).not.toThrow();
      expect(() => Testing.synth(pair.trust, true)).not.toThrow();
    }
  });
});

test('a created workspace no pair uses gets no stack', () => {
  const config = exampleConfig('fleet.json');
  config.pairs = config.pairs.filter((p: any) => p.workspace !== 'audit');
  expect(Object.keys(synthFleet(config).json)).not.toContain('audit-workspace');
});
