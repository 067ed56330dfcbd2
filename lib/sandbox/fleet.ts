/**
 * What the sandbox must create for a fleet config, and the config rewritten to what it created. Pure: the
 * provisioning (provision.ts) runs between the two, against moto.
 *
 * The rewrite keeps the user's config as written (account IDs, names, credentials, tags) and changes only what
 * moto decides or what cannot work locally: the cluster ARNs, subnet and security group IDs, the ARNs of
 * existing workspaces (moto picks IDs), the backend (a local one in the sandbox directory), and accounts with
 * ambient credentials (one set of base credentials lands in one account: each such account gets a profile).
 */
import type { FleetPlan } from '../config/fleet';
import type { AuthenticationMode } from '../config/plan';
import { SandboxError } from './moto';

/** The role the sandbox creates in each account for the deployer, when the config assumes none. */
export const DEFAULT_DEPLOYER_ROLE = 'amp-xa-deployer';

export interface SandboxAccount {
  /** Key in `accounts`. */
  readonly name: string;
  readonly id: string;
  readonly region: string;
  /** The role the deployer lands in: the config's assumeRoleArn, else amp-xa-deployer in the account. */
  readonly deployerRoleArn: string;
  /** The profile the sandbox AWS config defines for it (the config's, else the account's name). */
  readonly profile: string;
}

export interface SandboxCluster {
  /** Key in `clusters`. */
  readonly key: string;
  readonly account: string;
  /** The EKS cluster name (the ARN's last part). */
  readonly name: string;
  /** Subnets to create: as many as the config lists, at least the two (in two zones) AMP requires. */
  readonly subnets: number;
  /** Security groups to create: as many as the config lists, at least one for the cluster. */
  readonly securityGroups: number;
  readonly authenticationMode: AuthenticationMode;
}

export interface SandboxWorkspace {
  /** Key in `workspaces`: an existing workspace (by ARN) that the sandbox creates; amp-xa creates the others. */
  readonly key: string;
  readonly account: string;
  readonly alias: string;
}

export interface SandboxNeeds {
  readonly accounts: SandboxAccount[];
  readonly clusters: SandboxCluster[];
  readonly workspaces: SandboxWorkspace[];
}

/** What provisioning created, by config key. */
export interface Provisioned {
  readonly clusters: Record<string, { arn: string; subnetIds: string[]; securityGroupIds: string[] }>;
  readonly workspaces: Record<string, { arn: string }>;
}

/** Profile names the sandbox can write as an INI section header unquoted. */
const PROFILE_NAME = /^[A-Za-z0-9_.+=,@-]{1,128}$/;

const nameOfArn = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);

/** Everything the fleet references that must exist before a deploy: per account, cluster and existing workspace. */
export function sandboxNeeds(plan: FleetPlan, raw: { clusters?: Record<string, unknown> }): SandboxNeeds {
  const accounts = plan.accounts.map((a) => {
    const profile = a.credentials.profile ?? a.name;
    if (!PROFILE_NAME.test(profile)) {
      throw new SandboxError(
        `sandbox: accounts.${a.name}.credentials.profile ${JSON.stringify(profile)} cannot be written to an AWS config file; use letters, digits and _.+=,@- only`,
      );
    }
    return {
      name: a.name,
      id: a.id,
      region: a.region,
      deployerRoleArn: a.credentials.assumeRoleArn ?? `arn:${a.partition}:iam::${a.id}:role/${DEFAULT_DEPLOYER_ROLE}`,
      profile,
    };
  });
  const clusters = new Map<string, SandboxCluster>();
  const workspaces = new Map<string, SandboxWorkspace>();
  for (const pair of plan.pairs) {
    const key = clusterKey(raw, pair.cluster.arn) ?? pair.cluster.name;
    clusters.set(key, {
      key,
      account: pair.source.name,
      name: nameOfArn(pair.cluster.arn),
      subnets: Math.max(2, pair.cluster.subnetIds.length),
      securityGroups: Math.max(1, pair.cluster.securityGroupIds?.length ?? 0),
      authenticationMode: pair.cluster.authenticationMode,
    });
    if (pair.workspace.kind === 'existing') {
      workspaces.set(pair.workspace.name, { key: pair.workspace.name, account: pair.workspace.account.name, alias: pair.workspace.name });
    }
  }
  return { accounts, clusters: [...clusters.values()], workspaces: [...workspaces.values()] };
}

function clusterKey(raw: { clusters?: Record<string, unknown> }, arn: string): string | undefined {
  return Object.entries(raw.clusters ?? {}).find(([, c]) => (c as { arn?: string }).arn === arn)?.[0];
}

export interface RewriteOptions {
  /** Absolute directory for the local backend's state files. */
  readonly stateDir: string;
  /** Editor schema reference for the written file (a path relative to it), or none. */
  readonly schema?: string;
}

/**
 * The fleet config the sandbox writes: `raw` (the user's JSON, unchanged) with the IDs provisioning created,
 * a local backend in `stateDir`, and a profile for every account that had ambient credentials.
 */
export function sandboxFleetConfig(raw: Record<string, any>, needs: SandboxNeeds, provisioned: Provisioned, options: RewriteOptions): Record<string, any> {
  const config = structuredClone(raw);
  delete config.$schema;
  const rewritten: Record<string, any> = options.schema ? { $schema: options.schema, ...config } : config;
  for (const account of needs.accounts) {
    const entry = rewritten.accounts[account.name];
    const credentials = entry.credentials ?? {};
    if (credentials.profile === undefined && credentials.assumeRoleArn === undefined) entry.credentials = { ...credentials, profile: account.profile };
  }
  for (const [key, made] of Object.entries(provisioned.clusters)) {
    const cluster = rewritten.clusters[key];
    cluster.arn = made.arn;
    cluster.subnetIds = made.subnetIds;
    // Listed security groups become the created ones; none listed stays none (the scraper takes the cluster's).
    if (cluster.securityGroupIds !== undefined) cluster.securityGroupIds = made.securityGroupIds;
  }
  for (const [key, made] of Object.entries(provisioned.workspaces)) rewritten.workspaces[key].arn = made.arn;
  rewritten.backend = { type: 'local', directory: options.stateDir };
  return rewritten;
}

/** Scrape config files the config names, relative to its folder: the sandbox copies them next to its config. */
export function scrapeConfigFiles(raw: { pairs?: Array<{ scrapeConfigFile?: unknown }> }): string[] {
  return [...new Set((raw.pairs ?? []).map((p) => p.scrapeConfigFile).filter((f): f is string => typeof f === 'string'))];
}

/** Credentials moto accepts (it does not verify signatures); they name no real AWS identity. */
export const BASE_CREDENTIALS = { accessKeyId: 'AKIASANDBOXBASE00000', secretAccessKey: 'amp-xa-sandbox-not-a-secret' } as const;

/** Temporary credentials of an account's deployer role. */
export interface SessionCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/**
 * The sandbox's shared AWS config file: the base credentials as the default profile, and per account a profile
 * with its deployer role's session, assumed once by the sandbox (moto lands an assumed role in the role's
 * account and does not expire sessions). Not `role_arn` + `source_profile`: the AWS CLI caches such sessions
 * in ~/.aws/cli/cache, and a session cached from an earlier sandbox's moto means nothing to the next one (moto
 * answers an unknown key as its default account, so every call would silently land there).
 */
export function awsConfigFile(needs: SandboxNeeds, region: string, sessions: Record<string, SessionCredentials>): string {
  const lines = [
    '# amp-xa sandbox: local credentials for moto, no real AWS identity. Written by npm run sandbox.',
    '[default]',
    `aws_access_key_id = ${BASE_CREDENTIALS.accessKeyId}`,
    `aws_secret_access_key = ${BASE_CREDENTIALS.secretAccessKey}`,
    `region = ${region}`,
  ];
  const seen = new Set<string>();
  for (const account of needs.accounts) {
    if (seen.has(account.profile)) continue;
    seen.add(account.profile);
    const session = sessions[account.name];
    if (!session) throw new SandboxError(`sandbox: no deployer session for account ${account.name}`);
    lines.push(
      '',
      `# account ${account.name} (${account.id}): a session of ${account.deployerRoleArn}`,
      `[profile ${account.profile}]`,
      `aws_access_key_id = ${session.accessKeyId}`,
      `aws_secret_access_key = ${session.secretAccessKey}`,
      ...(session.sessionToken ? [`aws_session_token = ${session.sessionToken}`] : []),
      `region = ${account.region}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
