/**
 * The cases that prove only the pair's scraper reaches the pair's workspace. Each case is one IAM
 * request; `expect` gives the verdict under the bootstrap (phase 1) and final (phase 2) documents.
 * They differ only where the documented bootstrap window allows any scraper of the same source
 * account and region.
 */
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

export interface ChainCase {
  name: string;
  request: Request;
  expect: { bootstrap: 'Allowed' | 'ImplicitlyDenied'; final: 'Allowed' | 'ImplicitlyDenied' };
}

const ALLOWED = { bootstrap: 'Allowed', final: 'Allowed' } as const;
const DENIED = { bootstrap: 'ImplicitlyDenied', final: 'ImplicitlyDenied' } as const;
const WINDOW = { bootstrap: 'Allowed', final: 'ImplicitlyDenied' } as const;

export function chainCases(p: Pair, docs: ChainDocuments): ChainCase[] {
  const sourceRole = `arn:aws:iam::${p.sourceAccount}:role/${p.sourceRoleName}`;
  const targetRole = `arn:aws:iam::${p.targetAccount}:role/${p.targetRoleName}`;
  const sourceSession = session(p.sourceAccount, p.sourceRoleName);
  const targetSession = session(p.targetAccount, p.targetRoleName);
  const otherScraper = p.scraperArn.replace(/scraper\/.*$/, 'scraper/s-99999999-9999-9999-9999-999999999999');
  const OTHER_ACCOUNT = '333333333333';
  const otherRegion = p.region === 'us-east-1' ? 'us-west-2' : 'us-east-1';

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
    { name: "the pair's scraper assumes Source", request: scraperAssumesSource(p.scraperArn, p.sourceAccount), expect: ALLOWED },
    { name: 'the Source session assumes Target with ExternalId = scraper ARN', request: assumesTarget(sourceSession, [docs.sourcePermissions], p.scraperArn), expect: ALLOWED },
    { name: 'the Target session remote-writes the workspace', request: remoteWrite(targetSession, [docs.targetPermissions]), expect: ALLOWED },

    { name: 'another scraper of the same account and region assumes Source', request: scraperAssumesSource(otherScraper, p.sourceAccount), expect: WINDOW },
    { name: 'the Source session assumes Target with another scraper ARN as ExternalId', request: assumesTarget(sourceSession, [docs.sourcePermissions], otherScraper), expect: WINDOW },
    {
      name: 'a scraper of another account assumes Source',
      request: scraperAssumesSource(p.scraperArn.replace(`:${p.sourceAccount}:`, `:${OTHER_ACCOUNT}:`), OTHER_ACCOUNT),
      expect: DENIED,
    },
    { name: 'a scraper of another region assumes Source', request: scraperAssumesSource(p.scraperArn.replace(`:${p.region}:`, `:${otherRegion}:`), p.sourceAccount), expect: DENIED },
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
