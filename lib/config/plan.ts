/**
 * The fleet plan: a schema-valid config resolved into what the stacks are built from. Plain data, built by
 * planFleet (fleet.ts) and read by the stacks, the diagram and the status view.
 */
import type { BackendConfig, BootstrapTrust, Credentials, FinalizerConfig } from './schema';

export interface AccountRef {
  /** Key in `accounts`: stable, stack names and provider aliases derive from it. */
  readonly name: string;
  readonly id: string;
  readonly region: string;
  readonly partition: string;
  readonly credentials: Credentials;
  /** The deployment unit its pairs belong to. */
  readonly unit: string;
  /** The unit its pairs are being moved out of (import here, forget there). */
  readonly movedFrom?: string;
}

/** A workspace that already exists: its ARN is in the config. */
export interface ExistingWorkspacePlan {
  readonly kind: 'existing';
  readonly name: string;
  readonly account: AccountRef;
  readonly arn: string;
  readonly remoteWriteUrl: string;
}

/** A workspace amp-xa creates in its own stack; pairs read its ARN from that stack's state. */
export interface CreatedWorkspacePlan {
  readonly kind: 'created';
  readonly name: string;
  readonly account: AccountRef;
  readonly stackName: string;
  readonly alias: string;
  readonly kmsKeyArn?: string;
  readonly tags: Record<string, string>;
}

export type WorkspacePlan = ExistingWorkspacePlan | CreatedWorkspacePlan;

export type AuthenticationMode = 'API' | 'API_AND_CONFIG_MAP' | 'CONFIG_MAP';

export interface ClusterPlan {
  readonly name: string;
  readonly arn: string;
  readonly subnetIds: string[];
  readonly securityGroupIds?: string[];
  /** As configured, or DEFAULT_AUTHENTICATION_MODE. */
  readonly authenticationMode: AuthenticationMode;
  /** The config states the mode: the preflight then holds the live cluster to exactly that mode. */
  readonly authenticationModeDeclared: boolean;
  /** The config accepts a live mode other than the declared one (the preflight does not compare them). */
  readonly allowAuthenticationModeMismatch: boolean;
}

/** What amp-xa assumes when a cluster states no authentication mode (the live cluster must take access entries). */
export const DEFAULT_AUTHENTICATION_MODE: AuthenticationMode = 'API_AND_CONFIG_MAP';

export interface PairPlan {
  readonly name: string;
  readonly partition: string;
  readonly region: string;
  readonly source: AccountRef;
  readonly target: AccountRef;
  readonly cluster: ClusterPlan;
  readonly workspace: WorkspacePlan;
  readonly alias: string;
  readonly sourceRoleName: string;
  readonly targetRoleName: string;
  readonly sourceRoleArn: string;
  readonly targetRoleArn: string;
  readonly scrapeConfiguration: string;
  readonly tags: Record<string, string>;
  /** Set when the pair already exists (made by hand): its scraper and roles are imported, not created. */
  readonly adopt?: { readonly scraperId: string; readonly allowReplacement: boolean };
}

/**
 * The deployment unit: a named group of source accounts (default: the whole fleet). Its phase-1 stack holds the
 * roles and scrapers of every pair whose cluster is in one of its accounts, its phase-2 stack their trust. Stacks
 * do not multiply with accounts: each stack has one provider per account of the fleet (Terraform configures only
 * those its config or state uses), so a removed pair is always destroyed through the provider that made it.
 */
export interface UnitPlan {
  readonly name: string;
  readonly scraperStackName: string;
  readonly trustStackName: string;
  readonly pairs: PairPlan[];
  /** Pairs of accounts that moved to another unit (`movedFrom` this one): forgotten here, not destroyed. */
  readonly movedOut: PairPlan[];
  /** Units whose phase-1 state the pairs of moved-in accounts are imported from, by unit name. */
  readonly movedInFrom: string[];
}

export interface FleetPlan {
  /** The fleet's name (lib/config/fleet-identity.ts): part of every state location, recorded in every state. */
  readonly fleet: string;
  readonly accounts: AccountRef[];
  readonly units: UnitPlan[];
  readonly pairs: PairPlan[];
  readonly createdWorkspaces: CreatedWorkspacePlan[];
  /** With this fleet's state locations (fleetBackend): local directory relative to the working directory. */
  readonly backend: BackendConfig;
  /** As the config wrote it: where this fleet's states were before each fleet had its own (see legacyStates). */
  readonly configuredBackend: BackendConfig;
  readonly finalizer: FinalizerConfig;
  readonly bootstrapTrust: BootstrapTrust;
  readonly tags: Record<string, string>;
}

/** Every stack name of the fleet: created workspaces first, then each unit's phase 1 and phase 2. */
export const fleetStackNames = (fleet: Pick<FleetPlan, 'units' | 'createdWorkspaces'>): string[] => [
  ...fleet.createdWorkspaces.map((w) => w.stackName),
  ...fleet.units.flatMap((u) => [u.scraperStackName, u.trustStackName]),
];

export const unitStackNames = (unit: string) => ({ scraperStackName: `${unit}-scrapers`, trustStackName: `${unit}-trust` });
export const workspaceStackName = (workspace: string) => `${workspace}-workspace`;
