/** The deploy benchmark's preflight-cost measurement plans the phase-1 stack without the preflight, and only without it. */
import { exampleConfig, synthFleet } from './support/fleet';
import { withoutPreflight } from '../scripts/bench/preflight-cost';

const stack = synthFleet(exampleConfig()).json['fleet-scrapers'];
const stripped = withoutPreflight(stack);

test('the preflight data sources, locals and the gate dependency are gone', () => {
  expect(Object.keys(stack.data.aws_eks_cluster ?? {}).length).toBeGreaterThan(0);
  expect(JSON.stringify(stripped)).not.toMatch(/(data\.\w+\.|local\.)preflight_/);
  expect(Object.keys(stripped.data).join()).not.toContain('preflight');
  expect(stripped.data.aws_eks_cluster).toBeUndefined();
  expect(stripped.data.aws_partition).toBeUndefined();
});

test('everything else is as synthesized: resources, outputs, providers, the own-state read', () => {
  const dropDependsOn = (resources: Record<string, Record<string, any>>) =>
    Object.fromEntries(
      Object.entries(resources).map(([t, blocks]) => [t, Object.fromEntries(Object.entries(blocks).map(([n, { depends_on: _, ...b }]) => [n, b]))]),
    );
  expect(dropDependsOn(stripped.resource)).toEqual(dropDependsOn(stack.resource));
  expect(stripped.output).toEqual(stack.output);
  expect(stripped.provider).toEqual(stack.provider);
  expect(stripped.data.terraform_remote_state).toEqual(stack.data.terraform_remote_state);
  const scrapers = Object.values<any>(stripped.resource.aws_prometheus_scraper);
  expect(scrapers.every((s) => (s.depends_on ?? []).every((d: string) => !d.includes('preflight')))).toBe(true);
});
