/**
 * Runs one command and measures it as a whole process tree: wall time, and, sampled from /proc every ~200 ms,
 * peak PSS (sum of /proc/<pid>/smaps_rollup Pss over the tree: shared pages, e.g. of one provider binary mapped by
 * several processes, are split among them instead of counted again for each), peak number of processes, and
 * peak number of `terraform` and provider (`terraform-provider-*`) processes.
 * Children start in their own process group; `stopAll()` ends every group still running (Ctrl-C, errors).
 */
import { spawn } from 'child_process';
import { readdirSync, readFileSync } from 'fs';

export interface Measurement {
  seconds: number;
  peakPssMb: number;
  peakProcs: number;
  peakTerraform: number;
  peakProviders: number;
  code: number;
  output: string;
}

export const SAMPLE_MS = 200;

interface Sample {
  pssKb: number;
  procs: number;
  terraform: number;
  providers: number;
}

/** One look at the tree under `root`: pid -> (ppid, comm) from /proc/<pid>/stat, then Pss of each member. */
export function sampleTree(root: number): Sample {
  const children = new Map<number, number[]>();
  const comm = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const pid = Number(entry);
      comm.set(pid, stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid)!.push(pid);
    } catch {
      /* process ended */
    }
  }
  const sample: Sample = { pssKb: 0, procs: 0, terraform: 0, providers: 0 };
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
    const peak: Sample = { pssKb: 0, procs: 0, terraform: 0, providers: 0 };
    const sample = () => {
      const s = sampleTree(pid);
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
    code: steps.find((m) => m.code !== 0)?.code ?? 0,
    output: steps.map((m) => m.output).join('\n'),
  };
}
