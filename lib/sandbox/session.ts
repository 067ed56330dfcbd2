/**
 * One running sandbox: moto and the scraper emulator on 127.0.0.1, the fleet's prerequisites created in moto, and
 * the files of its directory (see env.ts `files`). `sandbox.json` there says which process owns it, so another
 * `npm run sandbox` can run a command in it or stop it; stop() leaves no server and no directory behind.
 */
import { spawnSync } from 'child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'fs';
import * as path from 'path';
import { loadFleetConfig } from '../config/load';
import { ScraperEmulator } from './scraper/emulator';
import { findMoto, startMoto, type RunningMoto } from './moto';
import { awsConfigFile, sandboxFleetConfig, sandboxNeeds, scrapeConfigFiles } from './fleet';
import { files, parseExports, renderEnvFile, sandboxEnvironment, type SandboxEnvironment } from './env';
import { provision } from './provision';

const ROOT = path.join(__dirname, '..', '..');

/** What sandbox.json holds. */
export interface SandboxState {
  /** The process that owns the sandbox (stopping it stops everything). */
  readonly pid: number;
  /** moto's process (its own process group): stopped by --stop even if the owner died without cleaning up. */
  readonly motoPid?: number;
  readonly ready: boolean;
  readonly endpoint?: string;
  readonly config?: string;
  readonly env?: SandboxEnvironment;
}

export function readState(dir: string): SandboxState | undefined {
  try {
    return JSON.parse(readFileSync(files(dir).state, 'utf8')) as SandboxState;
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function writeState(dir: string, state: SandboxState): void {
  const file = files(dir).state;
  // Atomic: a reader polling for `ready` never sees half a file.
  writeFileSync(`${file}.tmp`, JSON.stringify(state, null, 2));
  renameSync(`${file}.tmp`, file);
}

export interface Session {
  readonly dir: string;
  readonly env: SandboxEnvironment;
  readonly endpoint: string;
  /** The warning line about moto's version, if any. */
  readonly warning?: string;
  stop(): Promise<void>;
}

/** The offline provider mirror's Terraform settings, or none (Terraform then uses the registry). */
function offlineTerraform(dir: string): { env: Record<string, string>; note?: string } {
  const r = spawnSync(path.join(ROOT, 'scripts', 'offline-terraform.sh'), [dir], { encoding: 'utf8' });
  if (r.status === 0) return { env: parseExports(r.stdout) };
  return { env: {}, note: `sandbox: no offline provider mirror (${(r.stderr || '').trim().split('\n')[0]}); Terraform will use the registry` };
}

/**
 * Starts a sandbox in `dir` (emptied first, but for `keep`) for the fleet config `configFile`, owned by this process.
 * Everything started is stopped again if a later step fails.
 */
export async function startSession(options: { dir: string; config: string; keep?: string[]; log?: (line: string) => void }): Promise<Session> {
  const dir = path.resolve(options.dir);
  const configFile = path.resolve(options.config);
  const log = options.log ?? (() => undefined);
  // Validate before starting anything: a bad config is said once, as every amp-xa command says it.
  const plan = loadFleetConfig(configFile);
  const raw = JSON.parse(readFileSync(configFile, 'utf8'));
  const needs = sandboxNeeds(plan, raw);
  const moto = findMoto();
  if (moto.warning) log(moto.warning);

  mkdirSync(dir, { recursive: true });
  for (const entry of readdirSync(dir)) if (!options.keep?.includes(entry)) rmSync(path.join(dir, entry), { recursive: true, force: true });
  const f = files(dir);
  let running: RunningMoto | undefined;
  let emulator: ScraperEmulator | undefined;
  const stop = async () => {
    await emulator?.stop();
    await running?.stop();
    const state = readState(dir);
    if (!state || state.pid === process.pid) rmSync(dir, { recursive: true, force: true });
  };
  try {
    running = await startMoto(moto.path);
    writeState(dir, { pid: process.pid, motoPid: running.pid, ready: false });
    emulator = new ScraperEmulator({ motoUrl: running.url, transitionMs: 3000 });
    const endpoint = await emulator.start();
    const terraform = offlineTerraform(f.terraform);
    if (terraform.note) log(terraform.note);
    // Through the emulator: it keeps what moto drops (an EKS cluster's accessConfig, which the preflight reads).
    const provisioned = await provision(endpoint, needs);

    const schema = path.relative(dir, path.join(ROOT, 'amp-xa.schema.json'));
    const config = sandboxFleetConfig(raw, needs, provisioned, { stateDir: f.stateDir, schema });
    writeFileSync(f.config, `${JSON.stringify(config, null, 2)}\n`);
    for (const file of scrapeConfigFiles(raw)) {
      // loadFleetConfig checked each one lies inside the config's folder: the same relative path works here.
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      copyFileSync(path.join(path.dirname(configFile), file), path.join(dir, file));
    }
    const region = needs.accounts[0]?.region ?? 'us-east-1';
    writeFileSync(f.awsConfig, awsConfigFile(needs, region, provisioned.sessions));
    writeFileSync(f.credentials, '# amp-xa sandbox: no credentials here (they are in aws-config); this file keeps yours out.\n');
    mkdirSync(f.stateDir, { recursive: true });
    const env = sandboxEnvironment({ endpoint, dir, region, terraform: terraform.env });
    writeFileSync(
      f.env,
      renderEnvFile(env, [`amp-xa sandbox (pid ${process.pid}) for ${configFile}`, `use it: . ${path.relative(process.cwd(), f.env) || f.env}`]),
    );
    writeState(dir, { pid: process.pid, motoPid: running.pid, ready: true, endpoint, config: configFile, env });
    return { dir, env, endpoint, warning: moto.warning, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
