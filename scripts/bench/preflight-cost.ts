/**
 * What the plan-time preflight adds to a no-change plan: the phase-1 stack's `terraform plan` as synthesized, and
 * the same stack with the preflight taken out (its data sources, its locals, the scrapers' dependency on its gate),
 * alternately in the same directory, state and providers. The stack's own file is restored after, also on errors.
 */
import { readFileSync, renameSync, writeFileSync } from 'fs';
import * as path from 'path';
import { measure, type Measurement } from './measure';

const PREFLIGHT = /(^|[./])preflight_/;

/** The stack's Terraform JSON without the preflight (pure; the stack must still plan the same resources). */
export function withoutPreflight(stack: Record<string, any>): Record<string, any> {
  const out = JSON.parse(JSON.stringify(stack));
  for (const [type, blocks] of Object.entries<Record<string, any>>(out.data ?? {})) {
    for (const name of Object.keys(blocks)) if (PREFLIGHT.test(name)) delete blocks[name];
    if (!Object.keys(blocks).length) delete out.data[type];
  }
  for (const name of Object.keys(out.locals ?? {})) if (PREFLIGHT.test(name)) delete out.locals[name];
  for (const blocks of Object.values<Record<string, any>>(out.resource ?? {})) {
    for (const block of Object.values<any>(blocks)) {
      if (!Array.isArray(block.depends_on)) continue;
      block.depends_on = block.depends_on.filter((d: string) => !PREFLIGHT.test(d));
      if (!block.depends_on.length) delete block.depends_on;
    }
  }
  if (/(data\.\w+\.|local\.)preflight_/.test(JSON.stringify(out))) throw new Error('preflight-cost: a reference to the preflight is left in the stack');
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Median wall seconds of `runs` plans each way (and the last of each, for memory); every plan must change nothing. */
export async function preflightCost(
  stackDir: string,
  env: NodeJS.ProcessEnv,
  runs: number,
): Promise<{ with: Measurement; without: Measurement; seconds: { with: number; without: number } }> {
  const file = path.join(stackDir, 'cdk.tf.json');
  const original = readFileSync(file, 'utf8');
  const stripped = JSON.stringify(withoutPreflight(JSON.parse(original)), null, 2);
  const backup = `${file}.with-preflight`;
  renameSync(file, backup);
  const times = { with: [] as number[], without: [] as number[] };
  const last: { with?: Measurement; without?: Measurement } = {};
  try {
    for (let i = 0; i < runs; i++) {
      for (const side of ['with', 'without'] as const) {
        writeFileSync(file, side === 'with' ? original : stripped);
        const m = await measure('terraform', ['plan', '-input=false', '-no-color', '-detailed-exitcode'], { cwd: stackDir, env });
        if (m.code !== 0)
          throw new Error(`preflight-cost: terraform plan (${side} preflight) exited ${m.code} (0 = no changes expected):\n${m.output.slice(-3000)}`);
        times[side].push(m.seconds);
        last[side] = m;
      }
    }
  } finally {
    renameSync(backup, file);
  }
  return { with: last.with!, without: last.without!, seconds: { with: median(times.with), without: median(times.without) } };
}
