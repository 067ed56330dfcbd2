/**
 * State backends and the matching readers of another stack's outputs. Phase 2 reads phase 1 through an
 * explicit remote-state data source, not a cdktf cross-stack token, so that it can still plan (for
 * `cdktf diff` on a pull request) before phase 1 has any state: see stackOutputs().
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
  TerraformLocal,
  type TerraformRemoteState,
  type TerraformStack,
} from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { DataAwsS3Objects } from '@cdktf/provider-aws/lib/data-aws-s3-objects';
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
    usePathStyle: config.usePathStyle,
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

/** Reads another stack's outputs; each read falls back when that stack has no state (or no such output) yet. */
export interface StackOutputs {
  /** HCL expression (no `${}`) of output `name`, or `fallback` while the stack has no state. */
  expression(name: string, fallback: string): string;
  /** The same as a Terraform interpolation, for resource arguments. */
  get(name: string, fallback: string): string;
}

function outputsAt(scope: Construct, id: string, address: string): StackOutputs {
  const expression = (name: string, fallback: string) => `try(${address}.outputs.${name}, ${JSON.stringify(fallback)})`;
  return {
    expression,
    // Through a local: the expression's quoted fallback would be escaped wherever the value is embedded in
    // JSON text (a policy document), which HCL rejects; `${local.x}` has no quotes to escape.
    get: (name, fallback) => new TerraformLocal(scope, `${id}-${name}`, `\${${expression(name, fallback)}}`).asString,
  };
}

/**
 * `terraform_remote_state` fails with "Unable to find remote state" when the other stack has never been
 * applied, `defaults` or not. So the reader is gated on the state's existence where Terraform can see it
 * at plan time: `fileexists()` for local state, a listing of the key for S3. Then phase 2 plans (say, in
 * `cdktf diff` on a pull request) before phase 1 exists, as a no-op.
 */
export function stackOutputs(scope: Construct, id: string, config: BackendConfig, fromStackName: string): StackOutputs {
  const counted = (state: TerraformRemoteState, exists: string): StackOutputs => {
    state.addOverride('count', `\${${exists} ? 1 : 0}`);
    return outputsAt(scope, id, `data.terraform_remote_state.${state.friendlyUniqueId}[0]`);
  };
  switch (config.type) {
    case 'local': {
      const path = localStatePath(config.directory, fromStackName);
      return counted(new DataTerraformRemoteStateLocal(scope, id, { path }), `fileexists(${JSON.stringify(path)})`);
    }
    case 's3': {
      const access = s3Access(config, fromStackName);
      // Listing needs its own provider: the state bucket's region and credentials, not an account's.
      const bucketProvider = new AwsProvider(scope, `${id}-bucket`, {
        alias: `${id}-bucket`,
        region: config.region,
        profile: config.profile,
        assumeRole: config.roleArn ? [{ roleArn: config.roleArn, sessionName: 'amp-xa-state' }] : undefined,
        s3UsePathStyle: config.usePathStyle,
      });
      const probe = new DataAwsS3Objects(scope, `${id}-probe`, { provider: bucketProvider, bucket: config.bucket, prefix: access.key, maxKeys: 1 });
      return counted(new DataTerraformRemoteStateS3(scope, id, access), `contains(data.aws_s3_objects.${probe.friendlyUniqueId}.keys, ${JSON.stringify(access.key)})`);
    }
    case 'cloud': {
      // No plan-time existence check for a Terraform Cloud workspace: a stack never applied makes this read fail
      // until `cdktf deploy` has applied it (README, Terraform Cloud runs).
      const state = new DataTerraformRemoteState(scope, id, {
        hostname: config.hostname,
        organization: config.organization,
        workspaces: { name: cloudWorkspaceName(config, fromStackName) },
      });
      return outputsAt(scope, id, `data.terraform_remote_state.${state.friendlyUniqueId}`);
    }
  }
}
