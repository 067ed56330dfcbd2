/** The app's synthesis for plan-all and the deploy's plan-first step, without cdktf-cli where it is not needed. */
import { spawn } from 'child_process';
import { readFileSync } from 'fs';
import * as path from 'path';
import type { Options } from './options';

const ROOT = path.join(__dirname, '..', '..');

/** The `app` command of the project's cdktf.json: what `cdktf synth` runs. */
function appCommand(): string | undefined {
  try {
    const app = JSON.parse(readFileSync('cdktf.json', 'utf8')).app;
    return typeof app === 'string' && app ? app : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Synthesizes by running the project's app command directly, as `cdktf synth` does, without the seconds of
 * cdktf-cli's own start-up; `CDKTF` (a cdktf command) makes it go through cdktf-cli instead.
 */
export function runSynth(options: Pick<Options, 'outdir'>, env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  const app = env.CDKTF ? undefined : appCommand();
  const cdktf = env.CDKTF || path.join(ROOT, 'node_modules', '.bin', 'cdktf');
  const [command, ...args] = app ? ['/bin/sh', '-c', app] : [...cdktf.split(' ').filter(Boolean), 'synth', '--output', options.outdir];
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(command, args, {
      env: { ...env, CI: 'true', FORCE_COLOR: '0', CDKTF_OUTDIR: path.resolve(options.outdir) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', (e) => resolve({ code: 127, output: `cannot run ${cdktf}: ${e.message}` }));
    child.on('close', (c) => resolve({ code: c ?? 1, output }));
  });
}
