/**
 * `npm run sandbox`: amp-xa against local emulated AWS (moto + the AMP scraper emulator), no account needed.
 * See SANDBOX_USAGE (lib/sandbox/options.ts) for the modes; lib/sandbox/ does the work.
 */
import * as path from 'path';
import { UsageError } from '../lib/cli-options';
import { ConfigError } from '../lib/config/fleet';
import { alreadyRunning, DETACHED_ENV, runCommand, runningSandbox, startBackground, stopSandbox } from '../lib/sandbox/control';
import { applyEnvironment, files, renderEnvFile } from '../lib/sandbox/env';
import { SandboxError } from '../lib/sandbox/moto';
import { DEFAULT_SANDBOX_CONFIG, parseSandboxArgs, SANDBOX_USAGE } from '../lib/sandbox/options';
import { startSession, type Session } from '../lib/sandbox/session';

const say = (line: string) => console.error(line);

const ROOT = path.join(__dirname, '..');

/**
 * Resolves on the first SIGINT, SIGTERM or SIGHUP. Installed before anything starts and kept (a second Ctrl-C
 * while stopping is ignored), so no signal kills this process between starting moto and stopping it.
 */
function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, () => resolve(s));
  });
}

async function session(dir: string, config: string): Promise<Session> {
  const running = await runningSandbox(dir);
  if (running) throw alreadyRunning(dir, running);
  return startSession({ dir, config, keep: process.env[DETACHED_ENV] ? [path.basename(files(dir).log)] : [], log: say });
}

async function main(argv: string[]): Promise<number> {
  const options = parseSandboxArgs(argv);
  const dir = path.resolve(options.dir);
  const rel = path.relative(process.cwd(), dir) || dir;
  const config = options.config ?? path.join(ROOT, DEFAULT_SANDBOX_CONFIG);
  switch (options.mode) {
    case 'help':
      process.stdout.write(`${SANDBOX_USAGE}\n`);
      return 0;
    case 'stop':
      say(await stopSandbox(dir));
      return 0;
    case 'background': {
      const state = await startBackground({ dir, config, log: say });
      say(`sandbox: running in the background (pid ${state.pid}) at ${state.endpoint}, for ${path.relative(process.cwd(), state.config!)}`);
      say(`sandbox: use it in this shell: . ${rel}/env   stop it: npm run sandbox -- --stop`);
      return 0;
    }
    case 'run': {
      const running = await runningSandbox(dir);
      if (running?.ready && running.env) {
        if (options.config && path.resolve(options.config) !== running.config) {
          throw new SandboxError(
            `sandbox: the one running in ${rel} is for ${running.config}, not ${options.config}; stop it first: npm run sandbox -- --stop`,
          );
        }
        return runCommand(options.command, applyEnvironment(process.env, running.env));
      }
      let signalled = false;
      void stopSignal().then(() => (signalled = true));
      const s = await session(dir, config);
      try {
        // Interrupted while starting: stop without running the command (a shell's code for SIGINT).
        return signalled ? 130 : await runCommand(options.command, applyEnvironment(process.env, s.env));
      } finally {
        await s.stop();
      }
    }
    case 'foreground': {
      const stopped = stopSignal();
      const s = await session(dir, config);
      process.stdout.write(renderEnvFile(s.env, [`amp-xa sandbox at ${s.endpoint}: in another shell, . ${rel}/env (or npm run sandbox -- <command>)`]));
      say(`sandbox: ready (pid ${process.pid}); Ctrl-C stops it`);
      const signal = await stopped;
      say(`sandbox: ${signal}: stopping`);
      await s.stop();
      say('sandbox: stopped; moto and the emulator are gone');
      return 0;
    }
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    if (e instanceof UsageError) console.error(`${e.message}\n${SANDBOX_USAGE}`);
    else if (e instanceof ConfigError || e instanceof SandboxError) console.error(e.message);
    else console.error(e);
    process.exit(1);
  },
);
