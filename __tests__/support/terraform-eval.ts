/**
 * Evaluates HCL expressions with real Terraform (built-ins only: `terraform apply` of a root of locals and outputs),
 * for tests of expressions amp-xa synthesizes: the data sources they read are stood in for by locals.
 */
import { spawnSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { interpolation } from '../../lib/terraform-expr';

/** Applies a root with `locals` (Terraform JSON values) and `outputs` (HCL expressions); returns each output's value. */
export function evaluate(locals: Record<string, unknown>, outputs: Record<string, string>, variables: Record<string, unknown> = {}): Record<string, unknown> {
  const dir = mkdtempSync(path.join(tmpdir(), 'amp-xa-eval-'));
  try {
    const output = Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, { value: interpolation(v) }]));
    const variable = Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, { default: v }]));
    writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify({ locals, output, ...(Object.keys(variable).length ? { variable } : {}) }));
    const env = { ...process.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' };
    const apply = spawnSync('terraform', ['apply', '-auto-approve', '-input=false', '-no-color'], { cwd: dir, env, encoding: 'utf8' });
    if (apply.status !== 0) throw new Error(apply.stdout + apply.stderr);
    const out = spawnSync('terraform', ['output', '-json'], { cwd: dir, env, encoding: 'utf8' });
    return Object.fromEntries(Object.entries<{ value: unknown }>(JSON.parse(out.stdout)).map(([k, v]) => [k, v.value]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
