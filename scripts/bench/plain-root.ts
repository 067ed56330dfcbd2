/**
 * The plain-Terraform anchor of the deploy benchmark: the same fleet written as a Terraform user would, one
 * root module (one state, one graph, both phases). One `aws` provider per account (assume-role, region,
 * allowed_account_ids, as the app's providers); a child module `./pair` instantiated with `for_each` over the
 * pairs of each (source account, target account) combination (a module call's providers are static).
 * Per pair: Source and Target roles with the bootstrap trust (ignore_changes on assume_role_policy), their inline
 * policies, the scraper. Phase 2 in the same graph, in the root: a `terraform_data` finalizer per account and role
 * kind (at most MAX_ROLES_PER_BATCH roles each, sources first) running the app's own finalizer script and module
 * (lib/trust/), as the app batches them (one provider start per batch, not per role: a Terraform user who ran
 * 200 finalizers once would batch them too), and `data.aws_iam_role` read-backs with a postcondition.
 * Every value comes in through terraform.tfvars.json (literal, never a template); documents are rendered by the
 * app's builders (lib/iam-documents.ts) with placeholders that Terraform replaces with the real ARNs.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'fs';
import * as path from 'path';
import type { AccountRef, FleetPlan, PairPlan } from '../../lib/config/fleet';
import { sourceSide } from '../../lib/config/fleet';
import { renderPolicy, sourcePermissionsPolicy, sourceTrustPolicy, targetPermissionsPolicy, targetTrustPolicy } from '../../lib/iam-documents';
import { FINALIZE_COMMAND, finalizeEnvironment } from '../../lib/trust/command';
import { MAX_ROLES_PER_BATCH } from '../../lib/trust/finalizer';
import { trustModule } from '../../lib/trust/module';
import { providerSettings } from '../../lib/provider-settings';
import { PAIR_MODULE, PAIR_TYPE, SCRAPER_ARN, SOURCE_ROLE_ARN, TARGET_ROLE_ARN } from './plain-pair-module';

const ROOT = path.join(__dirname, '..', '..');

/**
 * The finalizer's environment of an account from the app's own builders; Terraform fills in the variables (the
 * batch's final documents) and the role names. The builder escapes literals for Terraform's JSON
 * syntax (`${` -> `$${`); tfvars are not templates, so undo it once (the module keeps its own escaping).
 */
function finalizerEnvironment(account: AccountRef): Record<string, string> {
  const settings = providerSettings(account);
  if (settings.shared_config_files) throw new Error(`plain-root: account ${account.name} uses shared config files, which the anchor does not pass`);
  const module = trustModule({ settings, providerSource: 'hashicorp/aws', providerVersion: '5.100.0' });
  const env = finalizeEnvironment({ account, module, vars: '', roles: '' });
  delete env.AMP_XA_VARS;
  delete env.AMP_XA_ROLES;
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.replace(/([$%])\1\{/g, '$1{')]));
}

/** Bootstrap trust as the app's phase 1 writes it (Target's names Source through a reference, so Source exists first). */
function bootstrapDocuments(fleet: FleetPlan, pair: PairPlan): { source: string; target: string } {
  const side = sourceSide(pair);
  return {
    source: renderPolicy(sourceTrustPolicy(side, undefined, fleet.bootstrapTrust)),
    target: renderPolicy(targetTrustPolicy(side, SOURCE_ROLE_ARN, undefined, fleet.bootstrapTrust)),
  };
}

function workspaceArn(pair: PairPlan): string {
  if (pair.workspace.kind !== 'existing')
    throw new Error(`plain-root: workspace ${pair.workspace.name} is created by amp-xa; the anchor takes workspaces by ARN`);
  return pair.workspace.arn;
}

function pairVariables(fleet: FleetPlan, pair: PairPlan) {
  const side = sourceSide(pair);
  const bootstrap = bootstrapDocuments(fleet, pair);
  return {
    name: pair.name,
    source_account: pair.source.name,
    target_account: pair.target.name,
    alias: pair.alias,
    cluster_arn: pair.cluster.arn,
    subnet_ids: pair.cluster.subnetIds,
    security_group_ids: pair.cluster.securityGroupIds ?? null,
    workspace_arn: workspaceArn(pair),
    source_role_name: pair.sourceRoleName,
    target_role_name: pair.targetRoleName,
    source_role_description: `amp-xa ${pair.name}: assumed by the AMP scraper of ${pair.cluster.name}`,
    target_role_description: `amp-xa ${pair.name}: remote-writes ${pair.cluster.name} metrics to workspace ${pair.workspace.name}`,
    scrape_configuration: pair.scrapeConfiguration,
    tags: pair.tags,
    documents: {
      source_bootstrap: bootstrap.source,
      target_bootstrap: bootstrap.target,
      source_permissions: renderPolicy(sourcePermissionsPolicy(TARGET_ROLE_ARN)),
      target_permissions: renderPolicy(targetPermissionsPolicy(workspaceArn(pair))),
      source_final: renderPolicy(sourceTrustPolicy(side, SCRAPER_ARN)),
      target_final: renderPolicy(targetTrustPolicy(side, pair.sourceRoleArn, SCRAPER_ARN)),
    },
  };
}

const ident = (name: string) => name.replace(/[^A-Za-z0-9_]/g, '_');

function rootModule(fleet: FleetPlan): string {
  const accounts = new Map<string, AccountRef>();
  const groups = new Map<string, { source: string; target: string }>();
  for (const p of fleet.pairs) {
    accounts.set(p.source.name, p.source).set(p.target.name, p.target);
    groups.set(`${p.source.name}__${p.target.name}`, { source: p.source.name, target: p.target.name });
  }
  const providers = [...accounts.keys()].map(
    (name) => `provider "aws" {
  alias               = "${ident(name)}"
  region              = var.accounts["${name}"].region
  allowed_account_ids = [var.accounts["${name}"].id]
  profile             = var.accounts["${name}"].profile
  dynamic "assume_role" {
    for_each = var.accounts["${name}"].assume_role_arn == null ? [] : [var.accounts["${name}"]]
    content {
      role_arn     = assume_role.value.assume_role_arn
      external_id  = assume_role.value.external_id
      session_name = assume_role.value.session_name
    }
  }
  default_tags {
    tags = var.default_tags
  }
}
`,
  );
  const modules = [...groups].map(
    ([key, g]) => `module "${ident(key)}" {
  source           = "./pair"
  for_each         = { for name, p in var.pairs : name => p if p.source_account == "${g.source}" && p.target_account == "${g.target}" }
  providers        = { aws.source = aws.${ident(g.source)}, aws.target = aws.${ident(g.target)} }
  pair             = each.value
}
`,
  );
  const holders = { source: new Set(fleet.pairs.map((p) => p.source.name)), target: new Set(fleet.pairs.map((p) => p.target.name)) };
  const sourceBatches = [...holders.source].map((a) => `terraform_data.trust_source_${ident(a)}`);
  const phase2 = (['source', 'target'] as const).flatMap((kind) =>
    [...holders[kind]].map((a) => {
      const id = `${kind}_${ident(a)}`;
      const batchPolicies = `{ for r in local.batches_${id}[count.index] : r => local.final_${id}[r] }`;
      return `locals {
  final_${id}   = { for name, p in var.pairs : p.${kind}_role_name => local.pair_modules[name].${kind}_final if p.${kind}_account == "${a}" }
  batches_${id} = chunklist(sort(keys(local.final_${id})), ${MAX_ROLES_PER_BATCH})
}

resource "terraform_data" "trust_${id}" {
  count            = length(local.batches_${id})
  triggers_replace = { policies_sha256 = sha256(jsonencode(${batchPolicies})) }
  provisioner "local-exec" {
    command     = var.finalize_command
    interpreter = ["/bin/sh", "-c"]
    environment = merge(var.finalizer_env["${a}"], { AMP_XA_VARS = jsonencode({ policies = ${batchPolicies} }), AMP_XA_ROLES = join(" ", local.batches_${id}[count.index]) })
  }${
    kind === 'target'
      ? `
  depends_on = [${sourceBatches.join(', ')}]`
      : ''
  }
}

data "aws_iam_role" "verified_${id}" {
  for_each   = local.final_${id}
  provider   = aws.${ident(a)}
  name       = each.key
  depends_on = [terraform_data.trust_${id}]
  lifecycle {
    postcondition {
      condition     = jsondecode(self.assume_role_policy) == jsondecode(each.value)
      error_message = "The trust policy of \${self.name} is not pinned to the scraper ARN."
    }
  }
}
`;
    }),
  );
  return `terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }
}

variable "accounts" {
  type = map(object({ id = string, region = string, profile = string, assume_role_arn = string, external_id = string, session_name = string }))
}

variable "default_tags" {
  type = map(string)
}

variable "finalize_command" {
  type = string
}

variable "finalizer_env" {
  type = map(map(string))
}

variable "pairs" {
  type = map(${PAIR_TYPE})
}

${providers.join('\n')}
${modules.join('\n')}
# Phase 2: a finalizer per account and role kind (sources first), then every role read back.
locals {
  pair_modules = merge(${[...groups.keys()].map((k) => `module.${ident(k)}`).join(', ')})
}

${phase2.join('\n')}
output "scraper_arns" {
  value = merge(${[...groups.keys()].map((k) => `{ for name, m in module.${ident(k)} : name => m.scraper_arn }`).join(', ')})
}
`;
}

/** Writes the root module (main.tf, pair/main.tf, terraform.tfvars.json, the project's lock file) into `dir`. */
export function writePlainRoot(fleet: FleetPlan, dir: string): void {
  if (fleet.createdWorkspaces.length) throw new Error('plain-root: fleets with created workspaces are not supported; reference workspaces by ARN');
  mkdirSync(path.join(dir, 'pair'), { recursive: true });
  const accounts: Record<string, unknown> = {};
  for (const p of fleet.pairs) {
    for (const a of [p.source, p.target]) {
      const c = a.credentials;
      accounts[a.name] = {
        id: a.id,
        region: a.region,
        profile: c.profile ?? null,
        assume_role_arn: c.assumeRoleArn ?? null,
        external_id: c.externalId ?? null,
        session_name: c.sessionName ?? 'amp-xa',
      };
    }
  }
  const tfvars = {
    accounts,
    default_tags: { ...fleet.tags, 'managed-by': 'amp-xa' },
    finalize_command: FINALIZE_COMMAND,
    finalizer_env: Object.fromEntries([...new Set(fleet.pairs.flatMap((p) => [p.source, p.target]))].map((a) => [a.name, finalizerEnvironment(a)])),
    pairs: Object.fromEntries(fleet.pairs.map((p) => [p.name, pairVariables(fleet, p)])),
  };
  writeFileSync(path.join(dir, 'main.tf'), rootModule(fleet));
  writeFileSync(path.join(dir, 'pair', 'main.tf'), PAIR_MODULE);
  writeFileSync(path.join(dir, 'terraform.tfvars.json'), JSON.stringify(tfvars, null, 2));
  copyFileSync(path.join(ROOT, '.terraform.lock.hcl'), path.join(dir, '.terraform.lock.hcl'));
}
