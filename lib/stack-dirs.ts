/**
 * A synthesized stack's working directory (`<outdir>/stacks/<stack>`) outlives a synth: Terraform keeps its
 * backend settings there (`.terraform/terraform.tfstate`, settings only, never state). Two fleets in one checkout
 * share the output directory and, with the same unit names, the stack directories: after a deploy of one, the
 * other's `terraform init` would stop at "Backend configuration changed" (or offer to copy one fleet's state
 * into the other's). So each directory records the fleet it was last synthesized for, and a synth for another
 * fleet drops the backend settings there, and nothing else, so init starts afresh on this fleet's backend. A
 * backend changed within one fleet (a deliberate migration) keeps Terraform's own migration prompt.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'fs';
import * as path from 'path';

const MARKER = '.amp-xa-fleet';

export function claimStackDirectory(stackDir: string, fleet: string): void {
  const marker = path.join(stackDir, MARKER);
  let previous: string | undefined;
  try {
    previous = readFileSync(marker, 'utf8').trim();
  } catch {
    previous = undefined;
  }
  if (previous !== fleet) {
    // A directory from before fleets were recorded has no marker: its backend settings may be another fleet's too.
    rmSync(path.join(stackDir, '.terraform', 'terraform.tfstate'), { force: true });
  }
  if (existsSync(stackDir)) writeFileSync(marker, `${fleet}\n`);
}

/**
 * Where `npm run synth` and `cdktf deploy` put the synthesized app, for the commands that read it afterwards
 * (deploy's plan-first and hints, recover, status): cdktf.json's `output` in `projectDir`, else cdktf.out.
 */
export function synthesizedAppDir(projectDir = '.'): string {
  try {
    const output = JSON.parse(readFileSync(path.join(projectDir, 'cdktf.json'), 'utf8')).output;
    return typeof output === 'string' && output ? path.join(projectDir, output) : path.join(projectDir, 'cdktf.out');
  } catch {
    return path.join(projectDir, 'cdktf.out');
  }
}
