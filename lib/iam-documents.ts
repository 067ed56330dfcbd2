/**
 * The four IAM documents of a pair, as data. Trust documents come in two stages:
 * - bootstrap (phase 1): the scraper ARN does not exist yet, so conditions match any scraper of the
 *   source account and region (AWS's documented wildcard-first pattern);
 * - final (phase 2): the exact scraper ARN.
 * Keeping them as pure functions lets tests evaluate them directly, without synthesizing.
 */
import { scraperArnPattern } from './arn';

export const SCRAPER_SERVICE_PRINCIPAL = 'scraper.aps.amazonaws.com';

/** The inline permission policies' names: amp-xa's own, so adoption and `npm run status` can tell them from others. */
export const SOURCE_PERMISSIONS_POLICY_NAME = 'amp-xa-assume-target';
export const TARGET_PERMISSIONS_POLICY_NAME = 'amp-xa-remote-write';

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

/** `scraperArn` undefined = bootstrap. */
export function sourceTrustPolicy(side: SourceSide, scraperArn?: string, _bootstrap: 'sealed' | 'account-wide' = 'account-wide'): PolicyDocument {
  const sourceArnCondition: Record<string, Record<string, string>> = scraperArn
    ? { ArnEquals: { 'aws:SourceArn': scraperArn } }
    : { ArnLike: { 'aws:SourceArn': scraperArnPattern(side.partition, side.region, side.sourceAccount) } };
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

/** `scraperArn` undefined = bootstrap. StringEquals does not expand `*`, so the bootstrap needs StringLike. */
export function targetTrustPolicy(side: SourceSide, sourceRoleArn: string, scraperArn?: string, _bootstrap: 'sealed' | 'account-wide' = 'account-wide'): PolicyDocument {
  const externalIdCondition: Record<string, Record<string, string>> = scraperArn
    ? { StringEquals: { 'sts:ExternalId': scraperArn } }
    : { StringLike: { 'sts:ExternalId': scraperArnPattern(side.partition, side.region, side.sourceAccount) } };
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
