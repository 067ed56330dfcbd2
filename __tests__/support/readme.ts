/**
 * The README's shell blocks and how each is proven: every ```sh block is preceded by a marker
 * `<!-- readme-run: KIND -->`: `no-aws` blocks are run verbatim on a fresh copy by readme.e2e, `sandbox` blocks by
 * the sandbox's test, `needs-aws` blocks need a real account (nothing here can run them).
 */
export const RUN_KINDS = ['no-aws', 'sandbox', 'needs-aws'] as const;
export type RunKind = (typeof RUN_KINDS)[number];

export interface ShellBlock {
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly kind: RunKind | undefined;
  readonly script: string;
}

export function shellBlocks(markdown: string): ShellBlock[] {
  const lines = markdown.split('\n');
  const blocks: ShellBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(sh|bash|shell)\s*$/.test(lines[i])) continue;
    const marker = i > 0 ? /^<!-- readme-run: ([a-z-]+) -->$/.exec(lines[i - 1]) : null;
    const end = lines.indexOf('```', i + 1);
    if (end === -1) throw new Error(`README line ${i + 1}: shell block never closed`);
    blocks.push({ line: i + 1, kind: RUN_KINDS.find((k) => k === marker?.[1]), script: lines.slice(i + 1, end).join('\n') + '\n' });
    i = end;
  }
  return blocks;
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const m = !fenced && /^#{1,6} (.+)$/.exec(line);
    if (m)
      anchors.add(
        m[1]
          .toLowerCase()
          .replace(/[^a-z0-9 _-]/g, '')
          .replace(/ /g, '-'),
      );
  }
  return anchors;
}

/** Relative links `[text](path#anchor)` outside code blocks and spans. */
export function relativeLinks(markdown: string): Array<{ target: string; anchor?: string }> {
  const prose = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1])
    .filter((href) => !/^[a-z]+:/.test(href))
    .map((href) => {
      const [target, anchor] = href.split('#');
      return { target, anchor };
    });
}
