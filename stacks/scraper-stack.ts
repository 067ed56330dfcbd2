import type { Construct } from 'constructs';
import { TerraformOutput } from 'cdktf';
import type { PairPlan } from '../lib/config/fleet';
import { stackOutputs } from '../lib/backend';
import { UnitStack, type UnitStackProps } from './unit-stack';
import { EKS_RBAC_MANIFEST_OUTPUT, SCRAPER_STACK_OUTPUTS, WORKSPACE_STACK_OUTPUTS } from '../lib/outputs';
import { collectorRbacManifest } from '../lib/eks-access';
import { PairScraper } from '../lib/pair-scraper';

export type ScraperStackProps = UnitStackProps;

/**
 * Phase 1 of a unit (one source account): roles, permissions and scraper of every pair whose cluster is in
 * the account. A pair removed from the config is destroyed here, in the same state, by the next deploy.
 * Phase 2 (TrustStack) reads the maps this stack outputs, keyed by pair name.
 */
export class ScraperStack extends UnitStack {
  readonly pairs: ReadonlyMap<string, PairScraper>;

  constructor(scope: Construct, props: ScraperStackProps) {
    super(scope, props.unit.scraperStackName, props);
    const { fleet, unit } = props;
    const createdWorkspaces = new Map<string, { arn: string; remoteWriteUrl: string }>();
    /** Created workspaces are read from their stack's state, once per workspace. */
    const workspaceOf = (pair: PairPlan): { arn: string; remoteWriteUrl: string } => {
      const workspace = pair.workspace;
      if (workspace.kind === 'existing') return workspace;
      let read = createdWorkspaces.get(workspace.name);
      if (!read) {
        const state = stackOutputs(this, `workspace-${workspace.name}-state`, fleet.backend, workspace.stackName);
        read = {
          // A well-formed placeholder keeps the plan valid until the workspace stack has been applied.
          arn: state.get(WORKSPACE_STACK_OUTPUTS.workspaceArn, `arn:${pair.partition}:aps:${pair.region}:${pair.target.id}:workspace/ws-pending`),
          remoteWriteUrl: state.get(WORKSPACE_STACK_OUTPUTS.remoteWriteUrl, ''),
        };
        createdWorkspaces.set(workspace.name, read);
      }
      return read;
    };

    const pairs = new Map<string, PairScraper>();
    const outputs = Object.fromEntries(Object.values(SCRAPER_STACK_OUTPUTS).map((name) => [name, {} as Record<string, string>]));
    for (const pair of unit.pairs) {
      const workspace = workspaceOf(pair);
      const built = new PairScraper(this, {
        pair,
        source: this.providers.source,
        target: this.targetProvider(pair),
        workspaceArn: workspace.arn,
        bootstrapTrust: fleet.bootstrapTrust,
      });
      pairs.set(pair.name, built);
      outputs[SCRAPER_STACK_OUTPUTS.scraperArns][pair.name] = built.scraper.arn;
      outputs[SCRAPER_STACK_OUTPUTS.scraperIds][pair.name] = built.scraper.id;
      outputs[SCRAPER_STACK_OUTPUTS.sourceRoleArns][pair.name] = built.sourceRole.arn;
      outputs[SCRAPER_STACK_OUTPUTS.targetRoleArns][pair.name] = built.targetRole.arn;
      outputs[SCRAPER_STACK_OUTPUTS.workspaceArns][pair.name] = workspace.arn;
      outputs[SCRAPER_STACK_OUTPUTS.remoteWriteUrls][pair.name] = workspace.remoteWriteUrl;
      if (built.awsAuthMapRole !== undefined) outputs[SCRAPER_STACK_OUTPUTS.eksAwsAuthMapRoles][pair.name] = built.awsAuthMapRole;
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
}

const SCRAPER_OUTPUT_DESCRIPTIONS: Record<string, string> = {
  [SCRAPER_STACK_OUTPUTS.scraperArns]: 'Scraper ARN by pair name (phase 2 pins both trust policies to it)',
  [SCRAPER_STACK_OUTPUTS.scraperIds]: 'Scraper ID by pair name',
  [SCRAPER_STACK_OUTPUTS.sourceRoleArns]: 'Source role ARN (source account) by pair name',
  [SCRAPER_STACK_OUTPUTS.targetRoleArns]: 'Target role ARN (workspace account) by pair name',
  [SCRAPER_STACK_OUTPUTS.workspaceArns]: 'Destination workspace ARN by pair name',
  [SCRAPER_STACK_OUTPUTS.remoteWriteUrls]: 'Destination remote-write URL by pair name',
  [SCRAPER_STACK_OUTPUTS.eksAwsAuthMapRoles]: 'aws-auth mapRoles entry by pair name, for clusters in CONFIG_MAP mode',
};
