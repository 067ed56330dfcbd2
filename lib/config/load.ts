/**
 * Reads and validates a fleet config file. Every failure becomes one ConfigError listing all problems,
 * each naming its field, so nothing is synthesized from a half-valid config.
 */
import { readFileSync } from 'fs';
import * as path from 'path';
import type { ZodIssue } from 'zod';
import { describeValue as describe } from '../describe-value';
import { configSchema, STATIC_CREDENTIAL_FIELDS, STATIC_CREDENTIALS_MESSAGE, type FleetConfig } from './schema';
import { ConfigError, planFleet, type FleetPlan } from './fleet';
import { defaultScrapeConfiguration } from '../scrape/default';
import { validateScrapeConfiguration } from '../scrape/validate';

export const DEFAULT_CONFIG_PATH = path.join(__dirname, '..', '..', 'examples', 'single-pair.json');

export function formatPath(segments: ReadonlyArray<PropertyKey>): string {
  return segments.reduce<string>((out, s) => (typeof s === 'number' ? `${out}[${s}]` : out ? `${out}.${String(s)}` : String(s)), '');
}

function valueAt(input: unknown, segments: ReadonlyArray<PropertyKey>): unknown {
  return segments.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined), input);
}

/** One line per problem: the field path, what is wrong or expected, and the value received. */
function formatIssue(issue: ZodIssue, input: unknown): string[] {
  const where = formatPath(issue.path) || '(root)';
  const received = valueAt(input, issue.path);
  const got = (value: unknown) => (Array.isArray(value) ? `${value.length} item${value.length === 1 ? '' : 's'}` : describe(value));
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((k) => {
        const field = where === '(root)' ? k : `${where}.${k}`;
        return where === 'backend' && STATIC_CREDENTIAL_FIELDS.includes(k)
          ? `${field}: ${STATIC_CREDENTIALS_MESSAGE}`
          : `${field}: unknown field; check the spelling against the README config reference`;
      });
    case 'invalid_type':
      if (received === undefined) return [`${where}: required field is missing (expected ${issue.expected})`];
      // Schema-specific messages (which say what a valid value looks like) beat zod's generic one.
      return [`${where}: ${issue.message.startsWith('Expected ') ? `expected ${issue.expected}` : issue.message}, got ${describe(received)}`];
    case 'invalid_enum_value':
      return [`${where}: expected one of ${issue.options.join(', ')}, got ${describe(received)}`];
    case 'invalid_union_discriminator':
      return [`${where}: ${issue.message}; got ${describe(received)}`];
    case 'custom':
      return [`${where}: ${issue.message}`];
    default:
      return [`${where}: ${issue.message}, got ${got(received)}`];
  }
}

/** Validates already-parsed JSON. `baseDir` resolves scrapeConfigFile paths. */
export function parseFleetConfig(input: unknown, baseDir: string, sourceName = 'config', read = (p: string) => readFileSync(p, 'utf8')): FleetPlan {
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(sourceName, parsed.error.issues.flatMap((i) => formatIssue(i, input)));
  }
  const config: FleetConfig = parsed.data;
  const problems: string[] = [];
  const scrapeConfigs = config.pairs.map((pair, i) => {
    if (!pair.scrapeConfigFile) return defaultScrapeConfiguration(pair.cluster);
    const file = path.resolve(baseDir, pair.scrapeConfigFile);
    let text: string;
    try {
      text = read(file);
    } catch (e) {
      problems.push(`pairs[${i}].scrapeConfigFile: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); paths are relative to the config file`);
      return '';
    }
    for (const problem of validateScrapeConfiguration(text)) problems.push(`pairs[${i}].scrapeConfigFile (${pair.scrapeConfigFile}) ${problem}`);
    return text;
  });
  if (problems.length) throw new ConfigError(sourceName, problems);
  return planFleet(config, scrapeConfigs, sourceName);
}

/** `file` defaults to AMP_XA_CONFIG, then the shipped single-pair example. */
export function loadFleetConfig(file?: string): FleetPlan {
  const resolved = path.resolve(file ?? (process.env.AMP_XA_CONFIG || DEFAULT_CONFIG_PATH));
  let text: string;
  try {
    text = readFileSync(resolved, 'utf8');
  } catch (e) {
    throw new ConfigError(resolved, [`AMP_XA_CONFIG: cannot read ${resolved} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); set it to a fleet config JSON file`]);
  }
  if (text.trim() === '') throw new ConfigError(resolved, ['(file): is empty; expected a JSON object with accounts, clusters, workspaces and pairs (see examples/)']);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(resolved, [`(file): not valid JSON: ${(e as Error).message}`]);
  }
  return parseFleetConfig(json, path.dirname(resolved), resolved);
}
