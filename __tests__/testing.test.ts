/**
 * lib/testing, the entry point users' own jest tests synthesize their fleet with: each pair's roles, documents,
 * scraper and finalizers are the synthesized ones, a changed config shows in them, and problems are said.
 */
import * as path from 'path';
import { ConfigError } from '../lib/config/fleet';
import { fleetConfigsIn, synthFleetConfig } from '../lib/testing';
import { EXAMPLES, exampleConfig } from './support/fleet';

describe('synthFleetConfig on examples/fleet.json (a path)', () => {
  const fleet = synthFleetConfig(path.join(EXAMPLES, 'fleet.json'));

  test('every stack, in dependency order, as JSON and text; every pair of the config', () => {
    expect(Object.keys(fleet.stacks)).toEqual(['audit-workspace', 'fleet-scrapers', 'fleet-trust']);
    expect(JSON.parse(fleet.stacks['fleet-trust'].text)).toEqual(fleet.stacks['fleet-trust'].json);
    expect(fleet.pairs.map((p) => p.name)).toEqual(['prod-to-central', 'prod-to-audit', 'staging-to-central']);
  });

  test("a pair's roles are its synthesized aws_iam_role resources, with names, ARNs and the sealed trust", () => {
    const pair = fleet.pair('prod-to-central');
    expect(pair.source).toMatchObject({
      stack: 'fleet-scrapers',
      type: 'aws_iam_role',
      name: 'amp-xa-prod-to-central-source',
      arn: 'arn:aws:iam::111111111111:role/amp-xa-prod-to-central-source',
    });
    expect(fleet.stacks['fleet-scrapers'].json.resource.aws_iam_role[pair.source.address.split('.')[1]]).toBe(pair.source.json);
    expect(pair.source.trust.Statement[0].Condition).toEqual({
      ArnEquals: { 'aws:SourceArn': 'arn:aws:aps:eu-west-1:111111111111:scraper/amp-xa-unpinned' },
      StringEquals: { 'aws:SourceAccount': '111111111111' },
    });
    expect(pair.target.arn).toBe('arn:aws:iam::222222222222:role/amp-xa-prod-to-central-target');
  });

  test('permission documents parsed, with the Target role reference read as its ARN; the workspace as configured', () => {
    const pair = fleet.pair('prod-to-central');
    expect(pair.source.policies).toEqual({
      'amp-xa-assume-target': {
        Version: '2012-10-17',
        Statement: [
          { Sid: 'AssumeTarget', Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::222222222222:role/amp-xa-prod-to-central-target' },
        ],
      },
    });
    expect(pair.workspaceArn).toBe(exampleConfig('fleet.json').workspaces.central.arn);
    expect(pair.target.policies['amp-xa-remote-write'].Statement).toEqual([
      { Sid: 'RemoteWriteWorkspace', Effect: 'Allow', Action: 'aps:RemoteWrite', Resource: pair.workspaceArn },
    ]);
    expect(pair.source.managedPolicyArns).toEqual([]);
  });

  test('a workspace amp-xa creates is the expression its stacks read the ARN through, in the scraper and the policy alike', () => {
    const pair = fleet.pair('prod-to-audit');
    expect(pair.workspaceArn).toMatch(/^\$\{.+\}$/);
    expect(pair.scraper.json.destination[0].amp[0].workspace_arn).toBe(pair.workspaceArn);
    expect(pair.target.policies['amp-xa-remote-write'].Statement[0].Resource).toBe(pair.workspaceArn);
  });

  test("the scraper is the pair's own; its finalizers are the batches of its two accounts, naming its roles", () => {
    const pair = fleet.pair('prod-to-central');
    expect(pair.scraper).toMatchObject({ stack: 'fleet-scrapers', type: 'aws_prometheus_scraper', json: { alias: 'prod-to-central' } });
    expect(pair.finalizers.map((f) => [f.stack, f.address]).sort()).toEqual([
      ['fleet-trust', expect.stringMatching(/^terraform_data\.trust-source-workload-a_finalizer_\w+$/)],
      ['fleet-trust', expect.stringMatching(/^terraform_data\.trust-target-observability_finalizer_\w+$/)],
    ]);
    // A pair of another source account is pinned by another source batch.
    expect(fleet.pair('staging-to-central').finalizers.map((f) => f.address)).not.toContainEqual(expect.stringMatching(/trust-source-workload-a_/));
  });

  test('pinnedTrust is what phase 2 pins: exact scraper ARN on Source, ExternalId on Target', () => {
    const pair = fleet.pair('staging-to-central');
    const arn = 'arn:aws:aps:eu-west-1:333333333333:scraper/s-11111111-2222-3333-4444-555555555555';
    expect(pair.source.pinnedTrust(arn).Statement[0].Condition).toEqual({
      ArnEquals: { 'aws:SourceArn': arn },
      StringEquals: { 'aws:SourceAccount': '333333333333' },
    });
    expect(pair.target.pinnedTrust(arn).Statement[0]).toMatchObject({
      Principal: { AWS: pair.source.arn },
      Condition: { StringEquals: { 'sts:ExternalId': arn } },
    });
  });

  test('an unknown pair is an error listing the pairs', () => {
    expect(() => fleet.pair('nope')).toThrow('no pair "nope" in the fleet; pairs: prod-to-central, prod-to-audit, staging-to-central');
  });
});

describe('synthFleetConfig on parsed JSON', () => {
  test('a changed config shows in the documents: account-wide bootstrap admits the whole account', () => {
    const config = exampleConfig('single-pair.json');
    config.bootstrapTrust = 'account-wide';
    const fleet = synthFleetConfig(config);
    expect(fleet.plan.bootstrapTrust).toBe('account-wide');
    expect(fleet.pairs[0].source.trust.Statement[0].Condition?.ArnLike).toEqual({ 'aws:SourceArn': 'arn:aws:aps:eu-west-1:111111111111:scraper/*' });
  });

  test('scrapeConfigFile resolves from baseDir', () => {
    const config = exampleConfig('fleet.json');
    expect(synthFleetConfig(config, { baseDir: EXAMPLES }).pair('prod-to-audit').scraper.json.scrape_configuration).toMatch(/^# A small scrape configuration/);
    expect(() => synthFleetConfig(config, { baseDir: path.join(EXAMPLES, 'ci') })).toThrow(ConfigError);
  });

  test('an invalid config throws the ConfigError amp-xa prints, naming the field', () => {
    const config = exampleConfig('single-pair.json');
    config.pairs[0].workspace = 'missing';
    expect(() => synthFleetConfig(config)).toThrow(/pairs\[0\]\.workspace/);
  });
});

test('fleetConfigsIn lists the fleet configs of a folder, not its JSON schema', () => {
  expect(fleetConfigsIn(EXAMPLES).map((f) => path.basename(f))).toEqual(['fleet.json', 'single-pair.json']);
});
