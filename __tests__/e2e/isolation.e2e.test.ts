/**
 * Two fleets in one checkout (`fleets/team-a.json`, `fleets/team-b.json`) with the same account, unit, cluster and
 * workspace names: each keeps its state in its own folder next to its config (`fleets/state/<fleet>/`), a deploy of
 * one changes nothing of the other's although both synthesize into the same stack directories, and a stack refuses
 * a state that another fleet recorded, before anything changes. No scraper is destroyed.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'fs';
import * as path from 'path';
import { E2eEnvironment, exampleFleet, expectSuccess } from './harness';

const SOURCE = '111111111111';
const STACKS = ['fleet-scrapers', 'fleet-trust'];

/** The example pair under the same names in both fleets; only the cluster, the workspace and the pair name differ. */
function teamFleet(team: string): any {
  const config = exampleFleet();
  config.clusters['prod-eks'].arn = `arn:aws:eks:eu-west-1:${SOURCE}:cluster/${team}-prod-eks`;
  config.pairs[0].name = `${team}-prod-to-central`;
  return config;
}

const teams = { 'team-a': teamFleet('team-a'), 'team-b': teamFleet('team-b') };
const env = new E2eEnvironment(teams['team-a']);
const fleetsDir = () => path.join(env.workDir, 'fleets');
const configFile = (fleet: string) => path.join(fleetsDir(), `${fleet}.json`);
const stateDir = (fleet: string) => path.join(fleetsDir(), 'state', fleet);

function useFleet(fleet: string): void {
  env.baseEnv.AMP_XA_CONFIG = configFile(fleet);
}

/** Scraper ID by alias (the pair name), and the amp-xa roles in the source account by name -> role ID. */
async function inAws(): Promise<{ scrapers: Record<string, string>; roles: Record<string, string> }> {
  const scrapers = Object.fromEntries(env.emulator.list(SOURCE).map((s: any) => [s.alias, s.scraperId]));
  const listed = (await env.aws(SOURCE, ['iam', 'list-roles'])).Roles as Array<{ RoleName: string; RoleId: string }>;
  const roles = Object.fromEntries(listed.filter((r) => r.RoleName.startsWith('amp-xa-team-')).map((r) => [r.RoleName, r.RoleId]));
  return { scrapers, roles };
}

beforeAll(async () => {
  await env.start();
  mkdirSync(fleetsDir());
  for (const [team, config] of Object.entries(teams)) {
    config.workspaces.central.arn = (await env.aws('222222222222', ['amp', 'create-workspace', '--alias', `${team}-central`])).arn;
    await env.provisionClusters(config);
    writeFileSync(configFile(team), JSON.stringify(config, null, 2));
  }
  useFleet('team-a');
  await env.synthAndLock();
});
afterAll(() => env.stop());

test('two fleets with the same account, unit and workspace names deploy from one checkout, each into its own state', async () => {
  useFleet('team-a');
  expectSuccess(await env.deploy());
  useFleet('team-b');
  // Same stack directories as team-a's deploy: synth hands them to team-b (Terraform would otherwise stop at
  // "Backend configuration changed", or offer to copy team-a's state).
  expectSuccess(await env.deploy());

  for (const team of Object.keys(teams)) {
    expect(
      readdirSync(stateDir(team))
        .filter((f) => f.endsWith('.tfstate'))
        .sort(),
    ).toEqual(STACKS.map((s) => `terraform.${s}.tfstate`));
  }
  expect(existsSync(path.join(env.workDir, 'state'))).toBe(false);
  expect(existsSync(path.join(fleetsDir(), 'state', 'terraform.fleet-scrapers.tfstate'))).toBe(false);
  const { scrapers } = await inAws();
  expect(Object.keys(scrapers).sort()).toEqual(['team-a-prod-to-central', 'team-b-prod-to-central']);
});

test('each fleet plans no change after the other deployed, and neither touched the other', async () => {
  const before = await inAws();
  for (const team of Object.keys(teams)) {
    useFleet(team);
    // npm run diff, as a pull request check runs it: synth (which hands the stack directories over), init, plans.
    const diff = await env.diffAll();
    expect({ team, code: diff.code, tail: diff.code ? diff.output.slice(-3000) : '' }).toEqual({ team, code: 0, tail: '' });
    // Neither sees the other's states as orphans (they are in another folder) nor its scrapers as untracked.
    const summary = JSON.parse(readFileSync(path.join(env.workDir, 'cdktf.out', 'plan-summary.json'), 'utf8'));
    expect({ orphans: summary.orphans.findings, untracked: summary.untracked }).toEqual({ orphans: [], untracked: { checked: true, findings: [] } });
  }
  useFleet('team-a');
  const again = await env.deploy();
  expectSuccess(again);
  expect(again.output).not.toMatch(/Resources: [1-9]\d* added|[1-9]\d* changed|[1-9]\d* destroyed/);
  expect(await inAws()).toEqual(before);
});

test('a stack refuses a state another fleet recorded: the plan fails naming both fleets, nothing changes in AWS', async () => {
  const before = await inAws();
  // Team-a's states where fleet team-c (team-a's config under another name) keeps its own: their locations meet.
  const teamC = { ...teams['team-a'], fleet: 'team-c' };
  writeFileSync(configFile('team-c'), JSON.stringify(teamC, null, 2));
  mkdirSync(stateDir('team-c'), { recursive: true });
  for (const stack of STACKS)
    copyFileSync(path.join(stateDir('team-a'), `terraform.${stack}.tfstate`), path.join(stateDir('team-c'), `terraform.${stack}.tfstate`));
  useFleet('team-c');

  const deploy = await env.deploy();
  expect(deploy.code).not.toBe(0);
  // cdktf does not always print the end of a failed plan: the stack's own plan says why.
  const plan = await env.plan('fleet-scrapers');
  expect(plan.code).toBe(1);
  expect(plan.output.replace(/\s+/g, ' ')).toContain('The state of stack fleet-scrapers belongs to amp-xa fleet "team-a", not to fleet "team-c" (this config)');
  expect(await inAws()).toEqual(before);
});
