import { Testing } from 'cdktf';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { PrometheusScraper } from '@cdktf/provider-aws/lib/prometheus-scraper';
import { exampleConfig, only, all, synthFleet } from './support/fleet';
import { normalizePolicy } from './support/policy';
import { sourcePermissionsPolicy, sourceTrustPolicy, targetPermissionsPolicy, targetTrustPolicy } from '../lib/iam-documents';
import { defaultScrapeConfiguration } from '../lib/scrape/default';

const SOURCE = '111111111111';
const TARGET = '222222222222';
const WORKSPACE = `arn:aws:aps:eu-west-1:${TARGET}:workspace/ws-0123abcd-4567-89ef-0123-456789abcdef`;

describe('phase 1: <pair>-scraper stack of the example fleet', () => {
  const synth = synthFleet(exampleConfig());
  const stack = synth.json['prod-to-central-scraper'];
  const text = synth.text['prod-to-central-scraper'];
  const roles = all(stack, 'aws_iam_role');
  const sourceRole = roles['source-role'];
  const targetRole = roles['target-role'];

  test('two aliased AWS providers, each pinned to its account, region and deployer role', () => {
    const providers = stack.provider.aws;
    expect(providers.map((p: any) => p.alias).sort()).toEqual(['source', 'target']);
    const source = providers.find((p: any) => p.alias === 'source');
    const target = providers.find((p: any) => p.alias === 'target');
    expect(source).toMatchObject({ region: 'eu-west-1', allowed_account_ids: [SOURCE], assume_role: [{ role_arn: `arn:aws:iam::${SOURCE}:role/amp-xa-deployer` }] });
    expect(target).toMatchObject({ region: 'eu-west-1', allowed_account_ids: [TARGET], assume_role: [{ role_arn: `arn:aws:iam::${TARGET}:role/amp-xa-deployer` }] });
    expect(source.default_tags[0].tags).toEqual({ project: 'amp-xa-example', 'managed-by': 'amp-xa', 'amp-xa:pair': 'prod-to-central' });
  });

  test('Source role lives in the source account with the bootstrap trust, and ignores later trust changes', () => {
    expect(text).toHaveResourceWithProperties(IamRole, { name: 'amp-xa-prod-to-central-source', provider: 'aws.source' });
    expect(JSON.parse(sourceRole.assume_role_policy)).toEqual(sourceTrustPolicy({ partition: 'aws', region: 'eu-west-1', sourceAccount: SOURCE }));
    expect(sourceRole.lifecycle).toEqual({ ignore_changes: ['assume_role_policy'] });
  });

  test('Target role lives in the target account, trusting the Source role by reference (created first)', () => {
    expect(text).toHaveResourceWithProperties(IamRole, { name: 'amp-xa-prod-to-central-target', provider: 'aws.target' });
    const expected = targetTrustPolicy({ partition: 'aws', region: 'eu-west-1', sourceAccount: SOURCE }, '${aws_iam_role.source-role.arn}');
    expect(JSON.parse(targetRole.assume_role_policy)).toEqual(expected);
    expect(targetRole.lifecycle).toEqual({ ignore_changes: ['assume_role_policy'] });
  });

  test('least privilege: Source may assume only the Target role; Target may only RemoteWrite the workspace', () => {
    const policies = all(stack, 'aws_iam_role_policy');
    expect(Object.keys(policies).sort()).toEqual(['source-assume-target', 'target-remote-write']);
    const source = policies['source-assume-target'];
    const target = policies['target-remote-write'];
    expect(source).toMatchObject({ provider: 'aws.source', role: '${aws_iam_role.source-role.name}' });
    expect(normalizePolicy(JSON.parse(source.policy))).toEqual(normalizePolicy(sourcePermissionsPolicy('${aws_iam_role.target-role.arn}')));
    expect(target).toMatchObject({ provider: 'aws.target', role: '${aws_iam_role.target-role.name}' });
    expect(normalizePolicy(JSON.parse(target.policy))).toEqual(normalizePolicy(targetPermissionsPolicy(WORKSPACE)));
    // No managed policy attachments (AmazonPrometheusRemoteWriteAccess is Resource "*").
    expect(stack.resource.aws_iam_role_policy_attachment).toBeUndefined();
  });

  test('the scraper: EKS source, AMP destination, both roles, default scrape config, waits for permissions', () => {
    const scraper = only(stack, 'aws_prometheus_scraper');
    expect(text).toHaveResourceWithProperties(PrometheusScraper, { alias: 'prod-to-central', provider: 'aws.source' });
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
    expect(scraper.role_configuration).toEqual([{ source_role_arn: '${aws_iam_role.source-role.arn}', target_role_arn: '${aws_iam_role.target-role.arn}' }]);
    expect(scraper.scrape_configuration).toBe(defaultScrapeConfiguration('prod-eks'));
    expect(scraper.tags).toEqual({ team: 'platform' });
    expect(scraper.depends_on.sort()).toEqual(['aws_iam_role_policy.source-assume-target', 'aws_iam_role_policy.target-remote-write']);
    expect(scraper.timeouts.delete).toBe('45m');
  });

  test('outputs: scraper ARN and ID, role ARNs, workspace and remote-write URL', () => {
    expect(stack.output).toEqual({
      scraper_arn: { value: '${aws_prometheus_scraper.scraper.arn}' },
      scraper_id: { value: '${aws_prometheus_scraper.scraper.id}' },
      source_role_arn: { value: '${aws_iam_role.source-role.arn}' },
      target_role_arn: { value: '${aws_iam_role.target-role.arn}' },
      workspace_arn: { value: WORKSPACE },
      remote_write_url: { value: 'https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-0123abcd-4567-89ef-0123-456789abcdef/api/v1/remote_write' },
    });
  });

  test('construct IDs are the contract: resource addresses stay stable', () => {
    expect(Object.keys(stack.resource).sort()).toEqual(['aws_iam_role', 'aws_iam_role_policy', 'aws_prometheus_scraper']);
    expect(Object.keys(stack.resource.aws_prometheus_scraper)).toEqual(['scraper']);
    expect(Object.keys(roles).sort()).toEqual(['source-role', 'target-role']);
  });

  test('the synthesized stack is valid Terraform for the cdktf validations', () => {
    expect(() => Testing.synth(synth.stacks.pairs.get('prod-to-central')!.scraper, true)).not.toThrow();
  });
});

describe('phase 1 options', () => {
  test('a pair scrape config file is used verbatim', () => {
    const config = exampleConfig();
    config.pairs[0].scrapeConfigFile = 'scrape/minimal.yaml';
    const stack = synthFleet(config).json['prod-to-central-scraper'];
    const { readFileSync } = require('fs');
    expect(only(stack, 'aws_prometheus_scraper').scrape_configuration).toBe(readFileSync(`${__dirname}/../examples/scrape/minimal.yaml`, 'utf8'));
  });

  test('custom role names and alias, no security groups', () => {
    const config = exampleConfig();
    Object.assign(config.pairs[0], { sourceRoleName: 'Source', targetRoleName: 'Target', alias: 'custom.alias' });
    delete config.clusters['prod-eks'].securityGroupIds;
    const stack = synthFleet(config).json['prod-to-central-scraper'];
    expect(stack.resource.aws_iam_role['source-role'].name).toBe('Source');
    expect(stack.resource.aws_iam_role['target-role'].name).toBe('Target');
    const scraper = only(stack, 'aws_prometheus_scraper');
    expect(scraper.alias).toBe('custom.alias');
    expect(scraper.source[0].eks[0].security_group_ids).toBeUndefined();
  });

  test('profiles and external IDs reach the providers', () => {
    const config = exampleConfig();
    config.accounts.workload.credentials = { profile: 'workload-admin' };
    config.accounts.observability.credentials = { profile: 'sso', assumeRoleArn: `arn:aws:iam::${TARGET}:role/deployer`, externalId: 'xyz', sessionName: 'ci-run' };
    const stack = synthFleet(config).json['prod-to-central-scraper'];
    const source = stack.provider.aws.find((p: any) => p.alias === 'source');
    const target = stack.provider.aws.find((p: any) => p.alias === 'target');
    expect(source.profile).toBe('workload-admin');
    expect(source.assume_role).toBeUndefined();
    expect(target).toMatchObject({ profile: 'sso', assume_role: [{ role_arn: `arn:aws:iam::${TARGET}:role/deployer`, external_id: 'xyz', session_name: 'ci-run' }] });
  });

  test('GovCloud: every ARN in the stack uses the aws-us-gov partition', () => {
    const config = exampleConfig();
    const gov = JSON.parse(JSON.stringify(config).replace(/eu-west-1/g, 'us-gov-west-1').replace(/arn:aws:/g, 'arn:aws-us-gov:'));
    const stack = synthFleet(gov).json['prod-to-central-scraper'];
    const trust = JSON.parse(stack.resource.aws_iam_role['source-role'].assume_role_policy);
    expect(trust.Statement[0].Condition.ArnLike['aws:SourceArn']).toBe(`arn:aws-us-gov:aps:us-gov-west-1:${SOURCE}:scraper/*`);
    expect(stack.output.remote_write_url.value).toMatch(/^https:\/\/aps-workspaces\.us-gov-west-1\.amazonaws\.com\//);
    expect(JSON.stringify(stack)).not.toMatch(/arn:aws:/);
  });
});
