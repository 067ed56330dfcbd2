/**
 * End-to-end harness: moto (IAM, STS, S3, AMP workspaces) behind the scraper emulator, real Terraform
 * with the AWS provider from the offline mirror, and `cdktf deploy` of a fleet in a scratch directory.
 * Child processes run asynchronously: the emulator lives in this process and must keep answering.
 */
import { spawn, execFile } from 'child_process';
import { accessSync, constants as fsConstants, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { ScraperEmulator } from '../../lib/sandbox/scraper/emulator';

const ROOT = path.join(__dirname, '..', '..');
const execFileAsync = promisify(execFile);

export interface RunResult {
  code: number;
  output: string;
}

import { freePort } from '../../lib/sandbox/moto';
export { freePort };

/** Runs a command to completion without blocking the event loop; never throws on a non-zero exit. */
export function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', (e) => resolve({ code: 127, output: output + String(e) }));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

const stripAnsi = (text: string) => text.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');

export class E2eEnvironment {
  /** Made by start(), so a constructed but never started environment (a filtered run) leaves nothing behind. */
  workDir = '';
  configPath = '';
  emulator!: ScraperEmulator;
  private moto?: ReturnType<typeof spawn>;
  /** The environment every command of the run gets: offline Terraform, emulated AWS endpoint, base credentials. */
  baseEnv: NodeJS.ProcessEnv = {};

  /** The environment of the test's own AWS CLI calls (a user's shell): baseEnv with the full PATH. */
  cliEnv: NodeJS.ProcessEnv = {};

  /**
   * `awsManagedPolicies`: moto loads AWS's managed policies (slower IAM start; only the adoption test needs them).
   * `scraperTransitionMs`: how long the emulator keeps a scraper CREATING/UPDATING/DELETING (default 1.5 s).
   * `withoutAwsCliOrPython` (default true): cdktf, Terraform and the finalizers get a PATH with no `aws` and no Python
   * (as on an HCP Terraform worker, which promises neither); the test's own setup still uses the AWS CLI (`cliEnv`).
   */
  constructor(
    private fleetConfig: unknown,
    private readonly options: { awsManagedPolicies?: boolean; scraperTransitionMs?: number; withoutAwsCliOrPython?: boolean } = {},
  ) {}

  /** Replaces the fleet config the next cdktf command reads (a user editing their config file). */
  writeConfig(config: unknown): void {
    this.fleetConfig = config;
    writeFileSync(this.configPath, JSON.stringify(config, null, 2));
  }

  async start(): Promise<void> {
    this.workDir = mkdtempSync(path.join(tmpdir(), 'amp-xa-e2e-'));
    this.configPath = path.join(this.workDir, 'fleet.json');
    const motoPort = await freePort();
    this.moto = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(motoPort)], {
      stdio: 'ignore',
      detached: true,
      env: { ...process.env, MOTO_IAM_LOAD_MANAGED_POLICIES: this.options.awsManagedPolicies ? 'true' : 'false' },
    });
    const motoUrl = `http://127.0.0.1:${motoPort}`;
    await waitFor(async () => (await fetch(`${motoUrl}/moto-api/`)).ok, 'moto_server to answer');
    this.emulator = new ScraperEmulator({ motoUrl, transitionMs: this.options.scraperTransitionMs ?? 1500 });
    const endpoint = await this.emulator.start();

    const mirror = await run(path.join(ROOT, 'scripts', 'offline-terraform.sh'), [path.join(this.workDir, 'terraform')]);
    if (mirror.code !== 0) throw new Error(`offline Terraform setup failed:\n${mirror.output}`);
    const tfEnv = Object.fromEntries([...mirror.output.matchAll(/^export (\w+)=(?:'([^']*)'|(\S*))$/gm)].map((m) => [m[1], m[2] ?? m[3]]));

    writeFileSync(this.configPath, JSON.stringify(this.fleetConfig, null, 2));
    writeFileSync(
      path.join(this.workDir, 'cdktf.json'),
      JSON.stringify({
        language: 'typescript',
        app: `node -r ${path.join(ROOT, 'scripts', 'register.js')} ${path.join(ROOT, 'main.ts')}`,
        sendCrashReports: 'false',
      }),
    );
    this.baseEnv = {
      // By default no deploy, plan or finalizer sees the AWS CLI or Python: the product needs neither (#17).
      PATH: this.options.withoutAwsCliOrPython !== false ? pathWithoutAwsCliOrPython(path.join(this.workDir, 'bin')) : process.env.PATH,
      HOME: process.env.HOME,
      ...tfEnv,
      CI: 'true',
      AMP_XA_CONFIG: this.configPath,
      AWS_ACCESS_KEY_ID: 'AKIAE2EBASE000000000',
      AWS_SECRET_ACCESS_KEY: 'e2e-secret',
      AWS_DEFAULT_REGION: 'eu-west-1',
      AWS_REGION: 'eu-west-1',
      AWS_ENDPOINT_URL: endpoint,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: path.join(this.workDir, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(this.workDir, 'no-aws-credentials'),
      TF_IN_AUTOMATION: '1',
      CDKTF_DISABLE_PLUGIN_CACHE_ENV: 'true',
      // Less garbage-collection CPU in Terraform and the provider (jest.e2e.config.js says why).
      ...(process.env.GOGC ? { GOGC: process.env.GOGC } : {}),
      ...(process.env.GOMEMLIMIT ? { GOMEMLIMIT: process.env.GOMEMLIMIT } : {}),
    };
    this.cliEnv = { ...this.baseEnv, PATH: process.env.PATH };
  }

  /** Stops the servers, and removes the work directory even if stopping them fails. */
  async stop(): Promise<void> {
    try {
      await this.stopServers();
    } finally {
      if (this.workDir) rmSync(this.workDir, { recursive: true, force: true });
    }
  }

  private async stopServers(): Promise<void> {
    await this.emulator?.stop();
    const moto = this.moto;
    if (moto?.pid && moto.exitCode === null) {
      const exited = new Promise((resolve) => moto.once('exit', resolve));
      try {
        process.kill(-moto.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      // Wait for it, so the test run ends with no server left behind (bounded: SIGKILL after 10 s).
      const killed = setTimeout(() => {
        try {
          process.kill(-moto.pid!, 'SIGKILL');
        } catch {
          /* gone meanwhile */
        }
      }, 10_000);
      await exited;
      clearTimeout(killed);
    }
  }

  /**
   * Creates every existing-workspace of a fleet config in moto (AMP refuses a scraper whose destination does not
   * exist, and so does the emulator), points the config at the real ARNs, in place, and writes it.
   */
  async provisionWorkspaces(config: any): Promise<void> {
    for (const [name, workspace] of Object.entries<any>(config.workspaces)) {
      if (workspace.arn === undefined) continue;
      workspace.arn = (await this.aws(config.accounts[workspace.account].id, ['amp', 'create-workspace', '--alias', name])).arn;
    }
    this.writeConfig(config);
  }

  /**
   * Creates every cluster of a fleet config in the emulated source accounts, healthy as AMP needs it unless
   * `setups` says otherwise: a VPC with DNS support and hostnames, two subnets in two Availability Zones, a
   * security group, and the EKS cluster (private endpoint access, the config's authentication mode). Points the
   * config's cluster ARN, subnetIds and securityGroupIds (when set) at them, in place, and writes it.
   */
  async provisionClusters(config: any, setups: Record<string, ClusterSetup> = {}): Promise<void> {
    const credentials = new Map<string, Record<string, string>>();
    for (const cluster of Object.values<any>(config.clusters)) {
      const id = config.accounts[cluster.account].id;
      if (!credentials.has(id)) credentials.set(id, await this.assume(id));
    }
    // The clusters one after another would take minutes of AWS CLI starts: side by side.
    await Promise.all(
      Object.entries<any>(config.clusters).map(async ([name, cluster]) => {
        const setup = setups[name] ?? {};
        const account = config.accounts[cluster.account];
        const env = { ...this.cliEnv, ...credentials.get(account.id), AWS_REGION: account.region, AWS_DEFAULT_REGION: account.region };
        const aws = async (args: string[]) => {
          const { stdout } = await execFileAsync('aws', [...args, '--output', 'json'], { env });
          return stdout.trim() ? JSON.parse(stdout) : {};
        };
        const vpc = async () => {
          const id = (await aws(['ec2', 'create-vpc', '--cidr-block', '10.0.0.0/16'])).Vpc.VpcId as string;
          // A VPC holds one attribute change per call.
          await aws(['ec2', 'modify-vpc-attribute', '--vpc-id', id, setup.dnsSupport === false ? '--no-enable-dns-support' : '--enable-dns-support']);
          await aws(['ec2', 'modify-vpc-attribute', '--vpc-id', id, setup.dnsHostnames === false ? '--no-enable-dns-hostnames' : '--enable-dns-hostnames']);
          return id;
        };
        const vpcId = await vpc();
        const subnet = async (inVpc: string, cidr: string, zone: string) =>
          (await aws(['ec2', 'create-subnet', '--vpc-id', inVpc, '--cidr-block', cidr, '--availability-zone', `${account.region}${zone}`])).Subnet
            .SubnetId as string;
        const first = await subnet(vpcId, '10.0.1.0/24', 'a');
        const second = setup.subnetInOtherVpc ? await subnet(await vpc(), '10.0.2.0/24', 'b') : await subnet(vpcId, '10.0.2.0/24', setup.oneZone ? 'a' : 'b');
        const group = (await aws(['ec2', 'create-security-group', '--vpc-id', vpcId, '--group-name', `${name}-scraper`, '--description', 'amp-xa e2e']))
          .GroupId as string;
        const clusterName = String(cluster.arn).split('/').pop() ?? '';
        const created = await aws([
          'eks',
          'create-cluster',
          '--name',
          clusterName,
          '--role-arn',
          `arn:aws:iam::${account.id}:role/eks-cluster`,
          '--resources-vpc-config',
          `subnetIds=${first},${second},securityGroupIds=${group},endpointPublicAccess=true,endpointPrivateAccess=${setup.privateEndpoint !== false}`,
          '--access-config',
          `authenticationMode=${setup.authenticationMode ?? cluster.authenticationMode ?? 'API_AND_CONFIG_MAP'}`,
        ]);
        cluster.arn = created.cluster.arn;
        cluster.subnetIds = [first, second];
        if (cluster.securityGroupIds !== undefined) cluster.securityGroupIds = [group];
      }),
    );
    this.writeConfig(config);
  }

  /** Synthesizes and pins providers to the committed lock file, as an air-gapped runner does before deploying. */
  async synthAndLock(): Promise<void> {
    const synth = await this.cdktf('synth');
    if (synth.code !== 0) throw new Error(`cdktf synth failed:\n${synth.output}`);
    const lock = await run(path.join(ROOT, 'scripts', 'lock-providers.sh'), [path.join(this.workDir, 'cdktf.out')], { env: this.baseEnv });
    if (lock.code !== 0) throw new Error(`lock-providers failed:\n${lock.output}`);
  }

  cdktf(...args: string[]): Promise<RunResult> {
    const lockFlag = args[0] === 'synth' ? [] : ['--skip-provider-lock'];
    return run(path.join(ROOT, 'node_modules', '.bin', 'cdktf'), [...args, ...lockFlag], { cwd: this.workDir, env: this.baseEnv }).then((r) => ({
      ...r,
      output: stripAnsi(r.output),
    }));
  }

  /** scripts/ci/diff-all.sh in the scratch project, as CI runs it on a pull request. */
  diffAll(): Promise<RunResult> {
    return run(path.join(ROOT, 'scripts', 'ci', 'diff-all.sh'), ['--skip-provider-lock'], { cwd: this.workDir, env: this.baseEnv }).then((r) => ({
      ...r,
      output: stripAnsi(r.output),
    }));
  }

  deploy(): Promise<RunResult> {
    return this.cdktf('deploy', '*', '--auto-approve');
  }

  destroy(): Promise<RunResult> {
    return this.cdktf('destroy', '*', '--auto-approve');
  }

  /** `terraform plan -detailed-exitcode` in a synthesized stack: 0 = no changes, 2 = changes. */
  plan(stack: string): Promise<RunResult> {
    return run('terraform', ['plan', '-detailed-exitcode', '-no-color', '-input=false', '-lock=false'], {
      cwd: path.join(this.workDir, 'cdktf.out', 'stacks', stack),
      env: this.baseEnv,
    });
  }

  /** The resource addresses a deployed stack's state holds (`terraform state list`). */
  async stateResources(stack: string): Promise<string[]> {
    const listed = await run('terraform', ['state', 'list'], { cwd: path.join(this.workDir, 'cdktf.out', 'stacks', stack), env: this.baseEnv });
    if (listed.code !== 0) throw new Error(`terraform state list in ${stack} failed:\n${listed.output}`);
    return listed.output.split('\n').filter(Boolean);
  }

  /** The AWS CLI with the base (CI) credentials, e.g. for the state bucket. */
  async awsBase(args: string[]): Promise<any> {
    const { stdout } = await execFileAsync('aws', [...args, '--output', 'json'], { env: this.cliEnv });
    return stdout.trim() ? JSON.parse(stdout) : {};
  }

  /** The AWS CLI as the deployer role of `account` (moto lands assume-role in that account). */
  async aws(account: string, args: string[]): Promise<any> {
    const creds = await this.assume(account);
    const { stdout } = await execFileAsync('aws', [...args, '--output', 'json'], { env: { ...this.cliEnv, ...creds } });
    return stdout.trim() ? JSON.parse(stdout) : {};
  }

  /** Like aws(), but resolves to the error text instead of throwing. */
  async awsError(account: string, args: string[]): Promise<string> {
    try {
      await this.aws(account, args);
      return '';
    } catch (e) {
      return String((e as { stderr?: string }).stderr ?? e);
    }
  }

  /** Each account's deployer session, assumed once: every AWS CLI start costs half a second of CPU on 2 cores. */
  private readonly sessions = new Map<string, Promise<Record<string, string>>>();

  private assume(account: string): Promise<Record<string, string>> {
    if (!this.sessions.has(account)) {
      const session = this.assumeNow(account);
      session.catch(() => this.sessions.delete(account)); // a failed start is retried by the next call
      this.sessions.set(account, session);
    }
    return this.sessions.get(account)!;
  }

  private async assumeNow(account: string): Promise<Record<string, string>> {
    const { stdout } = await execFileAsync(
      'aws',
      ['sts', 'assume-role', '--role-arn', `arn:aws:iam::${account}:role/amp-xa-deployer`, '--role-session-name', 'e2e-check', '--output', 'json'],
      { env: this.cliEnv },
    );
    const c = JSON.parse(stdout).Credentials;
    return { AWS_ACCESS_KEY_ID: c.AccessKeyId, AWS_SECRET_ACCESS_KEY: c.SecretAccessKey, AWS_SESSION_TOKEN: c.SessionToken };
  }
}

/** How provisionClusters makes one cluster differ from a healthy one (each a case the preflight must refuse). */
export interface ClusterSetup {
  /** false: the cluster's endpoint is public only. */
  readonly privateEndpoint?: boolean;
  readonly dnsSupport?: boolean;
  readonly dnsHostnames?: boolean;
  /** Both subnets in the same Availability Zone. */
  readonly oneZone?: boolean;
  /** The second subnet belongs to another VPC. */
  readonly subnetInOtherVpc?: boolean;
  /** The cluster's live mode, when it should differ from the config's. */
  readonly authenticationMode?: 'API' | 'API_AND_CONFIG_MAP' | 'CONFIG_MAP';
}

/** Executables that must not be on the deploy PATH: the AWS CLI and Python (pyenv shims run Python too). */
const NOT_ON_DEPLOY_PATH = /^(aws|aws_completer|python[\d.]*(-config)?|pip[\d.]*|pydoc[\d.]*|idle[\d.]*|2to3.*|moto_server|pyenv)$/;

/**
 * A directory of links to every executable on this process's PATH (first one of a name wins) but the AWS CLI and
 * Python, and pyenv's shim directories altogether; returned as the PATH to use. Checks that neither is left.
 */
export function pathWithoutAwsCliOrPython(binDir: string): string {
  mkdirSync(binDir, { recursive: true });
  const seen = new Set<string>();
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir || dir.includes(`${path.sep}.pyenv${path.sep}`) || dir.endsWith(`${path.sep}.pyenv`)) continue;
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      if (seen.has(name) || NOT_ON_DEPLOY_PATH.test(name)) continue;
      const target = path.join(dir, name);
      try {
        accessSync(target, fsConstants.X_OK);
      } catch {
        continue;
      }
      seen.add(name);
      symlinkSync(target, path.join(binDir, name));
    }
  }
  for (const tool of ['aws', 'python', 'python3']) {
    if (seen.has(tool)) throw new Error(`pathWithoutAwsCliOrPython: ${tool} is still on the PATH`);
  }
  return binDir;
}

/** A fresh, mutable copy of a shipped example config, without its editor `$schema` reference. */
export function exampleFleet(name = 'single-pair.json'): any {
  const config = JSON.parse(readFileSync(path.join(ROOT, 'examples', name), 'utf8'));
  delete config.$schema;
  return config;
}

/** Every stack plans no change (`terraform plan -detailed-exitcode` exits 0); otherwise the end of its plan shows. */
export async function expectNoChanges(env: E2eEnvironment, stacks: string[]): Promise<void> {
  for (const stack of stacks) {
    const plan = await env.plan(stack);
    expect({ stack, code: plan.code, plan: plan.code === 0 ? '' : plan.output.slice(-3000) }).toEqual({ stack, code: 0, plan: '' });
  }
}

/** Expects a command to have succeeded, showing the end of its output when it did not. */
export function expectSuccess(result: RunResult): void {
  expect({ code: result.code, tail: result.code ? result.output.slice(-3000) : '' }).toEqual({ code: 0, tail: '' });
}

export async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 30_000, intervalMs = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
