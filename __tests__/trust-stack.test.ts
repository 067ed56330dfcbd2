import { DataResource } from 'cdktf';
import { Resource as NullResource } from '@cdktf/provider-null/lib/resource';
import { exampleConfig, synthFleet, all } from './support/fleet';
import { normalizePolicy } from './support/policy';
import { sourceTrustPolicy, targetTrustPolicy } from '../lib/iam-documents';
import { FINALIZE_COMMAND } from '../lib/finalize-command';
import * as path from 'path';
import { App } from 'cdktf';

const SOURCE = '111111111111';
const TARGET = '222222222222';
const ARN = 'try(data.terraform_remote_state.scraper-state[0].outputs.scraper_arns["prod-to-central"], "")';
const ARN_REF = '${local.scraper-state-scraper_arns-prod-to-central}';
const ENABLED = `\${${ARN} != "" ? 1 : 0}`;
const side = { partition: 'aws', region: 'eu-west-1', sourceAccount: SOURCE };

function trustStack(mutate: (config: any) => void = () => undefined) {
  const config = exampleConfig();
  mutate(config);
  const synth = synthFleet(config);
  return { json: synth.json['fleet-trust'], text: synth.text['fleet-trust'], synth };
}

/** The local holding the final document of one side ("source-trust" / "target-trust") of a pair. */
function documentLocal(stack: any, pair: string, side: string): any {
  const names = Object.keys(stack.locals).filter((k) => k.startsWith(`${pair}_${side}_document`));
  expect(names).toHaveLength(1);
  return stack.locals[names[0]];
}

/** Finalizers (null_resource or terraform_data) by "<side>" for one pair. */
function finalizers(stack: any, type: string, pair = 'prod-to-central'): Record<string, any> {
  return Object.fromEntries(
    Object.entries(all(stack, type))
      .filter(([k]) => k.startsWith(`${pair}_`))
      .map(([k, v]) => [k.split('_')[1], v]),
  );
}

describe('phase 2: the <unit>-trust stack, default terraform_data finalizer', () => {
  const { json: stack, text, synth } = trustStack();
  // Relative to the stack directory, where Terraform runs: a moved checkout or another CI job finds the same file.
  const stackDir = path.join(App.of(synth.stacks.units.get('fleet')!.trust).outdir, 'stacks', 'fleet-trust');
  const STATE = path.relative(stackDir, path.resolve('state', 'terraform.fleet-scrapers.tfstate'));

  test('reads the scraper ARN map from phase-1 state, only once that state exists (relative path), so it plans before phase 1 exists', () => {
    expect(stack.locals['scraper-state-scraper_arns-prod-to-central']).toBe(`\${${ARN}}`);
    expect(path.isAbsolute(STATE)).toBe(false);
    expect(stack.data.terraform_remote_state['scraper-state']).toEqual({
      backend: 'local',
      config: { path: STATE },
      count: `\${fileexists("${STATE}") ? 1 : 0}`,
    });
  });

  test('final documents: exact ArnEquals / StringEquals on the scraper ARN, semantically AWS guidance', () => {
    expect(normalizePolicy(documentLocal(stack, 'prod-to-central', 'source-trust'))).toEqual(normalizePolicy(sourceTrustPolicy(side, ARN_REF)));
    expect(normalizePolicy(documentLocal(stack, 'prod-to-central', 'target-trust'))).toEqual(
      normalizePolicy(targetTrustPolicy(side, `arn:aws:iam::${SOURCE}:role/amp-xa-prod-to-central-source`, ARN_REF)),
    );
  });

  test('one finalizer per role, skipped while the ARN is the default, re-run on ARN, document or drift', () => {
    expect(text).toHaveResource(DataResource);
    expect(stack.resource.null_resource).toBeUndefined();
    expect(stack.provider.null).toBeUndefined();
    const bySide = finalizers(stack, 'terraform_data');
    expect(Object.keys(bySide).sort()).toEqual(['source-trust', 'target-trust']);
    for (const [sideName, f] of Object.entries(bySide)) {
      expect(f.count).toBe(ENABLED);
      expect(Object.keys(f.triggers_replace).sort()).toEqual(['live_policy', 'policy_sha256', 'role_name', 'scraper_arn']);
      expect(f.triggers_replace.scraper_arn).toBe(ARN_REF);
      expect(f.triggers_replace.policy_sha256).toMatch(new RegExp(`^\\$\\{sha256\\(jsonencode\\(local\\.prod-to-central_${sideName}_document_\\w+\\)\\)\\}$`));
      // Unknown at plan when the live trust drifted (forces a re-run), "in-sync" after apply.
      expect(f.triggers_replace.live_policy).toMatch(
        new RegExp(
          `^\\$\\{jsondecode\\(data\\.aws_iam_role\\.prod-to-central_${sideName}_live_\\w+\\[0\\]\\.assume_role_policy\\) == .* \\? "in-sync" : \\(timestamp\\(\\) != "" \\? "in-sync" : ""\\)\\}$`,
        ),
      );
    }
  });

  test('local-exec runs the finalize command with each account credentials and the final document', () => {
    const envs = Object.values(finalizers(stack, 'terraform_data')).map((f: any) => f.provisioner[0]['local-exec']);
    for (const e of envs) {
      expect(e.command).toBe(FINALIZE_COMMAND);
      expect(e.environment.AMP_XA_POLICY).toMatch(/^\$\{jsonencode\(local\.prod-to-central_(source|target)-trust_document_\w+\)\}$/);
      expect(e.environment.AMP_XA_EXPECT_VALUE).toBe(ARN_REF);
    }
    const byRole = Object.fromEntries(envs.map((e: any) => [e.environment.AMP_XA_ROLE_NAME, e.environment]));
    expect(byRole['amp-xa-prod-to-central-source']).toMatchObject({
      AMP_XA_ACCOUNT_ID: SOURCE,
      AMP_XA_ASSUME_ROLE_ARN: `arn:aws:iam::${SOURCE}:role/amp-xa-deployer`,
    });
    expect(byRole['amp-xa-prod-to-central-target']).toMatchObject({
      AMP_XA_ACCOUNT_ID: TARGET,
      AMP_XA_ASSUME_ROLE_ARN: `arn:aws:iam::${TARGET}:role/amp-xa-deployer`,
    });
  });

  test('Target is finalized after Source', () => {
    const names = Object.keys(all(stack, 'terraform_data'));
    const source = names.find((k) => k.startsWith('prod-to-central_source-trust'));
    const target = all(stack, 'terraform_data')[names.find((k) => k.startsWith('prod-to-central_target-trust'))!];
    expect(target.depends_on).toContain(`terraform_data.${source}`);
  });

  test('read-back: roles are read after the finalizer, with a postcondition on the final document, through the right account', () => {
    const verified = Object.entries(all(stack, 'aws_iam_role', 'data')).filter(([k]) => k.includes('_verified_'));
    expect(verified.map(([k]) => k.split('_')[1]).sort()).toEqual(['source-trust', 'target-trust']);
    for (const [name, role] of verified) {
      const sideName = name.split('_')[1];
      expect(role.count).toBe(ENABLED);
      expect(role.depends_on).toEqual([expect.stringMatching(new RegExp(`^terraform_data\\.prod-to-central_${sideName}_finalizer_`))]);
      expect(role.lifecycle.postcondition[0].condition).toMatch(
        new RegExp(`^\\$\\{jsondecode\\(self\\.assume_role_policy\\) == jsondecode\\(jsonencode\\(local\\.prod-to-central_${sideName}_document_\\w+\\)\\)\\}$`),
      );
      expect(role.lifecycle.postcondition[0].error_message).toMatch(/run cdktf deploy again/);
      expect(role.provider).toBe(sideName === 'source-trust' ? 'aws.to-workload' : 'aws.to-observability');
    }
  });

  test('outputs the ARN each pair is pinned to', () => {
    expect(stack.output.pinned_scraper_arns.value).toEqual({ 'prod-to-central': ARN_REF });
  });
});

describe('phase 2 with the null_resource finalizer (hashicorp/null)', () => {
  const { json: stack, text } = trustStack((c) => (c.finalizer = { resource: 'null_resource', awsCli: '/opt/aws/bin/aws' }));

  test('uses null_resource with the same triggers, the null provider, and the configured AWS CLI', () => {
    expect(text).toHaveResource(NullResource);
    expect(stack.resource.terraform_data).toBeUndefined();
    expect(stack.provider.null).toBeDefined();
    const bySide = finalizers(stack, 'null_resource');
    expect(Object.keys(bySide).sort()).toEqual(['source-trust', 'target-trust']);
    for (const f of Object.values(bySide)) {
      expect(Object.keys(f.triggers).sort()).toEqual(['live_policy', 'policy_sha256', 'role_name', 'scraper_arn']);
      expect(f.provisioner[0]['local-exec'].environment.AMP_XA_AWS_CLI).toBe('/opt/aws/bin/aws');
    }
    const verified = Object.entries(all(stack, 'aws_iam_role', 'data')).filter(([k]) => k.includes('_verified_'));
    for (const [, role] of verified) expect(role.depends_on[0]).toMatch(/^null_resource\./);
  });
});
