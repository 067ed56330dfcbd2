/**
 * The cases that prove only the pair's scraper reaches the pair's workspace. Each case is one IAM
 * request; `expect` gives the verdict under each trust stage:
 * - `sealed` (phase 1, the default): the roles trust a placeholder scraper ARN that no scraper can have,
 *   so no scraper, not even the pair's own, gets in before phase 2;
 * - `account-wide` (phase 1, opt-in): any scraper of the same source account and region gets in;
 * - `final` (phase 2): only the pair's scraper.
 * Permissions do not change between stages, so hops that only depend on them have one verdict.
 */
import { sourcePermissionsPolicy, sourceTrustPolicy, targetPermissionsPolicy, targetTrustPolicy, unpinnedScraperArn, type BootstrapTrust } from '../../lib/iam-documents';
import { ADMIN, session, type ChainDocuments, type Request } from './trust-chain';

export interface Pair {
  sourceAccount: string;
  targetAccount: string;
  region: string;
  scraperArn: string;
  sourceRoleName: string;
  targetRoleName: string;
  workspaceArn: string;
}

/** The bootstrap modes of phase 1, then phase 2. */
export type TrustStage = BootstrapTrust | 'final';
export const TRUST_STAGES: readonly TrustStage[] = ['sealed', 'account-wide', 'final'];

export type Expected = 'Allowed' | 'ImplicitlyDenied';

export interface ChainCase {
  name: string;
  request: Request;
  expect: Record<TrustStage, Expected>;
}

const ALLOWED = { sealed: 'Allowed', 'account-wide': 'Allowed', final: 'Allowed' } as const;
const DENIED = { sealed: 'ImplicitlyDenied', 'account-wide': 'ImplicitlyDenied', final: 'ImplicitlyDenied' } as const;
/** The pair's own scraper: kept out until phase 2 unless the bootstrap is account-wide. */
const PINNED = { sealed: 'ImplicitlyDenied', 'account-wide': 'Allowed', final: 'Allowed' } as const;
/** Sibling scrapers of the same source account and region: the account-wide window only. */
const ACCOUNT_WIDE_WINDOW = { sealed: 'ImplicitlyDenied', 'account-wide': 'Allowed', final: 'ImplicitlyDenied' } as const;
/** The placeholder itself: what the sealed documents name. No scraper can carry it (see UNPINNED_SCRAPER_ID). */
const PLACEHOLDER = { sealed: 'Allowed', 'account-wide': 'Allowed', final: 'ImplicitlyDenied' } as const;

function partitionOfArn(arn: string): string {
  return arn.split(':')[1];
}

/** The documents the builders produce for `p` at `stage`, with every reference already resolved. */
export function builderDocuments(p: Pair, stage: TrustStage): ChainDocuments {
  const side = { partition: partitionOfArn(p.scraperArn), region: p.region, sourceAccount: p.sourceAccount };
  const sourceRole = `arn:${side.partition}:iam::${p.sourceAccount}:role/${p.sourceRoleName}`;
  const targetRole = `arn:${side.partition}:iam::${p.targetAccount}:role/${p.targetRoleName}`;
  const scraperArn = stage === 'final' ? p.scraperArn : undefined;
  const bootstrap = stage === 'final' ? undefined : stage;
  return {
    sourceTrust: sourceTrustPolicy(side, scraperArn, bootstrap),
    sourcePermissions: sourcePermissionsPolicy(targetRole),
    targetTrust: targetTrustPolicy(side, sourceRole, scraperArn, bootstrap),
    targetPermissions: targetPermissionsPolicy(p.workspaceArn),
  };
}

export function chainCases(p: Pair, docs: ChainDocuments): ChainCase[] {
  const sourceRole = `arn:aws:iam::${p.sourceAccount}:role/${p.sourceRoleName}`;
  const targetRole = `arn:aws:iam::${p.targetAccount}:role/${p.targetRoleName}`;
  const sourceSession = session(p.sourceAccount, p.sourceRoleName);
  const targetSession = session(p.targetAccount, p.targetRoleName);
  const otherScraper = p.scraperArn.replace(/scraper\/.*$/, 'scraper/s-99999999-9999-9999-9999-999999999999');
  const OTHER_ACCOUNT = '333333333333';
  const otherRegion = p.region === 'us-east-1' ? 'us-west-2' : 'us-east-1';
  const placeholder = unpinnedScraperArn({ partition: partitionOfArn(p.scraperArn), region: p.region, sourceAccount: p.sourceAccount });

  const scraperAssumesSource = (scraperArn: string, sourceAccount: string): Request => ({
    principal: 'scraper.aps.amazonaws.com',
    action: 'sts:AssumeRole',
    resource: sourceRole,
    resourceAccount: p.sourceAccount,
    context: { 'aws:SourceArn': scraperArn, 'aws:SourceAccount': sourceAccount },
    resourcePolicy: docs.sourceTrust,
  });
  const assumesTarget = (principal: string, identity: ChainDocuments['sourcePermissions'][], externalId?: string): Request => ({
    principal,
    action: 'sts:AssumeRole',
    resource: targetRole,
    resourceAccount: p.targetAccount,
    context: externalId === undefined ? {} : { 'sts:ExternalId': externalId },
    identityPolicies: identity,
    resourcePolicy: docs.targetTrust,
  });
  const remoteWrite = (principal: string, identity: ChainDocuments['targetPermissions'][], workspaceArn = p.workspaceArn): Request => ({
    principal,
    action: 'aps:RemoteWrite',
    resource: workspaceArn,
    resourceAccount: workspaceArn.split(':')[4],
    identityPolicies: identity,
  });

  return [
    { name: "the pair's scraper assumes Source", request: scraperAssumesSource(p.scraperArn, p.sourceAccount), expect: PINNED },
    { name: 'the Source session assumes Target with ExternalId = scraper ARN', request: assumesTarget(sourceSession, [docs.sourcePermissions], p.scraperArn), expect: PINNED },
    { name: 'the Target session remote-writes the workspace', request: remoteWrite(targetSession, [docs.targetPermissions]), expect: ALLOWED },

    { name: 'another scraper of the same account and region assumes Source', request: scraperAssumesSource(otherScraper, p.sourceAccount), expect: ACCOUNT_WIDE_WINDOW },
    { name: 'the Source session assumes Target with another scraper ARN as ExternalId', request: assumesTarget(sourceSession, [docs.sourcePermissions], otherScraper), expect: ACCOUNT_WIDE_WINDOW },
    { name: 'a request carrying the unpinned placeholder ARN assumes Source', request: scraperAssumesSource(placeholder, p.sourceAccount), expect: PLACEHOLDER },
    { name: 'the Source session assumes Target with the unpinned placeholder ARN as ExternalId', request: assumesTarget(sourceSession, [docs.sourcePermissions], placeholder), expect: PLACEHOLDER },
    {
      name: 'a scraper of another account assumes Source',
      request: scraperAssumesSource(p.scraperArn.replace(`:${p.sourceAccount}:`, `:${OTHER_ACCOUNT}:`), OTHER_ACCOUNT),
      expect: DENIED,
    },
    { name: 'a scraper of another region assumes Source', request: scraperAssumesSource(p.scraperArn.replace(`:${p.region}:`, `:${otherRegion}:`), p.sourceAccount), expect: DENIED },
    {
      name: 'the Source session assumes Target with a scraper ARN of another account as ExternalId',
      request: assumesTarget(sourceSession, [docs.sourcePermissions], p.scraperArn.replace(`:${p.sourceAccount}:`, `:${OTHER_ACCOUNT}:`)),
      expect: DENIED,
    },
    {
      name: 'the Source session assumes Target with a scraper ARN of another region as ExternalId',
      request: assumesTarget(sourceSession, [docs.sourcePermissions], p.scraperArn.replace(`:${p.region}:`, `:${otherRegion}:`)),
      expect: DENIED,
    },
    {
      name: "a scraper names the pair's ARN but another source account",
      request: scraperAssumesSource(p.scraperArn, OTHER_ACCOUNT),
      expect: DENIED,
    },
    { name: 'the Source session assumes Target without ExternalId', request: assumesTarget(sourceSession, [docs.sourcePermissions]), expect: DENIED },
    { name: 'the Source session assumes Target with a wrong ExternalId', request: assumesTarget(sourceSession, [docs.sourcePermissions], 'guess'), expect: DENIED },
    {
      name: 'another role of the source account (admin) assumes Target with the right ExternalId',
      request: assumesTarget(session(p.sourceAccount, 'admin'), [ADMIN], p.scraperArn),
      expect: DENIED,
    },
    { name: 'a user of the source account (admin) assumes Target', request: assumesTarget(`arn:aws:iam::${p.sourceAccount}:user/alice`, [ADMIN], p.scraperArn), expect: DENIED },
    {
      name: 'the service-linked scraper role assumes Target',
      request: assumesTarget(session(p.sourceAccount, 'AWSServiceRoleForAmazonPrometheusScraper_abc'), [ADMIN], p.scraperArn),
      expect: DENIED,
    },
    {
      name: 'the service-linked scraper role assumes Source',
      request: { ...assumesTarget(session(p.sourceAccount, 'AWSServiceRoleForAmazonPrometheusScraper_abc'), [ADMIN], p.scraperArn), resource: sourceRole, resourceAccount: p.sourceAccount, context: {}, resourcePolicy: docs.sourceTrust },
      expect: DENIED,
    },
    {
      name: 'a scraper assumes Target directly',
      request: { ...scraperAssumesSource(p.scraperArn, p.sourceAccount), resource: targetRole, resourceAccount: p.targetAccount, context: { 'aws:SourceArn': p.scraperArn, 'aws:SourceAccount': p.sourceAccount, 'sts:ExternalId': p.scraperArn }, resourcePolicy: docs.targetTrust },
      expect: DENIED,
    },
    {
      name: 'the Target session remote-writes another workspace',
      request: remoteWrite(targetSession, [docs.targetPermissions], p.workspaceArn.replace(/workspace\/.*$/, 'workspace/ws-other')),
      expect: DENIED,
    },
    { name: 'the Source session remote-writes the workspace directly', request: remoteWrite(sourceSession, [docs.sourcePermissions]), expect: DENIED },
    { name: 'the Source session assumes a different role of the target account', request: { ...assumesTarget(sourceSession, [docs.sourcePermissions], p.scraperArn), resource: `arn:aws:iam::${p.targetAccount}:role/admin`, resourcePolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${p.sourceAccount}:root` }, Action: 'sts:AssumeRole' }] } }, expect: DENIED },
  ];
}
