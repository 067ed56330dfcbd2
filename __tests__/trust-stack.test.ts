import { DataResource } from 'cdktf';
import { Resource as NullResource } from '@cdktf/provider-null/lib/resource';
import { exampleConfig, synthFleet, all } from './support/fleet';
import { normalizePolicy } from './support/policy';
import { sourceTrustPolicy, targetTrustPolicy } from '../lib/iam-documents';
import { FINALIZE_COMMAND, FINALIZE_SCRIPT } from '../lib/finalize-command';
import { localStatePath } from '../lib/backend';

const SOURCE = '111111111111';
const TARGET = '222222222222';
const ARN = 'try(data.terraform_remote_state.scraper-state[0].outputs.scraper_arn, "")';
const ARN_REF = '${local.scraper-state-scraper_arn}';
const ENABLED = `\${${ARN} != "" ? 1 : 0}`;
const side = { partition: 'aws', region: 'eu-west-1', sourceAccount: SOURCE };

function trustStack(mutate: (config: any) => void = () => undefined) {
  const config = exampleConfig();
  mutate(config);
  const synth = synthFleet(config);
  return { json: synth.json['prod-to-central-trust'], text: synth.text['prod-to-central-trust'], synth };
}

/** The local holding the final document of one side ("source-trust" / "target-trust"). */
function documentLocal(stack: any, side: string): any {
  const [name] = Object.keys(stack.locals).filter((k) => k.startsWith(`${side}_document`));
  return stack.locals[name];
}

describe('phase 2: <pair>-trust stack, default null_resource finalizer', () => {
  const { json: stack, text } = trustStack();

  test('reads the scraper ARN from phase-1 state, only once that state exists, so it plans before phase 1 exists', () => {
    expect(stack.locals['scraper-state-scraper_arn']).toBe(`\${${ARN}}`);
    const path = localStatePath('state', 'prod-to-central-scraper');
    expect(stack.data.terraform_remote_state['scraper-state']).toEqual({
      backend: 'local',
      config: { path },
      count: `\${fileexists(${JSON.stringify(path)}) ? 1 : 0}`,
    });
  });

  test('final documents: exact ArnEquals / StringEquals on the scraper ARN, semantically AWS guidance', () => {
    expect(normalizePolicy(documentLocal(stack, 'source-trust'))).toEqual(normalizePolicy(sourceTrustPolicy(side, ARN_REF)));
    expect(normalizePolicy(documentLocal(stack, 'target-trust'))).toEqual(
      normalizePolicy(targetTrustPolicy(side, `arn:aws:iam::${SOURCE}:role/amp-xa-prod-to-central-source`, ARN_REF)),
    );
  });

  test('one finalizer per role, skipped while the ARN is the default, re-run on ARN, document or drift', () => {
    expect(text).toHaveResource(NullResource);
    const finalizers = all(stack, 'null_resource');
    expect(Object.keys(finalizers)).toHaveLength(2);
    for (const f of Object.values(finalizers)) {
      expect(f.count).toBe(ENABLED);
      expect(Object.keys(f.triggers).sort()).toEqual(['live_policy', 'policy_sha256', 'role_name', 'scraper_arn']);
      expect(f.triggers.scraper_arn).toBe(ARN_REF);
      expect(f.triggers.policy_sha256).toMatch(/^\$\{sha256\(jsonencode\(local\.(source|target)-trust_document_\w+\)\)\}$/);
      // Unknown at plan when the live trust drifted (forces a re-run), "in-sync" after apply.
      expect(f.triggers.live_policy).toMatch(/^\$\{jsondecode\(data\.aws_iam_role\.(source|target)-trust_live_\w+\[0\]\.assume_role_policy\) == .* \? "in-sync" : \(timestamp\(\) != "" \? "in-sync" : ""\)\}$/);
    }
    expect(stack.provider.null).toBeDefined();
  });

  test('local-exec runs the finalize script with each account credentials and the final document', () => {
    const finalizers = Object.values(all(stack, 'null_resource'));
    const envs = finalizers.map((f: any) => f.provisioner[0]['local-exec']);
    for (const e of envs) {
      expect(e.command).toBe('eval "$AMP_XA_FINALIZE_SCRIPT"');
      expect(e.command).toBe(FINALIZE_COMMAND);
      expect(e.interpreter).toEqual(['/bin/sh', '-c']);
      expect(e.environment.AMP_XA_FINALIZE_SCRIPT).toBe(FINALIZE_SCRIPT);
      expect(e.environment.AMP_XA_POLICY).toMatch(/^\$\{jsonencode\(local\.(source|target)-trust_document_\w+\)\}$/);
      expect(e.environment.AMP_XA_EXPECT_VALUE).toBe(ARN_REF);
    }
    const byRole = Object.fromEntries(envs.map((e: any) => [e.environment.AMP_XA_ROLE_NAME, e.environment]));
    expect(byRole['amp-xa-prod-to-central-source']).toMatchObject({
      AMP_XA_ACCOUNT_ID: SOURCE,
      AMP_XA_ASSUME_ROLE_ARN: `arn:aws:iam::${SOURCE}:role/amp-xa-deployer`,
      AMP_XA_EXPECT_QUERY: 'Role.AssumeRolePolicyDocument.Statement[0].Condition.ArnEquals."aws:SourceArn"',
    });
    expect(byRole['amp-xa-prod-to-central-target']).toMatchObject({
      AMP_XA_ACCOUNT_ID: TARGET,
      AMP_XA_ASSUME_ROLE_ARN: `arn:aws:iam::${TARGET}:role/amp-xa-deployer`,
      AMP_XA_EXPECT_QUERY: 'Role.AssumeRolePolicyDocument.Statement[0].Condition.StringEquals."sts:ExternalId"',
    });
  });

  test('Target is finalized after Source', () => {
    const finalizers = all(stack, 'null_resource');
    const [targetName] = Object.keys(finalizers).filter((k) => k.startsWith('target-trust'));
    const [sourceName] = Object.keys(finalizers).filter((k) => k.startsWith('source-trust'));
    expect(finalizers[targetName].depends_on).toContain(`null_resource.${sourceName}`);
  });

  test('read-back: roles are read after the finalizer, with a postcondition on the final document', () => {
    const roles = all(stack, 'aws_iam_role', 'data');
    const verified = Object.entries(roles).filter(([k]) => k.includes('_verified_'));
    expect(verified).toHaveLength(2);
    for (const [name, role] of verified) {
      const sideName = name.split('_')[0];
      expect(role.count).toBe(ENABLED);
      expect(role.depends_on).toEqual([expect.stringMatching(new RegExp(`^null_resource\\.${sideName}_finalizer_`))]);
      expect(role.lifecycle.postcondition[0].condition).toMatch(new RegExp(`^\\$\\{jsondecode\\(self\\.assume_role_policy\\) == jsondecode\\(jsonencode\\(local\\.${sideName}_document_\\w+\\)\\)\\}$`));
      expect(role.lifecycle.postcondition[0].error_message).toMatch(/run cdktf deploy again/);
      expect(role.provider).toBe(sideName === 'source-trust' ? 'aws.source' : 'aws.target');
    }
  });

  test('outputs the pinned ARN and whether finalization ran', () => {
    expect(stack.output.scraper_arn.value).toBe(ARN_REF);
    expect(stack.output.finalized.value).toBe(`\${${ARN} != ""}`);
  });
});

describe('phase 2 with the terraform_data finalizer (no hashicorp/null needed)', () => {
  const { json: stack, text } = trustStack((c) => (c.finalizer = { resource: 'terraform_data', awsCli: '/opt/aws/bin/aws' }));

  test('uses terraform_data with the same triggers and no null provider', () => {
    expect(text).toHaveResource(DataResource);
    expect(stack.resource.null_resource).toBeUndefined();
    expect(stack.provider.null).toBeUndefined();
    const finalizers = Object.values(all(stack, 'terraform_data'));
    expect(finalizers).toHaveLength(2);
    for (const f of finalizers) {
      expect(Object.keys(f.triggers_replace).sort()).toEqual(['live_policy', 'policy_sha256', 'role_name', 'scraper_arn']);
      expect(f.provisioner[0]['local-exec'].environment.AMP_XA_AWS_CLI).toBe('/opt/aws/bin/aws');
    }
  });

  test('read-back data sources depend on the terraform_data finalizers', () => {
    const verified = Object.entries(all(stack, 'aws_iam_role', 'data')).filter(([k]) => k.includes('_verified_'));
    for (const [, role] of verified) expect(role.depends_on[0]).toMatch(/^terraform_data\./);
  });
});
