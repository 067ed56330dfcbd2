/**
 * What `npm run status` reads from AWS for one pair (a snapshot: plain data, fetched by fetch.ts), and what the
 * checks (checks.ts, pure functions of a snapshot) make of it.
 */

/**
 * One read: the thing, or AWS said it does not exist, or it could not be read (credentials, network, access).
 * `account` names the account when the read never started because its credentials failed (sign-in, or they reach
 * another account): one fact about the account, not about this read.
 */
export type Read<T> =
  | { readonly state: 'found'; readonly value: T }
  | { readonly state: 'missing'; readonly detail: string }
  | { readonly state: 'error'; readonly detail: string; readonly account?: string };

export const found = <T>(value: T): Read<T> => ({ state: 'found', value });
export const missing = <T>(detail: string): Read<T> => ({ state: 'missing', detail });
export const readError = <T>(detail: string, account?: string): Read<T> => ({ state: 'error', detail, ...(account ? { account } : {}) });

export interface LiveScraper {
  readonly scraperId: string;
  readonly arn: string;
  readonly alias?: string;
  readonly statusCode: string;
  readonly statusReason?: string;
  /** The scraper's service-linked role (with its path). */
  readonly roleArn?: string;
  readonly clusterArn?: string;
  readonly workspaceArn?: string;
  readonly sourceRoleArn?: string;
  readonly targetRoleArn?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

export interface LiveRole {
  readonly name: string;
  readonly arn: string;
  /** AssumeRolePolicyDocument, URL-decoded and parsed (text when it is not JSON). */
  readonly trust: unknown;
  /** Inline policies: name and decoded document. */
  readonly inline: ReadonlyArray<{ readonly name: string; readonly document: unknown }>;
  readonly attached: ReadonlyArray<{ readonly name: string; readonly arn: string }>;
  readonly tags?: Readonly<Record<string, string>>;
}

export interface LiveCluster {
  /** accessConfig.authenticationMode; undefined when the API answer has no accessConfig (older clusters, moto). */
  readonly authenticationMode?: string;
  readonly status?: string;
  readonly endpointPrivateAccess?: boolean;
  readonly vpcId?: string;
}

/** The cluster's VPC and the subnets and security groups the config names, as EC2 describes them. */
export interface LiveNetwork {
  readonly vpc?: { readonly id: string; readonly dnsSupport?: boolean; readonly dnsHostnames?: boolean };
  /** The config's subnets that exist. */
  readonly subnets: ReadonlyArray<{ readonly id: string; readonly vpcId?: string; readonly availabilityZone?: string }>;
  /** The config's security groups that exist. */
  readonly securityGroups: ReadonlyArray<{ readonly id: string; readonly vpcId?: string }>;
}

export interface LiveWorkspace {
  readonly arn: string;
  readonly status?: string;
}

export interface PairSnapshot {
  /** Every scraper that matches the pair (adopt.scraperId, else ListScrapers by alias and cluster ARN). */
  readonly scrapers: Read<LiveScraper[]>;
  /** The pair's workspace ARN: from the config, or looked up by alias for a workspace amp-xa creates. */
  readonly workspaceArn: Read<string>;
  readonly sourceRole: Read<LiveRole>;
  readonly targetRole: Read<LiveRole>;
  readonly cluster: Read<LiveCluster>;
  readonly network: Read<LiveNetwork>;
  readonly workspace: Read<LiveWorkspace>;
}

export type CheckName =
  | 'state'
  | 'removed'
  | 'scraper'
  | 'source-trust'
  | 'target-trust'
  | 'source-permissions'
  | 'target-permissions'
  | 'eks-authentication-mode'
  | 'eks-cluster'
  | 'network'
  | 'workspace';

/**
 * ok: as amp-xa makes it. problem: something is not right (degraded). unknown: AWS did not say (nothing to
 * judge; not a problem by itself). error: could not be read (the status is incomplete).
 */
export type CheckState = 'ok' | 'problem' | 'unknown' | 'error';

export interface CheckResult {
  readonly check: CheckName;
  readonly state: CheckState;
  /** One line. */
  readonly summary: string;
  /** Further lines: what differs, the role or policy involved. */
  readonly details: string[];
  /** Not read because this account's credentials failed; `problem` says how (the same for every read there). */
  readonly unreadableAccount?: { readonly name: string; readonly problem: string };
}

export type Health = 'healthy' | 'degraded' | 'error';

export interface PairReport {
  readonly pair: string;
  readonly sourceAccount: string;
  readonly targetAccount: string;
  readonly region: string;
  readonly health: Health;
  readonly scraper?: { readonly id: string; readonly arn: string; readonly status: string; readonly statusReason?: string };
  readonly checks: CheckResult[];
}

export interface StatusReport {
  readonly health: Health;
  readonly exitCode: 0 | 1 | 2;
  readonly pairs: PairReport[];
}
