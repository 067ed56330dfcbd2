/** Output names are the contract between stacks (and with users' tooling): change them only with a migration. */
export const SCRAPER_STACK_OUTPUTS = {
  scraperArn: 'scraper_arn',
  scraperId: 'scraper_id',
  sourceRoleArn: 'source_role_arn',
  targetRoleArn: 'target_role_arn',
  workspaceArn: 'workspace_arn',
  remoteWriteUrl: 'remote_write_url',
  /** Only for clusters in CONFIG_MAP authentication mode. */
  eksRbacManifest: 'eks_rbac_manifest',
  eksAwsAuthMapRole: 'eks_aws_auth_map_role',
} as const;

export const WORKSPACE_STACK_OUTPUTS = {
  workspaceArn: 'workspace_arn',
  workspaceId: 'workspace_id',
  remoteWriteUrl: 'remote_write_url',
} as const;

/** Remote-state default while phase 1 has no state: the trust stack skips finalization on it. */
export const PENDING = '';
