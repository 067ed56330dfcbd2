import { DataResource } from 'cdktf';
import { Resource as NullResource } from '@cdktf/provider-null/lib/resource';
import { EXAMPLES, exampleConfig, synthFleet, all } from './support/fleet';
import { normalizePolicy } from './support/policy';
import { sourceTrustPolicy, targetTrustPolicy } from '../lib/iam-documents';
import { FINALIZE_COMMAND } from '../lib/trust/command';
import { terraformLiteral } from './hostile-input.helpers';
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

/** Finalizer batches (null_resource or terraform_data) by "<kind>-<account>". */
function finalizers(stack: any, type: string): Record<string, any> {
  return Object.fromEntries(Object.entries(all(stack, type)).map(([k, v]) => [k.replace(/^trust-/, '').replace(/_finalizer_\w+$/, ''), v]));
}

/** `local.<name>` of a batch's "every live trust is its final document". */
function inSyncLocal(stack: any, batch: string): string {
  const names = Object.keys(stack.locals).filter((k) => k.startsWith(`trust-${batch}_in_sync_`));
  expect(names).toHaveLength(1);
  return `local.${names[0]}`;
}

/** A batch's locals: the candidate roles (name -> enabled, policy). */
function batchRoles(stack: any, batch: string): any {
  const names = Object.keys(stack.locals).filter((k) => k.startsWith(`trust-${batch}_roles_`));
  expect(names).toHaveLength(1);
  return stack.locals[names[0]];
}

describe('phase 2: the <unit>-trust stack, default terraform_data finalizer', () => {
  const { json: stack, text, synth } = trustStack();
  // Relative to the stack directory, where Terraform runs: a moved checkout or another CI job finds the same file.
  const stackDir = path.join(App.of(synth.stacks.units.get('fleet')!.trust).outdir, 'stacks', 'fleet-trust');
  const STATE = path.relative(stackDir, path.resolve(EXAMPLES, 'state', 'fleet', 'terraform.fleet-scrapers.tfstate'));

  test('reads the scraper ARN map from phase-1 state, only once that state exists (relative path), so it plans before phase 1 exists', () => {
    expect(stack.locals['scraper-state-scraper_arns-prod-to-central']).toBe(`\${${ARN}}`);
    expect(path.isAbsolute(STATE)).toBe(false);
    expect(stack.data.terraform_remote_state['scraper-state']).toEqual({
      backend: 'local',
      config: { path: STATE },
      count: `\${try(length(file("${STATE}")) > 0, false) ? 1 : 0}`,
    });
  });

  test('final documents: exact ArnEquals / StringEquals on the scraper ARN, semantically AWS guidance', () => {
    expect(normalizePolicy(documentLocal(stack, 'prod-to-central', 'source-trust'))).toEqual(normalizePolicy(sourceTrustPolicy(side, ARN_REF)));
    expect(normalizePolicy(documentLocal(stack, 'prod-to-central', 'target-trust'))).toEqual(
      normalizePolicy(targetTrustPolicy(side, `arn:aws:iam::${SOURCE}:role/amp-xa-prod-to-central-source`, ARN_REF)),
    );
  });

  test('one finalizer per account and role kind, skipped while no ARN is known, re-run on role, ARN, document or drift', () => {
    expect(text).toHaveResource(DataResource);
    expect(stack.resource.null_resource).toBeUndefined();
    expect(stack.provider.null).toBeUndefined();
    const batches = finalizers(stack, 'terraform_data');
    expect(Object.keys(batches).sort()).toEqual(['source-workload', 'target-observability']);
    for (const [batch, f] of Object.entries(batches)) {
      const policies = f.count.match(/^\$\{length\(local\.([\w-]+)\) > 0 \? 1 : 0\}$/)[1];
      expect(stack.locals[policies]).toMatch(new RegExp(`^\\$\\{\\{ for k, r in local\\.trust-${batch}_roles_\\w+ : k => r\\.policy if r\\.enabled \\}\\}$`));
      expect(Object.keys(f.triggers_replace).sort()).toEqual(['live_policy', 'policies_sha256']);
      expect(f.triggers_replace.policies_sha256).toBe(`\${sha256(jsonencode(local.${policies}))}`);
      const sideName = batch.startsWith('source') ? 'source-trust' : 'target-trust';
      // Unknown at plan when a live trust drifted (forces a re-run), "in-sync" after apply.
      expect(f.triggers_replace.live_policy).toBe(`\${${inSyncLocal(stack, batch)} ? "in-sync" : (timestamp() != "" ? "in-sync" : "")}`);
      expect(stack.locals[inSyncLocal(stack, batch).slice('local.'.length)]).toMatch(
        new RegExp(
          `^\\$\\{alltrue\\(\\[alltrue\\(\\[for p in data\\.aws_iam_role\\.prod-to-central_${sideName}_live_\\w+\\[\\*\\]\\.assume_role_policy : jsondecode\\(p\\) == .*\\]\\)\\]\\)\\}$`,
        ),
      );
    }
    const role = `amp-xa-prod-to-central-source`;
    expect(batchRoles(stack, 'source-workload')).toEqual({
      [role]: { enabled: `\${${ARN} != ""}`, policy: expect.stringMatching(/^\$\{jsonencode\(local\.prod-to-central_source-trust_document_\w+\)\}$/) },
    });
  });

  test("local-exec runs the finalize command with the account's module and the batch's documents", () => {
    const byBatch = finalizers(stack, 'terraform_data');
    for (const [batch, f] of Object.entries(byBatch)) {
      const e = f.provisioner[0]['local-exec'];
      expect(e.command).toBe(FINALIZE_COMMAND);
      expect(e.interpreter).toEqual(['/bin/sh', '-c']);
      expect(e.environment.AMP_XA_VARS).toMatch(new RegExp(`^\\$\\{jsonencode\\(local\\.trust-${batch}_vars_\\w+\\)\\}$`));
      expect(e.environment.AMP_XA_ROLES).toMatch(new RegExp(`^\\$\\{join\\(" ", keys\\(local\\.trust-${batch}_policies_\\w+\\)\\)\\}$`));
    }
    const module = (batch: string) => JSON.parse(terraformLiteral(byBatch[batch].provisioner[0]['local-exec'].environment.AMP_XA_MODULE));
    expect(byBatch['source-workload'].provisioner[0]['local-exec'].environment.AMP_XA_ACCOUNT).toBe(`workload (${SOURCE})`);
    expect(module('source-workload').provider.aws[0]).toMatchObject({
      allowed_account_ids: [SOURCE],
      assume_role: [{ role_arn: `arn:aws:iam::${SOURCE}:role/amp-xa-deployer` }],
    });
    expect(module('target-observability').provider.aws[0]).toMatchObject({
      allowed_account_ids: [TARGET],
      assume_role: [{ role_arn: `arn:aws:iam::${TARGET}:role/amp-xa-deployer` }],
    });
  });

  test('Targets are finalized after Sources', () => {
    const names = Object.keys(all(stack, 'terraform_data'));
    const source = names.find((k) => k.startsWith('trust-source-workload'));
    const target = all(stack, 'terraform_data')[names.find((k) => k.startsWith('trust-target-observability'))!];
    expect(target.depends_on).toContain(`terraform_data.${source}`);
  });

  test('read-back: roles are read after their batch, with a postcondition on the final document, through the right account', () => {
    const verified = Object.entries(all(stack, 'aws_iam_role', 'data')).filter(([k]) => k.includes('_verified_'));
    expect(verified.map(([k]) => k.split('_')[1]).sort()).toEqual(['source-trust', 'target-trust']);
    for (const [name, role] of verified) {
      const sideName = name.split('_')[1];
      const batch = sideName === 'source-trust' ? 'source-workload' : 'target-observability';
      // Read only while its batch has a role out of sync (the batch's run is pending then, so it is read after it).
      expect(role.count).toBe(`\${${ARN} != "" && !${inSyncLocal(stack, batch)} ? 1 : 0}`);
      expect(role.depends_on).toEqual([
        expect.stringMatching(new RegExp(`^terraform_data\\.trust-${sideName === 'source-trust' ? 'source-workload' : 'target-observability'}_finalizer_`)),
      ]);
      expect(role.lifecycle.postcondition[0].condition).toMatch(
        new RegExp(`^\\$\\{jsondecode\\(self\\.assume_role_policy\\) == jsondecode\\(jsonencode\\(local\\.prod-to-central_${sideName}_document_\\w+\\)\\)\\}$`),
      );
      expect(role.lifecycle.postcondition[0].error_message).toMatch(/run cdktf deploy again/);
      expect(role.provider).toBe(sideName === 'source-trust' ? 'aws.to-workload' : 'aws.to-observability');
    }
    const live = Object.entries(all(stack, 'aws_iam_role', 'data')).filter(([k]) => k.includes('_live_'));
    expect(live.map(([k]) => k.split('_')[1]).sort()).toEqual(['source-trust', 'target-trust']);
    for (const [, role] of live) expect(role.count).toBe(ENABLED);
  });

  test('outputs the ARN each pair is pinned to', () => {
    expect(stack.output.pinned_scraper_arns.value).toEqual({ 'prod-to-central': ARN_REF });
  });
});

describe('phase 2 with the null_resource finalizer (hashicorp/null)', () => {
  const { json: stack, text } = trustStack((c) => (c.finalizer = { resource: 'null_resource' }));

  test('uses null_resource with the same triggers and the null provider', () => {
    expect(text).toHaveResource(NullResource);
    expect(stack.resource.terraform_data).toBeUndefined();
    expect(stack.provider.null).toBeDefined();
    const batches = finalizers(stack, 'null_resource');
    expect(Object.keys(batches).sort()).toEqual(['source-workload', 'target-observability']);
    for (const f of Object.values(batches)) {
      expect(Object.keys(f.triggers).sort()).toEqual(['live_policy', 'policies_sha256']);
      expect(f.provisioner[0]['local-exec'].command).toBe(FINALIZE_COMMAND);
    }
    const verified = Object.entries(all(stack, 'aws_iam_role', 'data')).filter(([k]) => k.includes('_verified_'));
    for (const [, role] of verified) expect(role.depends_on[0]).toMatch(/^null_resource\./);
  });
});
