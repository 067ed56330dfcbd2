import { readFileSync } from 'fs';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { PrometheusScraper } from '@cdktf/provider-aws/lib/prometheus-scraper';
import { exampleConfig, all, at, addresses, synthFleet, EXAMPLES } from './support/fleet';
import { normalizePolicy } from './support/policy';
import { sourcePermissionsPolicy, sourceTrustPolicy, targetPermissionsPolicy, targetTrustPolicy } from '../lib/iam-documents';
import { defaultScrapeConfiguration } from '../lib/scrape/default';

const SOURCE = '111111111111';
const TARGET = '222222222222';
const WORKSPACE = `arn:aws:aps:eu-west-1:${TARGET}:workspace/ws-0123abcd-4567-89ef-0123-456789abcdef`;
const side = { partition: 'aws', region: 'eu-west-1', sourceAccount: SOURCE };
const ref = (stack: any, type: string, path: string, attribute: string) => {
  const name = Object.keys(all(stack, type)).find((k) => k.startsWith(`${path.replace(/\//g, '_')}_`));
  return `\${${type}.${name}.${attribute}}`;
};

describe('phase 1: the <unit>-scrapers stack of the example fleet', () => {
  const synth = synthFleet(exampleConfig());
  const stack = synth.json['fleet-scrapers'];
  const text = synth.text['fleet-scrapers'];
  const sourceRole = at(stack, 'aws_iam_role', 'prod-to-central/source-role');
  const targetRole = at(stack, 'aws_iam_role', 'prod-to-central/target-role');
  const sourceRoleArn = ref(stack, 'aws_iam_role', 'prod-to-central/source-role', 'arn');
  const targetRoleArn = ref(stack, 'aws_iam_role', 'prod-to-central/target-role', 'arn');

  test('one stack pair per source account: the target-only account gets none', () => {
    expect(Object.keys(synth.json).sort()).toEqual(['fleet-scrapers', 'fleet-trust']);
  });

  test('a provider per account, each pinned to its account, region and deployer role', () => {
    const providers = stack.provider.aws;
    expect(providers.map((p: any) => p.alias).sort()).toEqual(['to-observability', 'to-workload']);
    const source = providers.find((p: any) => p.alias === 'to-workload');
    const target = providers.find((p: any) => p.alias === 'to-observability');
    expect(source).toMatchObject({
      region: 'eu-west-1',
      allowed_account_ids: [SOURCE],
      assume_role: [{ role_arn: `arn:aws:iam::${SOURCE}:role/amp-xa-deployer` }],
    });
    expect(target).toMatchObject({
      region: 'eu-west-1',
      allowed_account_ids: [TARGET],
      assume_role: [{ role_arn: `arn:aws:iam::${TARGET}:role/amp-xa-deployer` }],
    });
    expect(source.default_tags[0].tags).toEqual({ project: 'amp-xa-example', 'managed-by': 'amp-xa' });
  });

  test('Source role lives in the source account with the sealed bootstrap trust, and ignores later trust changes', () => {
    expect(text).toHaveResourceWithProperties(IamRole, { name: 'amp-xa-prod-to-central-source', provider: 'aws.to-workload' });
    expect(JSON.parse(sourceRole.assume_role_policy)).toEqual(sourceTrustPolicy(side, undefined, 'sealed'));
    expect(sourceRole.lifecycle).toEqual({ ignore_changes: ['assume_role_policy'] });
    expect(sourceRole.tags).toEqual({ team: 'platform', 'amp-xa:pair': 'prod-to-central' });
  });

  test('Target role lives in the target account, trusting the Source role by reference (created first)', () => {
    expect(text).toHaveResourceWithProperties(IamRole, { name: 'amp-xa-prod-to-central-target', provider: 'aws.to-observability' });
    expect(JSON.parse(targetRole.assume_role_policy)).toEqual(targetTrustPolicy(side, sourceRoleArn, undefined, 'sealed'));
    expect(targetRole.lifecycle).toEqual({ ignore_changes: ['assume_role_policy'] });
  });

  test('bootstrapTrust account-wide is an explicit opt-in that reaches both roles', () => {
    const config = exampleConfig();
    config.bootstrapTrust = 'account-wide';
    const wide = synthFleet(config).json['fleet-scrapers'];
    expect(JSON.parse(at(wide, 'aws_iam_role', 'prod-to-central/source-role').assume_role_policy)).toEqual(sourceTrustPolicy(side, undefined, 'account-wide'));
    expect(JSON.parse(at(wide, 'aws_iam_role', 'prod-to-central/target-role').assume_role_policy)).toEqual(
      targetTrustPolicy(side, sourceRoleArn, undefined, 'account-wide'),
    );
    expect(sourceTrustPolicy(side, undefined, 'account-wide')).not.toEqual(sourceTrustPolicy(side, undefined, 'sealed'));
  });

  test('least privilege: Source may assume only the Target role; Target may only RemoteWrite the workspace', () => {
    expect(Object.keys(all(stack, 'aws_iam_role_policy'))).toHaveLength(2);
    const source = at(stack, 'aws_iam_role_policy', 'prod-to-central/source-assume-target');
    const target = at(stack, 'aws_iam_role_policy', 'prod-to-central/target-remote-write');
    expect(source).toMatchObject({ provider: 'aws.to-workload', role: ref(stack, 'aws_iam_role', 'prod-to-central/source-role', 'name') });
    expect(normalizePolicy(JSON.parse(source.policy))).toEqual(normalizePolicy(sourcePermissionsPolicy(targetRoleArn)));
    expect(target).toMatchObject({ provider: 'aws.to-observability', role: ref(stack, 'aws_iam_role', 'prod-to-central/target-role', 'name') });
    expect(normalizePolicy(JSON.parse(target.policy))).toEqual(normalizePolicy(targetPermissionsPolicy(WORKSPACE)));
    // No managed policy attachments (AmazonPrometheusRemoteWriteAccess is Resource "*").
    expect(stack.resource.aws_iam_role_policy_attachment).toBeUndefined();
  });

  test('the scraper: EKS source, AMP destination, both roles, default scrape config, waits for permissions', () => {
    const scraper = at(stack, 'aws_prometheus_scraper', 'prod-to-central/scraper');
    expect(text).toHaveResourceWithProperties(PrometheusScraper, { alias: 'prod-to-central', provider: 'aws.to-workload' });
    expect(scraper.source).toEqual([
      {
        eks: [
          {
            cluster_arn: `arn:aws:eks:eu-west-1:${SOURCE}:cluster/prod-eks`,
            subnet_ids: ['subnet-0a1b2c3d4e5f60718', 'subnet-0f1e2d3c4b5a69788'],
            security_group_ids: ['sg-0123456789abcdef0'],
          },
        ],
      },
    ]);
    expect(scraper.destination).toEqual([{ amp: [{ workspace_arn: WORKSPACE }] }]);
    expect(scraper.role_configuration).toEqual([{ source_role_arn: sourceRoleArn, target_role_arn: targetRoleArn }]);
    expect(scraper.scrape_configuration).toBe(defaultScrapeConfiguration('prod-eks'));
    expect(scraper.tags).toEqual({ team: 'platform', 'amp-xa:pair': 'prod-to-central' });
    expect(scraper.depends_on.sort()).toEqual(
      ['prod-to-central/source-assume-target', 'prod-to-central/target-remote-write'].map((p) => ref(stack, 'aws_iam_role_policy', p, 'x').slice(2, -3)).sort(),
    );
    expect(scraper.timeouts.delete).toBe('45m');
  });

  test('outputs: maps by pair name, each described', () => {
    const values = Object.fromEntries(Object.entries<any>(stack.output).map(([k, v]) => [k, v.value]));
    expect(values).toEqual({
      scraper_arns: { 'prod-to-central': ref(stack, 'aws_prometheus_scraper', 'prod-to-central/scraper', 'arn') },
      scraper_ids: { 'prod-to-central': ref(stack, 'aws_prometheus_scraper', 'prod-to-central/scraper', 'id') },
      source_role_arns: { 'prod-to-central': sourceRoleArn },
      target_role_arns: { 'prod-to-central': targetRoleArn },
      workspace_arns: { 'prod-to-central': WORKSPACE },
      remote_write_urls: {
        'prod-to-central': 'https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-0123abcd-4567-89ef-0123-456789abcdef/api/v1/remote_write',
      },
      eks_aws_auth_map_roles: {},
      amp_xa_fleet: 'fleet',
      amp_xa_preflight_verified: {
        'prod-to-central': expect.stringMatching(/^\$\{aws_prometheus_scraper\.prod-to-central_scraper_\w+\.id != "" \? "[0-9a-f]{32}" : ""\}$/),
      },
    });
    const descriptions: Record<string, RegExp> = { amp_xa_fleet: /fleet this state belongs to/, amp_xa_preflight_verified: /Per deployed pair, the digest/ };
    for (const [name, output] of Object.entries<any>(stack.output)) expect(output.description).toMatch(descriptions[name] ?? / by pair name/);
  });

  test('construct IDs are the contract: every address derives from the pair name', () => {
    expect(addresses(stack).map((a) => a.replace(/_[0-9A-F]{8}$/, ''))).toEqual([
      'aws_iam_role.prod-to-central_source-role',
      'aws_iam_role.prod-to-central_target-role',
      'aws_iam_role_policy.prod-to-central_source-assume-target',
      'aws_iam_role_policy.prod-to-central_target-remote-write',
      'aws_prometheus_scraper.prod-to-central_scraper',
    ]);
  });
});

describe('phase 1 options', () => {
  test('a pair scrape config file is used verbatim', () => {
    const config = exampleConfig();
    config.pairs[0].scrapeConfigFile = 'scrape/minimal.yaml';
    const stack = synthFleet(config).json['fleet-scrapers'];
    expect(at(stack, 'aws_prometheus_scraper', 'prod-to-central/scraper').scrape_configuration).toBe(readFileSync(`${EXAMPLES}/scrape/minimal.yaml`, 'utf8'));
  });

  test('custom role names and alias, no security groups', () => {
    const config = exampleConfig();
    Object.assign(config.pairs[0], { sourceRoleName: 'Source', targetRoleName: 'Target', alias: 'custom.alias' });
    delete config.clusters['prod-eks'].securityGroupIds;
    const stack = synthFleet(config).json['fleet-scrapers'];
    expect(at(stack, 'aws_iam_role', 'prod-to-central/source-role').name).toBe('Source');
    expect(at(stack, 'aws_iam_role', 'prod-to-central/target-role').name).toBe('Target');
    const scraper = at(stack, 'aws_prometheus_scraper', 'prod-to-central/scraper');
    expect(scraper.alias).toBe('custom.alias');
    expect(scraper.source[0].eks[0].security_group_ids).toBeUndefined();
  });

  test('profiles and external IDs reach the providers', () => {
    const config = exampleConfig();
    config.accounts.workload.credentials = { profile: 'workload-admin' };
    config.accounts.observability.credentials = {
      profile: 'sso',
      assumeRoleArn: `arn:aws:iam::${TARGET}:role/deployer`,
      externalId: 'xyz',
      sessionName: 'ci-run',
    };
    const stack = synthFleet(config).json['fleet-scrapers'];
    const source = stack.provider.aws.find((p: any) => p.alias === 'to-workload');
    const target = stack.provider.aws.find((p: any) => p.alias === 'to-observability');
    expect(source.profile).toBe('workload-admin');
    expect(source.assume_role).toBeUndefined();
    expect(target).toMatchObject({
      profile: 'sso',
      assume_role: [{ role_arn: `arn:aws:iam::${TARGET}:role/deployer`, external_id: 'xyz', session_name: 'ci-run' }],
    });
  });

  test('GovCloud: every ARN in the stack uses the aws-us-gov partition', () => {
    const config = exampleConfig();
    config.bootstrapTrust = 'account-wide';
    const gov = JSON.parse(
      JSON.stringify(config)
        .replace(/eu-west-1/g, 'us-gov-west-1')
        .replace(/arn:aws:/g, 'arn:aws-us-gov:'),
    );
    const stack = synthFleet(gov).json['fleet-scrapers'];
    const trust = JSON.parse(at(stack, 'aws_iam_role', 'prod-to-central/source-role').assume_role_policy);
    expect(trust.Statement[0].Condition.ArnLike['aws:SourceArn']).toBe(`arn:aws-us-gov:aps:us-gov-west-1:${SOURCE}:scraper/*`);
    expect(stack.output.remote_write_urls.value['prod-to-central']).toMatch(/^https:\/\/aps-workspaces\.us-gov-west-1\.amazonaws\.com\//);
    expect(JSON.stringify(stack)).not.toMatch(/arn:aws:/);
  });
});
