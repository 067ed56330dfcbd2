/**
 * Hostile input against the limits AWS and HCP Terraform enforce only later (at deploy, or never, doing something
 * else than the config says): tags as each resource really gets them, backend names, the same resource under two
 * keys, numbers that do not read as written, and problems that used to hide each other until the next run.
 * Every case runs the app's real entry (see hostile-input.helpers.ts): refused input exits 1 with one line per
 * problem naming the field and writes nothing; valid hostile input synthesizes every stack.
 */
import { existsSync, readFileSync } from 'fs';
import * as path from 'path';
import { configIn, exampleConfig, expectRejected, freshDir, rejects, stackJson, synth, writeConfig, type Run } from './hostile-input.helpers';
import { plan } from './support/fleet';

/** Accepted: exit 0, nothing logged, and every stack of the manifest synthesized. */
function expectAccepted(run: Run): Run {
  expect(run.text).toBe('');
  expect(run.code).toBe(0);
  const stacks = Object.keys(JSON.parse(readFileSync(path.join(run.outdir, 'manifest.json'), 'utf8')).stacks);
  expect(stacks.length).toBeGreaterThanOrEqual(2);
  for (const stack of stacks) expect(existsSync(path.join(run.outdir, 'stacks', stack, 'cdk.tf.json'))).toBe(true);
  return run;
}
const accepts = (mutate: (c: any) => void) => expectAccepted(synth(configIn(mutate).file));

const many = (n: number, prefix = 'k') => Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, 'v']));
/** The example's workspace, created by amp-xa instead of referenced (still scraped by the example pair). */
const created = (tags: Record<string, string>) => (c: any) => (c.workspaces.central = { account: 'observability', create: { tags } });
/** An own `__proto__` property, as a JSON text with that key parses (a plain assignment would set the prototype). */
const protoKey = (o: any, value: unknown) => Object.defineProperty(o, '__proto__', { value, enumerable: true, writable: true, configurable: true });

describe('tags: AWS rules on the merged tags of each resource, amp-xa’s own included', () => {
  // The example has fleet tag `project` and pair tag `team`; amp-xa adds managed-by and amp-xa:pair.
  test.each([
    [
      '49 pair tags: 52 on each role and scraper',
      (c: any) => Object.assign(c.pairs[0].tags, many(48)),
      'pairs[0].tags',
      /would carry 52 tags .*IAM allows at most 50 per resource: remove 2$/,
    ],
    [
      '49 fleet tags and no pair tags: 51',
      (c: any) => {
        delete c.pairs[0].tags;
        Object.assign(c.tags, many(48));
      },
      'tags',
      /would carry 51 tags \(49 from tags, 2 of amp-xa's own \(managed-by, amp-xa:pair\)/,
    ],
    [
      'a created workspace with 47 tags, scraped: AWS adds a 51st',
      created(many(47)),
      'workspaces.central.create.tags',
      /workspace central would carry 51 tags .*1 AWS adds \(AMPAgentlessScraper\)/,
    ],
    [
      'pair tag keys that differ only in case',
      (c: any) => (c.pairs[0].tags.Team = 'x'),
      'pairs[0].tags.Team',
      /IAM tag keys are case-insensitive, and "Team" is the same key as pairs\[0\]\.tags\.team/,
    ],
    ['a pair tag that is a case twin of a fleet tag', (c: any) => (c.pairs[0].tags.PROJECT = 'x'), 'pairs[0].tags.PROJECT', /is the same key as tags\.project/],
    [
      'Managed-By on a pair (IAM: amp-xa’s own managed-by)',
      (c: any) => (c.pairs[0].tags['Managed-By'] = 'me'),
      'pairs[0].tags.Managed-By',
      /same IAM tag key as amp-xa's own "managed-by"/,
    ],
    ['managed-by in the fleet tags', (c: any) => (c.tags['managed-by'] = 'me'), 'tags.managed-by', /is amp-xa's own tag key/],
    ['amp-xa:pair on a pair', (c: any) => (c.pairs[0].tags['amp-xa:pair'] = 'other'), 'pairs[0].tags["amp-xa:pair"]', /is amp-xa's own tag key/],
    [
      'AMP-XA:PAIR on a pair',
      (c: any) => (c.pairs[0].tags['AMP-XA:PAIR'] = 'other'),
      'pairs[0].tags["AMP-XA:PAIR"]',
      /same IAM tag key as amp-xa's own "amp-xa:pair"/,
    ],
    ['managed-by on a created workspace', created({ 'managed-by': 'me' }), 'workspaces.central.create.tags.managed-by', /is amp-xa's own tag key/],
    [
      'AMPAgentlessScraper on a created workspace',
      created({ AMPAgentlessScraper: 'x' }),
      'workspaces.central.create.tags.AMPAgentlessScraper',
      /AWS sets this tag itself/,
    ],
    ['AWS: prefix on a pair', (c: any) => (c.pairs[0].tags['AWS:cost'] = 'x'), 'pairs[0].tags["AWS:cost"]', /reserved for AWS/],
    ['Aws: prefix in the fleet tags', (c: any) => (c.tags['Aws:cost'] = 'x'), 'tags["Aws:cost"]', /reserved for AWS/],
    ['aWs: prefix on a created workspace', created({ 'aWs:cost': 'x' }), 'workspaces.central.create.tags["aWs:cost"]', /reserved for AWS/],
    ['__proto__ as a pair tag key', (c: any) => protoKey(c.pairs[0].tags, 'x'), 'pairs[0].tags.__proto__', /tag key __proto__ is refused: .*drop it silently/],
    ['__proto__ as a fleet tag key', (c: any) => protoKey(c.tags, 'x'), 'tags.__proto__', /tag key __proto__ is refused/],
    ['an empty key', (c: any) => (c.tags[''] = 'x'), 'tags[""]', /tag keys: 1-128 characters/],
    ['a 257-character value', (c: any) => (c.pairs[0].tags.team = 'v'.repeat(257)), 'pairs[0].tags.team', /tag values: at most 256 characters/],
    ['a value with a comma', (c: any) => (c.pairs[0].tags.team = 'a,b'), 'pairs[0].tags.team', /tag values: at most 256 characters of letters/],
    ['a key with a hash', (c: any) => (c.tags['cost#center'] = 'x'), 'tags["cost#center"]', /tag keys: 1-128 characters of letters/],
  ])('%s', (_name, mutate, field, message) => {
    const { run, problems } = rejects(mutate);
    const found = problems(field);
    expect(found.find((p) => p.startsWith(field))).toMatch(message);
    expect(run.text).not.toMatch(/TypeError|at Object\./);
  });

  test('a 129-character key is refused (and cut in the message)', () => {
    const { problems } = rejects((c) => (c.pairs[0].tags['k'.repeat(129)] = 'x'));
    expect(problems()).toEqual([expect.stringMatching(/^pairs\[0\]\.tags\["k+"\.\.\. \(129 characters\)\]: tag keys: 1-128 characters/)]);
  });

  test('one problem per fleet tag, however many pairs share it', () => {
    const { problems } = rejects((c) => {
      c.tags['managed-by'] = 'me';
      c.pairs.push({ ...c.pairs[0], name: 'second', alias: 'second', workspace: 'other' });
      c.workspaces.other = { account: 'observability', arn: c.workspaces.central.arn.replace(/ws-[^/]+$/, 'ws-other') };
    });
    expect(problems('tags.managed-by')).toEqual([
      "tags.managed-by: is amp-xa's own tag key (it would replace or be replaced by amp-xa's value); choose another key",
    ]);
  });

  test('exactly 50 on each role and scraper, a 128-character key, a 256-character value: accepted and synthesized as written', () => {
    const key = 'k'.repeat(128);
    const run = accepts((c) => {
      Object.assign(c.pairs[0].tags, many(45), { [key]: 'v'.repeat(256) }); // team + 46 = 47, + project, managed-by, amp-xa:pair = 50
    });
    const [scrapers] = plan(exampleConfig()).units.map((u) => u.scraperStackName);
    const json = stackJson(run, scrapers);
    const role = Object.values<any>(json.resource.aws_iam_role)[0];
    const defaults = [json.provider.aws].flat().find((p: any) => p.alias === role.provider.replace(/^aws\./, '')).default_tags[0].tags;
    expect(new Set([...Object.keys(defaults), ...Object.keys(role.tags)]).size).toBe(50);
    expect(role.tags[key]).toBe('v'.repeat(256));
  });

  test('a key in both fleet and pair tags counts once: 50 accepted', () => {
    accepts((c) => {
      c.pairs[0].tags = { ...many(47), project: 'override' }; // 47 + project (shared) + 2 own = 50
    });
  });

  test('AMP keeps case twins apart: Managed-By and Team/team on a created workspace are accepted', () => {
    accepts((c) => {
      created({ 'Managed-By': 'me', Team: 'a', team: 'b' })(c);
    });
  });

  test('letters, digits and spaces of any script, and every allowed symbol', () => {
    accepts((c) => (c.pairs[0].tags = { 'équipe Ω 7': 'données _.:/=+-@ ٣', 'aws-cost': '' }));
  });
});

describe('backend names: limits the backend would only report at init', () => {
  const cloud = (workspacePrefix: string) => (c: any) => (c.backend = { type: 'cloud', organization: 'acme', workspacePrefix });
  /** The example with its source account in a unit of the longest name allowed (a unit names its stacks). */
  const LONG = `a${'b'.repeat(31)}`;
  const longAccount = (c: any) => (c.accounts.workload.unit = LONG);
  /** The longest stack name of that fleet: from the plan, as synth names its stacks. */
  const longestStack = () => {
    const config = exampleConfig();
    longAccount(config);
    const fleet = plan(config);
    return Math.max(
      ...fleet.units.flatMap((u) => [u.scraperStackName.length, u.trustStackName.length]),
      ...fleet.createdWorkspaces.map((w) => w.stackName.length),
    );
  };

  test('an HCP Terraform workspace of 91 characters is refused; of 90 accepted', () => {
    // Workspace names are <prefix><fleet>-<stack>; this config's fleet is `fleet`.
    const prefix = (n: number) => 'p'.repeat(n - 'fleet-'.length - longestStack());
    const { problems } = rejects((c) => {
      longAccount(c);
      cloud(prefix(91))(c);
    });
    expect(problems('backend.workspacePrefix')[0]).toMatch(/would be named "p+fleet-ab+[a-z-]+", 91 characters; HCP Terraform allows at most 90/);
    accepts((c) => {
      longAccount(c);
      cloud(prefix(90))(c);
    });
  });

  test('a long unit name and the longest prefix: one line per stack that does not fit', () => {
    const { problems } = rejects((c) => {
      cloud('p'.repeat(60))(c);
      longAccount(c);
    });
    const found = problems('backend.workspacePrefix');
    expect(found.length).toBeGreaterThanOrEqual(2);
    expect(found.every((p) => /HCP Terraform allows at most 90/.test(p))).toBe(true);
  });

  test.each([
    [
      'a commercial role for a China bucket',
      'cn-north-1',
      'arn:aws:iam::111111111111:role/state',
      /role partition aws differs from the bucket region cn-north-1 \(partition aws-cn\)/,
    ],
    [
      'a China role for a commercial bucket',
      'eu-west-1',
      'arn:aws-cn:iam::111111111111:role/state',
      /role partition aws-cn differs from the bucket region eu-west-1 \(partition aws\)/,
    ],
    ['a GovCloud role for a commercial bucket', 'us-east-1', 'arn:aws-us-gov:iam::111111111111:role/state', /partition aws-us-gov differs/],
  ])('S3 roleArn: %s', (_name, region, roleArn, message) => {
    const { problems } = rejects((c) => (c.backend = { type: 's3', bucket: 'state-bucket', region, roleArn }));
    expect(problems('backend.roleArn')[0]).toMatch(message);
  });

  test.each([
    ['two adjacent periods', 'state..bucket', /no two adjacent periods/],
    ['an IP address', '192.168.5.4', /not formatted as an IP address/],
    ['the xn-- prefix', 'xn--state', /prefix xn-- is reserved/],
    ['the sthree- prefix', 'sthree-state', /prefix sthree- is reserved/],
    ['the sthree-configurator prefix', 'sthree-configurator-x', /prefix sthree- is reserved/],
    ['the amzn-s3-demo- prefix', 'amzn-s3-demo-bucket', /prefix amzn-s3-demo- is reserved/],
    ['the -s3alias suffix', 'state-s3alias', /suffix -s3alias is reserved/],
    ['the --ol-s3 suffix', 'state--ol-s3', /suffix --ol-s3 is reserved/],
    ['the .mrap suffix', 'state.mrap', /suffix \.mrap is reserved/],
    ['the --x-s3 suffix', 'state--usw2-az1--x-s3', /suffix --x-s3 is reserved/],
    ['the --table-s3 suffix', 'state--table-s3', /suffix --table-s3 is reserved/],
    ['2 characters', 'ab', /expected an S3 bucket name: 3-63 chars/],
    ['64 characters', 'b'.repeat(64), /expected an S3 bucket name: 3-63 chars/],
    ['upper case', 'State-Bucket', /expected an S3 bucket name/],
    ['a leading hyphen', '-state', /expected an S3 bucket name/],
  ])('S3 bucket name with %s', (_name, bucket, message) => {
    const { problems } = rejects((c) => (c.backend = { type: 's3', bucket, region: 'eu-west-1' }));
    expect(problems('backend.bucket')[0]).toMatch(message);
  });

  test('bucket names at the edges of the rules are accepted: 3 and 63 characters, periods, digits, five numbers', () => {
    for (const bucket of ['abc', 'b'.repeat(63), 'my.state.bucket', '1.2.3.4.5', 'x-s3alias-not-at-end']) {
      accepts((c) => (c.backend = { type: 's3', bucket, region: 'eu-west-1' }));
    }
  });
});

describe('duplicates: one key per cluster and per workspace', () => {
  test('the same cluster ARN under two keys (two scrapers of one cluster into one workspace)', () => {
    const { problems } = rejects((c) => {
      c.clusters['prod-eks-again'] = { ...c.clusters['prod-eks'] };
      c.pairs.push({ name: 'again', cluster: 'prod-eks-again', workspace: 'central' });
    });
    expect(problems('clusters.prod-eks-again.arn')[0]).toMatch(/is also clusters\.prod-eks\.arn; give each cluster one key/);
  });

  test('the same workspace ARN under two keys', () => {
    const { problems } = rejects((c) => {
      c.workspaces['central-again'] = { ...c.workspaces.central };
      c.pairs.push({ name: 'again', cluster: 'prod-eks', workspace: 'central-again' });
    });
    expect(problems('workspaces.central-again.arn')[0]).toMatch(/is also workspaces\.central\.arn; give each workspace one key/);
  });

  test('the same cluster under two keys, even with no pair using the second', () => {
    rejects((c) => (c.clusters.twin = { ...c.clusters['prod-eks'] })).problems('clusters.twin.arn');
  });
});

describe('numbers: reported at their field as written, never as null', () => {
  const withText = (replace: (json: string) => string) => synth(writeConfig(freshDir(), replace(JSON.stringify(exampleConfig()))));

  test.each([
    [
      '1e999 as an account ID',
      '"id":"111111111111"',
      '"id":1e999',
      'accounts.workload.id',
      /the number 1e999 is out of range \(JSON readers read it as Infinity, and write it back as null\)/,
    ],
    ['-1e999 as a tag value', '"team":"platform"', '"team":-1e999', 'pairs[0].tags.team', /the number -1e999 is out of range/],
    [
      '1e-999 as a region',
      '"region":"eu-west-1"',
      '"region":1e-999',
      'accounts.workload.region',
      /the number 1e-999 is too small to read \(JSON readers read it as 0\)/,
    ],
    [
      'a 20-digit account ID',
      '"id":"111111111111"',
      '"id":12345678901234567890',
      'accounts.workload.id',
      /the number 12345678901234567890 is too large to read exactly \(JSON readers round it to 12345678901234567000\)/,
    ],
    [
      '1e999 as useLockfile',
      '"tags":{"project"',
      '"backend":{"type":"s3","bucket":"state-bucket","region":"eu-west-1","useLockfile":1e999},"tags":{"project"',
      'backend.useLockfile',
      /1e999 is out of range/,
    ],
  ])('%s', (_name, from, to, field, message) => {
    const run = withText((t) => t.replace(from, to));
    const found = expectRejected(run, field).filter((p) => p.startsWith(field));
    expect(found).toEqual([expect.stringMatching(message)]);
    expect(run.text).not.toMatch(/got null/);
  });

  test('a 5000-digit number is cut in the message', () => {
    const run = withText((t) => t.replace('"id":"111111111111"', `"id":${'9'.repeat(5000)}`));
    expect(expectRejected(run, 'accounts.workload.id')[0]).toMatch(/the number 9{40}\.\.\. \(5000 characters\) is out of range/);
    expect(run.text.length).toBeLessThan(1000);
  });

  test('an unknown field holding 1e999: both the field and the number', () => {
    const run = withText((t) => t.replace('"tags":{"project"', '"colour":1e999,"tags":{"project"'));
    expectRejected(run, 'colour');
    expect(run.lines.filter((l) => l.startsWith('  - colour: '))).toHaveLength(2);
  });
});

describe('all in one run: schema problems no longer hide the others', () => {
  test('a field typo, an ARN in the wrong region and a pair naming a missing cluster: three lines, one run', () => {
    const { problems } = rejects((c) => {
      c.pairs[0].aliass = 'typo';
      c.workspaces.central.arn = c.workspaces.central.arn.replace('eu-west-1', 'eu-west-2');
      c.pairs.push({ name: 'second', cluster: 'missing', workspace: 'central' });
    });
    expect(problems('pairs[0].aliass', 'workspaces.central.arn', 'pairs[1].cluster')).toHaveLength(3);
  });

  test('the same three in one pair: a typo does not hide its missing cluster', () => {
    const { problems } = rejects((c) => {
      c.pairs[0].aliass = 'typo';
      c.pairs[0].cluster = 'missing';
      c.accounts.workload.colour = 'red';
      c.clusters['prod-eks'].arn = c.clusters['prod-eks'].arn.replace('eu-west-1', 'eu-west-2');
    });
    expect(problems('pairs[0].aliass', 'pairs[0].cluster', 'accounts.workload.colour', 'clusters.prod-eks.arn')).toHaveLength(4);
  });

  test('an invalid field with a default is not replaced by the default: no problem the config does not have', () => {
    const { problems } = rejects((c) => Object.assign(c.accounts.workload, { unit: 'Bad Unit', movedFrom: 'fleet' }));
    expect(problems('accounts.workload.unit')).toEqual([expect.stringMatching(/^accounts\.workload\.unit: expected unit name/)]);
  });

  test('a reserved tag key does not hide a case twin in the same tags', () => {
    const { problems } = rejects((c) => Object.assign(c.pairs[0].tags, { 'aws:x': '1', Team: 'x' }));
    expect(problems('pairs[0].tags["aws:x"]', 'pairs[0].tags.Team')).toHaveLength(2);
  });

  test('a schema problem and a scrape config problem in another pair', () => {
    const { dir, file } = configIn(
      (c) => {
        c.accounts.workload.region = 'Europe';
        c.pairs[0].scrapeConfigFile = 'scrape.yaml';
      },
      { 'scrape.yaml': 'global:\n  scrape_interval: 10s\nscrape_configs: []\n' },
    );
    const found = expectRejected(synth(file, dir), 'accounts.workload.region', 'pairs[0].scrapeConfigFile');
    expect(found.find((p) => p.startsWith('pairs[0].scrapeConfigFile'))).toMatch(/scrape_interval: must be at least 30s/);
  });

  test('a duplicate key, a schema problem and a cross-field problem', () => {
    const text = JSON.stringify(exampleConfig())
      .replace('"id":"111111111111"', '"id":"111111111111","id":"111111111111"')
      .replace('"region":"eu-west-1"', '"region":"eu-west-1","colour":"red"')
      .replace('"workspace":"central"', '"workspace":"elsewhere"');
    const run = synth(writeConfig(freshDir(), text));
    expectRejected(run, 'accounts.workload.id', 'accounts.workload.colour', 'pairs[0].workspace');
  });

  test('a reference to an entry that fails the schema is not also called unknown', () => {
    const { problems } = rejects((c) => (c.clusters['prod-eks'].subnetIds = ['subnet-bad']));
    expect(problems('clusters.prod-eks.subnetIds[0]')).toHaveLength(1);
  });

  test('a fleet-wide problem and an invalid pair: the other pairs are still checked', () => {
    const { problems } = rejects((c) => {
      c.accounts.observability.region = 'cn-north-1';
      c.pairs[0].name = 'Bad Name';
      c.pairs.push({ name: 'ok', cluster: 'prod-eks', workspace: 'central', tags: { Team: 'a', team: 'b' } });
    });
    problems('accounts', 'pairs[0].name', 'pairs[1].tags.team');
  });
});
