/** The example GitHub Actions workflow: the jobs a platform team expects, wired the way README says. */
import { readFileSync } from 'fs';
import * as path from 'path';
import { parse } from 'yaml';

const workflow = parse(readFileSync(path.join(__dirname, '..', 'examples', 'ci', 'github-actions.yml'), 'utf8'));
const runs = (job: string): string[] => workflow.jobs[job].steps.filter((s: any) => s.run).map((s: any) => s.run.trim());
const uses = (job: string): string[] => workflow.jobs[job].steps.filter((s: any) => s.uses).map((s: any) => s.uses);

test('runs on pull requests and on pushes to main, with OIDC and no overlapping deploys', () => {
  expect(Object.keys(workflow.on)).toEqual(['pull_request', 'push']);
  expect(workflow.on.push.branches).toEqual(['main']);
  expect(workflow.permissions['id-token']).toBe('write');
  expect(workflow.concurrency['cancel-in-progress']).toBe(false);
});

test('test job: install from the lock file, the README test command, synth', () => {
  expect(runs('test').slice(0, 3)).toEqual(['npm ci', 'npm test', 'npx cdktf synth']);
  expect(uses('test')).toEqual(expect.arrayContaining(['hashicorp/setup-terraform@v3']));
});

test('diff on pull requests, deploy on main only, after the tests', () => {
  expect(workflow.jobs.diff.if).toBe("github.event_name == 'pull_request'");
  expect(workflow.jobs.deploy.if).toBe("github.event_name == 'push' && github.ref == 'refs/heads/main'");
  for (const job of ['diff', 'deploy']) expect(workflow.jobs[job].needs).toBe('test');
  expect(runs('diff')).toContain('scripts/ci/diff-all.sh 2>&1 | tee diff.txt');
  expect(runs('deploy')).toContain("npx cdktf deploy '*' --auto-approve --outputs-file outputs.json");
  expect(workflow.jobs.deploy.environment).toBe('production');
});

test.each(['diff', 'deploy'])('%s: one OIDC role per account, each saved as the profile the fleet config names', (job) => {
  const steps = workflow.jobs[job].steps;
  const oidc = steps.filter((s: any) => s.uses === 'aws-actions/configure-aws-credentials@v4');
  expect(oidc.map((s: any) => s.with['role-to-assume'])).toEqual([
    `arn:aws:iam::\${{ env.WORKLOAD_ACCOUNT }}:role/amp-xa-ci-${job === 'diff' ? 'plan' : 'deploy'}`,
    `arn:aws:iam::\${{ env.OBSERVABILITY_ACCOUNT }}:role/amp-xa-ci-${job === 'diff' ? 'plan' : 'deploy'}`,
  ]);
  for (const step of oidc) {
    const next = steps[steps.indexOf(step) + 1];
    expect(next.run).toMatch(/^scripts\/ci\/save-aws-profile\.sh (workload|observability)$/);
  }
  expect(JSON.stringify(workflow.jobs[job])).not.toMatch(/aws-secret-access-key|AWS_SECRET_ACCESS_KEY:/);
});

test('deploy verifies that a second run would change nothing', () => {
  const verify = runs('deploy').find((r) => r.includes('verify.txt'))!;
  expect(verify).toMatch(/scripts\/ci\/diff-all\.sh/);
  expect(verify).toMatch(/! grep -E "Plan: \[1-9\]\|must be replaced" verify\.txt/);
});
