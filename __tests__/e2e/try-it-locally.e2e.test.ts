/**
 * README.md's "Try it locally" section, run verbatim: its `sandbox` blocks are extracted and fed, in order, to one bash
 * process (one terminal: `. .sandbox/env` carries over), in a fresh copy of the project (its tracked and new files,
 * node_modules linked) with a scratch HOME and none of this machine's AWS or Terraform settings. Each block's
 * outcome is checked, by its exit code and output and against the sandbox itself with the AWS SDK: the example
 * fleet deployed (every scraper ACTIVE), no changes planned, status healthy, a hand-made drift reported and
 * repaired, destroy leaving nothing, the sandbox stopped with no server left. A block the test does not know
 * fails it: a README change must say what its new command proves.
 * This file destroys scrapers on purpose (that is the README's last step): the provider waits 8 minutes once.
 */
import { spawn, execFileSync, type ChildProcessWithoutNullStreams } from 'child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'fs';
import { homedir, tmpdir } from 'os';
import * as path from 'path';
import { STSClient, AssumeRoleCommand } from '@aws-sdk/client-sts';
import { AmpClient, ListScrapersCommand, ListWorkspacesCommand } from '@aws-sdk/client-amp';
import { IAMClient, GetRoleCommand, ListRolesCommand } from '@aws-sdk/client-iam';
import { BASE_CREDENTIALS } from '../../lib/sandbox/fleet';
import { shellBlocks } from '../support/readme';

const ROOT = path.join(__dirname, '..', '..');
const ACCOUNTS = { 'workload-a': '111111111111', 'workload-b': '333333333333', observability: '222222222222' } as const;
const REGION = 'eu-west-1';
const MARKER = '__amp_xa_readme_block_done__';

/** One bash process fed one block at a time, like a user pasting into a terminal. */
class Terminal {
  private readonly bash: ChildProcessWithoutNullStreams;
  private stdout = '';
  private count = 0;

  constructor(
    readonly cwd: string,
    env: NodeJS.ProcessEnv,
    private readonly outDir: string,
  ) {
    this.bash = spawn('bash', ['--noprofile', '--norc'], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.bash.stdout.on('data', (d) => (this.stdout += d));
    this.bash.stderr.on('data', (d) => (this.stdout += d));
  }

  /** Runs a block verbatim in the shell (its stdin /dev/null), resolving to its last command's exit code and its output. */
  run(block: string): Promise<{ code: number; output: string }> {
    const out = path.join(this.outDir, `block-${++this.count}.log`);
    const marker = `${MARKER} ${this.count}`;
    return new Promise((resolve, reject) => {
      const check = () => {
        const m = new RegExp(`^${marker} (\\d+)$`, 'm').exec(this.stdout);
        if (!m) return;
        this.bash.stdout.off('data', check);
        this.bash.off('close', closed);
        resolve({ code: Number(m[1]), output: readFileSync(out, 'utf8').replace(/\u001b\[[0-9;]*[A-Za-z]/g, '') });
      };
      const closed = () => reject(new Error(`the shell ended during block ${this.count}:\n${this.stdout.slice(-2000)}`));
      this.bash.stdout.on('data', check);
      this.bash.once('close', closed);
      this.bash.stdin.write(`{\n${block}\n} >'${out}' 2>&1 </dev/null\necho "${marker} $?"\n`);
    });
  }

  close(): void {
    this.bash.stdin.end();
  }
}

let base: string;
let tree: string;
let terminal: Terminal;
let blocks: string[];
let failed = false;

const sandboxDir = () => path.join(tree, '.sandbox');
const sandboxState = () => JSON.parse(readFileSync(path.join(sandboxDir(), 'sandbox.json'), 'utf8'));
const alive = (pid: number | undefined) => {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** SDK clients as an account's deployer role, at the sandbox's endpoint (read from the running sandbox). */
async function as(account: string) {
  const endpoint: string = sandboxState().endpoint;
  const sts = new STSClient({ endpoint, region: REGION, credentials: BASE_CREDENTIALS });
  const { Credentials: c } = await sts.send(
    new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/amp-xa-deployer`, RoleSessionName: 'readme-check' }),
  );
  sts.destroy();
  const credentials = { accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken };
  return { amp: new AmpClient({ endpoint, region: REGION, credentials }), iam: new IAMClient({ endpoint, region: REGION, credentials }) };
}

async function scrapers(account: string) {
  const { amp, iam } = await as(account);
  try {
    return (await amp.send(new ListScrapersCommand({}))).scrapers ?? [];
  } finally {
    amp.destroy();
    iam.destroy();
  }
}

async function trustOf(account: string, role: string): Promise<any> {
  const { amp, iam } = await as(account);
  try {
    return JSON.parse(decodeURIComponent((await iam.send(new GetRoleCommand({ RoleName: role }))).Role!.AssumeRolePolicyDocument!));
  } finally {
    amp.destroy();
    iam.destroy();
  }
}

beforeAll(() => {
  base = mkdtempSync(path.join(tmpdir(), 'amp-xa-readme-'));
  tree = path.join(base, 'amp-xa');
  const home = path.join(base, 'home');
  const logs = path.join(base, 'logs');
  for (const d of [tree, home, logs]) mkdirSync(d);
  const tracked = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0');
  for (const file of tracked.filter(Boolean)) {
    // Regular files only (deleted ones are still in the index; a worktree may link another's node_modules).
    if (file.split('/').includes('node_modules') || !existsSync(path.join(ROOT, file)) || !lstatSync(path.join(ROOT, file)).isFile()) continue;
    mkdirSync(path.dirname(path.join(tree, file)), { recursive: true });
    copyFileSync(path.join(ROOT, file), path.join(tree, file));
  }
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(tree, 'node_modules'));
  blocks = shellBlocks(readFileSync(path.join(tree, 'README.md'), 'utf8'))
    .filter((b) => b.kind === 'sandbox')
    .map((b) => b.script);
  // A terminal of someone without AWS: no AWS_* or TF_* settings of this machine, a HOME of its own.
  const pyenv = process.env.PYENV_ROOT ?? path.join(homedir(), '.pyenv'); // pyenv's shims (moto_server, aws) find their Python there
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    LANG: process.env.LANG ?? 'C.UTF-8',
    npm_config_cache: path.join(base, 'npm-cache'),
    ...(existsSync(pyenv) ? { PYENV_ROOT: pyenv } : {}),
  };
  terminal = new Terminal(tree, env, logs);
});

afterAll(async () => {
  terminal?.close();
  // A failed run keeps its blocks' full output for a look (the failure message shows only their ends).
  if (failed && base) {
    const kept = `${base}-logs`;
    execFileSync('cp', ['-r', path.join(base, 'logs'), kept]);
    console.error(`try-it-locally: the blocks' output is in ${kept}`);
  }
  if (tree && existsSync(path.join(sandboxDir(), 'sandbox.json'))) {
    // A failed step left the sandbox up: stop it the documented way, so no server outlives the test.
    execFileSync(process.execPath, ['-r', './scripts/register.js', 'scripts/sandbox.ts', '--stop'], { cwd: tree, stdio: 'ignore' });
  }
  if (base) rmSync(base, { recursive: true, force: true });
});

/** What each block must do; the first whose pattern matches the block's text applies. */
const outcomes: Array<{ when: RegExp; check: (r: { code: number; output: string }) => Promise<void> }> = [
  {
    when: /npm run sandbox -- --background[\s\S]*\. \.sandbox\/env/,
    check: async (r) => {
      expect({ code: r.code, output: r.code ? r.output : '' }).toEqual({ code: 0, output: '' });
      const state = sandboxState();
      expect({ ready: state.ready, alive: alive(state.pid), moto: alive(state.motoPid) }).toEqual({ ready: true, alive: true, moto: true });
    },
  },
  {
    when: /update-assume-role-policy[\s\S]*npm run status/,
    check: async (r) => {
      expect({ code: r.code, tail: r.code === 2 ? '' : r.output.slice(-3000) }).toEqual({ code: 2, tail: '' });
      expect(r.output).toMatch(/^ {2}source-trust +PROBLEM +role amp-xa-prod-to-central-source: trust is not pinned/m);
      expect(r.output).toMatch(/^3 pairs: 2 healthy, 1 degraded, 0 unreadable -> degraded \(exit 2\)$/m);
      expect((await trustOf(ACCOUNTS['workload-a'], 'amp-xa-prod-to-central-source')).Statement[0].Condition).toBeUndefined();
    },
  },
  {
    when: /^npm run deploy -- --auto-approve[^\n]*\nnpm run status[^\n]*\n$/,
    check: async (r) => {
      expect({ code: r.code, tail: r.code ? r.output.slice(-3000) : '' }).toEqual({ code: 0, tail: '' });
      // The deploy planned every stack first (local state): the drifted trust is a change, so cdktf deploy ran.
      expect(r.output).toMatch(/^amp-xa: changes in [^\n]*fleet-trust[^\n]*: deploying with cdktf$/m);
      expect(r.output).toMatch(/^3 pairs: 3 healthy, 0 degraded, 0 unreadable -> healthy \(exit 0\)$/m);
      const scraper = (await scrapers(ACCOUNTS['workload-a'])).find((s) => s.alias === 'prod-to-central');
      const trust = await trustOf(ACCOUNTS['workload-a'], 'amp-xa-prod-to-central-source');
      expect(trust.Statement[0].Condition.ArnEquals['aws:SourceArn']).toBe(scraper!.arn);
    },
  },
  {
    when: /^npm run deploy -- --auto-approve[^\n]*\n$/,
    check: async (r) => {
      expect({ code: r.code, tail: r.code ? r.output.slice(-3000) : '' }).toEqual({ code: 0, tail: '' });
      // The first deploy: no state yet, so no plan-first step, straight to cdktf deploy.
      expect(r.output).toMatch(/^amp-xa: not deployed yet: [^\n]*: deploying with cdktf$/m);
      const all = [...(await scrapers(ACCOUNTS['workload-a'])), ...(await scrapers(ACCOUNTS['workload-b']))];
      expect(all.map((s) => [s.alias, s.status?.statusCode]).sort()).toEqual([
        ['prod-to-audit', 'ACTIVE'],
        ['prod-to-central', 'ACTIVE'],
        ['staging', 'ACTIVE'],
      ]);
      // Phase 2 ran: the trust is pinned to the scraper, not the sealed placeholder.
      const central = all.find((s) => s.alias === 'prod-to-central')!;
      expect((await trustOf(ACCOUNTS['workload-a'], 'amp-xa-prod-to-central-source')).Statement[0].Condition.ArnEquals['aws:SourceArn']).toBe(central.arn);
    },
  },
  {
    when: /^npm run diff[^\n]*\n$/,
    check: async (r) => {
      expect({ code: r.code, tail: r.code ? r.output.slice(-3000) : '' }).toEqual({ code: 0, tail: '' });
      expect(r.output).toMatch(/^plan-all: no-changes \(exit 0\)$/m);
    },
  },
  {
    when: /^npm run status[^\n]*\n$/,
    check: async (r) => {
      expect({ code: r.code, tail: r.code ? r.output.slice(-3000) : '' }).toEqual({ code: 0, tail: '' });
      expect(r.output).toMatch(/^3 pairs: 3 healthy, 0 degraded, 0 unreadable -> healthy \(exit 0\)$/m);
      expect(r.output).not.toMatch(/PROBLEM|ERROR/);
    },
  },
  {
    when: /^npm run destroy -- --auto-approve[^\n]*\n$/,
    check: async (r) => {
      expect({ code: r.code, tail: r.code ? r.output.slice(-3000) : '' }).toEqual({ code: 0, tail: '' });
      for (const account of Object.values(ACCOUNTS)) {
        expect({ account, scrapers: await scrapers(account) }).toEqual({ account, scrapers: [] });
        const { amp, iam } = await as(account);
        const roles = ((await iam.send(new ListRolesCommand({}))).Roles ?? []).map((role) => role.RoleName!).filter((n) => n.startsWith('amp-xa-'));
        const workspaces = ((await amp.send(new ListWorkspacesCommand({}))).workspaces ?? []).map((w) => w.alias);
        amp.destroy();
        iam.destroy();
        // What the sandbox made stays (deployer role, the existing workspace "central"); nothing amp-xa made does.
        expect({ account, roles, workspaces }).toEqual({
          account,
          roles: ['amp-xa-deployer'],
          workspaces: account === ACCOUNTS.observability ? ['central'] : [],
        });
      }
      // The sandbox config is .sandbox/fleet.json: fleet "fleet", its states in state/fleet/.
      const stateDir = path.join(sandboxDir(), 'state', 'fleet');
      const states = readdirSync(stateDir).filter((f) => f.endsWith('.tfstate'));
      expect(states.length).toBeGreaterThan(0);
      for (const file of states) {
        expect({ file, resources: JSON.parse(readFileSync(path.join(stateDir, file), 'utf8')).resources }).toEqual({ file, resources: [] });
      }
    },
  },
  {
    when: /^npm run sandbox -- --stop[^\n]*\n$/,
    check: async (r) => {
      expect({ code: r.code, output: r.code ? r.output : '' }).toEqual({ code: 0, output: '' });
      expect(existsSync(sandboxDir())).toBe(false);
      expect(stopped).toBeDefined();
      expect({ owner: alive(stopped!.pid), moto: alive(stopped!.motoPid) }).toEqual({ owner: false, moto: false });
      await expect(fetch(stopped!.endpoint)).rejects.toThrow();
    },
  },
];

/** The sandbox's pids and endpoint, kept from before its last block removes its directory. */
let stopped: { pid: number; motoPid: number; endpoint: string } | undefined;

test("the README's sandbox blocks are the ones this test knows", () => {
  expect(blocks.length).toBeGreaterThan(0);
  const unknown = blocks.filter((b) => !outcomes.some((o) => o.when.test(b)));
  expect(unknown).toEqual([]);
});

test('every block of "Try it locally", run verbatim in one shell, does what the README says', async () => {
  for (const [i, block] of blocks.entries()) {
    const outcome = outcomes.find((o) => o.when.test(block))!;
    if (/--stop/.test(block) && existsSync(path.join(sandboxDir(), 'sandbox.json'))) stopped = sandboxState();
    const result = await terminal.run(block);
    try {
      await outcome.check(result);
    } catch (e) {
      failed = true;
      // The first error lines too: cdktf ends a failed deploy with the other stacks' plans and an AbortError.
      const errors = result.output
        .split('\n')
        .filter((line) => /\b(Error|error|failed)\b/.test(line))
        .slice(0, 30)
        .join('\n');
      (e as Error).message =
        `README "Try it locally" block ${i + 1}:\n${block}\n${(e as Error).message}\n--- its first error lines ---\n${errors}\n` +
        `--- its output (end) ---\n${result.output.slice(-3000)}`;
      throw e;
    }
  }
});
