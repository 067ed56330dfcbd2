import { spawnSync } from 'child_process';
import { exampleConfig, addresses, at, plan, synthFleet } from './support/fleet';
import { scratchDir } from './support/scratch';
import { notDeployerProof, sourceRoleProof, targetRoleProof } from '../lib/pair/adoption-proof';

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

  test.each([
    [
      'sourceRoleName',
      'amp-xa-deployer',
      /pairs\[0\]\.sourceRoleName: role amp-xa-deployer is the deployer role of account workload \(credentials\.assumeRoleArn\)/,
    ],
    ['targetRoleName', 'AMP-XA-Deployer', /pairs\[0\]\.targetRoleName: role AMP-XA-Deployer is the deployer role of account observability/],
  ])('config: %s naming a deployer role (%s) is refused before any plan, adopted or not', (field, role, message) => {
    for (const adopt of [undefined, { scraperId: SCRAPER_ID }]) {
      const config = exampleConfig();
      Object.assign(config.pairs[0], { [field]: role, adopt });
      expect(() => plan(config)).toThrow(message);
    }
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

/** Evaluates HCL expressions with `terraform console` (the real evaluator, not a copy of it), as one list. */
function evaluate(expressions: string[]): unknown[] {
  const result = spawnSync('terraform', ['console'], {
    cwd: scratchDir('adoption-proof'),
    input: `jsonencode([${expressions.join(', ')}])\n`,
    encoding: 'utf8',
    env: { ...process.env, CHECKPOINT_DISABLE: '1' },
  });
  expect(result.stderr).not.toMatch(/Error/);
  return JSON.parse(JSON.parse(result.stdout.trim()));
}

describe('adoption proves the roles are the pair’s before anything changes', () => {
  const stack = adopted();

  test('a terraform_data with four preconditions on the live roles and on the identity each provider runs as', () => {
    // The stack's other terraform_data is its preflight gate (preflight.test.ts).
    const guard = at(stack, 'terraform_data', 'prod-to-central/adoption-proof');
    expect(guard.lifecycle.precondition).toHaveLength(4);
    const roles = Object.values<any>(stack.data.aws_iam_role).map((r) => [r.name, r.provider]);
    expect(roles).toEqual([
      ['HandMadeSource', 'aws.to-workload'],
      ['HandMadeTarget', 'aws.to-observability'],
    ]);
    expect(Object.values<any>(stack.data.aws_caller_identity).map((c) => c.provider)).toEqual(['aws.to-workload', 'aws.to-observability']);
    expect(guard.lifecycle.precondition.map((p: any) => p.error_message)).toEqual([
      expect.stringMatching(/^amp-xa: pair prod-to-central adopts role HandMadeSource \(account 111111111111\) as its Source role, but .*Nothing was changed/),
      expect.stringMatching(
        /adopts role HandMadeTarget \(account 222222222222\) as its Target role, but its trust policy does not admit the pair's Source role/,
      ),
      expect.stringMatching(/adopts role HandMadeSource .* which is the role this deploy runs as/),
      expect.stringMatching(/adopts role HandMadeTarget .* which is the role this deploy runs as/),
    ]);
  });

  const trust = (statements: unknown) => JSON.stringify(JSON.stringify({ Version: '2012-10-17', Statement: statements }));
  const SOURCE_ARN = 'arn:aws:iam::111111111111:role/HandMadeSource';
  const inputs = (roleTrust: string, roleName = 'HandMadeSource', callerArn = 'arn:aws:sts::111111111111:assumed-role/amp-xa-deployer/amp-xa') => ({
    pairName: 'p',
    accountId: '111111111111',
    roleName,
    roleTrust,
    roleArn: JSON.stringify(`arn:aws:iam::111111111111:role/${roleName}`),
    callerArn: JSON.stringify(callerArn),
  });

  test('the conditions, evaluated by Terraform, accept the roles of AWS’s manual procedure and refuse any other', () => {
    const scraperTrust = trust([{ Effect: 'Allow', Principal: { Service: 'scraper.aps.amazonaws.com' }, Action: 'sts:AssumeRole' }]);
    const listTrust = trust({ Effect: 'Allow', Principal: { Service: ['ec2.amazonaws.com', 'scraper.aps.amazonaws.com'] }, Action: 'sts:AssumeRole' });
    const deployerTrust = trust([{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::999999999999:root' }, Action: 'sts:AssumeRole' }]);
    const deniedScraper = trust([{ Effect: 'Deny', Principal: { Service: 'scraper.aps.amazonaws.com' }, Action: 'sts:AssumeRole' }]);
    const targetTrust = trust([{ Effect: 'Allow', Principal: { AWS: SOURCE_ARN }, Action: 'sts:AssumeRole' }]);
    const otherTarget = trust([{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:role/Other' }, Action: 'sts:AssumeRole' }]);
    expect(
      evaluate([
        sourceRoleProof(inputs(scraperTrust)).condition,
        sourceRoleProof(inputs(listTrust)).condition,
        sourceRoleProof(inputs(deployerTrust)).condition,
        sourceRoleProof(inputs(deniedScraper)).condition,
        sourceRoleProof(inputs('"not json"')).condition,
        targetRoleProof(inputs(targetTrust, 'HandMadeTarget'), JSON.stringify(SOURCE_ARN)).condition,
        targetRoleProof(inputs(otherTarget, 'HandMadeTarget'), JSON.stringify(SOURCE_ARN)).condition,
        notDeployerProof(inputs(scraperTrust)).condition,
        notDeployerProof(inputs(scraperTrust, 'amp-xa-deployer')).condition,
        notDeployerProof(inputs(scraperTrust, 'HandMadeSource', 'arn:aws:iam::111111111111:role/HandMadeSource')).condition,
      ]),
    ).toEqual([true, true, false, false, false, true, false, true, false, false]);
  });
});
