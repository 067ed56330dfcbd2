/**
 * Builds every stack of a fleet into an app and declares their order: workspace -> scraper -> trust.
 * The dependencies are explicit because phase 2 reads phase 1 through a remote-state data source with
 * defaults, which cdktf does not see as a cross-stack reference.
 */
import type { App } from 'cdktf';
import './terraform-version-check';
import type { FleetPlan } from './config/fleet';
import { ScraperStack } from '../stacks/scraper-stack';
import { TrustStack } from '../stacks/trust-stack';
import { WorkspaceStack } from '../stacks/workspace-stack';

export interface FleetStacks {
  readonly workspaces: Map<string, WorkspaceStack>;
  readonly pairs: Map<string, { scraper: ScraperStack; trust: TrustStack }>;
}

export function buildFleet(app: App, fleet: FleetPlan): FleetStacks {
  const workspaces = new Map<string, WorkspaceStack>();
  for (const workspace of fleet.createdWorkspaces) {
    workspaces.set(workspace.name, new WorkspaceStack(app, { fleet, workspace: { ...workspace, create: workspace.create! } }));
  }
  const pairs = new Map<string, { scraper: ScraperStack; trust: TrustStack }>();
  for (const pair of fleet.pairs) {
    const scraper = new ScraperStack(app, { fleet, pair });
    const workspaceStack = workspaces.get(pair.workspace.name);
    if (workspaceStack) scraper.addDependency(workspaceStack);
    const trust = new TrustStack(app, { fleet, pair });
    trust.addDependency(scraper);
    pairs.set(pair.name, { scraper, trust });
  }
  return { workspaces, pairs };
}
