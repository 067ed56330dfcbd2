/**
 * The fleet config schema: the single source of truth for validation, TypeScript types and the
 * published JSON Schema (`npm run schema`). Field-level rules live here; rules that relate fields to
 * each other (references, regions, accounts, duplicates) live in `fleet.ts`.
 */
import { z } from 'zod';

/** HCP Terraform's tag of a dynamic credentials configuration: it becomes part of environment variable names. */
const HCP_TAG = /^[A-Za-z0-9_]{1,64}$/;

/** The STS session name amp-xa uses when an account's credentials name none. */
export const DEFAULT_SESSION_NAME = 'amp-xa';
import { ACCOUNT_ID_PATTERN, PARTITION_ALTERNATIVES, PARTITIONS, REGION_PATTERN } from '../arn';

/** A string matching `re`; the error names what is expected and an example (load.ts adds the value received). */
function pattern(re: RegExp, what: string, example: string) {
  return z
    .string({ invalid_type_error: `expected ${what}` })
    .regex(re, { message: `expected ${what} (e.g. ${example})` })
    .describe(`${what}, e.g. ${example}`);
}

/**
 * Free text (a profile, a path): any characters but control and invisible ones (line breaks, escapes, NUL,
 * zero-width and direction marks, lone surrogates), which no such name needs and which would hide what a value
 * really is. `$`, `{`, `%`, quotes and spaces are fine: values reach Terraform through literal() and the
 * finalizer's shell through environment variables, never as code.
 */
const VISIBLE_TEXT = /^[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]*$/u;
function text(what: string, max: number) {
  return z
    .string({ invalid_type_error: `expected ${what}` })
    .min(1, { message: `expected ${what}: not empty` })
    .max(max, { message: `expected ${what} of at most ${max} characters` })
    .regex(VISIBLE_TEXT, { message: `expected ${what} without control or invisible characters (line breaks, escapes, zero-width or direction marks)` });
}

/** `arn:<partition>:` for a known partition only: an unknown one has no DNS suffix or region mapping. */
const ARN = `^arn:${PARTITION_ALTERNATIVES}`;
const arnPattern = (rest: string) => new RegExp(`${ARN}${rest}$`);
const arn = (what: string, rest: string, example: string) => pattern(arnPattern(rest), `${what} in a known partition (${PARTITIONS.join(', ')})`, example);

const NAME = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;
const name = (what: string, example: string) => pattern(NAME, `${what}: 2-32 chars of a-z, 0-9 and -, starting with a letter`, example);
/** The keys of `accounts`, `clusters` and `workspaces` (load.ts checks entries one by one with them too). */
export const accountName = name('account name', 'workload');
export const clusterName = name('cluster name', 'prod-eks');
export const workspaceName = name('workspace name', 'central');

/**
 * S3 general purpose bucket names (Amazon S3 User Guide, "General purpose bucket naming rules"): the first rule a
 * name breaks, or undefined. Terraform would only learn it from S3 at `init`, with an opaque error.
 */
export function s3BucketNameProblem(bucket: string): string | undefined {
  if (bucket.length < 3 || bucket.length > 63) return `is ${bucket.length} characters; S3 bucket names have 3-63`;
  if (!/^[a-z0-9.-]+$/.test(bucket)) return 'S3 bucket names have lowercase letters, digits, periods and hyphens only';
  if (!/^[a-z0-9].*[a-z0-9]$/.test(bucket)) return 'S3 bucket names begin and end with a letter or digit';
  if (bucket.includes('..')) return 'S3 bucket names have no two adjacent periods';
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(bucket)) return 'S3 bucket names are not formatted as an IP address';
  const prefix = ['xn--', 'sthree-', 'amzn-s3-demo-'].find((p) => bucket.startsWith(p));
  if (prefix) return `the prefix ${prefix} is reserved by S3`;
  const suffix = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'].find((p) => bucket.endsWith(p));
  if (suffix) return `the suffix ${suffix} is reserved by S3 (access point aliases, Multi-Region Access Points, directory and table buckets)`;
  return undefined;
}

export const accountId = pattern(ACCOUNT_ID_PATTERN, 'a 12-digit AWS account ID', '111122223333');
export const region = pattern(REGION_PATTERN, 'an AWS region', 'eu-west-1');
const iamRoleArn = arn('an IAM role ARN', ':iam::\\d{12}:role\\/[\\w+=,.@\\/-]{1,512}', 'arn:aws:iam::111122223333:role/deployer');
const eksClusterArn = arn(
  'an EKS cluster ARN',
  ':eks:[a-z0-9-]+:\\d{12}:cluster\\/[0-9A-Za-z][A-Za-z0-9_-]{0,99}',
  'arn:aws:eks:eu-west-1:111122223333:cluster/prod',
);
const workspaceArn = arn(
  'an AMP workspace ARN',
  ':aps:[a-z0-9-]+:\\d{12}:workspace\\/ws-[0-9a-zA-Z-]{1,64}',
  'arn:aws:aps:eu-west-1:111122223333:workspace/ws-0123abcd-4567-89ef-0123-456789abcdef',
);
const subnetId = pattern(/^subnet-([0-9a-f]{8}|[0-9a-f]{17})$/, 'a subnet ID', 'subnet-0123456789abcdef0');
const securityGroupId = pattern(/^sg-([0-9a-f]{8}|[0-9a-f]{17})$/, 'a security group ID', 'sg-0123456789abcdef0');
/** IAM: 64 characters, [\w+=,.@-]. */
const iamRoleName = pattern(/^[\w+=,.@-]{1,64}$/, 'an IAM role name of at most 64 characters from [A-Za-z0-9+=,.@_-]', 'amp-xa-prod-source');
/** AMP alias rule from the API model. */
const scraperAlias = pattern(/^[0-9A-Za-z][-.0-9A-Z_a-z]{0,99}$/, 'a scraper alias: 1-100 chars of [0-9A-Za-z._-], starting alphanumeric', 'prod-to-central');

/**
 * One tag's key and value, as IAM and AMP rule them alike (botocore: iam tagKeyType/tagValueType, amp
 * TagKey/TagValue: the same character set and lengths, in characters = code points). Limits that depend on the
 * resource (50 per resource with amp-xa's own, IAM's case-insensitive keys) are checked on the merged tags in
 * limits.ts. `__proto__` is refused: zod (and other JavaScript code on the way to Terraform) drops it silently.
 */
const TAG_CHARS = '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]';
const TAG_KEY_MESSAGES = {
  chars: 'tag keys: 1-128 characters of letters, digits, spaces and _.:/=+-@',
  aws: 'tag keys starting with aws: (in any case) are reserved for AWS; choose another key',
  proto: 'tag key __proto__ is refused: JavaScript tools on the way to Terraform (zod, object spreads) drop it silently; choose another key',
};
/** Messages about a key, not its value: the problem line names the key (in its path) and quotes no value. */
export const KEY_MESSAGES: ReadonlySet<string> = new Set(Object.values(TAG_KEY_MESSAGES));
const tagKey = z
  .string()
  .regex(new RegExp(`^${TAG_CHARS}{1,128}$`, 'u'), { message: TAG_KEY_MESSAGES.chars })
  .regex(/^(?![aA][wW][sS]:)/, { message: TAG_KEY_MESSAGES.aws })
  .regex(/^(?!__proto__$)/, { message: TAG_KEY_MESSAGES.proto });
const tags = z
  .record(
    tagKey,
    z.string().regex(new RegExp(`^${TAG_CHARS}{0,256}$`, 'u'), { message: 'tag values: at most 256 characters of letters, digits, spaces and _.:/=+-@' }),
  )
  .describe("Tags, key -> value (AWS rules: at most 50 per resource including amp-xa's own managed-by and amp-xa:pair / amp-xa:workspace)");

export const credentialsSchema = z
  .object({
    profile: text('a profile name', 128).optional().describe('Named profile from the shared AWS config (AWS_PROFILE style)'),
    assumeRoleArn: iamRoleArn.optional().describe('Role to assume in this account (after the profile or ambient credentials)'),
    externalId: z
      .string()
      .regex(/^[\w+=,.@:/-]{2,1224}$/, { message: 'expected an STS external ID: 2-1224 chars of [A-Za-z0-9+=,.@:/_-]' })
      .optional()
      .describe('External ID for assumeRoleArn, if its trust requires one'),
    sessionName: z
      .string()
      .regex(/^[\w+=,.@-]{2,64}$/, { message: 'expected 2-64 chars of [A-Za-z0-9+=,.@_-]' })
      .optional()
      .describe(`Session name for assumeRoleArn (default ${DEFAULT_SESSION_NAME}, for the providers and the finalizer alike)`),
    sharedConfigFiles: z
      .array(text('a file path', 1024))
      .min(1, { message: 'give 1 to 10 shared config file paths, or leave the field out' })
      .max(10, { message: 'give at most 10 shared config file paths' })
      .optional()
      .describe(
        "Shared AWS config files the provider reads (its shared_config_files), e.g. one with role_arn + web_identity_token_file; default the SDK's (~/.aws/config or AWS_CONFIG_FILE)",
      ),
    hcpDynamicCredentialsTag: z
      .string({ invalid_type_error: 'expected an HCP Terraform dynamic credentials tag' })
      .regex(HCP_TAG, {
        message: 'expected an HCP Terraform dynamic credentials tag: 1-64 chars of [A-Za-z0-9_] (it is the <TAG> of TFC_AWS_PROVIDER_AUTH_<TAG>)',
      })
      .optional()
      .describe(
        'HCP Terraform dynamic provider credentials for this account: the <TAG> of the workspace variables TFC_AWS_PROVIDER_AUTH_<TAG> and TFC_AWS_RUN_ROLE_ARN_<TAG>; the providers of this account (both phases) read var.tfc_aws_dynamic_credentials.aliases["<TAG>"].shared_config_file',
      ),
  })
  .strict()
  .superRefine((c, ctx) => {
    // HCP Terraform's file holds one [default] profile: a named profile would not be found in it.
    if (c.hcpDynamicCredentialsTag !== undefined && c.profile !== undefined)
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['profile'],
        message: 'profile cannot be combined with hcpDynamicCredentialsTag (the file HCP Terraform writes has only the default profile): remove one of them',
      });
  })
  .describe('How to reach the account. Empty: ambient credentials (environment, OIDC, instance role)');

/** The deployment unit every account belongs to unless it names another. */
export const DEFAULT_UNIT = 'fleet';

export const accountSchema = z
  .object({
    id: accountId,
    region,
    credentials: credentialsSchema.default({}),
    unit: name('unit name', 'platform')
      .default(DEFAULT_UNIT)
      .describe(
        `Deployment unit of this account's pairs: the stacks <unit>-scrapers and <unit>-trust hold them (default ${DEFAULT_UNIT}: one pair of stacks for the whole fleet). A unit is a blast radius and, on Terraform Cloud, a pair of workspaces`,
      ),
    movedFrom: name('unit name', 'fleet')
      .optional()
      .describe(
        'The unit this account was in before `unit` changed: the next deploy imports its pairs into the new unit and makes the old unit forget them, so no scraper is replaced. Remove it after that deploy',
      ),
  })
  .strict();

export const clusterSchema = z
  .object({
    account: name('account name', 'workload').describe('Key in `accounts` of the account that owns the cluster (the source account)'),
    arn: eksClusterArn,
    subnetIds: z
      .array(subnetId)
      .min(1, { message: 'give 1 to 5 subnet IDs' })
      .max(5, { message: 'give 1 to 5 subnet IDs (an AMP scraper limit)' })
      .describe('Subnets the scraper attaches to: 1-5, in the cluster VPC'),
    securityGroupIds: z
      .array(securityGroupId)
      .min(1, { message: 'give 1 to 5 security group IDs, or leave the field out' })
      .max(5, { message: 'give 1 to 5 security group IDs (an AMP scraper limit)' })
      .optional()
      .describe('Security groups for the scraper ENIs: 1-5; default the cluster security group'),
    authenticationMode: z
      .enum(['API', 'API_AND_CONFIG_MAP', 'CONFIG_MAP'])
      .optional()
      .describe(
        "EKS authentication mode the cluster is in; the plan fails if the live cluster is in another (see allowAuthenticationModeMismatch). CONFIG_MAP needs the RBAC manifest amp-xa emits. Left out: the live cluster must be in API or API_AND_CONFIG_MAP (AMP creates the scraper's access entry), treated as API_AND_CONFIG_MAP",
      ),
    allowAuthenticationModeMismatch: z
      .boolean({ invalid_type_error: 'expected true or false' })
      .optional()
      .describe(
        'true: the plan does not compare authenticationMode with the live cluster (e.g. while the cluster moves to another mode); the scraper may then be ACTIVE and write nothing. Needs authenticationMode',
      ),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.allowAuthenticationModeMismatch === true && c.authenticationMode === undefined)
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['allowAuthenticationModeMismatch'],
        message: 'true needs authenticationMode: state the mode the config means, or remove allowAuthenticationModeMismatch',
      });
  });

export const workspaceSchema = z
  .object({
    account: name('account name', 'workload').describe('Key in `accounts` of the account that owns the workspace (the target account)'),
    arn: workspaceArn.optional().describe('An existing workspace'),
    create: z
      .object({
        // AMP's WorkspaceAlias: 1-100 characters, no pattern.
        alias: text('a workspace alias', 100).optional(),
        kmsKeyArn: arn('a KMS key ARN', ':kms:[a-z0-9-]+:\\d{12}:key\\/[0-9a-f-]{36}', 'arn:aws:kms:eu-west-1:111122223333:key/0123abcd-...').optional(),
        tags: tags.optional(),
      })
      .strict()
      .optional()
      .describe('Create the workspace in its own stack `<workspace>-workspace`'),
  })
  .strict()
  .superRefine((w, ctx) => {
    if ((w.arn === undefined) === (w.create === undefined)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: 'a workspace needs `account` plus either `arn` (existing workspace) or `create` (new one), not both',
      });
    }
  })
  .describe('Exactly one of `arn` and `create`');

/** A pair made by hand (AWS's manual procedure): the next deploy imports it instead of creating it. */
export const adoptSchema = z
  .object({
    // AMP API model: ScraperId, 1-64 chars of [0-9A-Za-z][-.0-9A-Z_a-z]*; AWS issues s-<uuid>.
    scraperId: pattern(/^[0-9A-Za-z][-.0-9A-Z_a-z]{0,63}$/, 'a scraper ID', 's-0123abcd-4567-89ef-0123-456789abcdef').describe(
      'ID of the existing scraper (aws amp list-scrapers); the roles are the ones named by sourceRoleName/targetRoleName',
    ),
    allowReplacement: z
      .boolean()
      .default(false)
      .describe('Let a deploy replace or destroy the adopted scraper and roles (by default their plan fails instead, while `adopt` is in the config)'),
  })
  .strict()
  .describe('Adopt an existing scraper and its two roles: imported by the next deploy, then converged in place');

export const pairSchema = z
  .object({
    name: name('pair name', 'prod-to-central')
      // The constructs library keeps children in a plain object, where "constructor" is always taken.
      .refine((n) => n !== 'constructor', {
        message: 'pair name "constructor" is reserved (the constructs library cannot name a construct so); choose another name',
      })
      .describe('Stable ID: Terraform addresses, default role names and alias derive from it; renaming destroys its scraper and roles and creates new ones'),
    cluster: name('cluster name', 'prod-eks').describe('Key in `clusters`'),
    workspace: name('workspace name', 'central').describe('Key in `workspaces`'),
    alias: scraperAlias.optional().describe('Scraper alias (default: the pair name)'),
    scrapeConfigFile: text('a file path', 1024)
      .optional()
      .describe(
        "Prometheus scrape config YAML, relative to this file and inside this file's folder (after following symlinks); default: amp-xa built-in EKS config",
      ),
    sourceRoleName: iamRoleName.optional().describe('Default amp-xa-<pair>-source'),
    targetRoleName: iamRoleName.optional().describe('Default amp-xa-<pair>-target'),
    tags: tags.optional(),
    adopt: adoptSchema.optional(),
  })
  .strict();

/** Credentials in backend config end up copied into every consumer's terraform_remote_state. */
export const STATIC_CREDENTIAL_FIELDS = ['accessKey', 'secretKey', 'access_key', 'secret_key', 'token', 'sessionToken'];
export const STATIC_CREDENTIALS_MESSAGE =
  'static credentials are not allowed in backend config (cdktf copies backend config into every remote-state reader); use a profile, roleArn, or the environment (AWS_* / TF_TOKEN_*)';

export const backendSchema = z.discriminatedUnion(
  'type',
  [
    z
      .object({
        type: z.literal('local'),
        directory: text('a directory path', 1024)
          .default('state')
          .describe('Directory for state files, relative to the config file; each fleet has its own folder <directory>/<fleet>/ in it'),
      })
      .strict(),
    z
      .object({
        type: z.literal('s3'),
        bucket: z
          .string()
          .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: 'expected an S3 bucket name: 3-63 chars of a-z, 0-9, . and -' })
          .superRefine((bucket, ctx) => {
            const problem = s3BucketNameProblem(bucket);
            // The regex above already reports length and characters.
            if (problem && /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket))
              ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${problem}, got ${JSON.stringify(bucket)}` });
          }),
        region,
        keyPrefix: z
          .string()
          .regex(/^[\w!.*'()/-]{1,200}$/, { message: "expected an S3 key prefix of [A-Za-z0-9_!.*'()/-]" })
          .default('amp-xa')
          .describe('State key: <keyPrefix>/<fleet>/<stack>.tfstate'),
        useLockfile: z.boolean().default(true).describe('S3-native state locking (Terraform >= 1.10)'),
        dynamodbTable: z
          .string()
          .regex(/^[a-zA-Z0-9_.-]{3,255}$/, { message: 'expected a DynamoDB table name: 3-255 chars of [a-zA-Z0-9_.-]' })
          .optional()
          .describe('Legacy DynamoDB lock table, in addition to or instead of useLockfile'),
        encrypt: z.boolean().default(true),
        kmsKeyId: text('a KMS key ID, alias or ARN', 2048).optional(),
        profile: text('a profile name', 128).optional(),
        roleArn: iamRoleArn.optional().describe('Role to assume for state access'),
        usePathStyle: z.boolean().optional().describe('Path-style S3 URLs, for S3-compatible stores and local emulators'),
      })
      .strict(),
    z
      .object({
        type: z.literal('cloud'),
        organization: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { message: 'expected a Terraform Cloud organization name' }),
        hostname: z
          .string()
          .regex(/^[a-z0-9.-]+$/, { message: 'expected a host name' })
          .default('app.terraform.io'),
        workspacePrefix: z
          .string()
          .regex(/^[A-Za-z0-9_-]{0,60}$/, { message: 'expected at most 60 chars of [A-Za-z0-9_-]' })
          .default('amp-xa-')
          .describe('Workspace per stack: <prefix><fleet>-<stack>'),
        project: text('a project name', 256).optional().describe('Terraform Cloud project for new workspaces'),
      })
      .strict(),
  ],
  {
    errorMap: (issue, ctx) => (issue.code === 'invalid_union_discriminator' ? { message: 'must be one of local, s3, cloud' } : { message: ctx.defaultError }),
  },
);

export const finalizerSchema = z
  .object({
    resource: z
      .enum(['terraform_data', 'null_resource'])
      .default('terraform_data')
      .describe('terraform_data is built into Terraform 1.4+ (no provider to install); null_resource needs hashicorp/null'),
    // Configs written before phase 2 ran on Terraform alone: say what changed instead of "unrecognized key".
    awsCli: z
      .never({
        errorMap: () => ({
          message: 'finalizer.awsCli is no longer used: phase 2 pins trust with Terraform and the AWS provider alone, no AWS CLI; remove the field',
        }),
      })
      .optional()
      .describe('Removed: phase 2 needs no AWS CLI'),
  })
  .strict();

export const configSchema = z
  .object({
    $schema: text('a JSON Schema path or URL', 1024).optional(),
    fleet: name('fleet name', 'prod')
      .optional()
      .describe(
        "This fleet's name (default: the config file's name without .json). Every state location includes it, so two fleets never share state; a stack refuses a state another fleet wrote. Keep it once deployed",
      ),
    accounts: z
      .record(accountName, accountSchema)
      .refine((a) => Object.keys(a).length >= 2, { message: 'list at least two accounts: a source (clusters) and a target (workspaces)' }),
    clusters: z.record(clusterName, clusterSchema).refine((c) => Object.keys(c).length >= 1, { message: 'list at least one cluster' }),
    workspaces: z.record(workspaceName, workspaceSchema).refine((w) => Object.keys(w).length >= 1, { message: 'list at least one workspace' }),
    pairs: z.array(pairSchema).min(1, { message: 'list at least one pair (cluster -> workspace)' }),
    backend: backendSchema.default({ type: 'local', directory: 'state' }),
    finalizer: finalizerSchema.default({ resource: 'terraform_data' }),
    bootstrapTrust: z
      .enum(['sealed', 'account-wide'])
      .default('sealed')
      .describe(
        'Trust of new roles until phase 2 pins them: sealed (a placeholder scraper ARN that matches nothing; default) or account-wide (any scraper of the source account and region, so metrics flow even if phase 2 fails)',
      ),
    tags: tags.default({}).describe('Default tags for every resource'),
  })
  .strict();

export type FleetConfigInput = z.input<typeof configSchema>;
export type FleetConfig = z.output<typeof configSchema>;
export type AccountConfig = z.output<typeof accountSchema>;
export type BackendConfig = z.output<typeof backendSchema>;
export type FinalizerConfig = z.output<typeof finalizerSchema>;
export type BootstrapTrust = z.output<typeof configSchema>['bootstrapTrust'];
export type Credentials = z.output<typeof credentialsSchema>;
