import type { Construct } from 'constructs';
import { TerraformOutput } from 'cdktf';
import { hclString, interpolation } from '../lib/terraform-expr';
import { unitStackNames } from '../lib/config/plan';
import type { CreatedWorkspacePlan, FleetPlan, PairPlan } from '../lib/config/fleet';
import { PENDING_WORKSPACE_ID, Preflight, PREFLIGHT_VERIFIED_OUTPUT } from '../lib/preflight/preflight';
import { accountProvider, baseTags } from '../lib/providers';
import { forgetMovedPair, importMovedPair } from '../lib/pair/move';
import { stackOutputs } from '../lib/backend';
import { UnitStack, type UnitStackProps } from './unit-stack';
import { EKS_RBAC_MANIFEST_OUTPUT, SCRAPER_STACK_OUTPUTS, WORKSPACE_STACK_OUTPUTS } from '../lib/outputs';
import { collectorRbacManifest } from '../lib/eks-access';
import { PairScraper } from '../lib/pair-scraper';

export type ScraperStackProps = UnitStackProps;

/**
 * Phase 1 of a unit (by default the whole fleet): roles, permissions and scraper of every pair whose cluster is
 * in one of the unit's accounts. A pair removed from the config is destroyed here, in the same state, by the next
 * deploy. Phase 2 (TrustStack) reads the maps this stack outputs, keyed by pair name.
 */
export class ScraperStack extends UnitStack {
  readonly pairs: ReadonlyMap<string, PairScraper>;
  private readonly unitName: string;

  constructor(scope: Construct, props: ScraperStackProps) {
    super(scope, props.unit.scraperStackName, props);
    const { fleet, unit } = props;
    this.unitName = unit.name;
    const createdWorkspaces = new Map<string, { arn: string; arnExpression: string; remoteWriteUrl: string }>();
    const createdWorkspace = (workspace: CreatedWorkspacePlan) => {
      let read = createdWorkspaces.get(workspace.name);
      if (!read) {
        const state = stackOutputs(this, `workspace-${workspace.name}-state`, fleet.backend, workspace.stackName);
        const account = workspace.account;
        // A well-formed placeholder keeps the plan valid until the workspace stack has been applied.
        const pending = `arn:${account.partition}:aps:${account.region}:${account.id}:workspace/${PENDING_WORKSPACE_ID}`;
        read = {
          arn: state.get(WORKSPACE_STACK_OUTPUTS.workspaceArn, pending),
          arnExpression: state.expression(WORKSPACE_STACK_OUTPUTS.workspaceArn, pending),
          remoteWriteUrl: state.get(WORKSPACE_STACK_OUTPUTS.remoteWriteUrl, ''),
        };
        createdWorkspaces.set(workspace.name, read);
      }
      return read;
    };
    /** Created workspaces are read from their stack's state, once per workspace. */
    const workspaceOf = (pair: PairPlan): { arn: string; remoteWriteUrl: string } =>
      pair.workspace.kind === 'existing' ? pair.workspace : createdWorkspace(pair.workspace);
    // Before any pair: a setup AMP cannot scrape fails the plan here, with nothing created.
    const preflight = new Preflight(this, 'preflight', {
      pairs: unit.pairs,
      provider: (account) => this.provider(account),
      createdWorkspaceArn: (workspace) => createdWorkspace(workspace).arnExpression,
      verified: this.ownOutputs ? (pair) => this.ownOutputs!.expression(PREFLIGHT_VERIFIED_OUTPUT, '', pair) : undefined,
    });
    const verified: Record<string, string> = {};
    // The phase-1 state of each unit an account moved out of: it holds the scraper IDs to import.
    const movedFrom = new Map(
      unit.movedInFrom.map((name) => [name, stackOutputs(this, `moved-from-${name}-state`, fleet.backend, unitStackNames(name).scraperStackName)]),
    );

    const pairs = new Map<string, PairScraper>();
    const outputs = Object.fromEntries(Object.values(SCRAPER_STACK_OUTPUTS).map((name) => [name, {} as Record<string, string>]));
    for (const pair of unit.pairs) {
      const workspace = workspaceOf(pair);
      const built = new PairScraper(this.pairScope, {
        pair,
        source: this.provider(pair.source),
        target: this.provider(pair.target),
        workspaceArn: workspace.arn,
        bootstrapTrust: fleet.bootstrapTrust,
        after: preflight.gatesOf(pair.name),
      });
      const oldUnit = pair.source.movedFrom === undefined ? undefined : movedFrom.get(pair.source.movedFrom);
      if (oldUnit) importMovedPair(built, pair, oldUnit, built.movable);
      pairs.set(pair.name, built);
      outputs[SCRAPER_STACK_OUTPUTS.scraperArns][pair.name] = built.scraper.arn;
      outputs[SCRAPER_STACK_OUTPUTS.scraperIds][pair.name] = built.scraper.id;
      outputs[SCRAPER_STACK_OUTPUTS.sourceRoleArns][pair.name] = built.sourceRole.arn;
      outputs[SCRAPER_STACK_OUTPUTS.targetRoleArns][pair.name] = built.targetRole.arn;
      outputs[SCRAPER_STACK_OUTPUTS.workspaceArns][pair.name] = workspace.arn;
      outputs[SCRAPER_STACK_OUTPUTS.remoteWriteUrls][pair.name] = workspace.remoteWriteUrl;
      if (built.awsAuthMapRole !== undefined) outputs[SCRAPER_STACK_OUTPUTS.eksAwsAuthMapRoles][pair.name] = built.awsAuthMapRole;
      // Recorded once the scraper exists: a pair whose apply failed is checked again by the next plan.
      verified[pair.name] = interpolation(`${built.scraper.fqn}.id != "" ? ${hclString(preflight.fingerprints.get(pair.name) ?? '')} : ""`);
    }
    if (this.ownOutputs) {
      new TerraformOutput(this, PREFLIGHT_VERIFIED_OUTPUT, {
        value: verified,
        description: 'Per deployed pair, the digest of what its preflight checked: the next plan skips those reads while it is the same',
      });
    }
    this.pairs = pairs;

    for (const [name, value] of Object.entries(outputs)) {
      new TerraformOutput(this, name, { value, description: SCRAPER_OUTPUT_DESCRIPTIONS[name] });
    }
    // The cluster-side objects are the same for every CONFIG_MAP cluster: one manifest.
    const configMapPairs = unit.pairs.filter((p) => p.cluster.authenticationMode === 'CONFIG_MAP');
    if (configMapPairs.length) {
      new TerraformOutput(this, EKS_RBAC_MANIFEST_OUTPUT, {
        value: collectorRbacManifest(),
        description: `ClusterRole and ClusterRoleBinding for the scraper user, to kubectl apply on CONFIG_MAP clusters: ${[...new Set(configMapPairs.map((p) => p.cluster.name))].join(', ')}`,
      });
    }
  }

  /**
   * Forgets the pairs that moved to another unit, as that unit's stack built them (the same construct paths, so
   * the same Terraform addresses). A unit named after the moved account is a per-account unit of amp-xa 0.2, whose
   * state reaches that account through the alias `source`: it is declared so that the forget can run.
   */
  forgetMoved(moved: ReadonlyArray<{ pair: PairPlan; built: PairScraper }>, fleet: FleetPlan): void {
    for (const { pair, built } of moved) {
      if (pair.source.name === this.unitName && !this.node.tryFindChild(LEGACY_SOURCE_ALIAS))
        accountProvider(this, LEGACY_SOURCE_ALIAS, pair.source, { tags: baseTags(fleet.tags) });
      forgetMovedPair(this.pairScope, pair, built.movable);
    }
  }
}

/** The provider alias amp-xa 0.2 gave a per-account unit's own account. */
const LEGACY_SOURCE_ALIAS = 'source';

const SCRAPER_OUTPUT_DESCRIPTIONS: Record<string, string> = {
  [SCRAPER_STACK_OUTPUTS.scraperArns]: 'Scraper ARN by pair name (phase 2 pins both trust policies to it)',
  [SCRAPER_STACK_OUTPUTS.scraperIds]: 'Scraper ID by pair name',
  [SCRAPER_STACK_OUTPUTS.sourceRoleArns]: 'Source role ARN (source account) by pair name',
  [SCRAPER_STACK_OUTPUTS.targetRoleArns]: 'Target role ARN (workspace account) by pair name',
  [SCRAPER_STACK_OUTPUTS.workspaceArns]: 'Destination workspace ARN by pair name',
  [SCRAPER_STACK_OUTPUTS.remoteWriteUrls]: 'Destination remote-write URL by pair name',
  [SCRAPER_STACK_OUTPUTS.eksAwsAuthMapRoles]: 'aws-auth mapRoles entry by pair name, for clusters in CONFIG_MAP mode',
};
