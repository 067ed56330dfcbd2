/**
 * The example GitHub Actions workflow: the jobs a platform team expects, and what its steps do when run the
 * way GitHub runs them. Each `run:` script is executed under the exact shell command GitHub uses for the
 * step's shell, with scripts/ci/plan-all.sh, save-aws-profile.sh, npm and npx replaced by fakes, and the
 * test asserts which steps fail for each plan-all exit code.
 */
import { spawnSync } from 'child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { parse } from 'yaml';

const workflow = parse(readFileSync(path.join(__dirname, '..', 'examples', 'ci', 'github-actions.yml'), 'utf8'));
const runs = (job: string): string[] => workflow.jobs[job].steps.filter((s: any) => s.run).map((s: any) => s.run.trim());
const uses = (job: string): string[] => workflow.jobs[job].steps.filter((s: any) => s.uses).map((s: any) => s.uses);
const step = (job: string, name: string) => workflow.jobs[job].steps.find((s: any) => s.name === name);

/** GitHub's command per shell keyword on Linux runners (docs: "Workflow syntax", jobs.<id>.steps[*].shell). */
function shellCommand(shell: string | undefined): string[] {
  switch (shell) {
    case undefined:
      return ['bash', '-e', '{0}']; // no shell anywhere: bash -e, no pipefail
    case 'bash':
      return ['bash', '--noprofile', '--norc', '-eo', 'pipefail', '{0}'];
    case 'sh':
      return ['sh', '-e', '{0}'];
    default:
      return shell.includes('{0}') ? shell.split(/\s+/) : [...shell.split(/\s+/), '{0}'];
  }
}

const shellOf = (job: string, s: any): string | undefined => s.shell ?? workflow.jobs[job].defaults?.run?.shell ?? workflow.defaults?.run?.shell;

interface StepRun {
  code: number | null;
  output: string;
  githubOutput: string;
  calls: string;
}

/**
 * Runs one `run:` script in a scratch workspace where plan-all exits `planExit` (after writing its summary
 * and report, as the real one does), under the shell `shell` (default: the step's own).
 */
function runStep(script: string, planExit: number, shell?: string[]): StepRun {
  const dir = mkdtempSync(path.join(tmpdir(), 'amp-xa-workflow-'));
  try {
    const bin = path.join(dir, 'bin');
    mkdirSync(bin);
    mkdirSync(path.join(dir, 'scripts', 'ci'), { recursive: true });
    const fake = (file: string, body: string) => {
      writeFileSync(file, `#!/usr/bin/env bash\necho "$(basename "$0") $*" >> "$CALLS"\n${body}\n`);
      chmodSync(file, 0o755);
    };
    fake(
      path.join(dir, 'scripts', 'ci', 'plan-all.sh'),
      `mkdir -p cdktf.out; echo '{"exitCode":'"$PLAN_EXIT"'}' > cdktf.out/plan-summary.json; echo '<!-- amp-xa plan-all -->' > cdktf.out/plan-summary.md\necho "plan-all: exit $PLAN_EXIT"; exit "$PLAN_EXIT"`,
    );
    fake(path.join(dir, 'scripts', 'ci', 'save-aws-profile.sh'), 'exit 0');
    for (const tool of ['npm', 'npx']) fake(path.join(bin, tool), 'exit 0');
    const file = path.join(dir, 'step.sh');
    writeFileSync(file, script);
    const [command, ...args] = (shell ?? shellCommand('bash')).map((a) => (a === '{0}' ? file : a));
    const env = {
      PATH: `${bin}:${process.env.PATH}`,
      PLAN_EXIT: String(planExit),
      CALLS: path.join(dir, 'calls'),
      GITHUB_OUTPUT: path.join(dir, 'github-output'),
      GITHUB_ENV: path.join(dir, 'github-env'),
      GITHUB_STEP_SUMMARY: path.join(dir, 'step-summary'),
    };
    for (const f of [env.CALLS, env.GITHUB_OUTPUT]) writeFileSync(f, '');
    const r = spawnSync(command, args, { cwd: dir, env, encoding: 'utf8' });
    return { code: r.status, output: r.stdout + r.stderr, githubOutput: readFileSync(env.GITHUB_OUTPUT, 'utf8'), calls: readFileSync(env.CALLS, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('runs on pull requests and on pushes to main, with OIDC and no overlapping deploys', () => {
  expect(Object.keys(workflow.on)).toEqual(['pull_request', 'push']);
  expect(workflow.on.push.branches).toEqual(['main']);
  expect(workflow.permissions['id-token']).toBe('write');
  expect(workflow.concurrency['cancel-in-progress']).toBe(false);
});

test('test job: install from the lock file, the README test command, synth', () => {
  expect(runs('test').slice(0, 3)).toEqual(['npm ci', 'npm test', 'npm run synth']);
  expect(uses('test')).toEqual(expect.arrayContaining(['hashicorp/setup-terraform@v3']));
});

test('diff on pull requests, deploy on main only, after the tests', () => {
  expect(workflow.jobs.diff.if).toBe("github.event_name == 'pull_request'");
  expect(workflow.jobs.deploy.if).toBe("github.event_name == 'push' && github.ref == 'refs/heads/main'");
  for (const job of ['diff', 'deploy']) expect(workflow.jobs[job].needs).toBe('test');
  expect(runs('deploy')).toContain('npm run deploy -- --auto-approve --outputs-file outputs.json');
  expect(workflow.jobs.deploy.environment).toBe('production');
});

test.each(['diff', 'deploy'])('%s: one OIDC role per account, each saved as the profile the fleet config names', (job) => {
  const steps = workflow.jobs[job].steps;
  const oidc = steps.filter((s: any) => s.uses === 'aws-actions/configure-aws-credentials@v4');
  expect(oidc.map((s: any) => s.with['role-to-assume'])).toEqual([
    `arn:aws:iam::\${{ env.WORKLOAD_ACCOUNT }}:role/amp-xa-ci-${job === 'diff' ? 'plan' : 'deploy'}`,
    `arn:aws:iam::\${{ env.OBSERVABILITY_ACCOUNT }}:role/amp-xa-ci-${job === 'diff' ? 'plan' : 'deploy'}`,
  ]);
  for (const s of oidc) {
    const next = steps[steps.indexOf(s) + 1];
    expect(next.run).toMatch(/^scripts\/ci\/save-aws-profile\.sh (workload|observability)$/);
  }
  expect(JSON.stringify(workflow.jobs[job])).not.toMatch(/aws-secret-access-key|AWS_SECRET_ACCESS_KEY:/);
});

describe('shell semantics of every run step', () => {
  const all = Object.entries<any>(workflow.jobs).flatMap(([job, j]) => j.steps.filter((s: any) => s.run).map((s: any) => ({ job, step: s })));

  test('every run step runs under shell: bash (pipefail), and no script interpolates ${{ }}', () => {
    expect(all.length).toBeGreaterThan(8);
    for (const { job, step: s } of all) {
      expect({ job, run: s.run, shell: shellCommand(shellOf(job, s)) }).toEqual({ job, run: s.run, shell: ['bash', '--noprofile', '--norc', '-eo', 'pipefail', '{0}'] });
      expect(s.run).not.toMatch(/\$\{\{/);
    }
  });

  test('every run step passes when the commands it calls succeed', () => {
    for (const { job, step: s } of all) {
      const r = runStep(s.run, 0, shellCommand(shellOf(job, s)));
      expect({ job, run: s.run, code: r.code, output: r.code ? r.output : '' }).toEqual({ job, run: s.run, code: 0, output: '' });
    }
  });

  test('the harness tells the shells apart: a piped failure passes under bash -e, fails under shell: bash', () => {
    const piped = 'scripts/ci/plan-all.sh 2>&1 | tee plan.txt';
    expect(runStep(piped, 1, shellCommand(undefined)).code).toBe(0);
    expect(runStep(piped, 1, shellCommand('bash')).code).toBe(1);
  });

  const plan = step('diff', 'Plan every stack');
  test.each([
    [0, 0],
    [2, 0],
    [1, 1],
    [127, 1],
  ])('pull request: plan-all exit %i -> step exit %i, the exit code recorded as a step output', (planExit, stepExit) => {
    const r = runStep(plan.run, planExit, shellCommand(shellOf('diff', plan)));
    expect({ code: r.code, githubOutput: r.githubOutput }).toEqual({ code: stepExit, githubOutput: `exit-code=${planExit}\n` });
    expect(r.calls).toBe('plan-all.sh \n');
  });

  const verify = step('deploy', 'Verify that a second run would change nothing');
  test.each([
    [0, 0],
    [2, 2],
    [1, 1],
  ])('after deploy: plan-all exit %i -> step exit %i (only no changes passes)', (planExit, stepExit) => {
    const r = runStep(verify.run, planExit, shellCommand(shellOf('deploy', verify)));
    expect(r.code).toBe(stepExit);
    expect(r.calls).toBe('plan-all.sh --skip-synth\n');
  });

  test('deploy approves explicitly (no terminal in CI) and comes before the verification', () => {
    const names = workflow.jobs.deploy.steps.map((s: any) => s.name);
    expect(names.indexOf('Deploy')).toBeLessThan(names.indexOf('Verify that a second run would change nothing'));
    expect(runStep(step('deploy', 'Deploy').run, 0).calls).toBe('npm run deploy -- --auto-approve --outputs-file outputs.json\n');
  });
});

describe('the pull request comment', () => {
  const comment = step('diff', 'Post the plan summary');

  test('is posted after a failed plan too (not after a cancelled run), from the report plan-all writes', () => {
    expect(comment.if).toBe("${{ !cancelled() && hashFiles('cdktf.out/plan-summary.md') != '' }}");
    expect(comment.uses).toBe('actions/github-script@v7');
  });

  /** Runs the github-script body with a fake Octokit in a directory holding a report. */
  async function post(existing: { id: number; body: string }[]) {
    const dir = mkdtempSync(path.join(tmpdir(), 'amp-xa-comment-'));
    const cwd = process.cwd();
    const calls: [string, any][] = [];
    try {
      mkdirSync(path.join(dir, 'cdktf.out'));
      writeFileSync(path.join(dir, 'cdktf.out', 'plan-summary.md'), '<!-- amp-xa plan-all -->\n:warning: **amp-xa plan: changes pending**\n');
      process.chdir(dir);
      const github = {
        paginate: async (fn: (p: unknown) => Promise<unknown>, params: unknown) => fn(params),
        rest: {
          issues: {
            listComments: async (params: unknown) => (calls.push(['list', params]), existing),
            createComment: async (params: unknown) => calls.push(['create', params]),
            updateComment: async (params: unknown) => calls.push(['update', params]),
          },
        },
      };
      const context = { repo: { owner: 'acme', repo: 'fleet' }, issue: { number: 7 } };
      const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor;
      await new AsyncFunction('github', 'context', 'require', comment.with.script)(github, context, require);
    } finally {
      process.chdir(cwd);
      rmSync(dir, { recursive: true, force: true });
    }
    return calls;
  }

  test('creates the comment on the first run and updates it afterwards', async () => {
    const body = '<!-- amp-xa plan-all -->\n:warning: **amp-xa plan: changes pending**\n';
    expect((await post([{ id: 1, body: 'LGTM' }])).slice(1)).toEqual([['create', { owner: 'acme', repo: 'fleet', issue_number: 7, body }]]);
    expect((await post([{ id: 1, body: 'LGTM' }, { id: 5, body: '<!-- amp-xa plan-all -->\nold' }])).slice(1)).toEqual([['update', { owner: 'acme', repo: 'fleet', comment_id: 5, body }]]);
  });
});
