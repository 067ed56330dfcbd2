/**
 * Your platform's rules about its amp-xa fleets, as jest tests on the synthesized Terraform: no AWS, no network,
 * a few seconds. Copy this file into your repository's tests, point FLEETS at your fleet configs and the import
 * at amp-xa's lib/testing, and keep the rules you want (or add your own: every pair is there with its roles,
 * their documents, its scraper and its phase-2 finalizers).
 * In amp-xa itself, `npm test` runs it against both example fleets.
 */
import * as path from 'path';
import { Testing } from 'cdktf';
import { parse } from 'yaml';
import { PrometheusScraper } from '@cdktf/provider-aws/lib/prometheus-scraper';
import { fleetConfigsIn, synthFleetConfig, type FleetUnderTest, type PolicyDocument } from '../../lib/testing';

/** The fleet configs these rules apply to: in your repository, yours (e.g. fleetConfigsIn('fleets')). */
const FLEETS = fleetConfigsIn(path.join(__dirname, '..'));

Testing.setupJest(); // cdktf's matchers: toHaveResourceWithProperties, toHaveResource...

const statements = (doc: PolicyDocument) => doc.Statement;
/** A Prometheus duration (30s, 1m, 1h30m) in seconds. */
const seconds = (duration: string) =>
  [...duration.matchAll(/(\d+)(ms|s|m|h|d)/g)].reduce(
    (total, [, n, unit]) => total + Number(n) * ({ ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 } as Record<string, number>)[unit],
    0,
  );
const conditionValues = (doc: PolicyDocument) =>
  statements(doc).flatMap((s) => Object.values(s.Condition ?? {}).flatMap((byKey) => Object.values(byKey).flat() as string[]));

describe.each(FLEETS.map((file) => [path.basename(file), file]))('%s', (_name, file) => {
  let fleet: FleetUnderTest;
  beforeAll(() => (fleet = synthFleetConfig(file)));

  test('has pairs', () => {
    expect(fleet.pairs.length).toBeGreaterThan(0);
  });

  test('no account-wide bootstrap: until phase 2, no trust admits a wildcard scraper ARN or external ID', () => {
    expect(fleet.plan.bootstrapTrust).toBe('sealed');
    for (const pair of fleet.pairs) {
      for (const role of [pair.source, pair.target]) {
        const wildcards = conditionValues(role.trust).filter((v) => v.includes('*'));
        expect({ role: role.name, wildcards }).toEqual({ role: role.name, wildcards: [] });
      }
    }
  });

  test('every Target role may only remote-write, and only to its own workspace', () => {
    for (const pair of fleet.pairs) {
      const allowed = Object.values(pair.target.policies).flatMap(statements);
      expect({ role: pair.target.name, allowed }).toEqual({
        role: pair.target.name,
        allowed: [expect.objectContaining({ Effect: 'Allow', Action: 'aps:RemoteWrite', Resource: pair.workspaceArn })],
      });
    }
  });

  test('every Source role may only assume its own Target role', () => {
    for (const pair of fleet.pairs) {
      const allowed = Object.values(pair.source.policies).flatMap(statements);
      expect({ role: pair.source.name, allowed }).toEqual({
        role: pair.source.name,
        allowed: [expect.objectContaining({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: pair.target.arn })],
      });
    }
  });

  test('no managed policy on any amp-xa role (AmazonPrometheusRemoteWriteAccess allows every workspace)', () => {
    for (const pair of fleet.pairs) {
      for (const role of [pair.source, pair.target]) expect({ role: role.name, managed: role.managedPolicyArns }).toEqual({ role: role.name, managed: [] });
    }
  });

  test('phase 2 pins both roles of every pair to exactly that pair’s scraper', () => {
    for (const pair of fleet.pairs) {
      expect({ pair: pair.name, finalizers: pair.finalizers.length > 0 }).toEqual({ pair: pair.name, finalizers: true });
      const scraperArn = `arn:aws:aps:${pair.plan.region}:${pair.plan.source.id}:scraper/s-00000000-0000-0000-0000-000000000000`;
      expect(conditionValues(pair.source.pinnedTrust(scraperArn))).toContain(scraperArn);
      expect(conditionValues(pair.target.pinnedTrust(scraperArn))).toContain(scraperArn);
      expect(conditionValues(pair.target.pinnedTrust(scraperArn)).filter((v) => v.includes('*'))).toEqual([]);
    }
  });

  test('every scraper scrapes its own cluster, no more often than every 30 s', () => {
    for (const pair of fleet.pairs) {
      const interval: string = parse(pair.scraper.json.scrape_configuration)?.global?.scrape_interval ?? '1m'; // Prometheus' default
      expect({ pair: pair.name, interval, atLeast30s: seconds(interval) >= 30 }).toEqual({ pair: pair.name, interval, atLeast30s: true });
      expect(fleet.stacks[pair.scraper.stack].text).toHaveResourceWithProperties(PrometheusScraper, {
        alias: pair.plan.alias,
        source: [{ eks: [expect.objectContaining({ cluster_arn: pair.plan.cluster.arn })] }],
      });
    }
  });

  test('every AWS resource is created through a provider that tags it with the fleet tags', () => {
    for (const [stack, { json }] of Object.entries(fleet.stacks)) {
      const providers = new Map<string, any>((json.provider?.aws ?? []).map((p: any) => [p.alias ? `aws.${p.alias}` : 'aws', p]));
      const used = new Set(
        Object.entries<Record<string, any>>(json.resource ?? {})
          .filter(([type]) => type.startsWith('aws_'))
          .flatMap(([, byName]) => Object.values(byName).map((r) => r.provider ?? 'aws')),
      );
      for (const name of used) {
        const tags = providers.get(name)?.default_tags?.[0]?.tags ?? {};
        expect({ stack, provider: name, tags }).toEqual({ stack, provider: name, tags: expect.objectContaining(fleet.plan.tags) });
      }
    }
  });
});
