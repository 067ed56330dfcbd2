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
import { configSchema, STATIC_CREDENTIAL_FIELDS, STATIC_CREDENTIALS_MESSAGE, type FleetConfig } from './schema';
import { ConfigError } from './errors';
import { planFleet, type FleetPlan } from './fleet';
import { defaultScrapeConfiguration } from '../scrape/default';
import { validateScrapeConfiguration } from '../scrape/validate';

export { formatPath };

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

/** Nesting limit of the config JSON: a valid config nests 5 levels (accounts.<name>.credentials.profile). */
export const MAX_JSON_DEPTH = 32;

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

// ---------------------------------------------------------------------------------------------------------
// Strict JSON: JSON.parse keeps the last of duplicate keys silently (so a reviewer reads one value and amp-xa
// deploys another), recurses without limit, and quotes the input in its messages. This parser reports every
// duplicate key with its path, stops at MAX_JSON_DEPTH, and reports syntax errors by position only.

class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly where: ReadonlyArray<PropertyKey>,
    /** Too deep rather than malformed: reported at its field path. */
    readonly tooDeep = false,
  ) {
    super(message);
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** The value of a JSON text, and the duplicate keys found (each with its path). Throws JsonSyntaxError. */
export function parseStrictJson(text: string, maxDepth = MAX_JSON_DEPTH): { value: unknown; duplicates: string[] } {
  let i = 0;
  const duplicates: string[] = [];
  const fail = (message: string, where: ReadonlyArray<PropertyKey>): never => {
    throw new JsonSyntaxError(i >= text.length ? `unexpected end of file; ${message}` : message, i, where);
  };
  const space = () => {
    for (let c = text.charCodeAt(i); c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d; c = text.charCodeAt(++i));
  };

  const string = (where: ReadonlyArray<PropertyKey>): string => {
    i++; // opening quote
    let out = '';
    let start = i;
    for (;;) {
      if (i >= text.length) fail('a string is not closed', where);
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        out += text.slice(start, i++);
        return out;
      }
      if (c < 0x20) fail('a raw control character (such as a line break) inside a string; write it as an escape like \\n', where);
      if (c !== 0x5c) {
        i++;
        continue;
      }
      out += text.slice(start, i);
      const e = text[i + 1];
      if (e === 'u') {
        const hex = text.slice(i + 2, i + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('a \\u escape needs 4 hex digits', where);
        out += String.fromCharCode(parseInt(hex, 16));
        i += 6;
      } else if (e !== undefined && e in ESCAPES) {
        out += ESCAPES[e];
        i += 2;
      } else {
        fail('an unknown escape in a string', where);
      }
      start = i;
    }
  };

  const value = (where: ReadonlyArray<PropertyKey>, depth: number): unknown => {
    space();
    const c = text[i];
    if (c === '{' || c === '[') {
      if (depth >= maxDepth) {
        throw new JsonSyntaxError(`nested deeper than ${maxDepth} levels; a fleet config needs 5`, i, where, true);
      }
      return c === '{' ? object(where, depth + 1) : array(where, depth + 1);
    }
    if (c === '"') return string(where);
    for (const [word, v] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (m) {
      i += m[0].length;
      return Number(m[0]);
    }
    return fail('expected a value (an object, list, string, number, true, false or null)', where);
  };

  const object = (where: ReadonlyArray<PropertyKey>, depth: number): Record<string, unknown> => {
    i++;
    const out: Record<string, unknown> = {};
    const seen = new Set<string>();
    space();
    if (text[i] === '}') {
      i++;
      return out;
    }
    for (;;) {
      space();
      if (text[i] !== '"') fail('expected a key in double quotes', where);
      const key = string(where);
      const keyPath = [...where, key];
      space();
      if (text[i] !== ':') fail('expected ":" after a key', keyPath);
      i++;
      const v = value(keyPath, depth);
      if (seen.has(key)) duplicates.push(`${formatPath(keyPath)}: duplicate key; each key may appear once (JSON readers disagree on which value wins)`);
      seen.add(key);
      // Like JSON.parse: an own property, even for "__proto__".
      Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
      space();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '}') {
        i++;
        return out;
      }
      fail('expected "," or "}" after a value', keyPath);
    }
  };

  const array = (where: ReadonlyArray<PropertyKey>, depth: number): unknown[] => {
    i++;
    const out: unknown[] = [];
    space();
    if (text[i] === ']') {
      i++;
      return out;
    }
    for (;;) {
      out.push(value([...where, out.length], depth));
      space();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === ']') {
        i++;
        return out;
      }
      fail('expected "," or "]" after a value', [...where, out.length - 1]);
    }
  };

  const result = value([], 0);
  space();
  if (i < text.length) fail('unexpected text after the end of the JSON value', []);
  return { value: result, duplicates };
}

function lineAndColumn(text: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let j = text.indexOf('\n'); j !== -1 && j < offset; j = text.indexOf('\n', j + 1)) {
    line++;
    lineStart = j + 1;
  }
  return `line ${line}, column ${offset - lineStart + 1}`;
}

// ---------------------------------------------------------------------------------------------------------

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

/** Validates already-parsed JSON. `baseDir` resolves scrapeConfigFile paths (which must stay inside it). */
export function parseFleetConfig(input: unknown, baseDir: string, sourceName = 'config'): FleetPlan {
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(
      sourceName,
      parsed.error.issues.flatMap((i) => formatIssue(i, input)),
    );
  }
  const config: FleetConfig = parsed.data;
  const problems: string[] = [];
  const scrapeConfigs = config.pairs.map((pair, i) => {
    if (!pair.scrapeConfigFile) return defaultScrapeConfiguration(pair.cluster);
    const field = `pairs[${i}].scrapeConfigFile`;
    const text = readScrapeConfig(baseDir, pair.scrapeConfigFile, field, problems);
    if (text === undefined) return '';
    const shownName = describe(pair.scrapeConfigFile, 80).replace(/^"(.*)"$/, '$1');
    for (const problem of validateScrapeConfiguration(text)) problems.push(`${field} (${shownName}) ${problem}`);
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
    text = readRegularTextFile(resolved, MAX_CONFIG_BYTES, 'a fleet config is a small JSON file (a 500-pair fleet is about 170 KB)');
  } catch (e) {
    if (!(e instanceof FileProblem)) throw e;
    throw new ConfigError(resolved, [`AMP_XA_CONFIG: ${e.message}; set it to a fleet config JSON file`]);
  }
  if (text.trim() === '')
    throw new ConfigError(resolved, ['(file): is empty; expected a JSON object with accounts, clusters, workspaces and pairs (see examples/)']);
  let parsed: { value: unknown; duplicates: string[] };
  try {
    parsed = parseStrictJson(text);
  } catch (e) {
    if (!(e instanceof JsonSyntaxError)) throw e;
    if (e.tooDeep) throw new ConfigError(resolved, [`${formatPath(e.where) || '(root)'}: ${e.message}`]);
    const inField = e.where.length ? ` (in ${formatPath(e.where)})` : '';
    throw new ConfigError(resolved, [`(file): not valid JSON at ${lineAndColumn(text, e.offset)}${inField}: ${e.message}`]);
  }
  if (parsed.duplicates.length) throw new ConfigError(resolved, parsed.duplicates);
  return parseFleetConfig(parsed.value, path.dirname(resolved), resolved);
}
