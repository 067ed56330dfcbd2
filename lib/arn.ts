/**
 * ARN and partition helpers. Pure functions: every ARN the app writes is built here so that
 * non-`aws` partitions (China, GovCloud, ISO) come out right everywhere at once.
 */

export interface Arn {
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly account: string;
  readonly resource: string;
}

/** Every AWS partition amp-xa knows the DNS suffix and region prefixes of; the config schema accepts no other. */
export const PARTITIONS = ['aws', 'aws-cn', 'aws-us-gov', 'aws-iso', 'aws-iso-b', 'aws-iso-e', 'aws-iso-f', 'aws-eusc'] as const;
export type Partition = (typeof PARTITIONS)[number];

/** `arn:(aws|aws-cn|...)`, for patterns that must accept known partitions only. */
export const PARTITION_ALTERNATIVES = `(?:${PARTITIONS.join('|')})`;

const ARN_PATTERN = new RegExp(`^arn:(${PARTITIONS.join('|')}):([a-z0-9-]+):([a-z0-9-]*):(\\d{12}|):(.+)$`);

export const ACCOUNT_ID_PATTERN = /^\d{12}$/;
export const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d$/;

export function parseArn(value: string): Arn | undefined {
  const m = ARN_PATTERN.exec(value);
  if (!m) return undefined;
  return { partition: m[1], service: m[2], region: m[3], account: m[4], resource: m[5] };
}

/** Region prefixes that live outside the commercial partition. Longest prefix wins. */
const PARTITION_BY_REGION_PREFIX: ReadonlyArray<[string, string]> = [
  ['us-isob-', 'aws-iso-b'],
  ['us-isof-', 'aws-iso-f'],
  ['eu-isoe-', 'aws-iso-e'],
  ['us-iso-', 'aws-iso'],
  ['us-gov-', 'aws-us-gov'],
  ['cn-', 'aws-cn'],
  ['eusc-', 'aws-eusc'],
];

export function partitionOf(region: string): string {
  for (const [prefix, partition] of PARTITION_BY_REGION_PREFIX) {
    if (region.startsWith(prefix)) return partition;
  }
  return 'aws';
}

/** DNS suffix for service endpoints, used in the remote-write URL. */
export function dnsSuffixOf(partition: string): string {
  switch (partition) {
    case 'aws-cn':
      return 'amazonaws.com.cn';
    case 'aws-iso':
      return 'c2s.ic.gov';
    case 'aws-iso-b':
      return 'sc2s.sgov.gov';
    case 'aws-iso-e':
      return 'cloud.adc-e.uk';
    case 'aws-iso-f':
      return 'csp.hci.ic.gov';
    case 'aws-eusc':
      return 'amazonaws.eu';
    default:
      return 'amazonaws.com';
  }
}

export function roleArn(partition: string, account: string, roleName: string): string {
  return `arn:${partition}:iam::${account}:role/${roleName}`;
}

/** Matches every scraper of one account and region: the bootstrap trust before the real ARN exists. */
export function scraperArnPattern(partition: string, region: string, account: string): string {
  return `arn:${partition}:aps:${region}:${account}:scraper/*`;
}

export function workspaceIdOf(workspaceArn: string): string | undefined {
  const arn = parseArn(workspaceArn);
  if (!arn || arn.service !== 'aps') return undefined;
  const m = /^workspace\/(ws-[0-9a-zA-Z-]+)$/.exec(arn.resource);
  return m ? m[1] : undefined;
}

export function remoteWriteUrl(partition: string, region: string, workspaceId: string): string {
  return `https://aps-workspaces.${region}.${dnsSuffixOf(partition)}/workspaces/${workspaceId}/api/v1/remote_write`;
}
