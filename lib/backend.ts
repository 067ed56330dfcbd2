/**
 * State backends and the matching readers of another stack's outputs. Phase 2 reads phase 1 through an
 * explicit remote-state data source, not a cdktf cross-stack token, so that it can still plan (for
 * `cdktf diff` on a pull request) before phase 1 has any state: see stackOutputs().
 */
import * as path from 'path';
import type { Construct } from 'constructs';
import {
  App,
  CloudBackend,
  DataTerraformRemoteState,
  DataTerraformRemoteStateLocal,
  DataTerraformRemoteStateS3,
  LocalBackend,
  NamedCloudWorkspace,
  S3Backend,
  TerraformLocal,
  TerraformOutput,
  TerraformStack,
  type TerraformRemoteState,
} from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { DataAwsS3Objects } from '@cdktf/provider-aws/lib/data-aws-s3-objects';
import type { BackendConfig } from './config/schema';
import { address, countWhen, hclString, interpolation, literal, optionalLiteral, tryOr } from './terraform-expr';

type S3Config = Extract<BackendConfig, { type: 's3' }>;
type CloudConfig = Extract<BackendConfig, { type: 'cloud' }>;

/** A backend type added to the schema but forgotten in a switch below fails to compile here. */
function unknownBackend(config: never): never {
  throw new Error(`unknown backend type ${JSON.stringify((config as { type?: unknown }).type)}`);
}

export function localStateFile(stackName: string): string {
  return `terraform.${stackName}.tfstate`;
}

/**
 * Local state path as Terraform sees it from inside `<outdir>/stacks/<stack>`, where it runs: relative (unless
 * the configured directory is absolute), so a moved checkout, or a synth in one CI job and a deploy in another,
 * still finds the same state. `directory` is relative to the project directory (where cdktf runs the app).
 */
export function localStatePath(scope: Construct, directory: string, stackName: string): string {
  const file = path.join(directory, localStateFile(stackName));
  if (path.isAbsolute(directory)) return file;
  const stackDir = path.resolve(App.of(scope).outdir, 'stacks', TerraformStack.of(scope).node.id);
  return path.relative(stackDir, path.resolve(file)).split(path.sep).join('/');
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
    profile: optionalLiteral(config.profile),
    assumeRole: config.roleArn ? { roleArn: config.roleArn } : undefined,
    usePathStyle: config.usePathStyle,
  };
}

export function configureBackend(stack: TerraformStack, config: BackendConfig, stackName: string): void {
  switch (config.type) {
    case 'local':
      new LocalBackend(stack, { path: literal(localStatePath(stack, config.directory, stackName)) });
      return;
    case 's3':
      new S3Backend(stack, {
        ...s3Access(config, stackName),
        encrypt: config.encrypt,
        kmsKeyId: optionalLiteral(config.kmsKeyId),
        dynamodbTable: optionalLiteral(config.dynamodbTable),
      });
      // cdktf 0.21's S3BackendConfig predates Terraform 1.10's S3-native locking.
      if (config.useLockfile) stack.addOverride('terraform.backend.s3.use_lockfile', true);
      return;
    case 'cloud':
      new CloudBackend(stack, {
        hostname: config.hostname,
        organization: config.organization,
        workspaces: new NamedCloudWorkspace(cloudWorkspaceName(config, stackName), optionalLiteral(config.project)),
      });
      return;
    default:
      unknownBackend(config);
  }
}

/** Reads another stack's outputs; each read falls back while that stack has no state (or no such value) yet. */
export interface StackOutputs {
  /** HCL expression of `output` (or of its entry `key`, for map outputs), or `fallback` while there is none. */
  expression(output: string, fallback: string, key?: string): string;
  /** The same as a Terraform interpolation, for resource arguments (through a local: see below). */
  get(output: string, fallback: string, key?: string): string;
}

function outputsAt(scope: Construct, id: string, stateAddress: string): StackOutputs {
  const expression = (output: string, fallback: string, key?: string) =>
    tryOr(`${stateAddress}.outputs.${output}${key === undefined ? '' : `[${hclString(key)}]`}`, fallback);
  return {
    expression,
    // Through a local: the expression's quoted fallback would be escaped wherever the value is embedded in
    // JSON text (a policy document), which HCL rejects; `${local.x}` has no quotes to escape.
    get: (output, fallback, key) =>
      new TerraformLocal(scope, [id, output, key].filter((part) => part !== undefined).join('-'), interpolation(expression(output, fallback, key))).asString,
  };
}

/**
 * `terraform_remote_state` fails with "Unable to find remote state" when the other stack has never been
 * applied, `defaults` or not. So the reader is gated on the state's existence where Terraform can see it
 * at plan time: `fileexists()` for local state, a listing of the key for S3. Then phase 2 plans (say, in
 * `cdktf diff` on a pull request) before phase 1 exists, as a no-op.
 */
export function stackOutputs(scope: Construct, id: string, config: BackendConfig, fromStackName: string): StackOutputs {
  return remoteState(scope, id, config, fromStackName).outputs;
}

function remoteState(scope: Construct, id: string, config: BackendConfig, fromStackName: string): { outputs: StackOutputs; state: TerraformRemoteState } {
  const counted = (state: TerraformRemoteState, exists: string) => {
    state.addOverride('count', countWhen(exists));
    return {
      state,
      outputs: outputsAt(scope, id, `${address({ terraformResourceType: 'terraform_remote_state', friendlyUniqueId: state.friendlyUniqueId }, 'data', 0)}`),
    };
  };
  switch (config.type) {
    case 'local': {
      const statePath = localStatePath(scope, config.directory, fromStackName);
      // Not fileexists(): Terraform's lock on a stack's own local state creates the file, empty, before the plan.
      return counted(new DataTerraformRemoteStateLocal(scope, id, { path: literal(statePath) }), `try(length(file(${hclString(statePath)})) > 0, false)`);
    }
    case 's3': {
      const access = s3Access(config, fromStackName);
      const probe = new DataAwsS3Objects(scope, `${id}-probe`, {
        provider: stateBucketProvider(scope, config),
        bucket: config.bucket,
        prefix: access.key,
        maxKeys: 1,
      });
      return counted(new DataTerraformRemoteStateS3(scope, id, access), `contains(${address(probe, 'data')}.keys, ${hclString(access.key)})`);
    }
    case 'cloud': {
      // No plan-time existence check for a Terraform Cloud workspace: a stack never applied makes this read fail
      // until `cdktf deploy` has applied it (README, Terraform Cloud runs).
      const state = new DataTerraformRemoteState(scope, id, {
        hostname: config.hostname,
        organization: config.organization,
        workspaces: { name: cloudWorkspaceName(config, fromStackName) },
      });
      return {
        state,
        outputs: outputsAt(scope, id, address({ terraformResourceType: 'terraform_remote_state', friendlyUniqueId: state.friendlyUniqueId }, 'data')),
      };
    }
    default:
      return unknownBackend(config);
  }
}

/**
 * The provider that lists state keys: the state bucket's region and credentials, not an account's. One per stack,
 * however many states the stack reads (each provider configuration is a provider process in every plan).
 */
function stateBucketProvider(scope: Construct, config: S3Config): AwsProvider {
  const stack = TerraformStack.of(scope);
  const existing = stack.node.tryFindChild(STATE_BUCKET_PROVIDER);
  if (existing) return existing as AwsProvider;
  return new AwsProvider(stack, STATE_BUCKET_PROVIDER, {
    alias: STATE_BUCKET_PROVIDER,
    region: config.region,
    profile: optionalLiteral(config.profile),
    assumeRole: config.roleArn ? [{ roleArn: config.roleArn, sessionName: 'amp-xa-state' }] : undefined,
    s3UsePathStyle: config.usePathStyle,
  });
}

const STATE_BUCKET_PROVIDER = 'state-bucket';

/** The output every amp-xa state records its fleet in. */
export const FLEET_OUTPUT = 'amp_xa_fleet';

/**
 * Marks the stack's state as this fleet's, and refuses at plan time (before anything changes) a state another fleet
 * recorded: two fleets whose state locations meet would otherwise plan each other's resources away. A destroy
 * does not evaluate it (tried on Terraform 1.11: the postcondition of a data source is skipped when destroying),
 * so there only the locations keep fleets apart. The stack reads its own state as it was before this run;
 * HCP Terraform has no plan-time existence check for that read (see remoteState), so there the workspace name,
 * which includes the fleet name and is unique in the organization, is the guard. Returns the stack's own outputs as
 * they were before this run (undefined for HCP Terraform), which the preflight uses to skip what it already checked.
 */
export function claimStateForFleet(stack: TerraformStack, config: BackendConfig, stackName: string, fleet: string): StackOutputs | undefined {
  new TerraformOutput(stack, FLEET_OUTPUT, { value: fleet, description: 'The amp-xa fleet this state belongs to' });
  if (config.type === 'cloud') return undefined;
  const { state, outputs } = remoteState(stack, 'own-state', config, stackName);
  const mine = hclString(fleet);
  state.addOverride('lifecycle.postcondition', [
    {
      condition: interpolation(`try(self.outputs.${FLEET_OUTPUT}, ${mine}) == ${mine}`),
      // Fleet and stack names are [a-z0-9-] (schema): nothing in them for HCL to interpret.
      error_message: `The state of stack ${stackName} belongs to amp-xa fleet "${interpolation(`try(tostring(self.outputs.${FLEET_OUTPUT}), "?")`)}", not to fleet "${fleet}" (this config): the two fleets' state locations meet. Give this config its own "fleet" name or its own backend location; nothing was changed.`,
    },
  ]);
  return outputs;
}
