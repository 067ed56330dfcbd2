import { readFileSync } from 'fs';
import * as path from 'path';
import { fleetDiagram } from '../lib/diagram';
import { exampleConfig, plan } from './support/fleet';

const fleet = plan(exampleConfig('fleet.json'));
const diagram = fleetDiagram(fleet);

test('one subgraph per account, holding what lives there', () => {
  const blocks = diagram
    .split('  subgraph ')
    .slice(1)
    .map((b) => b.split('\n  end')[0]);
  expect(blocks.map((b) => b.split('[')[0])).toEqual(['account_111111111111', 'account_222222222222', 'account_333333333333']);
  expect(blocks[0]).toContain('cluster_prod_eks["EKS prod-eks"]');
  expect(blocks[0]).toContain('source_prod_to_audit["role amp-xa-prod-to-audit-source"]');
  expect(blocks[1]).toContain('workspace_audit["AMP workspace audit (created)"]');
  expect(blocks[1]).toContain('target_staging_to_central["role amp-xa-staging-to-central-target"]');
  expect(blocks[2]).toContain('scraper_staging_to_central["scraper staging"]');
});

test('each pair draws its whole trust chain; shared nodes appear once', () => {
  expect(diagram).toContain('  source_staging_to_central -- "assumes (ExternalId = scraper ARN)" --> target_staging_to_central\n');
  expect(diagram).toContain('  target_staging_to_central -- remote-writes --> workspace_central\n');
  expect(diagram.match(/workspace_central\[/g)).toHaveLength(1);
  expect(diagram.match(/ -- /g)).toHaveLength(4 * fleet.pairs.length);
});

test('docs/how-it-works.md shows the current diagram of examples/fleet.json', () => {
  const readme = readFileSync(path.join(__dirname, '..', 'docs', 'how-it-works.md'), 'utf8');
  expect(readme).toContain('```mermaid\n' + diagram + '```');
});
