/**
 * A Mermaid flowchart of a fleet: one box per account, with its clusters, scrapers, roles and
 * workspaces, and the trust chain of every pair (scraper -> Source -> Target -> workspace).
 */
import type { AccountRef, FleetPlan } from './config/fleet';

const id = (...parts: string[]) => parts.join('_').replace(/[^A-Za-z0-9_]/g, '_');
const label = (text: string) => `"${text.replace(/"/g, '#quot;')}"`;

export function fleetDiagram(fleet: FleetPlan): string {
  const accounts = new Map<string, { account: AccountRef; nodes: string[] }>();
  const box = (account: AccountRef) => {
    if (!accounts.has(account.id)) accounts.set(account.id, { account, nodes: [] });
    return accounts.get(account.id)!.nodes;
  };
  const seen = new Set<string>();
  const node = (account: AccountRef, nodeId: string, text: string) => {
    if (seen.has(nodeId)) return;
    seen.add(nodeId);
    box(account).push(`    ${nodeId}[${label(text)}]`);
  };
  const edges: string[] = [];
  for (const pair of fleet.pairs) {
    const cluster = id('cluster', pair.cluster.name);
    const workspace = id('workspace', pair.workspace.name);
    const scraper = id('scraper', pair.name);
    const source = id('source', pair.name);
    const target = id('target', pair.name);
    node(pair.source, cluster, `EKS ${pair.cluster.name}`);
    node(pair.source, scraper, `scraper ${pair.alias}`);
    node(pair.source, source, `role ${pair.sourceRoleName}`);
    node(pair.target, target, `role ${pair.targetRoleName}`);
    node(pair.target, workspace, `AMP workspace ${pair.workspace.name}${pair.workspace.kind === 'created' ? ' (created)' : ''}`);
    edges.push(
      `  ${scraper} -- scrapes --> ${cluster}`,
      `  ${scraper} -- assumes --> ${source}`,
      `  ${source} -- "assumes (ExternalId = scraper ARN)" --> ${target}`,
      `  ${target} -- remote-writes --> ${workspace}`,
    );
  }
  const lines = ['flowchart LR'];
  for (const { account, nodes } of accounts.values()) {
    lines.push(`  subgraph ${id('account', account.id)}[${label(`${account.name} ${account.id} ${account.region}`)}]`, ...nodes, '  end');
  }
  return `${[...lines, ...edges].join('\n')}\n`;
}
