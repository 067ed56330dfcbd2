/**
 * moto, the AWS emulator the sandbox and the end-to-end suite run on (IAM, STS, S3, EKS, EC2, AMP workspaces).
 * It is a Python package, so amp-xa cannot install it: it is found on PATH, its version checked against the one
 * amp-xa is tested with, and a missing or different one is named in one line with the exact install command.
 */
import { spawn, spawnSync, type ChildProcess } from 'child_process';
import { readFileSync } from 'fs';
import { createServer } from 'net';

/** The moto release the sandbox and the end-to-end suite are tested with. */
export const TESTED_MOTO_VERSION = '5.2.1';
export const MOTO_INSTALL = `pip install 'moto[server]==${TESTED_MOTO_VERSION}'`;

export class SandboxError extends Error {}

function onPath(command: string, env: NodeJS.ProcessEnv): string | undefined {
  const found = spawnSync('/bin/sh', ['-c', 'command -v "$1"', 'sh', command], { encoding: 'utf8', env });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

/**
 * The version of the moto that `moto_server` runs: its script's Python interpreter (the shebang) imports moto;
 * a wrapper without one (pyenv's shims) is asked through `python3`. Undefined when neither says.
 */
export function motoVersion(motoServer: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  let python = 'python3';
  try {
    const shebang = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(readFileSync(motoServer, 'utf8').split('\n', 1)[0]);
    if (shebang && /python/.test(shebang[2] ?? shebang[1])) python = shebang[2] && /env$/.test(shebang[1]) ? shebang[2] : shebang[1];
  } catch {
    /* unreadable: ask python3 */
  }
  const asked = spawnSync(python, ['-c', 'import moto; print(moto.__version__)'], { encoding: 'utf8', env });
  return asked.status === 0 ? asked.stdout.trim() : undefined;
}

/**
 * moto_server on `env`'s PATH, or a SandboxError naming what to install; a warning line when its version is not
 * the tested one.
 */
export function findMoto(env: NodeJS.ProcessEnv = process.env): { path: string; warning?: string } {
  const found = onPath('moto_server', env);
  if (!found) throw new SandboxError(`sandbox: moto_server is not on PATH; install moto ${TESTED_MOTO_VERSION}: ${MOTO_INSTALL}`);
  const version = motoVersion(found, env);
  if (version === TESTED_MOTO_VERSION) return { path: found };
  return {
    path: found,
    warning: `sandbox: moto ${version ?? '(version unknown)'} at ${found} is not the tested ${TESTED_MOTO_VERSION}; if anything fails, install it: ${MOTO_INSTALL}`,
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * The caller's environment without its AWS settings: moto runs boto3 inside, and a profile of the caller's
 * (AWS_PROFILE naming a profile moto's config file does not hold) turns its EC2 and EKS creates into 500s.
 */
export function motoEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !key.startsWith('AWS_')));
}

export interface RunningMoto {
  readonly url: string;
  /** Its process ID, also its process group's (it runs detached). */
  readonly pid?: number;
  stop(): Promise<void>;
}

/** Starts moto on 127.0.0.1 in its own process group and waits until it answers (bounded). */
export async function startMoto(motoServer: string, options: { awsManagedPolicies?: boolean; timeoutMs?: number } = {}): Promise<RunningMoto> {
  const port = await freePort();
  const child: ChildProcess = spawn(motoServer, ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: 'ignore',
    detached: true,
    env: { ...motoEnvironment(process.env), MOTO_IAM_LOAD_MANAGED_POLICIES: options.awsManagedPolicies ? 'true' : 'false' },
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (!child.pid || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const signal = (s: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, s);
      } catch {
        /* already gone */
      }
    };
    signal('SIGTERM');
    const killed = setTimeout(() => signal('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killed);
  };
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  for (;;) {
    if (child.exitCode !== null) throw new SandboxError(`sandbox: moto_server exited with code ${child.exitCode} before answering`);
    try {
      if ((await fetch(`${url}/moto-api/`)).ok) return { url, pid: child.pid, stop };
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new SandboxError(`sandbox: moto_server did not answer on ${url} within ${Math.round((options.timeoutMs ?? 120_000) / 1000)} s`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
