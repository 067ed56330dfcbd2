/**
 * Builds every stack of a fleet into an app and declares their order: workspace -> scraper -> trust.
 * The dependencies are explicit because phase 2 reads phase 1 through a remote-state data source
 * (lib/backend.ts, stackOutputs), which cdktf does not see as a cross-stack reference.
 */
import { App, type TerraformStack } from 'cdktf';
import './terraform-version-check';
import { ConfigError, quotaWarnings, type FleetPlan } from './config/fleet';
import { loadFleetConfig } from './config/load';
import { fleetStackNames } from './config/plan';
import * as path from 'path';
import { legacyLocalStates, localOrphans } from './orphans';
import { claimStackDirectory } from './stack-dirs';
import { ScraperStack } from '../stacks/scraper-stack';
import { TrustStack } from '../stacks/trust-stack';
import { WorkspaceStack } from '../stacks/workspace-stack';

export interface FleetStacks {
  /** By workspace name. */
  readonly workspaces: Map<string, WorkspaceStack>;
  /** By unit name. */
  readonly units: Map<string, { scraper: ScraperStack; trust: TrustStack }>;
  /** Every stack, in dependency order. */
  readonly all: TerraformStack[];
}

export function buildFleet(app: App, fleet: FleetPlan): FleetStacks {
  const workspaces = new Map(fleet.createdWorkspaces.map((workspace) => [workspace.name, new WorkspaceStack(app, { fleet, workspace })]));
  const units = new Map<string, { scraper: ScraperStack; trust: TrustStack }>();
  for (const unit of fleet.units) {
    const scraper = new ScraperStack(app, { fleet, unit });
    for (const name of new Set(unit.pairs.map((p) => p.workspace.name))) {
      const workspaceStack = workspaces.get(name);
      if (workspaceStack) scraper.addDependency(workspaceStack);
    }
    const trust = new TrustStack(app, { fleet, unit });
    trust.addDependency(scraper);
    units.set(unit.name, { scraper, trust });
  }
  // A unit forgets what moved out only after the new unit imported it (from the old unit's state).
  for (const unit of fleet.units) {
    const old = units.get(unit.name)!;
    const moved = unit.movedOut.map((pair) => ({ pair, built: units.get(pair.source.unit)!.scraper.pairs.get(pair.name)! }));
    old.scraper.forgetMoved(moved, fleet);
    for (const to of new Set(unit.movedOut.map((p) => p.source.unit))) old.scraper.addDependency(units.get(to)!.scraper);
  }
  const all = dependencyOrder([...workspaces.values(), ...[...units.values()].flatMap((u) => [u.scraper, u.trust])]);
  return { workspaces, units, all };
}

/** Stacks with every stack after those it depends on, otherwise in the order given (stable). */
function dependencyOrder(stacks: TerraformStack[]): TerraformStack[] {
  const ordered: TerraformStack[] = [];
  const placed = new Set<TerraformStack>();
  const place = (stack: TerraformStack) => {
    if (placed.has(stack)) return;
    placed.add(stack);
    stack.dependencies.forEach(place);
    ordered.push(stack);
  };
  stacks.forEach(place);
  return ordered;
}

/**
 * What `cdktf synth` runs: load and check the config, then build and synthesize every stack.
 * An invalid config returns 1 before any App exists, so nothing is written to the output directory.
 */
export function synthFleetApp(options: { configPath?: string; outdir?: string; log?: (line: string) => void } = {}): number {
  const log = options.log ?? ((line: string) => console.error(line));
  // cdktf prints every line its app writes to stderr as "[ERROR] default - <time>": warnings go to stdout, which
  // it prints as written. An invalid config stays on stderr (cdktf repeats a failed app's output in its own block).
  const warn = options.log ?? ((line: string) => console.log(line));
  let fleet: FleetPlan;
  try {
    fleet = loadFleetConfig(options.configPath);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    log(e.message);
    return 1;
  }
  for (const warning of quotaWarnings(fleet)) warn(`amp-xa warning: ${warning}`);
  const stackNames = fleetStackNames(fleet);
  if (fleet.backend.type === 'local' && fleet.configuredBackend.type === 'local') {
    const moves = legacyLocalStates(fleet.configuredBackend.directory, fleet.backend.directory, stackNames);
    // Deploying without them would try to create again what they hold: nothing is synthesized until they move.
    if (moves.length) {
      for (const line of moves) log(`amp-xa: ${line}`);
      return 1;
    }
  }
  const app = new App(options.outdir ? { outdir: options.outdir } : {});
  buildFleet(app, fleet);
  app.synth();
  for (const name of stackNames) claimStackDirectory(path.join(app.outdir, 'stacks', name), fleet.fleet);
  // A state left by a stack the app no longer has holds resources no deploy will touch: say so on every synth.
  // S3 and Terraform Cloud states need credentials to list; the plan-all script reports those.
  if (fleet.backend.type === 'local') {
    for (const line of localOrphans(fleet.backend.directory, stackNames)) warn(`amp-xa warning: ${line}`);
  }
  return 0;
}
