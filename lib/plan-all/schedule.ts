/** Which stacks plan-all plans, from cdktf's manifest, and the bounded scheduler that starts them in dependency order. */
import { readFileSync } from 'fs';
import * as path from 'path';

export interface ManifestStack {
  name: string;
  dependencies: string[];
  workingDirectory: string;
  synthesizedStackPath: string;
}

export function readManifest(outdir: string): ManifestStack[] {
  const manifest = JSON.parse(readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
  return Object.values<any>(manifest.stacks ?? {}).map((s) => ({
    name: s.name,
    dependencies: s.dependencies ?? [],
    workingDirectory: path.join(outdir, s.workingDirectory),
    synthesizedStackPath: path.join(outdir, s.synthesizedStackPath),
  }));
}

/**
 * Runs `work` for every stack once all of its dependencies (within the set) have finished, at most
 * `concurrency` at a time, starting ready stacks in manifest order. A cycle is reported, not hung on.
 */
export async function inDependencyOrder<T>(
  stacks: ReadonlyArray<{ name: string; dependencies: string[] }>,
  concurrency: number,
  work: (name: string) => Promise<T>,
  onCycle: (names: string[]) => void,
): Promise<void> {
  const names = new Set(stacks.map((s) => s.name));
  const pending = [...stacks];
  const finished = new Set<string>();
  let running = 0;
  await new Promise<void>((resolve) => {
    const pump = () => {
      for (let i = 0; i < pending.length && running < concurrency;) {
        const stack = pending[i];
        if (stack.dependencies.every((d) => finished.has(d) || !names.has(d))) {
          pending.splice(i, 1);
          running++;
          work(stack.name).finally(() => {
            running--;
            finished.add(stack.name);
            pump();
          });
        } else i++;
      }
      if (running === 0) {
        if (pending.length) onCycle(pending.splice(0).map((s) => s.name));
        resolve();
      }
    };
    pump();
  });
}
