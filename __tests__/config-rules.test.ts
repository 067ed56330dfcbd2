/**
 * Validation rules at their boundaries (each test fails if its rule is loosened or tightened by one step), and
 * the tag model of lib/config/limits.ts checked against the tags synthesis really gives each resource.
 */
import { exampleConfig, plan, synthFleet } from './support/fleet';
import { ConfigError } from '../lib/config/fleet';
import { pairTags, workspaceTags } from '../lib/config/limits';
import { mergedTags, resourceTagProblems } from '../lib/config/tags';

function problems(mutate: (c: any) => void, base = 'single-pair.json'): string[] {
  const config = exampleConfig(base);
  mutate(config);
  try {
    plan(config);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe('accounts span one partition', () => {
  test('an account in a China region next to commercial ones is refused at `accounts`', () => {
    const found = problems((c) => (c.accounts.observability.region = 'cn-north-1'));
    expect(found).toContainEqual(
      expect.stringMatching(/^accounts: regions span partitions aws, aws-cn; cross-account scraping works within one partition only$/),
    );
  });

  test('accounts in two regions of one partition are not a partition problem', () => {
    const found = problems((c) => (c.accounts.observability.region = 'us-east-1'));
    expect(found.length).toBeGreaterThan(0); // the pair now crosses regions
    expect(found.filter((p) => p.startsWith('accounts:'))).toEqual([]);
  });
});

describe('names: 2-32 characters', () => {
  const renamePair = (name: string) => (c: any) => (c.pairs[0].name = name);
  const renameAccount = (name: string) => (c: any) => {
    c.accounts[name] = c.accounts.workload;
    delete c.accounts.workload;
    c.clusters['prod-eks'].account = name;
  };

  test.each([
    ['a pair name', renamePair],
    ['an account name', renameAccount],
  ])('%s of 32 characters is accepted, of 33 refused; of 2 accepted, of 1 refused', (_what, rename) => {
    expect(problems(rename(`a${'b'.repeat(31)}`))).toEqual([]);
    expect(problems(rename(`a${'b'.repeat(32)}`))).toContainEqual(expect.stringMatching(/2-32 chars of a-z, 0-9 and -/));
    expect(problems(rename('ab'))).toEqual([]);
    expect(problems(rename('a'))).toContainEqual(expect.stringMatching(/2-32 chars of a-z, 0-9 and -/));
  });
});

describe('a workspace has exactly one of `arn` and `create`', () => {
  const message = /^workspaces\.central: a workspace needs `account` plus either `arn` \(existing workspace\) or `create` \(new one\), not both$/;
  test('both is refused', () => {
    expect(problems((c) => (c.workspaces.central.create = { alias: 'x' }))).toContainEqual(expect.stringMatching(message));
  });
  test('neither is refused', () => {
    expect(problems((c) => delete c.workspaces.central.arn)).toContainEqual(expect.stringMatching(message));
  });
  test('either alone is accepted', () => {
    expect(problems((c) => (c.workspaces.central = { account: 'observability', create: {} }))).toEqual([]);
    expect(problems(() => undefined)).toEqual([]);
  });
});

describe('tag keys: aws: is reserved in any case', () => {
  test.each(['aws:team', 'AWS:team', 'Aws:team', 'aWS:'])('%s is refused in pair, fleet and workspace tags', (key) => {
    const reserved = /tag keys starting with aws: \(in any case\) are reserved for AWS/;
    expect(problems((c) => (c.pairs[0].tags[key] = 'x'))).toEqual([
      expect.stringMatching(new RegExp(`^pairs\\[0\\]\\.tags\\["${key}"\\]: ${reserved.source}`)),
    ]);
    expect(problems((c) => (c.tags[key] = 'x'))).toEqual([expect.stringMatching(new RegExp(`^tags\\["${key}"\\]: ${reserved.source}`))]);
    expect(problems((c) => (c.workspaces.central = { account: 'observability', create: { tags: { [key]: 'x' } } }))).toEqual([
      expect.stringMatching(new RegExp(`^workspaces\\.central\\.create\\.tags\\["${key}"\\]: ${reserved.source}`)),
    ]);
  });

  test.each(['awsx:team', 'my-aws:team', 'aws-team', 'aws'])('%s is an ordinary key', (key) => {
    expect(problems((c) => (c.pairs[0].tags[key] = 'x'))).toEqual([]);
  });
});

describe('tags: the model of what each resource carries matches synthesis', () => {
  const config = exampleConfig('fleet.json');
  config.tags = { project: 'x', Team: 'y' };
  config.pairs[0].tags = { project: 'override' };
  const synth = synthFleet({ ...config, pairs: [config.pairs[0], config.pairs[2]] });
  const defaultsOf = (json: any, provider: string) => {
    const alias = provider.replace(/^aws\./, '');
    const p = [json.provider.aws].flat().find((x: any) => x.alias === alias);
    return p.default_tags?.[0]?.tags ?? {};
  };
  const effective = (json: any, r: any) => [...new Set([...Object.keys(defaultsOf(json, r.provider)), ...Object.keys(r.tags ?? {})])].sort();

  test('roles and scrapers: fleet tags, managed-by, the pair tags, amp-xa:pair', () => {
    let checked = 0;
    for (const json of Object.values(synth.json)) {
      for (const type of ['aws_iam_role', 'aws_prometheus_scraper']) {
        for (const r of Object.values<any>(json.resource?.[type] ?? {})) {
          const pair = synth.fleet.pairs.find((p) => p.name === r.tags['amp-xa:pair'])!;
          const modeled = mergedTags(pairTags('pairs[0]', { name: pair.name, tags: pair.tags }, synth.fleet.tags));
          expect(effective(json, r)).toEqual([...modeled.keys()].sort());
          checked++;
        }
      }
    }
    expect(checked).toBe(6); // two pairs: two roles and a scraper each
  });

  test('a created workspace: fleet tags, managed-by, amp-xa:workspace, its create.tags', () => {
    const json = synth.json['audit-workspace'];
    const ws = Object.values<any>(json.resource.aws_prometheus_workspace)[0];
    const modeled = mergedTags(workspaceTags({ name: 'audit', tags: { retention: 'long' } }, synth.fleet.tags, false));
    expect(effective(json, ws)).toEqual([...modeled.keys()].sort());
    expect(json.provider.aws[0].ignore_tags).toEqual([{ keys: ['AMPAgentlessScraper'] }]);
  });

  test('IAM refuses case twins across default and resource tags; AMP keeps them apart', () => {
    expect(resourceTagProblems(pairTags('pairs[1]', { name: 'p', tags: { team: 'z' } }, { Team: 'y' }))).toEqual([
      expect.stringMatching(/^pairs\[1\]\.tags\.team: IAM tag keys are case-insensitive, and "team" is the same key as tags\.Team/),
    ]);
    expect(resourceTagProblems(workspaceTags({ name: 'w', tags: { team: 'z' } }, { Team: 'y' }, true))).toEqual([]);
  });

  test('at most 50 after merging, counting a shared key once and what AWS adds', () => {
    const many = (n: number, prefix = 'k') => Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, 'v']));
    // 2 of amp-xa's own on a pair's resources.
    expect(resourceTagProblems(pairTags('pairs[0]', { name: 'p', tags: many(24) }, many(24, 'f')))).toEqual([]);
    expect(resourceTagProblems(pairTags('pairs[0]', { name: 'p', tags: many(25) }, many(24, 'f')))).toEqual([
      expect.stringMatching(/^pairs\[0\]\.tags: each pair's IAM roles and scraper would carry 51 tags .*IAM allows at most 50 per resource: remove 1$/),
    ]);
    expect(resourceTagProblems(pairTags('pairs[0]', { name: 'p', tags: many(48) }, many(10)))).toEqual([]);
    // 2 of amp-xa's own and AMPAgentlessScraper once scraped, on a workspace.
    expect(resourceTagProblems(workspaceTags({ name: 'w', tags: many(47) }, {}, true))).toEqual([]);
    expect(resourceTagProblems(workspaceTags({ name: 'w', tags: many(48) }, {}, true))).toEqual([
      expect.stringMatching(/^workspaces\.w\.create\.tags: workspace w would carry 51 tags .*1 AWS adds \(AMPAgentlessScraper\).*AMP allows at most 50/),
    ]);
    expect(resourceTagProblems(workspaceTags({ name: 'w', tags: many(48) }, {}, false))).toEqual([]);
  });
});
