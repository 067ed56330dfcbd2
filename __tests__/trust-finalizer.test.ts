/**
 * Phase 2's Terraform-only finalizer, piece by piece:
 * - the module renderer (lib/trust/module.ts) and the provider settings it shares with the stacks: phase 1's and
 *   phase 2's providers of an account are the same, in every credential mode;
 * - the plan check (lib/trust/plan-check.ts), evaluated by the real `terraform console` on crafted plans;
 * - the script (lib/trust/finalize.sh) under /bin/sh with a fake `terraform` that records every call: the steps,
 *   the clean environment, the refusal before apply, the scratch directory removed, the messages;
 * - batching: one finalizer per account and role kind (chunked), not per role.
 * The whole thing against emulated AWS is in __tests__/e2e/two-phase and credential-modes.
 */
import { spawnSync } from 'child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'fs';
import * as path from 'path';
import { FINALIZE_COMMAND, FINALIZE_SCRIPT, FINALIZE_SCRIPT_PATH, finalizeEnvironment } from '../lib/trust/command';
import { IGNORED_ROLE_ARGUMENTS, trustModule } from '../lib/trust/module';
import { PLAN_CHECK_EXPRESSION, PLAN_CHECK_OK } from '../lib/trust/plan-check';
import { batchRoles, MAX_ROLES_PER_BATCH } from '../lib/trust/finalizer';
import { providerSettings } from '../lib/provider-settings';
import { generateFleet } from '../scripts/generate-fleet';
import { exampleConfig, synthFleet, all } from './support/fleet';
import { terraformLiteral } from './hostile-input.helpers';
import { scratchDir } from './support/scratch';
import type { AccountRef } from '../lib/config/fleet';

const account = (credentials: AccountRef['credentials'], name = 'workload', id = '111111111111'): AccountRef =>
  ({ name, id, region: 'eu-west-1', partition: 'aws', credentials, unit: 'fleet' }) as AccountRef;

/** The identity arguments of a synthesized provider block (what the module's provider must match). */
const IDENTITY_KEYS = ['region', 'allowed_account_ids', 'profile', 'assume_role', 'shared_config_files'];
const identity = (block: any) => Object.fromEntries(IDENTITY_KEYS.filter((k) => block[k] !== undefined).map((k) => [k, block[k]]));

/** The module a batch ships, as the inner Terraform reads it (after the outer Terraform unescaped the environment). */
const shippedModule = (batch: any) => JSON.parse(terraformLiteral(batch.provisioner[0]['local-exec'].environment.AMP_XA_MODULE));

describe('the module: imports the roles, manages their trust only', () => {
  const module: any = trustModule({ settings: providerSettings(account({ profile: 'p' })), providerSource: 'aws', providerVersion: '5.100.0' });

  test('pins the provider like the stack and takes the roles and documents as a variable', () => {
    expect(module.terraform).toEqual({ required_providers: { aws: { source: 'aws', version: '5.100.0' } } });
    expect(module.variable.policies.type).toBe('map(string)');
    expect(module.variable.shared_config_files).toBeUndefined();
    expect(module.provider.aws).toEqual([{ region: 'eu-west-1', allowed_account_ids: ['111111111111'], profile: 'p' }]);
    expect(module.terraform.backend).toBeUndefined();
    expect(module.terraform.cloud).toBeUndefined();
  });

  test('imports every role it is given, by name, and sets name, path and trust; ignores every other argument', () => {
    expect(module.import).toEqual([{ for_each: '${var.policies}', to: 'aws_iam_role.role[each.key]', id: '${each.key}' }]);
    const role = module.resource.aws_iam_role.role;
    expect(role).toEqual({
      for_each: '${var.policies}',
      name: '${each.key}',
      path: '/',
      assume_role_policy: '${each.value}',
      lifecycle: { ignore_changes: [...IGNORED_ROLE_ARGUMENTS] },
    });
    // Everything but name, path and the trust (and computed attributes) is ignored: nothing else can change.
    expect([...IGNORED_ROLE_ARGUMENTS].sort()).toEqual(
      [
        'description',
        'force_detach_policies',
        'inline_policy',
        'managed_policy_arns',
        'max_session_duration',
        'name_prefix',
        'permissions_boundary',
        'tags',
        'tags_all',
      ].sort(),
    );
  });

  test('shared config files come in as a variable (HCP Terraform resolves its file only in the run)', () => {
    const m: any = trustModule({
      settings: providerSettings(account({ hcpDynamicCredentialsTag: 'WORKLOAD', sharedConfigFiles: ['/etc/aws/extra'] })),
      providerSource: 'aws',
      providerVersion: '5.100.0',
    });
    expect(m.variable.shared_config_files.type).toBe('list(string)');
    expect(m.provider.aws[0].shared_config_files).toBe('${var.shared_config_files}');
  });
});

describe("phase 2's provider is phase 1's, in every credential mode", () => {
  const modes: Array<[string, Record<string, unknown>]> = [
    ['ambient credentials', {}],
    ['a profile', { profile: 'deploy ${x} %{y}' }],
    [
      'an assumed role with external ID and session name',
      { assumeRoleArn: 'arn:aws:iam::111111111111:role/deployer', externalId: 'ext-1', sessionName: 'ci@x' },
    ],
    ['a profile then a role', { profile: 'base', assumeRoleArn: 'arn:aws:iam::111111111111:role/deployer' }],
    ['shared config files (web identity)', { sharedConfigFiles: ['/var/run/aws/config', 'rel/${x}'] }],
    ['HCP Terraform dynamic credentials', { hcpDynamicCredentialsTag: 'WORKLOAD_A', assumeRoleArn: 'arn:aws:iam::111111111111:role/deployer' }],
  ];

  test.each(modes)('%s', (_name, credentials) => {
    const config = exampleConfig();
    config.accounts.workload.credentials = credentials;
    const { json } = synthFleet(config);
    const phase1 = json['fleet-scrapers'].provider.aws.find((p: any) => p.alias === 'to-workload');
    const phase2 = json['fleet-trust'].provider.aws.find((p: any) => p.alias === 'to-workload');
    expect(identity(phase2)).toEqual(identity(phase1));
    const batch = Object.entries(all(json['fleet-trust'], 'terraform_data')).find(([k]) => k.startsWith('trust-source-workload'))![1];
    const module = shippedModule(batch);
    const { shared_config_files: files, ...rest } = identity(phase1);
    const { shared_config_files: moduleFiles, ...moduleRest } = identity(module.provider.aws[0]);
    // The module's strings are read by the inner Terraform: compare what both Terraforms make of them.
    expect(JSON.parse(terraformLiteral(JSON.stringify(moduleRest)))).toEqual(JSON.parse(terraformLiteral(JSON.stringify(rest))));
    expect(moduleFiles).toBe(files ? '${var.shared_config_files}' : undefined);
    const vars = Object.entries(json['fleet-trust'].locals).find(([k]) => k.startsWith('trust-source-workload_vars_'))![1] as any;
    expect(vars.shared_config_files).toEqual(files);
    if (credentials.hcpDynamicCredentialsTag) {
      expect(files).toEqual(['${var.tfc_aws_dynamic_credentials.aliases["WORKLOAD_A"].shared_config_file}']);
      for (const stack of ['fleet-scrapers', 'fleet-trust']) expect(json[stack].variable.tfc_aws_dynamic_credentials.type).toMatch(/aliases = map\(object/);
    } else {
      expect(json['fleet-trust'].variable?.tfc_aws_dynamic_credentials).toBeUndefined();
    }
  });
});

describe('the plan check, evaluated by terraform console', () => {
  const dir = scratchDir('plan-check');
  const ROLES = { 'amp-xa-a-source': '{}', 'amp-xa-b-source': '{}' };
  const role = (index: string, actions: string[], before: object | null, after: object | null, extra: object = {}) => ({
    address: `aws_iam_role.role["${index}"]`,
    mode: 'managed',
    type: 'aws_iam_role',
    name: 'role',
    index,
    change: { actions, before, after, after_unknown: {}, ...extra },
  });
  const base = { name: 'amp-xa-a-source', path: '/', assume_role_policy: 'old', tags: { a: '1' } };
  writeFileSync(path.join(dir, 'none.tfrc'), '');
  function check(changes: unknown[]): { status: number | null; out: string } {
    writeFileSync(path.join(dir, 'plan.json'), JSON.stringify({ format_version: '1.2', resource_changes: changes }));
    writeFileSync(path.join(dir, 'vars.json'), JSON.stringify({ policies: ROLES }));
    const r = spawnSync('terraform', ['console'], {
      cwd: dir,
      input: `${PLAN_CHECK_EXPRESSION}\n`,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, CHECKPOINT_DISABLE: '1', TF_CLI_CONFIG_FILE: path.join(dir, 'none.tfrc') },
    });
    return { status: r.status, out: r.stdout.trim() };
  }

  test('accepts imports with no change and in-place updates of the trust of expected roles', () => {
    expect(check([role('amp-xa-a-source', ['no-op'], base, base, { importing: { id: 'amp-xa-a-source' } })])).toEqual({ status: 0, out: PLAN_CHECK_OK });
    expect(check([role('amp-xa-a-source', ['update'], base, { ...base, assume_role_policy: 'new' }), role('amp-xa-b-source', ['no-op'], base, base)])).toEqual({
      status: 0,
      out: PLAN_CHECK_OK,
    });
    expect(check([])).toEqual({ status: 0, out: PLAN_CHECK_OK });
  });

  test.each([
    [
      'a replacement (path differs)',
      [role('amp-xa-a-source', ['delete', 'create'], base, { ...base, path: '/other/' })],
      /amp-xa-a-source: delete\+create \(changes path\)/,
    ],
    ['a replacement, create first', [role('amp-xa-a-source', ['create', 'delete'], base, { ...base, name: 'x' })], /amp-xa-a-source: create\+delete/],
    ['a create', [role('amp-xa-a-source', ['create'], null, base)], /amp-xa-a-source: create/],
    ['a destroy', [role('amp-xa-a-source', ['delete'], base, null)], /amp-xa-a-source: delete/],
    [
      'an update of another attribute',
      [role('amp-xa-a-source', ['update'], base, { ...base, assume_role_policy: 'new', tags: {} })],
      /amp-xa-a-source: update \(changes assume_role_policy, tags\)/,
    ],
    [
      'an attribute unknown after apply',
      [role('amp-xa-a-source', ['update'], base, { ...base, assume_role_policy: 'new' }, { after_unknown: { arn: true } })],
      /changes arn, assume_role_policy/,
    ],
    ['a role it was not given', [role('someone-elses-role', ['update'], base, { ...base, assume_role_policy: 'new' })], /someone-elses-role: update/],
    [
      'another resource',
      [{ address: 'aws_iam_policy.p', mode: 'managed', type: 'aws_iam_policy', name: 'p', change: { actions: ['create'], before: null, after: {} } }],
      /aws_iam_policy\.p: create/,
    ],
    ['a change it cannot read', [{ address: 'x' }], /x/],
  ])('refuses %s, naming it', (_name, changes, message) => {
    const r = check(changes);
    expect(r.out).not.toBe(PLAN_CHECK_OK);
    expect(r.out).toMatch(message);
  });

  test('fails closed on a plan it cannot parse', () => {
    writeFileSync(path.join(dir, 'plan.json'), 'not json');
    const r = spawnSync('terraform', ['console'], {
      cwd: dir,
      input: `${PLAN_CHECK_EXPRESSION}\n`,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, CHECKPOINT_DISABLE: '1' },
    });
    expect(r.status).not.toBe(0);
    expect(r.stdout.trim()).not.toBe(PLAN_CHECK_OK);
  });
});

/**
 * A fake `terraform` for the script: records "<cwd>|<args>|<TF_* and CHECKPOINT env>" per call, copies the files
 * it is given, answers `show -json` with FAKE_PLAN and `console` with FAKE_VERDICT, and fails the step FAKE_FAIL.
 */
const FAKE_TERRAFORM = String.raw`#!/bin/sh
if [ "$1" = version ]; then echo 'Terraform v1.11.4'; exit 0; fi
printf '%s|%s|TF_WORKSPACE=%s TF_DATA_DIR=%s TF_CLI_ARGS=%s TF_CLI_ARGS_plan=%s TF_CLI_CONFIG_FILE=%s CHECKPOINT_DISABLE=%s\n' "$PWD" "$*" "$TF_WORKSPACE" "$TF_DATA_DIR" "$TF_CLI_ARGS" "$TF_CLI_ARGS_plan" "$TF_CLI_CONFIG_FILE" "$CHECKPOINT_DISABLE" >> "$FAKE_LOG"
[ -f main.tf.json ] && cp main.tf.json "$FAKE_COPIES/main.tf.json"
[ -f amp-xa.tfvars.json ] && cp amp-xa.tfvars.json "$FAKE_COPIES/vars.json"
[ -n "$TF_CLI_CONFIG_FILE" ] && [ -f "$TF_CLI_CONFIG_FILE" ] && cp "$TF_CLI_CONFIG_FILE" "$FAKE_COPIES/terraformrc"
case "$1" in
  init) [ "$FAKE_FAIL" = init ] && { echo 'Error: Failed to query available provider packages' >&2; exit 1; } ;;
  plan) [ "$FAKE_FAIL" = plan ] && { echo 'Error: Cannot import non-existent remote object' >&2; exit 1; } ;;
  show) printf '%s\n' "$FAKE_PLAN" ;;
  console) cat > "$FAKE_COPIES/console-input"; cp plan.json "$FAKE_COPIES/plan.json"; printf '%s\n' "$FAKE_VERDICT" ;;
  apply) [ "$FAKE_FAIL" = apply ] && { echo 'Error: updating IAM Role (amp-xa-a-source) assume role policy: ServiceFailure' >&2; exit 1; } ;;
esac
exit 0
`;

describe('the script, under /bin/sh with a fake terraform', () => {
  const root = scratchDir('finalize-sh');
  const bin = path.join(root, 'bin');
  const stackDir = path.join(root, 'stack');
  const tmp = path.join(root, 'tmp');
  mkdirSync(bin);
  mkdirSync(tmp);
  mkdirSync(path.join(stackDir, '.terraform', 'providers', 'registry.terraform.io', 'hashicorp', 'aws'), { recursive: true });
  writeFileSync(path.join(bin, 'terraform'), FAKE_TERRAFORM);
  chmodSync(path.join(bin, 'terraform'), 0o755);
  const module = trustModule({ settings: providerSettings(account({ profile: '$(touch pwned) ${x}' })), providerSource: 'aws', providerVersion: '5.100.0' });
  const vars = { policies: { 'amp-xa-a-source': '{"Version":"2012-10-17"}' } };

  function runScript(extra: Record<string, string> = {}) {
    const copies = path.join(root, `copies-${Math.random().toString(36).slice(2)}`);
    mkdirSync(copies);
    const log = path.join(copies, 'log');
    writeFileSync(log, '');
    const env = finalizeEnvironment({ account: account({}), module, vars: JSON.stringify(vars), roles: 'amp-xa-a-source' });
    const r = spawnSync('/bin/sh', ['-c', FINALIZE_COMMAND], {
      cwd: stackDir,
      encoding: 'utf8',
      env: {
        PATH: `${bin}:/usr/bin:/bin`,
        TMPDIR: tmp,
        // What Terraform passes to local-exec: literals unescaped once.
        ...Object.fromEntries(Object.entries(env).map(([k, v]) => [k, terraformLiteral(v)])),
        AMP_XA_READBACK_DELAY: '0',
        // A user's or HCP Terraform's settings that must not reach the inner run.
        TF_WORKSPACE: 'prod',
        TF_DATA_DIR: '.terraform',
        TF_CLI_ARGS: '-lock-timeout=1h',
        TF_CLI_ARGS_plan: '-target=x',
        TF_CLI_CONFIG_FILE: '/nonexistent/user.tfrc',
        FAKE_LOG: log,
        FAKE_COPIES: copies,
        FAKE_PLAN: '{"resource_changes":[]}',
        FAKE_VERDICT: PLAN_CHECK_OK,
        ...extra,
      },
    });
    const calls = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('|'));
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, calls, copies };
  }

  test('the script is the shell file, byte for byte, and free of Terraform template sequences', () => {
    expect(FINALIZE_SCRIPT).toBe(readFileSync(FINALIZE_SCRIPT_PATH, 'utf8'));
    expect(FINALIZE_SCRIPT).toMatch(/^#!\/bin\/sh\n/);
    expect(FINALIZE_SCRIPT).not.toMatch(/\$\{|%\{/);
    // It calls nothing that a Terraform run does not have.
    expect(FINALIZE_SCRIPT).not.toMatch(/\baws\s+(iam|sts)\b|\bjq\b|\bpython|\bnode\b|\bcurl\b|\bwget\b/);
  });

  test('init with the stack providers as plugin dir, plan, show, check, apply the saved plan, read back; in a clean environment', () => {
    const r = runScript();
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    const steps = r.calls.map(([, args]) => args);
    expect(steps).toEqual([
      `init -input=false -no-color -plugin-dir=${path.join(stackDir, '.terraform', 'providers')}`,
      'plan -input=false -no-color -lock=false -var-file=amp-xa.tfvars.json -out=trust.tfplan',
      'show -no-color -json trust.tfplan',
      'console',
      'apply -input=false -no-color -lock=false trust.tfplan',
      'plan -input=false -no-color -lock=false -detailed-exitcode -var-file=amp-xa.tfvars.json',
    ]);
    for (const [cwd, , env] of r.calls) {
      expect(cwd.startsWith(tmp)).toBe(true);
      expect(env).toMatch(/^TF_WORKSPACE= TF_DATA_DIR= TF_CLI_ARGS= TF_CLI_ARGS_plan= TF_CLI_CONFIG_FILE=\S+terraformrc CHECKPOINT_DISABLE=1$/);
    }
    // The module and variables arrive as the stack shipped them; the console sees the plan and the variables.
    expect(JSON.parse(readFileSync(path.join(r.copies, 'main.tf.json'), 'utf8'))).toEqual(module);
    expect(JSON.parse(readFileSync(path.join(r.copies, 'vars.json'), 'utf8'))).toEqual(vars);
    expect(readFileSync(path.join(r.copies, 'console-input'), 'utf8')).toBe(`${PLAN_CHECK_EXPRESSION}\n`);
    expect(readFileSync(path.join(r.copies, 'terraformrc'), 'utf8')).toBe('disable_checkpoint = true\n');
    expect(r.stdout).toContain('amp-xa: pinned trust of role(s) amp-xa-a-source in account workload (111111111111)');
    // Scratch files are gone, and nothing was executed from a value.
    expect(readdirSync(tmp)).toEqual([]);
    expect(existsSync(path.join(stackDir, 'pwned'))).toBe(false);
  });

  test('a plan that changes more than the trust is refused before apply, naming roles, account and the changes', () => {
    const r = runScript({ FAKE_VERDICT: '"amp-xa-a-source: delete+create (changes path)"' });
    expect(r.status).not.toBe(0);
    expect(r.calls.map(([, args]) => args.split(' ')[0])).toEqual(['init', 'plan', 'show', 'console']);
    expect(r.stderr).toMatch(
      /amp-xa: trust of role\(s\) amp-xa-a-source in account workload \(111111111111\): refused, nothing was changed: .*amp-xa-a-source: delete\+create \(changes path\)/,
    );
    expect(readdirSync(tmp)).toEqual([]);
  });

  test.each([
    ['init', /Failed to query available provider packages[\s\S]*terraform init failed/],
    ['plan', /Cannot import non-existent remote object[\s\S]*terraform plan failed/],
    ['apply', /ServiceFailure[\s\S]*terraform apply failed/],
  ])("a failing %s fails the run with Terraform's error, the roles and the account", (step, message) => {
    const r = runScript({ FAKE_FAIL: step });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/trust of role\(s\) amp-xa-a-source in account workload \(111111111111\)/);
    expect(readdirSync(tmp)).toEqual([]);
  });

  test('no installed aws provider: says to run terraform init', () => {
    const r = runScript({ TF_DATA_DIR: 'elsewhere' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/no hashicorp\/aws provider installed under .*elsewhere\/providers \(run terraform init in the stack first\)/);
    expect(r.calls).toEqual([]);
  });

  test.each(['AMP_XA_MODULE', 'AMP_XA_VARS', 'AMP_XA_PLAN_CHECK', 'AMP_XA_ROLES'])('%s empty: refused, naming it', (name) => {
    const r = runScript({ [name]: '' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`${name} is empty`);
    expect(r.calls).toEqual([]);
  });
});

describe('batching: one finalizer per trust stack, account and role kind', () => {
  test('100 pairs from 10 source accounts into one target account: 10 source batches and 2 target batches (50 roles each), not 200', () => {
    const { json } = synthFleet(generateFleet(100, { sourceAccounts: 10 }));
    const finalizers = Object.keys(all(json['fleet-trust'], 'terraform_data'));
    expect(finalizers.filter((k) => k.startsWith('trust-source-'))).toHaveLength(10);
    expect(finalizers.filter((k) => k.startsWith('trust-target-')).sort()).toEqual([
      expect.stringMatching(/^trust-target-observability-2_finalizer_/),
      expect.stringMatching(/^trust-target-observability_finalizer_/),
    ]);
    expect(finalizers).toHaveLength(12);
  });

  test('batches by account, sorted by role name, at most MAX_ROLES_PER_BATCH each', () => {
    const a = account({}, 'a');
    const b = account({}, 'b', '222222222222');
    const roles = [
      ...Array.from({ length: MAX_ROLES_PER_BATCH + 1 }, (_, i) => ({ account: a, roleName: `r${String(i).padStart(3, '0')}` })),
      { account: b, roleName: 'z' },
    ].reverse();
    const batches = batchRoles(roles);
    expect(batches.map((x) => [x.account.name, x.index, x.roles.length])).toEqual([
      ['b', 0, 1],
      ['a', 0, MAX_ROLES_PER_BATCH],
      ['a', 1, 1],
    ]);
    expect(batches[1].roles[0].roleName).toBe('r000');
    expect(batches[2].roles[0].roleName).toBe(`r${String(MAX_ROLES_PER_BATCH).padStart(3, '0')}`);
  });
});
