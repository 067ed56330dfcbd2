/** status: what a phase-1 state still tracks of a pair removed from the config (an interrupted removal). */
import { removedPairReports, removedPairs, removedPairReport } from '../lib/status/removed';
import { found, missing, type LiveScraper } from '../lib/status/model';
import type { TrackedResource } from '../lib/recovery/tracked';
import type { AccountRef } from '../lib/config/fleet';

const SCRAPER_ARN = 'arn:aws:aps:eu-west-1:111111111111:scraper/s-1234abcd-0000-0000-0000-000000000000';
const tracked: TrackedResource[] = [
  {
    address: 'aws_prometheus_scraper.gone_scraper_1',
    type: 'aws_prometheus_scraper',
    id: 's-1234abcd-0000-0000-0000-000000000000',
    arn: SCRAPER_ARN,
    pair: 'gone',
  },
  { address: 'aws_iam_role.gone_source-role_2', type: 'aws_iam_role', id: 'gone-source', arn: 'arn:aws:iam::111111111111:role/gone-source', pair: 'gone' },
  { address: 'aws_iam_role.gone_target-role_3', type: 'aws_iam_role', id: 'gone-target', arn: 'arn:aws:iam::222222222222:role/gone-target', pair: 'gone' },
  { address: 'aws_iam_role_policy.gone_x', type: 'aws_iam_role_policy', id: 'gone-target:amp-xa-remote-write', pair: 'gone' },
  { address: 'aws_iam_role.kept_source-role_4', type: 'aws_iam_role', id: 'kept-source', arn: 'arn:aws:iam::111111111111:role/kept-source', pair: 'kept' },
  { address: 'terraform_data.untagged', type: 'terraform_data', id: 'x' },
];
const scraper = (statusCode: string): LiveScraper => ({ scraperId: 's-1234abcd-0000-0000-0000-000000000000', arn: SCRAPER_ARN, statusCode });

test('only pairs the config lacks, with their scraper, roles and the rest', () => {
  const [removed, ...more] = removedPairs('fleet-scrapers', tracked, new Set(['kept']));
  expect(more).toEqual([]);
  expect(removed.pair).toBe('gone');
  expect(removed.scrapers.map((s) => s.id)).toEqual(['s-1234abcd-0000-0000-0000-000000000000']);
  expect(removed.roles.map((r) => r.id)).toEqual(['gone-source', 'gone-target']);
  expect(removed.others).toHaveLength(1);
  expect(removedPairs('fleet-scrapers', tracked, new Set(['kept', 'gone']))).toEqual([]);
});

test('a scraper still DELETING: degraded, says to wait and then deploy', () => {
  const [removed] = removedPairs('fleet-scrapers', tracked, new Set(['kept']));
  const report = removedPairReport(removed, new Map([[removed.scrapers[0].id, found(scraper('DELETING'))]]));
  expect(report).toMatchObject({ pair: 'gone', health: 'degraded', sourceAccount: '111111111111', targetAccount: '222222222222', region: 'eu-west-1' });
  expect(report.scraper?.status).toBe('DELETING');
  const [check] = report.checks;
  expect(check).toMatchObject({ check: 'removed', state: 'problem' });
  expect(check.summary).toBe(
    'not in the config any more; the state of fleet-scrapers still tracks scraper s-1234abcd-0000-0000-0000-000000000000, role gone-source, role gone-target, 1 other resource',
  );
  expect(check.details.join('\n')).toContain('AMP is still deleting scraper s-1234abcd');
  expect(check.details.at(-1)).toMatch(/^wait until npm run status no longer shows it DELETING .* then run npm run deploy/);
});

test('a scraper that is gone or ACTIVE: the next deploy finishes the removal', () => {
  const [removed] = removedPairs('fleet-scrapers', tracked, new Set(['kept']));
  for (const read of [missing<LiveScraper>('not found'), found(scraper('ACTIVE'))]) {
    const { details } = removedPairReport(removed, new Map([[removed.scrapers[0].id, read]])).checks[0];
    expect(details.at(-1)).toBe('run npm run deploy: it deletes them (the deploy that removed the pair did not finish)');
  }
});

test('each leftover scraper is read in the account of its ARN; a stack without leftovers adds no report', async () => {
  const account = { name: 'workload', id: '111111111111', region: 'eu-west-1' } as AccountRef;
  const asked: string[] = [];
  const reports = await removedPairReports(['fleet-scrapers', 'other-scrapers'], new Set(['kept']), [account], {
    tracked: async (stack) => (stack === 'fleet-scrapers' ? tracked : undefined),
    scraper: async (a, id) => (asked.push(`${a.name} ${id}`), found(scraper('DELETING'))),
  });
  expect(asked).toEqual(['workload s-1234abcd-0000-0000-0000-000000000000']);
  expect(reports.map((r) => r.pair)).toEqual(['gone']);
});
