/** Recovery after an interrupted deploy: what AWS has and the phase-1 state lacks, and what is done about it. */
import { needsRecovery, pairRecovery, recoveryAdvice, type LivePair } from '../lib/recovery/plan';
import { pairAddresses, trackedResources } from '../lib/recovery/tracked';
import { stateCheck } from '../lib/status/state-check';
import type { LiveRole, LiveScraper, PairSnapshot } from '../lib/status/model';
import { exampleConfig, plan, synthFleet } from './support/fleet';

const fleet = plan(exampleConfig('fleet.json'));
const pair = fleet.pairs.find((p) => p.name === 'prod-to-central')!;
const json = synthFleet(exampleConfig('fleet.json')).json['fleet-scrapers'];
const addresses = pairAddresses(json, pair.name);
const ours = { 'managed-by': 'amp-xa', 'amp-xa:pair': 'prod-to-central' };

const scraper = (id: string, statusCode = 'ACTIVE', tags: Record<string, string> | null = ours): LiveScraper => ({
  scraperId: id,
  arn: `arn:aws:aps:eu-west-1:111111111111:scraper/${id}`,
  alias: 'prod-to-central',
  statusCode,
  ...(tags ? { tags } : {}),
});
const role = (name: string, tags: Record<string, string> | null = ours): LiveRole => ({
  name,
  arn: `arn:aws:iam::111111111111:role/${name}`,
  trust: {},
  inline: [],
  attached: [],
  ...(tags ? { tags } : {}),
});
const live = (scrapers: LiveScraper[], roles = true): LivePair => ({
  scrapers,
  ...(roles ? { sourceRole: role(pair.sourceRoleName), targetRole: role(pair.targetRoleName) } : {}),
});

/** A state as `terraform state pull` prints it, holding the given addresses (scraper with its ID). */
function state(entries: Array<[string, string]>): unknown {
  return {
    version: 4,
    resources: [
      ...entries.map(([address, id]) => {
        const [type, name] = address.split('.');
        return {
          mode: 'managed',
          type,
          name,
          provider: 'provider["registry.terraform.io/hashicorp/aws"].to-workload-a',
          instances: [{ attributes: { id, tags: { 'amp-xa:pair': pair.name } } }],
        };
      }),
      { mode: 'data', type: 'aws_iam_role', name: 'live', instances: [{ attributes: { id: 'x' } }] },
    ],
  };
}
const fullState = () =>
  trackedResources(
    state([
      [addresses.scraper!, 's-tracked'],
      [addresses.roles.get(pair.sourceRoleName)!, pair.sourceRoleName],
      [addresses.roles.get(pair.targetRoleName)!, pair.targetRoleName],
    ]),
  );

describe('reading state and stacks', () => {
  test('managed instances with their address, ID and pair; data sources and counted instances keyed', () => {
    const tracked = trackedResources({
      resources: [
        {
          mode: 'managed',
          type: 'terraform_data',
          name: 'f',
          instances: [
            { index_key: 0, attributes: { id: 'a' } },
            { index_key: 'k', attributes: { id: 'b' } },
          ],
        },
        { mode: 'data', type: 'aws_iam_role', name: 'd', instances: [{ attributes: { id: 'c' } }] },
        {
          module: 'module.m',
          mode: 'managed',
          type: 'aws_iam_role',
          name: 'r',
          instances: [{ attributes: { id: 'n', arn: 'arn:x', tags: { 'amp-xa:pair': 'p' } } }],
        },
      ],
    });
    expect(tracked).toEqual([
      { address: 'terraform_data.f[0]', type: 'terraform_data', id: 'a' },
      { address: 'terraform_data.f["k"]', type: 'terraform_data', id: 'b' },
      { address: 'module.m.aws_iam_role.r', type: 'aws_iam_role', id: 'n', arn: 'arn:x', pair: 'p' },
    ]);
    expect(trackedResources(null)).toEqual([]);
    expect(trackedResources({ resources: 'no' })).toEqual([]);
  });

  test("a pair's scraper and role addresses come from the synthesized stack, not from other pairs", () => {
    expect(addresses.scraper).toMatch(/^aws_prometheus_scraper\.prod-to-central_scraper_\w+$/);
    expect([...addresses.roles.keys()].sort()).toEqual(['amp-xa-prod-to-central-source', 'amp-xa-prod-to-central-target']);
    expect(pairAddresses(json, 'no-such-pair')).toEqual({ roles: new Map() });
  });
});

describe('what recovery does', () => {
  test('everything tracked: nothing to do', () => {
    const r = pairRecovery(pair, 'fleet-scrapers', live([scraper('s-tracked')]), fullState(), addresses);
    expect(needsRecovery(r)).toBe(false);
    expect(r.trackedScraper).toBe('s-tracked');
  });

  test('killed before the state was written: the scraper (even CREATING) and both roles are imported, not recreated', () => {
    const r = pairRecovery(pair, 'fleet-scrapers', live([scraper('s-new', 'CREATING')]), [], addresses);
    expect(r.imports).toEqual([
      { address: addresses.scraper, id: 's-new', what: 'scraper s-new (CREATING)' },
      { address: addresses.roles.get(pair.sourceRoleName), id: pair.sourceRoleName, what: `role ${pair.sourceRoleName} in 111111111111` },
      { address: addresses.roles.get(pair.targetRoleName), id: pair.targetRoleName, what: `role ${pair.targetRoleName} in 222222222222` },
    ]);
    expect(r.duplicates).toEqual([]);
    expect(recoveryAdvice(r).join('\n')).toMatch(/bring them under management with npm run recover -- --apply/);
  });

  test('a second scraper made by the next deploy: state tracks one, the other is a duplicate to delete by name', () => {
    const r = pairRecovery(pair, 'fleet-scrapers', live([scraper('s-old'), scraper('s-tracked')]), fullState(), addresses);
    expect(r.imports).toEqual([]);
    expect(r.duplicates.map((s) => s.scraperId)).toEqual(['s-old']);
    expect(recoveryAdvice(r).join('\n')).toMatch(/state tracks s-tracked; untracked: s-old \(ACTIVE\).*npm run recover -- --delete-scraper s-old/);
  });

  test('two untracked scrapers and none tracked: neither is guessed at, both listed', () => {
    const r = pairRecovery(pair, 'fleet-scrapers', live([scraper('s-1'), scraper('s-2')], false), [], addresses);
    expect(r.imports).toEqual([]);
    expect(r.duplicates.map((s) => s.scraperId)).toEqual(['s-1', 's-2']);
  });

  test('what is not amp-xa’s (no tags, or another pair’s) is reported and never imported or deleted', () => {
    const foreignScraper = scraper('s-hand', 'ACTIVE', null);
    const otherPair = scraper('s-other', 'ACTIVE', { ...ours, 'amp-xa:pair': 'prod-to-audit' });
    const r = pairRecovery(
      pair,
      'fleet-scrapers',
      { scrapers: [foreignScraper, otherPair], sourceRole: role(pair.sourceRoleName, { team: 'x' }) },
      [],
      addresses,
    );
    expect(r.imports).toEqual([]);
    expect(r.duplicates).toEqual([]);
    expect(r.foreign).toEqual([
      expect.stringMatching(/^scraper s-hand .*not tagged managed-by=amp-xa, amp-xa:pair=prod-to-central/),
      expect.stringMatching(/^scraper s-other /),
      expect.stringMatching(/^role amp-xa-prod-to-central-source in 111111111111 \(not tagged.*cannot create the pair's role while it exists/),
    ]);
  });

  test('Ctrl-C during the create: the scraper is in state but tainted while alive in AWS; recovery untaints it', () => {
    const tracked = fullState().map((t) => (t.address === addresses.scraper ? { ...t, tainted: true } : t));
    const r = pairRecovery(pair, 'fleet-scrapers', live([scraper('s-tracked', 'CREATING')]), tracked, addresses);
    expect(r.untaints).toEqual([{ address: addresses.scraper, id: 's-tracked', what: 'scraper s-tracked (CREATING, tainted in state)' }]);
    expect(recoveryAdvice(r).join('\n')).toMatch(/the next deploy would replace it; keep it with npm run recover -- --apply/);
    // A tainted scraper that AMP failed is replaced, as it should be.
    expect(pairRecovery(pair, 'fleet-scrapers', live([scraper('s-tracked', 'CREATION_FAILED')]), tracked, addresses).untaints).toEqual([]);
  });

  test('a scraper AWS is deleting is neither a duplicate nor imported', () => {
    const r = pairRecovery(pair, 'fleet-scrapers', live([scraper('s-going', 'DELETING'), scraper('s-tracked')]), fullState(), addresses);
    expect(needsRecovery(r)).toBe(false);
  });

  test('an adopted pair: its imports are in the config; recovery leaves it alone', () => {
    const config = exampleConfig('fleet.json');
    config.pairs[0].adopt = { scraperId: 's-0123abcd-4567-89ef-0123-456789abcdef' };
    const adopted = plan(config).pairs[0];
    expect(needsRecovery(pairRecovery(adopted, 'fleet-scrapers', live([scraper('s-x')]), [], addresses))).toBe(false);
  });
});

describe('the status check', () => {
  const snapshot = {} as PairSnapshot;
  test('no recovery read (older callers): no check', () => expect(stateCheck(snapshot)).toEqual([]));
  test('tracked: ok naming the scraper; untracked: a problem with the commands; unread: its own state', () => {
    const ok = pairRecovery(pair, 'fleet-scrapers', live([scraper('s-tracked')]), fullState(), addresses);
    expect(stateCheck({ ...snapshot, recovery: { state: 'found', value: ok } })).toEqual([
      { check: 'state', state: 'ok', summary: 'fleet-scrapers tracks scraper s-tracked and nothing of the pair is untracked', details: [] },
    ]);
    const bad = pairRecovery(pair, 'fleet-scrapers', live([scraper('s-old'), scraper('s-tracked')]), fullState(), addresses);
    const [check] = stateCheck({ ...snapshot, recovery: { state: 'found', value: bad } });
    expect(check).toMatchObject({ state: 'problem', summary: 'AWS has what the state of fleet-scrapers does not track' });
    expect(check.details.join('\n')).toContain('npm run recover -- --delete-scraper s-old');
    expect(stateCheck({ ...snapshot, recovery: { state: 'unknown', detail: 'not synthesized' } })[0].state).toBe('unknown');
  });
});
