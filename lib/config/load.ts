/**
 * Reads and validates a fleet config file. Every failure becomes one ConfigError listing all problems,
 * each naming its field, so nothing is synthesized from a half-valid config.
 *
 * Files are read defensively (they may be anything a path can name): regular files only, checked on the open
 * file descriptor, opened non-blocking so a FIFO cannot hang the open; bounded in size; strict UTF-8. The
 * config is parsed by a strict JSON parser that rejects duplicate keys and bounds nesting. File content is
 * never quoted in errors beyond what names the field (see ConfigError and describe-value.ts).
 */
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync, type Stats } from 'fs';
import * as path from 'path';
import type { ZodIssue } from 'zod';
import { describeValue as describe, formatPath } from '../describe-value';
import { configSchema, KEY_MESSAGES, pairSchema, STATIC_CREDENTIAL_FIELDS, STATIC_CREDENTIALS_MESSAGE } from './schema';
import { ConfigError } from './errors';
import { JsonSyntaxError, lineAndColumn, parseStrictJson, type StrictJson } from './strict-json';
import { checkFleet, type FleetPlan } from './fleet';
import { draftConfig } from './draft';
import { defaultFleetName } from './fleet-identity';
import { defaultScrapeConfiguration } from '../scrape/default';
import { validateScrapeConfiguration } from '../scrape/validate';

export { formatPath };
export { MAX_JSON_DEPTH, parseStrictJson } from './strict-json';

export const DEFAULT_CONFIG_PATH = path.join(__dirname, '..', '..', 'examples', 'single-pair.json');

/**
 * Fleet config size limit: 1 MiB. A sane limit, not an AWS one: the generated 500-pair benchmark fleet is
 * 166 KB pretty-printed (10x the largest fleet synth has been measured at), so 1 MiB leaves room for
 * thousands of pairs with tags, while refusing /dev/zero-like or mistaken inputs before they eat memory.
 */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * Scrape config size limit: 1 MiB. AWS publishes no limit for it: botocore's AMP model
 * (data/amp/2020-08-01/service-2.json, ScrapeConfiguration.configurationBlob) is a Blob without `max`, and
 * Service Quotas has no code for it. The built-in config is about 3 KB; 1 MiB is hundreds of jobs. The text is
 * copied into the synthesized JSON, the Terraform state and (base64, +33%) every CreateScraper/UpdateScraper
 * request, so an unbounded file would be shipped to AWS whole.
 */
export const MAX_SCRAPE_CONFIG_BYTES = 1024 * 1024;

const MIB = (bytes: number) => `${bytes} bytes (${bytes / (1024 * 1024)} MiB)`;

/** A file that cannot be used; the message names the file and says why, never its content. */
class FileProblem extends Error {}

function kindOf(stat: Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * The text of a regular file of at most `maxBytes`, as strict UTF-8 (a BOM is dropped).
 * O_NONBLOCK: opening a FIFO without a writer returns at once instead of blocking forever, and the fstat on
 * the descriptor (not the path, which could change in between) then refuses it. `noFollow` refuses a final
 * symlink, for paths already resolved with realpath.
 */
export function readRegularTextFile(file: string, maxBytes: number, why: string, noFollow = false): string {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (noFollow ? (constants.O_NOFOLLOW ?? 0) : 0));
  } catch (e) {
    throw new FileProblem(`cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new FileProblem(`${file} is ${kindOf(stat)}; amp-xa reads regular files only`);
    if (stat.size > maxBytes) throw new FileProblem(`${file} is ${stat.size} bytes; the limit is ${MIB(maxBytes)}: ${why}`);
    // Read to the end rather than trusting the size: files in /proc report 0, and a file may grow meanwhile.
    const chunks: Buffer[] = [];
    const buffer = Buffer.alloc(64 * 1024);
    let total = 0;
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) break;
      total += n;
      if (total > maxBytes) throw new FileProblem(`${file} is over ${MIB(maxBytes)}, the limit: ${why}`);
      chunks.push(Buffer.from(buffer.subarray(0, n)));
    }
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
    } catch {
      throw new FileProblem(`${file} is not UTF-8 text`);
    }
  } catch (e) {
    if (e instanceof FileProblem) throw e;
    throw new FileProblem(`cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  } finally {
    closeSync(fd);
  }
}

/** Whether `inner` is strictly below `dir` (both absolute and already resolved). */
function isInside(dir: string, inner: string): boolean {
  const rel = path.relative(dir, inner);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

/** One line per problem: the field path, what is wrong or expected, and the value received. */
function formatIssue(issue: ZodIssue, input: unknown): string[] {
  const where = formatPath(issue.path) || '(root)';
  const received = valueAt(input, issue.path);
  const got = (value: unknown) => (Array.isArray(value) ? `${value.length} item${value.length === 1 ? '' : 's'}` : describe(value));
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((k) => {
        const field = formatPath([...issue.path, k]);
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
    case 'invalid_string':
      if (KEY_MESSAGES.has(issue.message)) return [`${where}: ${issue.message}`];
      return [`${where}: ${issue.message}, got ${got(received)}`];
    default:
      return [`${where}: ${issue.message}, got ${got(received)}`];
  }
}

function valueAt(input: unknown, segments: ReadonlyArray<PropertyKey>): unknown {
  return segments.reduce<unknown>(
    (v, k) => (v && typeof v === 'object' && Object.prototype.hasOwnProperty.call(v, k) ? (v as Record<PropertyKey, unknown>)[k] : undefined),
    input,
  );
}

const isArray = Array.isArray;
const scrapeConfigFileSchema = pairSchema.shape.scrapeConfigFile;

const SCRAPE_SIZE_REASON =
  'AWS publishes no size limit for a scrape configuration; amp-xa caps it, since it is copied into the Terraform JSON, the state and every AMP request';

/**
 * The scrape config text of one pair. The file must resolve, after following symlinks, to a regular file
 * inside the config file's folder: a config (perhaps from a pull request) cannot make amp-xa read
 * ~/.aws/credentials or /etc/shadow and ship it to AWS as a scraper configuration.
 */
function readScrapeConfig(baseDir: string, file: string, field: string, problems: string[]): string | undefined {
  const target = path.resolve(baseDir, file);
  let realBase: string;
  let real: string;
  try {
    realBase = realpathSync(baseDir);
    real = realpathSync(target);
  } catch (e) {
    problems.push(`${field}: cannot read ${target} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); paths are relative to the config file`);
    return undefined;
  }
  if (!isInside(realBase, real)) {
    problems.push(
      `${field}: ${describe(file)} resolves to ${real}, outside the config file's folder ${realBase}; a scrape config file must be inside that folder after following symlinks (so a config cannot make amp-xa read another file and send it to AWS)`,
    );
    return undefined;
  }
  try {
    return readRegularTextFile(real, MAX_SCRAPE_CONFIG_BYTES, SCRAPE_SIZE_REASON, true);
  } catch (e) {
    if (!(e instanceof FileProblem)) throw e;
    problems.push(`${field}: ${e.message}`);
    return undefined;
  }
}

/**
 * Validates already-parsed JSON. `baseDir` resolves scrapeConfigFile paths (which must stay inside it).
 * Every problem one run can find is reported at once: problems `parsed` found (duplicate keys, numbers that
 * do not read as written), the schema's, the scrape configs' and the cross-field rules', the last two run on
 * whatever parts of the config passed the schema.
 */
export function parseFleetConfig(input: unknown, baseDir: string, sourceName = 'config', parsed?: Omit<StrictJson, 'value'>, configFile?: string): FleetPlan {
  const problems: string[] = [
    ...(parsed?.duplicates ?? []),
    ...(parsed?.numbers ?? []).map((n) => `${n.where}: ${n.problem}; write the value as the README config reference says`),
  ];
  // The schema would only say "expected a string, got null" where a number did not read as written.
  const unreadable = new Set((parsed?.numbers ?? []).map((n) => n.where));
  const result = configSchema.safeParse(input);
  if (!result.success) {
    problems.push(...result.error.issues.filter((i) => !unreadable.has(formatPath(i.path) || '(root)')).flatMap((i) => formatIssue(i, input)));
  }
  const config = result.success ? result.data : draftConfig(input);
  const rawPairs: unknown[] = isArray(valueAt(input, ['pairs'])) ? (valueAt(input, ['pairs']) as unknown[]) : [];
  const scrapeConfigs = rawPairs.map((raw, i) => {
    const pair = config.pairs[i];
    const file = scrapeConfigFileSchema.safeParse(valueAt(raw, ['scrapeConfigFile']));
    if (!file.success) return '';
    if (file.data === undefined) return pair ? defaultScrapeConfiguration(pair.cluster) : '';
    const field = `pairs[${i}].scrapeConfigFile`;
    const text = readScrapeConfig(baseDir, file.data, field, problems);
    if (text === undefined) return '';
    const shownName = describe(file.data, 80).replace(/^"(.*)"$/, '$1');
    for (const problem of validateScrapeConfiguration(text)) problems.push(`${field} (${shownName}) ${problem}`);
    return text;
  });
  // A `fleet` the schema refused is reported as such, not as a missing one.
  const named = valueAt(input, ['fleet']) !== undefined;
  const defaultFleet = configFile === undefined || named ? undefined : (defaultFleetName(configFile) ?? null);
  const fleet = checkFleet(config, scrapeConfigs, { baseDir, defaultFleet, configFile });
  problems.push(...fleet.problems);
  if (problems.length || !fleet.plan) throw new ConfigError(sourceName, problems);
  return fleet.plan;
}

/** `file` defaults to AMP_XA_CONFIG, then the shipped single-pair example. */
export function loadFleetConfig(file?: string): FleetPlan {
  const resolved = path.resolve(file ?? (process.env.AMP_XA_CONFIG || DEFAULT_CONFIG_PATH));
  let text: string;
  try {
    text = readRegularTextFile(resolved, MAX_CONFIG_BYTES, 'a fleet config is a small JSON file (a 500-pair fleet is about 170 KB)');
  } catch (e) {
    if (!(e instanceof FileProblem)) throw e;
    throw new ConfigError(resolved, [`AMP_XA_CONFIG: ${e.message}; set it to a fleet config JSON file`]);
  }
  if (text.trim() === '')
    throw new ConfigError(resolved, ['(file): is empty; expected a JSON object with accounts, clusters, workspaces and pairs (see examples/)']);
  let parsed: StrictJson;
  try {
    parsed = parseStrictJson(text);
  } catch (e) {
    if (!(e instanceof JsonSyntaxError)) throw e;
    if (e.tooDeep) throw new ConfigError(resolved, [`${formatPath(e.where) || '(root)'}: ${e.message}`]);
    const inField = e.where.length ? ` (in ${formatPath(e.where)})` : '';
    throw new ConfigError(resolved, [`(file): not valid JSON at ${lineAndColumn(text, e.offset)}${inField}: ${e.message}`]);
  }
  return parseFleetConfig(parsed.value, path.dirname(resolved), resolved, parsed, resolved);
}
