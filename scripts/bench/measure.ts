/**
 * Runs one command and measures it as a whole process tree: wall time, and, sampled from /proc every ~200 ms,
 * peak PSS (sum of /proc/<pid>/smaps_rollup Pss over the tree: shared pages, e.g. of one provider binary mapped by
 * several processes, are split among them instead of counted again for each), peak number of processes, and
 * peak number of `terraform` and provider (`terraform-provider-*`) processes, and each process's span and CPU time
 * (where the time goes: `timeline()`).
 * Children start in their own process group; `stopAll()` ends every group still running (Ctrl-C, errors).
 */
import { spawn } from 'child_process';
import { readdirSync, readFileSync, readlinkSync } from 'fs';

export interface Measurement {
  seconds: number;
  peakPssMb: number;
  peakProcs: number;
  peakTerraform: number;
  peakProviders: number;
  /** Where the time went: each process seen, by what it ran (first seen, last seen, CPU seconds at the last look). */
  processes: ProcessSpan[];
  code: number;
  output: string;
}

export interface ProcessSpan {
  label: string;
  firstSeconds: number;
  lastSeconds: number;
  cpuSeconds: number;
}

export const SAMPLE_MS = 200;

interface Sample {
  pssKb: number;
  procs: number;
  terraform: number;
  providers: number;
  /** pid -> what it runs and its CPU time so far (user + system). */
  members: Map<number, { label: string; cpuSeconds: number }>;
}

const TICKS_PER_SECOND = 100;

/** What a process runs, short: `terraform plan (fleet-scrapers)`, `aws provider`, `node cdktf.ts deploy`. */
function processLabel(pid: number, name: string): string {
  if (name.startsWith('terraform-prov')) return 'aws provider';
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const base = (s: string) => s.split('/').pop() ?? s;
    if (name === 'terraform') {
      const sub = argv.slice(1).find((a) => !a.startsWith('-')) ?? '';
      let where = '';
      try {
        where = ` (${base(readlinkSync(`/proc/${pid}/cwd`))})`;
      } catch {
        /* ended */
      }
      return `terraform ${sub}${where}`;
    }
    if (name === 'node' || name.startsWith('node')) {
      const script = argv.slice(1).find((a) => !a.startsWith('-') && /\.(ts|js)$|cdktf$/.test(a) && !a.endsWith('register.js'));
      const i = script ? argv.indexOf(script) : -1;
      return `node ${script ? base(script) : ''}${i >= 0 && argv[i + 1] && !argv[i + 1].startsWith('-') ? ` ${argv[i + 1]}` : ''}`.trim();
    }
    return name;
  } catch {
    return name;
  }
}

/** One look at the tree under `root`: pid -> (ppid, comm) from /proc/<pid>/stat, then Pss of each member. */
export function sampleTree(root: number): Sample {
  const children = new Map<number, number[]>();
  const comm = new Map<number, string>();
  const cpu = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const pid = Number(entry);
      comm.set(pid, stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(fields[1]);
      // utime and stime (fields 14 and 15 of stat; 12 and 13 after the command name).
      cpu.set(pid, (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid)!.push(pid);
    } catch {
      /* process ended */
    }
  }
  const sample: Sample = { pssKb: 0, procs: 0, terraform: 0, providers: 0, members: new Map() };
  const queue = [root];
  while (queue.length) {
    const pid = queue.pop()!;
    queue.push(...(children.get(pid) ?? []));
    if (!comm.has(pid)) continue;
    try {
      const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
      sample.pssKb += m ? Number(m[1]) : 0;
    } catch {
      continue; /* process ended */
    }
    sample.procs++;
    const name = comm.get(pid)!;
    sample.members.set(pid, { label: processLabel(pid, name), cpuSeconds: cpu.get(pid) ?? 0 });
    if (name === 'terraform') sample.terraform++;
    // comm is cut at 15 characters: terraform-provider-aws_v5.100.0_x5 reads "terraform-provi".
    else if (name.startsWith('terraform-prov')) sample.providers++;
  }
  return sample;
}

const running = new Set<number>();

/** Ends every measured command still running (its whole process group). */
export function stopAll(): void {
  for (const pid of running) {
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
  running.clear();
}

export function measure(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<Measurement> {
  return new Promise((resolve) => {
    const start = process.hrtime.bigint();
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const pid = child.pid!;
    running.add(pid);
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const peak = { pssKb: 0, procs: 0, terraform: 0, providers: 0 };
    const spans = new Map<number, ProcessSpan>();
    const sample = () => {
      const s = sampleTree(pid);
      const now = Number(process.hrtime.bigint() - start) / 1e9;
      for (const [member, { label, cpuSeconds }] of s.members) {
        const span = spans.get(member);
        if (span) Object.assign(span, { lastSeconds: now, cpuSeconds });
        else spans.set(member, { label, firstSeconds: now, lastSeconds: now, cpuSeconds });
      }
      peak.pssKb = Math.max(peak.pssKb, s.pssKb);
      peak.procs = Math.max(peak.procs, s.procs);
      peak.terraform = Math.max(peak.terraform, s.terraform);
      peak.providers = Math.max(peak.providers, s.providers);
    };
    const timer = setInterval(sample, SAMPLE_MS);
    sample();
    let finished = false;
    const done = (code: number) => {
      if (finished) return;
      finished = true;
      clearInterval(timer);
      running.delete(pid);
      resolve({
        seconds: Number(process.hrtime.bigint() - start) / 1e9,
        peakPssMb: peak.pssKb / 1024,
        peakProcs: peak.procs,
        peakTerraform: peak.terraform,
        peakProviders: peak.providers,
        processes: [...spans.values()],
        code,
        // eslint-disable-next-line no-control-regex
        output: output.replace(/\u001b\[[0-9;]*[A-Za-z]/g, ''),
      });
    };
    child.on('error', (e) => {
      output += String(e);
      done(127);
    });
    child.on('close', (code) => done(code ?? 1));
  });
}

/** Several steps as one phase: wall times add up, peaks take the maximum. */
export function combine(steps: Measurement[]): Measurement {
  return {
    seconds: steps.reduce((s, m) => s + m.seconds, 0),
    peakPssMb: Math.max(...steps.map((m) => m.peakPssMb)),
    peakProcs: Math.max(...steps.map((m) => m.peakProcs)),
    peakTerraform: Math.max(...steps.map((m) => m.peakTerraform)),
    peakProviders: Math.max(...steps.map((m) => m.peakProviders)),
    processes: steps.flatMap((m, i) => {
      const offset = steps.slice(0, i).reduce((s, x) => s + x.seconds, 0);
      return m.processes.map((p) => ({ ...p, firstSeconds: p.firstSeconds + offset, lastSeconds: p.lastSeconds + offset }));
    }),
    code: steps.find((m) => m.code !== 0)?.code ?? 0,
    output: steps.map((m) => m.output).join('\n'),
  };
}

/**
 * Where a command's time went, a line per process kind in the order they started: how many, when the first
 * started and the last ended (seconds into the command), their summed lifetimes and CPU. Processes shorter than
 * a sample may be missed; CPU is as of each one's last sample.
 */
export function timeline(m: Measurement): string[] {
  const groups = new Map<string, { n: number; first: number; last: number; alive: number; cpu: number }>();
  for (const p of [...m.processes].sort((a, b) => a.firstSeconds - b.firstSeconds)) {
    const g = groups.get(p.label) ?? { n: 0, first: p.firstSeconds, last: 0, alive: 0, cpu: 0 };
    g.n++;
    g.last = Math.max(g.last, p.lastSeconds);
    g.alive += p.lastSeconds - p.firstSeconds + SAMPLE_MS / 1000;
    g.cpu += p.cpuSeconds;
    groups.set(p.label, g);
  }
  const total = [...groups.values()].reduce((s, g) => s + g.cpu, 0);
  return [
    ...[...groups].map(
      ([label, g]) =>
        `${label.slice(0, 44).padEnd(44)} x${String(g.n).padEnd(3)} ${g.first.toFixed(1).padStart(6)}-${g.last.toFixed(1).padEnd(6)} s  alive ${g.alive.toFixed(1).padStart(6)} s  cpu ${g.cpu.toFixed(1).padStart(6)} s`,
    ),
    `${'all processes'.padEnd(44)}      wall ${m.seconds.toFixed(1)} s, cpu ${total.toFixed(1)} s`,
  ];
}
