/**
 * The one error type for an invalid config. It bounds and sanitizes every problem line itself, so no code
 * path can print raw user text: whatever the caller built the line from (a key with a newline and an ANSI
 * escape, a 50 MB value, a right-to-left override), the message has one printable-ASCII line per problem.
 */
import { escapeText } from '../describe-value';

/** Problems listed; the rest are counted ("and N more"): the first ones usually explain the others. */
export const MAX_PROBLEMS_SHOWN = 50;
/** Characters per problem line (after escaping): a path, a message and a quoted value fit easily. */
export const MAX_PROBLEM_LENGTH = 400;
/** Characters of the source (a file path) in the header line. */
export const MAX_SOURCE_LENGTH = 300;

export class ConfigError extends Error {
  /** The problems as printed: escaped, cut to MAX_PROBLEM_LENGTH, duplicates dropped, at most MAX_PROBLEMS_SHOWN. */
  readonly problems: string[];
  /** Problems found but not listed. */
  readonly omitted: number;

  constructor(
    readonly source: string,
    problems: string[],
  ) {
    const unique = [...new Set(problems.map((p) => escapeText(String(p), MAX_PROBLEM_LENGTH)))];
    const shown = unique.slice(0, MAX_PROBLEMS_SHOWN);
    const omitted = unique.length - shown.length;
    const lines = shown.map((p) => `  - ${p}`);
    if (omitted > 0) lines.push(`  ... and ${omitted} more problem${omitted === 1 ? '' : 's'} (fix the ones above first)`);
    super(`invalid amp-xa config ${escapeText(String(source), MAX_SOURCE_LENGTH)}:\n${lines.join('\n')}`);
    this.name = 'ConfigError';
    this.problems = shown;
    this.omitted = omitted;
  }
}
