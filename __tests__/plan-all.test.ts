/**
 * scripts/ci/plan-all.ts: plans every stack of a synthesized app with a fake `terraform`
 * (__tests__/support/fake-terraform.js), in dependency order, and reports through exit code, JSON and Markdown.
 */
import { spawn, spawnSync } from 'child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { parseOptions } from '../lib/plan-all/options';
import { inDependencyOrder } from '../lib/plan-all/schedule';
import { countSavedPlan, errorLines, readPlanStream } from '../lib/plan-all/plan-stream';
import { renderMarkdown, summarize, type Summary } from '../lib/plan-all/report';
import { backendOfStack } from '../lib/plan-all/states';

const ROOT = path.join(__dirname, '..');
const FAKE_TF = path.join(__dirname, 'support', 'fake-terraform.js');

const STREAMS = path.join(__dirname, 'fixtures', 'plan-stream');
const stream = (name: string) => readPlanStream(readFileSync(path.join(STREAMS, `${name}.jsonl`), 'utf8'));

// The fixtures are `terraform plan -json` output of real Terraform 1.11.4 on a deployed 20-pair fleet (refresh
// messages trimmed), after removing pair-0, adding pair-new, changing pair-4's alias and drifting pair-3's target trust.
describe('readPlanStream', () => {
  test("phase 1: a removed pair's resources destroyed, a new pair's created, an alias updated in place; drift is not a change", () => {
    const { counts, text } = stream('scrapers-changes');
    expect(counts).toEqual({
      add: 5,
      change: 1,
      destroy: 5,
      replace: 0,
      import: 0,
      move: 0,
      forget: 0,
      finalizerRuns: 0,
      newScrapers: 1,
      outputChanges: 6,
      destroyed: [
        'aws_iam_role_policy.pair-0_target-remote-write_A22BECEE',
        'aws_iam_role.pair-0_target-role_43CB6EDF',
        'aws_iam_role_policy.pair-0_source-assume-target_BBB4BDAE',
        'aws_prometheus_scraper.pair-0_scraper_F577D782',
        'aws_iam_role.pair-0_source-role_FDCED338',
      ],
      replaced: [],
      forgotten: [],
    });
    expect(stream('scrapers-changes').complete).toBe(true);
    expect(text).toMatch(/^Terraform 1\.11\.4\n/);
    expect(text).toMatch(/^aws_prometheus_scraper\.pair-4_scraper_FBC6C2C5: Plan to update$/m);
    expect(text).toMatch(/^Plan: 5 to add, 1 to change, 5 to destroy\.$/m);
  });

  test('phase 2: a drifted trust replaces its finalizer (one run), a data source read is not a change', () => {
    expect(stream('trust-changes').counts).toEqual({
      add: 0,
      change: 0,
      destroy: 2,
      replace: 1,
      import: 0,
      move: 0,
      forget: 0,
      finalizerRuns: 1,
      newScrapers: 0,
      outputChanges: 1,
      destroyed: ['terraform_data.pair-0_source-trust_finalizer_329FA4CC[0]', 'terraform_data.pair-0_target-trust_finalizer_F66EEBD9[0]'],
      replaced: ['terraform_data.pair-3_target-trust_finalizer_2C8954BA[0]'],
      forgotten: [],
    });
    expect(stream('trust-changes').complete).toBe(true);
  });

  test('no changes: every count zero', () => {
    const { counts } = stream('no-changes');
    expect([counts.add, counts.change, counts.destroy, counts.replace, counts.import, counts.finalizerRuns, counts.outputChanges]).toEqual([
      0, 0, 0, 0, 0, 0, 0,
    ]);
  });

  test('a diagnostic is laid out as Terraform prints it, so errorLines finds it', () => {
    const { text } = stream('error');
    expect(text).toMatch(
      /\nError: Reference to undeclared resource\n\n {2}on cdk\.tf\.json line 1:\n\nA managed resource "aws_iam_role" "nope" has not been declared/,
    );
    expect(errorLines(text)).toEqual(['Error: Reference to undeclared resource']);
  });

  test('a forgotten resource (removed block) is listed, it keeps running unmanaged; a move is counted', () => {
    const lines = [
      {
        type: 'planned_change',
        change: {
          action: 'remove',
          resource: { addr: 'aws_prometheus_scraper.s', resource: 'aws_prometheus_scraper.s', resource_type: 'aws_prometheus_scraper' },
        },
      },
      {
        type: 'planned_change',
        change: { action: 'move', resource: { addr: 'aws_iam_role.new', resource: 'aws_iam_role.new', resource_type: 'aws_iam_role' } },
      },
      { type: 'change_summary', changes: { add: 0, change: 0, import: 0, remove: 1 } },
    ].map((m) => JSON.stringify(m));
    expect(readPlanStream(lines.join('\n'))).toMatchObject({
      complete: true,
      counts: { forget: 1, forgotten: ['aws_prometheus_scraper.s'], move: 1, destroy: 0 },
    });
  });

  test('a stream without change messages or disagreeing with its summary is incomplete (Terraform Cloud remote runs print text)', () => {
    expect(readPlanStream('Running plan in HCP Terraform.\nPlan: 2 to add, 0 to change, 0 to destroy.').complete).toBe(false);
    const summaryOnly = JSON.stringify({ type: 'change_summary', changes: { add: 2, change: 0, import: 0, remove: 0 } });
    expect(readPlanStream(summaryOnly).complete).toBe(false);
  });

  test('imports count as imports besides their action; a finalizer created or replaced is a run; non-JSON lines are kept', () => {
    const lines = [
      {
        type: 'planned_change',
        change: {
          action: 'import',
          importing: { id: 's-1' },
          resource: { addr: 'aws_prometheus_scraper.s', resource: 'aws_prometheus_scraper.s', resource_type: 'aws_prometheus_scraper' },
        },
      },
      {
        type: 'planned_change',
        change: { action: 'update', importing: { id: 'r' }, resource: { addr: 'aws_iam_role.r', resource: 'aws_iam_role.r', resource_type: 'aws_iam_role' } },
      },
      {
        type: 'planned_change',
        change: { action: 'create', resource: { addr: 'null_resource.f', resource: 'null_resource.f', resource_type: 'null_resource' } },
      },
      {
        type: 'planned_change',
        change: { action: 'read', resource: { addr: 'module.m.data.aws_iam_role.x', resource: 'data.aws_iam_role.x', resource_type: 'aws_iam_role' } },
      },
      {
        type: 'planned_change',
        change: { action: 'delete', resource: { addr: 'module.m.data.aws_iam_role.y', resource: 'data.aws_iam_role.y', resource_type: 'aws_iam_role' } },
      },
    ].map((m) => JSON.stringify({ '@message': 'm', ...m }));
    const { counts, text } = readPlanStream([...lines, 'panic: not JSON', '42', 'null'].join('\n'));
    expect(counts).toMatchObject({ import: 2, change: 1, add: 1, finalizerRuns: 1, destroy: 0, destroyed: [] });
    expect(text).toMatch(/\npanic: not JSON\n42\nnull\n$/);
  });
});

test('countSavedPlan counts `terraform show -json` as readPlanStream counts the stream', () => {
  const rc = (address: string, type: string, actions: string[], extra: object = {}) => ({ address, type, mode: 'managed', change: { actions }, ...extra });
  const counts = countSavedPlan({
    resource_changes: [
      rc('aws_iam_role.source', 'aws_iam_role', ['create']),
      rc('aws_prometheus_scraper.s', 'aws_prometheus_scraper', ['delete', 'create']),
      rc('terraform_data.f', 'terraform_data', ['create', 'delete']),
      rc('aws_iam_role_policy.p', 'aws_iam_role_policy', ['update']),
      rc('aws_iam_role.old', 'aws_iam_role', ['delete']),
      rc('aws_iam_role.kept', 'aws_iam_role', ['forget']),
      rc('aws_iam_role.renamed', 'aws_iam_role', ['no-op'], { previous_address: 'aws_iam_role.before' }),
      { ...rc('aws_iam_role.adopted', 'aws_iam_role', ['no-op']), change: { actions: ['no-op'], importing: { id: 'r' } } },
      { ...rc('data.aws_iam_role.live', 'aws_iam_role', ['read']), mode: 'data' },
    ],
    output_changes: { a: { actions: ['update'] }, b: { actions: ['no-op'] } },
  });
  expect(counts).toEqual({
    add: 1,
    change: 1,
    destroy: 1,
    replace: 2,
    import: 1,
    move: 1,
    forget: 1,
    finalizerRuns: 1,
    newScrapers: 1,
    outputChanges: 1,
    destroyed: ['aws_iam_role.old'],
    replaced: ['aws_prometheus_scraper.s', 'terraform_data.f'],
    forgotten: ['aws_iam_role.kept'],
  });
});

test('errorLines: each diagnostic summary with what it concerns, once; else the last lines', () => {
  const output = [
    'Planning...',
    '',
    'Error: No valid credential sources found',
    '',
    '  with provider["registry.terraform.io/hashicorp/aws"].source,',
    '  on cdk.tf.json line 172, in provider.aws[0]:',
    '',
    'Please see https://registry.terraform.io/providers/hashicorp/aws',
    '',
    'Error: No valid credential sources found',
    '',
    '  with provider["registry.terraform.io/hashicorp/aws"].source,',
    '',
    '╷',
    '│ Error: Invalid reference',
    '╵',
  ].join('\n');
  expect(errorLines(output)).toEqual([
    'Error: No valid credential sources found (with provider["registry.terraform.io/hashicorp/aws"].source,)',
    'Error: Invalid reference',
  ]);
  expect(errorLines('a\n\nb\nc\nsegmentation fault\n', 2)).toEqual(['c', 'segmentation fault']);
});

test('backendOfStack: the synthesized backend in config terms (a relative local path is relative to the stack directory)', () => {
  expect(backendOfStack({ terraform: { backend: { local: { path: '/srv/state/terraform.a-trust.tfstate' } } } }, 'a-trust')).toEqual({
    type: 'local',
    directory: '/srv/state',
  });
  expect(
    backendOfStack({ terraform: { backend: { local: { path: '../../state/terraform.a-trust.tfstate' } } } }, 'a-trust', '/w/cdktf.out/stacks/a-trust'),
  ).toEqual({ type: 'local', directory: '/w/cdktf.out/state' });
  expect(
    backendOfStack(
      { terraform: { backend: { s3: { bucket: 'b', key: 'p/q/a-trust.tfstate', region: 'eu-west-1', assume_role: { role_arn: 'arn:aws:iam::1:role/r' } } } } },
      'a-trust',
    ),
  ).toMatchObject({ type: 's3', bucket: 'b', keyPrefix: 'p/q', roleArn: 'arn:aws:iam::1:role/r' });
  expect(backendOfStack({ terraform: { cloud: { organization: 'acme', workspaces: { name: 'x-a-trust' } } } }, 'a-trust')).toMatchObject({
    type: 'cloud',
    hostname: 'app.terraform.io',
    workspacePrefix: 'x-',
  });
  expect(backendOfStack({ terraform: {} }, 'a-trust')).toBeUndefined();
});

describe('parseOptions', () => {
  test('defaults under the output directory; --opt value and --opt=value; the environment', () => {
    expect(parseOptions([], {})).toMatchObject({
      outdir: 'cdktf.out',
      summary: path.join('cdktf.out', 'plan-summary.json'),
      markdown: path.join('cdktf.out', 'plan-summary.md'),
      synth: true,
    });
    expect(parseOptions(['-j', '3', '--output=out', '--skip-synth', '--skip-provider-lock'], {})).toMatchObject({
      concurrency: 3,
      outdir: 'out',
      logs: path.join('out', 'plan-logs'),
      synth: false,
    });
    expect(parseOptions(['--concurrency=5'], { AMP_XA_CONCURRENCY: '2' }).concurrency).toBe(5);
    expect(parseOptions([], { AMP_XA_CONCURRENCY: '2', CDKTF_OUTDIR: 'o' })).toMatchObject({ concurrency: 2, outdir: 'o' });
    expect(parseOptions([], {}).concurrency).toBeGreaterThanOrEqual(1);
  });

  test.each([
    [['--concurrency', '0'], /--concurrency takes a whole number of at least 1, got "0"/],
    [['-j'], /-j needs a value/],
    [['--parallel', '4'], /unknown option "--parallel"/],
  ])('%p is refused naming the option', (argv, message) => {
    expect(() => parseOptions(argv, {})).toThrow(message);
  });
});

describe('inDependencyOrder', () => {
  /** Runs the scheduler with work the test finishes by hand; returns the events so far and a finisher. */
  function harness(stacks: { name: string; dependencies: string[] }[], concurrency: number) {
    const events: string[] = [];
    const finishers = new Map<string, () => void>();
    const cycles: string[][] = [];
    const done = inDependencyOrder(
      stacks,
      concurrency,
      (name) =>
        new Promise<void>((resolve) => {
          events.push(`start ${name}`);
          finishers.set(name, () => {
            events.push(`end ${name}`);
            resolve();
          });
        }),
      (c) => cycles.push(c),
    );
    const finish = async (name: string) => {
      finishers.get(name)!();
      for (let i = 0; i < 5; i++) await Promise.resolve();
    };
    return { events, finish, done, cycles };
  }

  const STACKS = [
    { name: 'a-scrapers', dependencies: ['central-workspace'] },
    { name: 'a-trust', dependencies: ['a-scrapers'] },
    { name: 'b-scrapers', dependencies: [] },
    { name: 'b-trust', dependencies: ['b-scrapers'] },
    { name: 'central-workspace', dependencies: [] },
  ];

  test('a stack starts once its dependencies are planned, never more than the bound at once', async () => {
    const h = harness(STACKS, 2);
    expect(h.events).toEqual(['start b-scrapers', 'start central-workspace']);
    await h.finish('central-workspace');
    expect(h.events.slice(2)).toEqual(['end central-workspace', 'start a-scrapers']);
    await h.finish('b-scrapers');
    expect(h.events.slice(4)).toEqual(['end b-scrapers', 'start b-trust']);
    await h.finish('a-scrapers');
    await h.finish('b-trust');
    expect(h.events.slice(6)).toEqual(['end a-scrapers', 'start a-trust', 'end b-trust']);
    await h.finish('a-trust');
    await h.done;
    expect(h.cycles).toEqual([]);
  });

  test('with a bound of 1 the stacks run one by one', async () => {
    const h = harness(STACKS, 1);
    for (const name of ['b-scrapers', 'b-trust', 'central-workspace', 'a-scrapers', 'a-trust']) {
      expect(h.events[h.events.length - 1]).toBe(`start ${name}`);
      await h.finish(name);
    }
    await h.done;
    expect(h.events.filter((e) => e.startsWith('start'))).toHaveLength(5);
  });

  test('a dependency cycle is reported instead of waited on forever', async () => {
    const h = harness(
      [
        { name: 'x', dependencies: ['y'] },
        { name: 'y', dependencies: ['x'] },
        { name: 'z', dependencies: [] },
      ],
      4,
    );
    await h.finish('z');
    await h.done;
    expect(h.cycles).toEqual([['x', 'y']]);
  });
});

describe('exit codes and reports', () => {
  const base = (name: string, result: 'no-changes' | 'changes' | 'error') => ({
    name,
    dependencies: [],
    result,
    planExitCode: 0,
    errors: result === 'error' ? ['Error: boom'] : [],
    log: `${name}.log`,
    plan: null,
    seconds: 1,
    add: result === 'changes' ? 1 : 0,
  });
  const checked = { checked: true, findings: [] };
  const orphan = (empty: boolean) => ({
    checked: true,
    findings: [
      {
        stack: 'old-scrapers',
        location: 'state/terraform.old-scrapers.tfstate',
        kind: 'scrapers' as const,
        empty,
        action: 'put it back',
        line: 'orphaned state of stack old-scrapers',
      },
    ],
  });

  test.each([
    ['nothing to do', 0, [base('a', 'no-changes')], checked],
    ['changes', 2, [base('a', 'no-changes'), base('b', 'changes')], checked],
    ['an error beats changes', 1, [base('a', 'error'), base('b', 'changes')], checked],
    ['an orphan holding resources is pending work', 2, [base('a', 'no-changes')], orphan(false)],
    ['an empty orphaned state is only reported', 0, [base('a', 'no-changes')], orphan(true)],
  ])('%s: exit %i', (_, code, stacks, orphans) => {
    const summary = summarize(2, stacks as any, orphans);
    expect(summary.exitCode).toBe(code);
    expect(summary.result).toBe(['no-changes', 'error', 'changes'][code]);
  });

  test('the Markdown report has a marker, a headline, a row per stack, errors and orphans', () => {
    const summary: Summary = summarize(2, [base('a-scrapers', 'changes'), base('a-trust', 'error')] as any, orphan(false));
    const md = renderMarkdown(summary);
    expect(md.split('\n').slice(0, 2)).toEqual(['<!-- amp-xa plan-all -->', ':x: **amp-xa plan failed**']);
    expect(md).toMatch(/^\| `a-scrapers` \| changes \| 1 \| 0 \| 0 \| 0 \| 0 \| 0 \|$/m);
    expect(md).toMatch(/^\| `a-trust` \| :x: error \|/m);
    expect(md).toMatch(/#### Errors\n\n- `Error: boom`: `a-trust`\n/);
    expect(md).toMatch(/#### Orphaned states[\s\S]*- `old-scrapers` at `state\/terraform.old-scrapers.tfstate`: put it back/);
    expect(
      renderMarkdown(summarize(2, [base('a', 'no-changes')] as any, { checked: false, note: 'TF_TOKEN_app_terraform_io is not set', findings: [] })),
    ).toMatch(/:white_check_mark: \*\*amp-xa plan: no changes\*\*[\s\S]*Orphaned states: not checked \(TF_TOKEN_app_terraform_io is not set\)/);
  });

  const untracked = {
    checked: true,
    findings: [
      {
        pair: 'prod-to-central',
        stack: 'fleet-scrapers',
        lines: ['scraper s-1 (CREATING) exist in AWS but not in the state of fleet-scrapers: bring them under management with npm run recover -- --apply'],
      },
    ],
  };

  test('a scraper or role in AWS that no state tracks is pending work (exit 2) though every plan is empty, and the report says what to run', () => {
    const summary = summarize(2, [base('fleet-scrapers', 'no-changes')] as any, checked, undefined, untracked);
    expect({ exitCode: summary.exitCode, result: summary.result, untrackedPairs: summary.totals.untrackedPairs }).toEqual({
      exitCode: 2,
      result: 'changes',
      untrackedPairs: 1,
    });
    expect(renderMarkdown(summary)).toMatch(
      /#### In AWS, not in state[\s\S]*- pair `prod-to-central` \(`fleet-scrapers`\): scraper s-1 \(CREATING\)[^\n]*npm run recover -- --apply/,
    );
    // An error still wins; a check that could not run is said, not hidden.
    expect(summarize(2, [base('fleet-scrapers', 'error')] as any, checked, undefined, untracked).exitCode).toBe(1);
    const unchecked = summarize(2, [base('fleet-scrapers', 'no-changes')] as any, checked, undefined, {
      checked: false,
      note: 'pair p: AccessDenied',
      findings: [],
    });
    expect(unchecked.exitCode).toBe(0);
    expect(renderMarkdown(unchecked)).toContain('Untracked scrapers and roles: not checked (pair p: AccessDenied).');
  });

  test('--skip-untracked turns the AWS read off; it is on by default', () => {
    expect(parseOptions([], {}).untracked).toBe(true);
    expect(parseOptions(['--skip-untracked'], {}).untracked).toBe(false);
  });
});

describe('the script against a synthesized app, with a fake terraform', () => {
  let dir: string;
  const STACKS: Record<string, string[]> = { 'central-workspace': [], 'fleet-scrapers': ['central-workspace'], 'fleet-trust': ['fleet-scrapers'] };

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'amp-xa-plan-all-'));
    const stacks: Record<string, unknown> = {};
    for (const [name, dependencies] of Object.entries(STACKS)) {
      mkdirSync(path.join(dir, 'cdktf.out', 'stacks', name), { recursive: true });
      const backend = { local: { path: path.join(dir, 'state', `terraform.${name}.tfstate`) } };
      writeFileSync(path.join(dir, 'cdktf.out', 'stacks', name, 'cdk.tf.json'), JSON.stringify({ terraform: { backend } }));
      stacks[name] = { name, dependencies, workingDirectory: `stacks/${name}`, synthesizedStackPath: `stacks/${name}/cdk.tf.json` };
    }
    writeFileSync(path.join(dir, 'cdktf.out', 'manifest.json'), JSON.stringify({ stacks }));
    mkdirSync(path.join(dir, 'state'));
    writeFileSync(path.join(dir, 'events'), '');
    chmodSync(FAKE_TF, 0o755);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function planAll(scenario: Record<string, unknown>, args: string[] = [], env: Record<string, string> = {}) {
    writeFileSync(path.join(dir, 'scenario.json'), JSON.stringify(scenario));
    writeFileSync(path.join(dir, 'events'), '');
    const r = spawnSync(
      process.execPath,
      // A fake terraform has no AWS behind it: the untracked check (AWS reads) is the e2e suite's (recovery.e2e).
      ['-r', path.join(ROOT, 'scripts', 'register.js'), path.join(ROOT, 'scripts', 'ci', 'plan-all.ts'), '--skip-synth', '--skip-untracked', ...args],
      {
        cwd: dir,
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH,
          TERRAFORM_BINARY_NAME: FAKE_TF,
          FAKE_TF_SCENARIO: path.join(dir, 'scenario.json'),
          FAKE_TF_EVENTS: path.join(dir, 'events'),
          ...env,
        },
      },
    );
    const read = (f: string) => readFileSync(path.join(dir, f), 'utf8');
    return {
      code: r.status,
      stdout: r.stdout,
      stderr: r.stderr,
      summary: () => JSON.parse(read('cdktf.out/plan-summary.json')),
      markdown: () => read('cdktf.out/plan-summary.md'),
      events: () => read('events').trim().split('\n'),
    };
  }

  test('no changes anywhere: exit 0, every stack init+plan (no show), started in dependency order and run side by side', () => {
    // A plan reads state, not other plans: phase 1's plan can wait for phase 2's to start (it would fail if plan-all
    // waited for dependencies to finish first).
    const r = planAll({ 'fleet-scrapers': { plan: 0, waitFor: 'fleet-trust' } }, ['-j', '4']);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    const starts = r.events().filter((e) => e.startsWith('start'));
    // Launched in manifest order, but side by side: the processes may log their start in any order.
    expect(
      starts
        .filter((e) => e.endsWith(' init'))
        .map((e) => e.split(' ')[1])
        .sort(),
    ).toEqual(['central-workspace', 'fleet-scrapers', 'fleet-trust']);
    const summary = r.summary();
    expect(summary).toMatchObject({ version: 1, result: 'no-changes', exitCode: 0, concurrency: 4, orphans: { checked: true, findings: [] } });
    expect(summary.stacks.map((s: any) => [s.name, s.result, s.planExitCode])).toEqual([
      ['central-workspace', 'no-changes', 0],
      ['fleet-scrapers', 'no-changes', 0],
      ['fleet-trust', 'no-changes', 0],
    ]);
    expect(readFileSync(path.join(dir, summary.stacks[0].log), 'utf8')).toMatch(
      /\$ .*fake-terraform.js plan -json -no-color -detailed-exitcode -input=false -lock=false -out=amp-xa.tfplan\nTerraform 1.11.4\nPlan: 0 to add/,
    );
    expect(r.events().filter((e) => e.endsWith(' show'))).toEqual([]);
    expect(r.stdout).toMatch(/^=== plan fleet-trust: no changes/m);
  });

  test('before phase 1: the trust stack runs no finalizer yet, and says it pins the new scrapers once phase 1 is applied', () => {
    // Phase 2 reads the scraper ARNs from phase 1's state, which has none yet: its plan cannot count those runs.
    const phase1 = [
      ['aws_iam_role.a_source', 'aws_iam_role', 'create'],
      ['aws_prometheus_scraper.a', 'aws_prometheus_scraper', 'create'],
      ['aws_prometheus_scraper.b', 'aws_prometheus_scraper', 'create'],
    ];
    const r = planAll({ 'fleet-scrapers': { plan: 2, changes: phase1 }, 'fleet-trust': { plan: 2, changes: [] } });
    expect(r.code).toBe(2);
    const trust = r.summary().stacks.find((s: any) => s.name === 'fleet-trust');
    expect(trust).toMatchObject({ finalizerRuns: 0, pendingPhase1: { pairs: 2, after: ['fleet-scrapers'] } });
    expect(r.summary().stacks.find((s: any) => s.name === 'fleet-scrapers').pendingPhase1).toBeUndefined();
    expect(r.summary().totals).toMatchObject({ newScrapers: 2, finalizerRuns: 0, pendingPairs: 2 });
    expect(r.stdout).toMatch(
      /^ {2}fleet-trust: 0 to add, 0 to change, 0 to replace, 0 to destroy, 0 finalizer runs now; phase 2 pending phase 1: pins the trust of 2 pairs to their new scrapers once fleet-scrapers is applied$/m,
    );
    expect(r.markdown()).toMatch(/^\| `fleet-trust` \| changes \| 0 \| 0 \| 0 \| 0 \| 0 \| 0 now, 2 pair\(s\) after phase 1 \|$/m);
    expect(r.markdown()).toMatch(/; 0 finalizer runs now, and phase 2 pins the trust of 2 pairs once phase 1 is applied\./);
  });

  test('changes pending: exit 2, counts per stack, the Markdown table', () => {
    const changes = [
      ['terraform_data.finalize_source', 'terraform_data', 'create'],
      ['aws_iam_role.r', 'aws_iam_role', 'update'],
    ];
    const r = planAll({ 'fleet-trust': { plan: 2, changes } });
    expect(r.code).toBe(2);
    expect(r.summary().totals).toMatchObject({ add: 1, change: 1, finalizerRuns: 1, stacks: 3, changed: 1, failed: 0 });
    expect(r.markdown()).toMatch(/^\| `fleet-trust` \| changes \| 1 \| 1 \| 0 \| 0 \| 0 \| 1 \|$/m);
    // Reviewers get the saved plan in Terraform's words, for the stacks with changes only.
    expect(r.events().filter((e) => e.startsWith('start') && e.endsWith(' show'))).toEqual(['start fleet-trust show']);
    expect(readFileSync(path.join(dir, r.summary().stacks[2].log), 'utf8')).toMatch(
      /show -no-color amp-xa.tfplan\n {2}# terraform_data.finalize_source will be created\n/,
    );
  });

  test('a failing plan: exit 1 even beside changes, its first error lines, its dependants still planned', () => {
    const r = planAll({ 'central-workspace': { plan: 2 }, 'fleet-scrapers': { plan: 1 }, 'fleet-trust': { init: 1, plan: 0 } });
    expect(r.code).toBe(1);
    const stacks = r.summary().stacks;
    expect(stacks.map((s: any) => [s.name, s.result])).toEqual([
      ['central-workspace', 'changes'],
      ['fleet-scrapers', 'error'],
      ['fleet-trust', 'error'],
    ]);
    expect(stacks[1].errors).toEqual(['Error: Unable to find remote state (with data.terraform_remote_state.phase1,)']);
    expect(stacks[2].errors).toEqual(['Error: Failed to query available provider packages']);
    expect(stacks[2].planExitCode).toBeNull();
    expect(r.stdout).toMatch(/^ {2}fleet-scrapers: Error: Unable to find remote state$/m);
  });

  test('one problem, one line, once: the same error in several stacks is one summary line naming them, and no log is printed', () => {
    const profile = 'failed to get shared config profile, observability';
    const r = planAll({
      'central-workspace': { plan: 1, error: profile },
      'fleet-scrapers': { plan: 1, error: profile },
      'fleet-trust': { plan: 1, error: 'failed to get shared config profile, workload' },
    });
    expect(r.code).toBe(1);
    expect(r.stdout.split(profile)).toHaveLength(2);
    expect(r.stdout).toMatch(`\n  central-workspace, fleet-scrapers: Error: ${profile}\n  fleet-trust: Error: failed to get shared config profile, workload\n`);
    expect(r.stdout).not.toMatch(/Terraform has been successfully initialized|No stored state was found/);
    expect(r.markdown()).toMatch(
      `#### Errors\n\n- \`Error: ${profile}\`: \`central-workspace\`, \`fleet-scrapers\`\n- \`Error: failed to get shared config profile, workload\`: \`fleet-trust\`\n`,
    );
    expect(r.stdout).toMatch(/^=== plan fleet-trust: error \(below\)$/m);
    // The full story stays in each stack's log and in the JSON summary.
    expect(readFileSync(path.join(dir, r.summary().stacks[0].log), 'utf8')).toMatch(/Terraform has been successfully initialized/);
    expect(r.summary().stacks[0].errors).toEqual([`Error: ${profile} (with data.terraform_remote_state.phase1,)`]);
  });

  const inits = (r: ReturnType<typeof planAll>) =>
    r
      .events()
      .filter((e) => e.startsWith('start') && e.endsWith(' init'))
      .map((e) => e.split(' ')[1])
      .sort();

  test('terraform init runs again only for a stack whose backend, providers or lock file changed since plan-all initialized it', () => {
    expect(inits(planAll({}))).toEqual(['central-workspace', 'fleet-scrapers', 'fleet-trust']);
    const again = planAll({});
    expect(again.code).toBe(0);
    expect(inits(again)).toEqual([]);
    expect(readFileSync(path.join(dir, again.summary().stacks[0].log), 'utf8')).toMatch(/^\(terraform init skipped/);
    const trust = path.join(dir, 'cdktf.out', 'stacks', 'fleet-trust');
    writeFileSync(path.join(trust, 'cdk.tf.json'), JSON.stringify({ terraform: { backend: { local: { path: path.join(dir, 'state', 'moved.tfstate') } } } }));
    writeFileSync(path.join(dir, 'cdktf.out', 'stacks', 'fleet-scrapers', '.terraform.lock.hcl'), 'provider "registry.terraform.io/hashicorp/aws" {}\n');
    expect(inits(planAll({}))).toEqual(['fleet-scrapers', 'fleet-trust']);
    // A resource change alone is not an init input.
    writeFileSync(
      path.join(trust, 'cdk.tf.json'),
      JSON.stringify({ terraform: { backend: { local: { path: path.join(dir, 'state', 'moved.tfstate') } } }, resource: { x: {} } }),
    );
    expect(inits(planAll({}))).toEqual([]);
  });

  test('a failed init leaves no stamp: the next run initializes again', () => {
    expect(planAll({ 'fleet-trust': { init: 1, plan: 0 } }).code).toBe(1);
    expect(inits(planAll({}))).toEqual(['fleet-trust']);
  });

  test('a plan that fails after a skipped init saying init is needed is planned again after terraform init; other failures are not', () => {
    planAll({});
    const r = planAll({ 'fleet-scrapers': { plan: [1, 2], error: 'Backend initialization required, please run "terraform init"' } });
    expect(r.code).toBe(2);
    expect(inits(r)).toEqual(['fleet-scrapers']);
    const scrapers = r.summary().stacks[1];
    expect(scrapers).toMatchObject({ result: 'changes', errors: [] });
    expect(readFileSync(path.join(dir, scrapers.log), 'utf8')).toMatch(
      /Error: Backend initialization required[\s\S]*the plan needs terraform init: initializing and planning again\n\$ \S+ init/,
    );
    const failing = planAll({ 'fleet-scrapers': { plan: [1, 2] } });
    expect(inits(failing)).toEqual([]);
    expect(failing.summary().stacks[1]).toMatchObject({
      result: 'error',
      planExitCode: 1,
      errors: ['Error: Unable to find remote state (with data.terraform_remote_state.phase1,)'],
    });
  });

  test('TF_DATA_DIR: the stamp lives in that directory, and changing it means init again', () => {
    expect(inits(planAll({}, [], { TF_DATA_DIR: '.tf-data' }))).toHaveLength(3);
    expect(readFileSync(path.join(dir, 'cdktf.out', 'stacks', 'fleet-trust', '.tf-data', 'amp-xa-init.sha256'), 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
    expect(inits(planAll({}, [], { TF_DATA_DIR: '.tf-data' }))).toEqual([]);
    expect(inits(planAll({}, [], { TF_DATA_DIR: '.tf-other' }))).toHaveLength(3);
  });

  test('a Terraform Cloud remote run prints its plan as text: the counts come from the saved plan', () => {
    const savedPlan = { resource_changes: [{ address: 'aws_iam_role.r', type: 'aws_iam_role', mode: 'managed', change: { actions: ['delete'] } }] };
    const r = planAll({ 'fleet-trust': { plan: 2, human: true, savedPlan } });
    expect(r.code).toBe(2);
    expect(r.summary().stacks[2]).toMatchObject({ result: 'changes', destroy: 1, destroyed: ['aws_iam_role.r'] });
    expect(r.events().filter((e) => e.startsWith('start fleet-trust show'))).toHaveLength(2);
  });

  test('stacks without dependencies between them are planned at the same time', () => {
    const scenario = { 'central-workspace': { plan: 0, waitFor: 'other-workspace' }, 'other-workspace': { plan: 0, waitFor: 'central-workspace' } };
    const manifest = JSON.parse(readFileSync(path.join(dir, 'cdktf.out', 'manifest.json'), 'utf8'));
    manifest.stacks['other-workspace'] = { ...manifest.stacks['central-workspace'], name: 'other-workspace', workingDirectory: 'stacks/other-workspace' };
    mkdirSync(path.join(dir, 'cdktf.out', 'stacks', 'other-workspace'));
    writeFileSync(path.join(dir, 'cdktf.out', 'manifest.json'), JSON.stringify(manifest));
    expect(planAll(scenario, ['-j', '2']).code).toBe(0);
    const serial = planAll(scenario, ['-j', '1'], { FAKE_TF_WAIT_TRIES: '20' });
    expect(serial.code).toBe(1);
    expect(serial.summary().stacks[0].errors).toEqual(['Error: other-workspace was not planned while central-workspace was']);
  });

  test('in GitHub Actions each stack log is one group, and the report lands in the step summary', () => {
    writeFileSync(path.join(dir, 'step-summary'), '');
    const r = planAll({ 'fleet-scrapers': { plan: 2, output: 'Plan: 1 to add' } }, [], {
      GITHUB_ACTIONS: 'true',
      GITHUB_STEP_SUMMARY: path.join(dir, 'step-summary'),
    });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^::group::plan fleet-scrapers: changes \(\+0 ~0 ±0 -0\)\n\$ [^\n]*init[\s\S]*?Plan: 1 to add[\s\S]*?\n::endgroup::$/m);
    expect(r.stdout.match(/::group::/g)).toHaveLength(3);
    expect(readFileSync(path.join(dir, 'step-summary'), 'utf8')).toBe(r.markdown());
  });

  test('an orphaned local state (its stack left the app) is reported with how to destroy it, and makes the exit 2', () => {
    writeFileSync(path.join(dir, 'state', 'terraform.fleet-scrapers.tfstate'), JSON.stringify({ resources: [{ mode: 'managed' }] }));
    writeFileSync(path.join(dir, 'state', 'terraform.legacy-scrapers.tfstate'), JSON.stringify({ resources: [{ mode: 'managed' }, { mode: 'data' }] }));
    writeFileSync(path.join(dir, 'state', 'terraform.emptied-trust.tfstate'), JSON.stringify({ resources: [{ mode: 'data' }] }));
    const r = planAll({});
    expect(r.code).toBe(2);
    const { findings } = r.summary().orphans;
    expect(findings.map((f: any) => [f.stack, f.empty])).toEqual([
      ['emptied-trust', true],
      ['legacy-scrapers', false],
    ]);
    expect(r.stdout).toMatch(
      /orphaned state of stack legacy-scrapers \(no longer in the app\) at .*terraform\.legacy-scrapers\.tfstate: .*put an account with "unit": "legacy" and no clusters back in the config/,
    );
    expect(r.markdown()).toMatch(/#### Orphaned states/);
  });

  /** Rewrites every stack's backend. */
  function useBackend(terraform: (name: string) => Record<string, unknown>) {
    for (const name of Object.keys(STACKS))
      writeFileSync(path.join(dir, 'cdktf.out', 'stacks', name, 'cdk.tf.json'), JSON.stringify({ terraform: terraform(name) }));
  }

  /** The fake S3 (a child process, answering while the test waits in spawnSync); resolves to its endpoint. */
  async function fakeS3(keys: string[], status = 200): Promise<{ endpoint: string; requests: () => string[]; stop: () => void }> {
    const requests = path.join(dir, 's3-requests');
    writeFileSync(requests, '');
    const child = spawn(process.execPath, [path.join(__dirname, 'support', 'fake-s3.js'), JSON.stringify(keys), requests, String(status)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const port = await new Promise<string>((resolve, reject) => {
      child.stdout!.once('data', (d) => resolve(String(d).trim()));
      child.once('exit', (code) => reject(new Error(`fake S3 exited with ${code}`)));
    });
    return {
      endpoint: `http://127.0.0.1:${port}`,
      requests: () => readFileSync(requests, 'utf8').trim().split('\n'),
      stop: () => child.kill('SIGTERM'),
    };
  }

  test('S3 state: the keys under the prefix are listed with the AWS SDK (no CLI), with the backend profile and region, every page', async () => {
    useBackend((name) => ({
      backend: { s3: { bucket: 'acme-state', key: `fleet/prod/${name}.tfstate`, region: 'eu-west-1', profile: 'state', use_path_style: true } },
    }));
    const keys = ['fleet/prod/fleet-scrapers.tfstate', 'fleet/prod/fleet-scrapers.tfstate.tflock', 'fleet/prod/gone-trust.tfstate', 'fleet/prod/old/x.tfstate'];
    const s3 = await fakeS3(keys);
    try {
      writeFileSync(path.join(dir, 'aws-credentials'), '[state]\naws_access_key_id = AKIASTATEPROFILE0000\naws_secret_access_key = s\n');
      // No AWS CLI reachable: PATH holds node only.
      const r = planAll({}, [], {
        PATH: path.dirname(process.execPath),
        AWS_ENDPOINT_URL_S3: s3.endpoint,
        AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'aws-credentials'),
        AWS_CONFIG_FILE: path.join(dir, 'no-config'),
        AWS_EC2_METADATA_DISABLED: 'true',
      });
      expect(r.code).toBe(2);
      const requests = s3.requests();
      expect(requests).toHaveLength(2);
      for (const request of requests) {
        expect(request).toMatch(/^GET \/acme-state\/\?(continuation-token=page-2&)?list-type=2&prefix=fleet%2Fprod%2F /);
        expect(request).toMatch(/Credential=AKIASTATEPROFILE0000\/\d{8}\/eu-west-1\/s3\/aws4_request/);
      }
      expect(requests[1]).toMatch(/continuation-token=page-2/);
      expect(r.summary().orphans.findings.map((f: any) => [f.stack, f.location])).toEqual([['gone-trust', 's3://acme-state/fleet/prod/gone-trust.tfstate']]);
    } finally {
      s3.stop();
    }
  });

  test("S3 state that cannot be listed: said, and the exit code is the plans' own", async () => {
    useBackend((name) => ({ backend: { s3: { bucket: 'acme-state', key: `amp-xa/${name}.tfstate`, region: 'eu-west-1', use_path_style: true } } }));
    const s3 = await fakeS3([], 403);
    try {
      const r = planAll({}, [], {
        AWS_ENDPOINT_URL_S3: s3.endpoint,
        AWS_ACCESS_KEY_ID: 'AKIAENV0000000000000',
        AWS_SECRET_ACCESS_KEY: 's',
        AWS_CONFIG_FILE: path.join(dir, 'no-config'),
        AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'no-credentials'),
        AWS_EC2_METADATA_DISABLED: 'true',
      });
      expect(r.code).toBe(0);
      expect(r.summary().orphans).toEqual({
        checked: false,
        note: expect.stringMatching(/^cannot list s3:\/\/acme-state\/amp-xa\/ \(AccessDenied: Access Denied\)$/),
        findings: [],
      });
      expect(r.stdout).toMatch(/orphaned states not checked: cannot list s3:\/\/acme-state\/amp-xa\//);
    } finally {
      s3.stop();
    }
  });

  test('Terraform Cloud without a token: says it cannot check', () => {
    useBackend((name) => ({ cloud: { organization: 'acme', hostname: 'tfe.example-corp.com', workspaces: { name: `amp-xa-${name}` } } }));
    const r = planAll({});
    expect(r.code).toBe(0);
    expect(r.summary().orphans.note).toBe('TF_TOKEN_tfe_example__corp_com is not set, so the Terraform Cloud workspaces cannot be listed');
  });

  test('bad options exit 1, never 2 (which a caller reads as changes pending)', () => {
    const r = planAll({}, ['--bogus']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^plan-all: unknown option "--bogus"/);
  });

  test('no synthesized app: exit 1 with a report saying so', () => {
    rmSync(path.join(dir, 'cdktf.out', 'manifest.json'));
    const r = planAll({});
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/cannot read .*manifest\.json.*; run cdktf synth first/);
    expect(r.summary()).toMatchObject({ result: 'error', exitCode: 1, stacks: [] });
  });
});
