/**
 * Command-line options of the operator scripts (status, eks-access): node's parseArgs, strict, with the
 * refusals as one-line messages that name the option, and `--pair` checked against the config.
 */
import { parseArgs, type ParseArgsConfig } from 'util';
import type { FleetPlan, PairPlan } from './config/fleet';

export class UsageError extends Error {}

/** -h or --help anywhere on the command line: the script prints its usage on stdout and does nothing else. */
export const asksForHelp = (argv: readonly string[]): boolean => argv.some((a) => a === '-h' || a === '--help');

export function parseOptions<T extends NonNullable<ParseArgsConfig['options']>>(command: string, argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    // parseArgs: "Unknown option '--x'...", "Option '--pair <value>' argument missing", "Unexpected argument 'x'..."
    throw new UsageError(`${command}: ${(e as Error).message.split('\n')[0]}`);
  }
}

/** The pairs named with --pair (in config order), or all of them; an unknown name lists the known ones. */
export function selectPairs(command: string, fleet: FleetPlan, names: string[] | undefined): PairPlan[] {
  if (!names?.length) return fleet.pairs;
  const known = new Set(fleet.pairs.map((p) => p.name));
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length) {
    throw new UsageError(`${command}: --pair ${JSON.stringify(unknown[0])} is not a pair of the config; pairs: ${[...known].join(', ') || '(none)'}`);
  }
  return fleet.pairs.filter((p) => names.includes(p.name));
}
