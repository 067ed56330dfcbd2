/**
 * Rules for limits AWS or HCP Terraform would only enforce at deploy time (or never, letting a config quietly
 * do something else than it says): tags as each resource gets them, backend names derived from stack names,
 * and one config key per cluster and workspace.
 */
import { parseArn, partitionOf } from '../arn';
import { cloudWorkspaceName } from '../backend';
import type { BackendConfig, FleetConfig } from './schema';
import type { CreatedWorkspacePlan, UnitPlan } from './plan';
import { MANAGED_BY_TAG, PAIR_TAG, resourceTagProblems, SCRAPER_DESTINATION_TAG, WORKSPACE_TAG, type ResourceTags } from './tags';

type Problems = string[];

/** HCP Terraform (Terraform Cloud) workspace names: at most 90 characters (HashiCorp docs). */
export const MAX_CLOUD_WORKSPACE_NAME = 90;

/**
 * Where the tags of a pair's two IAM roles and its scraper come from: default tags (fleet `tags` + managed-by,
 * lib/providers.ts baseTags) and the pair's (+ amp-xa:pair, lib/pair-scraper.ts). All three get the same tags and
 * IAM's rules are the stricter (case-insensitive keys), so one check under IAM's rules covers the scraper too.
 */
export function pairTags(path: string, pair: Pick<FleetConfig['pairs'][number], 'name' | 'tags'>, fleetTags: Record<string, string>): ResourceTags {
  return {
    what: "each pair's IAM roles and scraper",
    service: 'IAM',
    defaults: [{ field: 'tags', tags: fleetTags }, { tags: { [MANAGED_BY_TAG]: 'amp-xa' } }],
    resource: [{ field: `${path}.tags`, tags: pair.tags ?? {} }, { tags: { [PAIR_TAG]: pair.name } }],
  };
}

export const pairTagRule = (...args: Parameters<typeof pairTags>): Problems => resourceTagProblems(pairTags(...args));

/**
 * Where a created workspace's tags come from (AMP, case-sensitive keys; stacks/workspace-stack.ts): default tags
 * (fleet `tags` + managed-by + amp-xa:workspace) and its `create.tags`; once a scraper writes to it, AWS adds
 * AMPAgentlessScraper, which counts too.
 */
export function workspaceTags(workspace: Pick<CreatedWorkspacePlan, 'name' | 'tags'>, fleetTags: Record<string, string>, scraped: boolean): ResourceTags {
  return {
    what: `workspace ${workspace.name}`,
    service: 'AMP',
    defaults: [{ field: 'tags', tags: fleetTags }, { tags: { [MANAGED_BY_TAG]: 'amp-xa', [WORKSPACE_TAG]: workspace.name } }],
    resource: [{ field: `workspaces.${workspace.name}.create.tags`, tags: workspace.tags }],
    addedByAws: scraped ? [SCRAPER_DESTINATION_TAG] : [],
    ignoredKeys: [SCRAPER_DESTINATION_TAG],
  };
}

export const workspaceTagRule = (...args: Parameters<typeof workspaceTags>): Problems => resourceTagProblems(workspaceTags(...args));

/**
 * Every stack's backend name must be one the backend accepts, and S3 state access must stay in the bucket's
 * partition. Stack names come from the plan (units, created workspaces), so they are the names synth uses.
 */
export function backendRules(backend: BackendConfig, units: UnitPlan[], createdWorkspaces: CreatedWorkspacePlan[]): Problems {
  const problems: Problems = [];
  if (backend.type === 'cloud') {
    const stacks = [...units.flatMap((u) => [u.scraperStackName, u.trustStackName]), ...createdWorkspaces.map((w) => w.stackName)];
    for (const stack of stacks) {
      const name = cloudWorkspaceName(backend, stack);
      if (name.length > MAX_CLOUD_WORKSPACE_NAME)
        problems.push(
          `backend.workspacePrefix: the HCP Terraform workspace of stack ${stack} would be named ${JSON.stringify(name)}, ${name.length} characters; HCP Terraform allows at most ${MAX_CLOUD_WORKSPACE_NAME}: shorten the prefix with the fleet name (${backend.workspacePrefix.length} characters) or the unit or workspace name`,
        );
    }
  }
  if (backend.type === 's3' && backend.roleArn !== undefined) {
    const role = parseArn(backend.roleArn);
    const partition = partitionOf(backend.region);
    if (role && role.partition !== partition)
      problems.push(
        `backend.roleArn: role partition ${role.partition} differs from the bucket region ${backend.region} (partition ${partition}); STS in one partition cannot assume a role of another: use a role of partition ${partition}`,
      );
  }
  return problems;
}

/**
 * One key per cluster and per existing workspace: the same ARN under two keys would get two scrapers of one
 * cluster into one workspace, which "one pair per cluster and workspace" exists to prevent.
 */
export function duplicateArnRule(config: Pick<FleetConfig, 'clusters' | 'workspaces'>): Problems {
  const problems: Problems = [];
  const check = (section: string, items: Array<[string, string | undefined]>) => {
    const owners = new Map<string, string>();
    for (const [name, arn] of items) {
      if (arn === undefined) continue;
      const owner = owners.get(arn);
      if (owner !== undefined)
        problems.push(
          `${section}.${name}.arn: ${JSON.stringify(arn)} is also ${section}.${owner}.arn; give each ${section.slice(0, -1)} one key and point every pair at it`,
        );
      else owners.set(arn, name);
    }
  };
  check(
    'clusters',
    Object.entries(config.clusters).map(([name, c]) => [name, c.arn]),
  );
  check(
    'workspaces',
    Object.entries(config.workspaces).map(([name, w]) => [name, w.arn]),
  );
  return problems;
}
