/** Output names are the contract between stacks (and with users' tooling): change them only with a migration. */
export const SCRAPER_STACK_OUTPUTS = {
  /** Maps keyed by pair name. */
  scraperArns: 'scraper_arns',
  scraperIds: 'scraper_ids',
  sourceRoleArns: 'source_role_arns',
  targetRoleArns: 'target_role_arns',
  workspaceArns: 'workspace_arns',
  remoteWriteUrls: 'remote_write_urls',
  /** Entries only for clusters in CONFIG_MAP authentication mode. */
  eksAwsAuthMapRoles: 'eks_aws_auth_map_roles',
} as const;

/** Only when a unit has a cluster in CONFIG_MAP mode. */
export const EKS_RBAC_MANIFEST_OUTPUT = 'eks_rbac_manifest';

export const WORKSPACE_STACK_OUTPUTS = {
  workspaceArn: 'workspace_arn',
  workspaceId: 'workspace_id',
  remoteWriteUrl: 'remote_write_url',
} as const;

export const TRUST_STACK_OUTPUTS = {
  /** Pairs whose trust is pinned, by pair name -> scraper ARN. */
  pinned: 'pinned_scraper_arns',
} as const;

/** Remote-state default while phase 1 has no state (or no scraper for a pair): the trust stack skips it. */
export const PENDING = '';
