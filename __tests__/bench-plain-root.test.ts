/** The deploy benchmark's plain-Terraform anchor: the same fleet, the app's documents and finalizer script. */
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { generateFleet } from '../scripts/generate-fleet';
import { writePlainRoot } from '../scripts/bench/plain-root';
import { sourceSide } from '../lib/config/fleet';
import { renderPolicy, sourceTrustPolicy } from '../lib/iam-documents';
import { FINALIZE_COMMAND, FINALIZE_SCRIPT } from '../lib/trust/command';
import { MAX_ROLES_PER_BATCH } from '../lib/trust/finalizer';
import { plan } from './support/fleet';

const fleet = plan(generateFleet(5, { sourceAccounts: 2 }));
const dir = mkdtempSync(path.join(tmpdir(), 'amp-xa-plain-root-'));
writePlainRoot(fleet, dir);
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const read = (file: string) => readFileSync(path.join(dir, file), 'utf8');

test('one aws provider per account, pinned to it, and a for_each module call per source/target combination', () => {
  const root = read('main.tf');
  for (const name of ['workload-0', 'workload-1', 'observability']) {
    expect(root).toContain(`allowed_account_ids = [var.accounts["${name}"].id]`);
  }
  expect(root.match(/^provider "aws"/gm)).toHaveLength(3);
  expect(root.match(/^module "/gm)).toHaveLength(2);
  expect(root).toContain('providers        = { aws.source = aws.workload_1, aws.target = aws.observability }');
  expect(read('.terraform.lock.hcl')).toContain('hashicorp/aws');
});

test('per pair: roles with ignore_changes on trust, policies, scraper; the final documents as outputs', () => {
  const pair = read('pair/main.tf');
  expect(pair.match(/^resource "aws_iam_role" /gm)).toHaveLength(2);
  expect(pair.match(/ignore_changes = \[assume_role_policy\]/g)).toHaveLength(2);
  expect(pair.match(/^resource "aws_iam_role_policy" /gm)).toHaveLength(2);
  expect(pair).toContain('resource "aws_prometheus_scraper" "this"');
  expect(pair).not.toContain('terraform_data');
  expect(pair).toContain('output "source_final"');
});

test('phase 2 in the root: a finalizer per account and role kind in batches of the app size, sources first, read-backs per role', () => {
  const root = read('main.tf');
  const finalizers = [...root.matchAll(/^resource "terraform_data" "(\w+)"/gm)].map((m) => m[1]);
  expect(finalizers).toEqual(['trust_source_workload_0', 'trust_source_workload_1', 'trust_target_observability']);
  expect(root).toContain(`batches_target_observability = chunklist(sort(keys(local.final_target_observability)), ${MAX_ROLES_PER_BATCH})`);
  expect(root).toContain('depends_on = [terraform_data.trust_source_workload_0, terraform_data.trust_source_workload_1]');
  expect(root.match(/^data "aws_iam_role" /gm)).toHaveLength(3);
  expect(root).toContain('for_each   = local.final_source_workload_1');
});

test('values arrive as tfvars: the app finalizer command and script, the documents of the app builders', () => {
  const vars = JSON.parse(read('terraform.tfvars.json'));
  expect(vars.finalize_command).toBe(FINALIZE_COMMAND);
  expect(Object.keys(vars.pairs)).toEqual(fleet.pairs.map((p) => p.name));
  const p = fleet.pairs[3];
  const v = vars.pairs[p.name];
  expect(v.source_account).toBe('workload-1');
  expect(vars.finalizer_env['workload-1'].AMP_XA_FINALIZE_SCRIPT).toBe(FINALIZE_SCRIPT);
  expect(JSON.parse(vars.finalizer_env.observability.AMP_XA_MODULE).provider.aws[0].assume_role[0].role_arn).toBe(
    'arn:aws:iam::900000000000:role/amp-xa-deployer',
  );
  expect(v.documents.source_bootstrap).toBe(renderPolicy(sourceTrustPolicy(sourceSide(p))));
  expect(v.documents.source_final).toBe(renderPolicy(sourceTrustPolicy(sourceSide(p), '__SCRAPER_ARN__')));
});
