/**
 * The four IAM documents of a pair, as data. Trust documents come in two stages:
 * - bootstrap (phase 1): the scraper ARN does not exist yet.
 *   - `sealed` (default), like AWS's own procedure: the conditions name a placeholder scraper ARN that no
 *     scraper can have, with the same exact operators as the final documents, so no scraper can use the
 *     roles before phase 2 pins them (creating the scraper does not need the trust to admit it);
 *   - `account-wide` (opt-in): any scraper of the source account and region (`ArnLike`/`StringLike`
 *     `…:scraper/*`), so metrics flow even if phase 2 fails;
 * - final (phase 2): the exact scraper ARN.
 * Keeping them as pure functions lets tests evaluate them directly, without synthesizing.
 */
import { scraperArnPattern } from './arn';
import type { BootstrapTrust } from './config/schema';

export type { BootstrapTrust };

export const SCRAPER_SERVICE_PRINCIPAL = 'scraper.aps.amazonaws.com';

/**
 * Resource ID of the sealed bootstrap's placeholder scraper ARN. AMP generates every scraper ID itself
 * (`s-` + a UUID; CreateScraper takes no ID), so an ID without the `s-` prefix can never be a scraper's.
 * It still fits the API's ScraperId pattern and sits in the source account and region, so the sealed
 * documents have exactly the shape of the final ones; and it says what it is to whoever reads the role.
 */
export const UNPINNED_SCRAPER_ID = 'amp-xa-unpinned';

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: { Service?: string; AWS?: string };
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string>>;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

export interface SourceSide {
  partition: string;
  region: string;
  sourceAccount: string;
}

/** The placeholder the sealed bootstrap trusts: a scraper ARN of the source account and region that matches no scraper. */
export function unpinnedScraperArn(side: SourceSide): string {
  return `arn:${side.partition}:aps:${side.region}:${side.sourceAccount}:scraper/${UNPINNED_SCRAPER_ID}`;
}

/** `scraperArn` undefined (or empty) = bootstrap, sealed unless `bootstrap` says account-wide. */
export function sourceTrustPolicy(side: SourceSide, scraperArn?: string, bootstrap: BootstrapTrust = 'sealed'): PolicyDocument {
  const sourceArnCondition: Record<string, Record<string, string>> =
    !scraperArn && bootstrap === 'account-wide'
      ? { ArnLike: { 'aws:SourceArn': scraperArnPattern(side.partition, side.region, side.sourceAccount) } }
      : { ArnEquals: { 'aws:SourceArn': scraperArn || unpinnedScraperArn(side) } };
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ScraperAssumesSource',
        Effect: 'Allow',
        Principal: { Service: SCRAPER_SERVICE_PRINCIPAL },
        Action: 'sts:AssumeRole',
        Condition: {
          ...sourceArnCondition,
          StringEquals: { 'aws:SourceAccount': side.sourceAccount },
        },
      },
    ],
  };
}

/**
 * `scraperArn` undefined (or empty) = bootstrap, sealed unless `bootstrap` says account-wide. StringEquals does not
 * expand `*`, so the account-wide bootstrap needs StringLike.
 */
export function targetTrustPolicy(side: SourceSide, sourceRoleArn: string, scraperArn?: string, bootstrap: BootstrapTrust = 'sealed'): PolicyDocument {
  const externalIdCondition: Record<string, Record<string, string>> =
    !scraperArn && bootstrap === 'account-wide'
      ? { StringLike: { 'sts:ExternalId': scraperArnPattern(side.partition, side.region, side.sourceAccount) } }
      : { StringEquals: { 'sts:ExternalId': scraperArn || unpinnedScraperArn(side) } };
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'SourceAssumesTarget',
        Effect: 'Allow',
        Principal: { AWS: sourceRoleArn },
        Action: 'sts:AssumeRole',
        Condition: externalIdCondition,
      },
    ],
  };
}

/**
 * JMESPath, applied to the output of `aws iam get-role` (`{ Role: { AssumeRolePolicyDocument: doc } }`), to
 * the value that carries the scraper ARN in each trust document built above: the finalizer reads it back
 * until it equals the pinned ARN. It depends on the statement order and operators chosen above, so it lives
 * here and a unit test evaluates it against the builders' output. (It also finds the placeholder of a
 * sealed bootstrap document, which has the same shape.)
 */
export const PINNED_ARN_QUERY = {
  source: 'Role.AssumeRolePolicyDocument.Statement[0].Condition.ArnEquals."aws:SourceArn"',
  target: 'Role.AssumeRolePolicyDocument.Statement[0].Condition.StringEquals."sts:ExternalId"',
} as const;

/** Source may hop to this pair's Target role and nothing else. */
export function sourcePermissionsPolicy(targetRoleArn: string): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [{ Sid: 'AssumeTarget', Effect: 'Allow', Action: 'sts:AssumeRole', Resource: targetRoleArn }],
  };
}

/** Narrower than AmazonPrometheusRemoteWriteAccess, which grants aps:RemoteWrite on `*`. */
export function targetPermissionsPolicy(workspaceArn: string): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [{ Sid: 'RemoteWriteWorkspace', Effect: 'Allow', Action: 'aps:RemoteWrite', Resource: workspaceArn }],
  };
}

/** Compact JSON: what IAM receives. Key order is fixed by the builders above, so the text is stable. */
export function renderPolicy(doc: PolicyDocument): string {
  return JSON.stringify(doc);
}
