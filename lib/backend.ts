/**
 * State backends and the matching remote-state readers. Phase 2 reads phase 1 through an explicit
 * remote-state data source with `defaults`, not a cdktf cross-stack token: with defaults, phase 2 still
 * plans (for `cdktf diff` on a pull request) before phase 1 has any state.
 */
import * as path from 'path';
import type { Construct } from 'constructs';
import {
  CloudBackend,
  DataTerraformRemoteState,
  DataTerraformRemoteStateLocal,
  DataTerraformRemoteStateS3,
  LocalBackend,
  NamedCloudWorkspace,
  S3Backend,
  type TerraformRemoteState,
  type TerraformStack,
} from 'cdktf';
import type { BackendConfig } from './config/schema';

type S3Config = Extract<BackendConfig, { type: 's3' }>;
type CloudConfig = Extract<BackendConfig, { type: 'cloud' }>;

export function localStatePath(directory: string, stackName: string): string {
  return path.resolve(directory, `terraform.${stackName}.tfstate`);
}

export function s3StateKey(config: S3Config, stackName: string): string {
  return `${config.keyPrefix}/${stackName}.tfstate`;
}

export function cloudWorkspaceName(config: CloudConfig, stackName: string): string {
  return `${config.workspacePrefix}${stackName}`;
}

/** What both the writer (backend) and readers (remote state) of one S3 state need. No static keys by schema. */
function s3Access(config: S3Config, stackName: string) {
  return {
    bucket: config.bucket,
    key: s3StateKey(config, stackName),
    region: config.region,
    profile: config.profile,
    assumeRole: config.roleArn ? { roleArn: config.roleArn } : undefined,
  };
}

export function configureBackend(stack: TerraformStack, config: BackendConfig, stackName: string): void {
  switch (config.type) {
    case 'local':
      new LocalBackend(stack, { path: localStatePath(config.directory, stackName) });
      return;
    case 's3':
      new S3Backend(stack, {
        ...s3Access(config, stackName),
        encrypt: config.encrypt,
        kmsKeyId: config.kmsKeyId,
        dynamodbTable: config.dynamodbTable,
      });
      // cdktf 0.21's S3BackendConfig predates Terraform 1.10's S3-native locking.
      if (config.useLockfile) stack.addOverride('terraform.backend.s3.use_lockfile', true);
      return;
    case 'cloud':
      new CloudBackend(stack, {
        hostname: config.hostname,
        organization: config.organization,
        workspaces: new NamedCloudWorkspace(cloudWorkspaceName(config, stackName), config.project),
      });
      return;
  }
}

export function remoteState(scope: Construct, id: string, config: BackendConfig, fromStackName: string, defaults: Record<string, unknown>): TerraformRemoteState {
  switch (config.type) {
    case 'local':
      return new DataTerraformRemoteStateLocal(scope, id, { path: localStatePath(config.directory, fromStackName), defaults });
    case 's3':
      return new DataTerraformRemoteStateS3(scope, id, { ...s3Access(config, fromStackName), defaults });
    case 'cloud':
      return new DataTerraformRemoteState(scope, id, {
        hostname: config.hostname,
        organization: config.organization,
        workspaces: { name: cloudWorkspaceName(config, fromStackName) },
        defaults,
      });
  }
}
