import { exampleConfig, addresses, at, plan, synthFleet } from './support/fleet';

const SCRAPER_ID = 's-0123abcd-4567-89ef-0123-456789abcdef';

function adopted(adopt: Record<string, unknown> = { scraperId: SCRAPER_ID }) {
  const config = exampleConfig();
  Object.assign(config.pairs[0], { sourceRoleName: 'HandMadeSource', targetRoleName: 'HandMadeTarget', adopt });
  return synthFleet(config).json['fleet-scrapers'];
}

describe('adopting a pair made by hand', () => {
  const stack = adopted();
  const imports: Array<{ to: string; id: string; provider?: string }> = stack.import;

  test('the scraper and both roles are imported by their IDs, without a provider argument (the resource has its own)', () => {
    const byTo = Object.fromEntries(imports.map((i) => [i.to.replace(/_[0-9A-F]{8}$/, ''), i]));
    expect(byTo['aws_prometheus_scraper.prod-to-central_scraper'].id).toBe(SCRAPER_ID);
    expect(byTo['aws_iam_role.prod-to-central_source-role'].id).toBe('HandMadeSource');
    expect(byTo['aws_iam_role.prod-to-central_target-role'].id).toBe('HandMadeTarget');
    for (const i of imports) expect(i.provider).toBeUndefined();
    // Every import points at a resource of the stack.
    for (const i of imports) expect(addresses(stack)).toContain(i.to);
  });

  test('what amp-xa does not manage is converged visibly: managed policies detached, inline policies limited to its own', () => {
    const attachments = stack.resource.aws_iam_role_policy_attachments_exclusive;
    const inline = stack.resource.aws_iam_role_policies_exclusive;
    expect(Object.values<any>(attachments).map((a) => [a.provider, a.policy_arns])).toEqual([
      ['aws.to-workload', []],
      ['aws.to-observability', []],
    ]);
    expect(Object.values<any>(inline).map((a) => [a.provider, a.policy_names])).toEqual([
      ['aws.to-workload', [expect.stringMatching(/^\$\{aws_iam_role_policy\.prod-to-central_source-assume-target_\w+\.name\}$/)]],
      ['aws.to-observability', [expect.stringMatching(/^\$\{aws_iam_role_policy\.prod-to-central_target-remote-write_\w+\.name\}$/)]],
    ]);
    // Imported too, so the plan shows the hand-made lists going to amp-xa's before anything changes.
    const importedTypes = imports.map((i) => i.to.split('.')[0]);
    expect(importedTypes.filter((t) => t.endsWith('_exclusive')).sort()).toEqual([
      'aws_iam_role_policies_exclusive',
      'aws_iam_role_policies_exclusive',
      'aws_iam_role_policy_attachments_exclusive',
      'aws_iam_role_policy_attachments_exclusive',
    ]);
  });

  test('adoption never replaces silently: the scraper and roles are protected from destroy unless the pair allows it', () => {
    for (const path of ['prod-to-central/scraper', 'prod-to-central/source-role', 'prod-to-central/target-role']) {
      const type = path.endsWith('scraper') ? 'aws_prometheus_scraper' : 'aws_iam_role';
      expect(at(stack, type, path).lifecycle.prevent_destroy).toBe(true);
    }
    const allowed = adopted({ scraperId: SCRAPER_ID, allowReplacement: true });
    expect(at(allowed, 'aws_prometheus_scraper', 'prod-to-central/scraper').lifecycle).toBeUndefined();
    expect(at(allowed, 'aws_iam_role', 'prod-to-central/source-role').lifecycle).toEqual({ ignore_changes: ['assume_role_policy'] });
  });

  test('a pair without `adopt` imports nothing and has no exclusive-policy resources', () => {
    const plain = synthFleet(exampleConfig()).json['fleet-scrapers'];
    expect(plain.import).toBeUndefined();
    expect(plain.resource.aws_iam_role_policy_attachments_exclusive).toBeUndefined();
  });

  test('config: the scraper ID is checked, and one scraper is adopted by one pair only', () => {
    const config = exampleConfig('fleet.json');
    config.pairs[0].adopt = { scraperId: 'not valid!' };
    expect(() => plan(config)).toThrow(/pairs\[0\]\.adopt\.scraperId: expected a scraper ID/);
    config.pairs[0].adopt = { scraperId: SCRAPER_ID };
    config.pairs[1].adopt = { scraperId: SCRAPER_ID };
    expect(() => plan(config)).toThrow(/pairs\[1\]\.adopt\.scraperId: scraper s-0123abcd-4567-89ef-0123-456789abcdef is already adopted by pairs\[0\]/);
  });
});
