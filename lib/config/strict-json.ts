/**
 * Strict JSON: JSON.parse keeps the last of duplicate keys silently (so a reviewer reads one value and amp-xa
 * deploys another), reads 1e999 as Infinity (printed back as null), recurses without limit, and quotes the input
 * in its messages. This parser reports every duplicate key and every number that does not read as written with
 * its path, stops at MAX_JSON_DEPTH, and reports syntax errors by position only.
 */
import { formatPath } from '../describe-value';

/** Nesting limit of the config JSON: a valid config nests 5 levels (accounts.<name>.credentials.profile). */
export const MAX_JSON_DEPTH = 32;

export class JsonSyntaxError extends Error {
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

/** Digits of a number shown in a message: enough to recognize it, bounded. */
const MAX_NUMBER_SHOWN = 40;

/**
 * Why a JSON number cannot be read as written, or undefined: out of range (1e999 reads as Infinity, which every
 * JSON writer prints as null), a non-zero value that reads as 0, an integer beyond 2^53 that reads rounded.
 */
function numberProblem(written: string, n: number): string | undefined {
  const shown = written.length > MAX_NUMBER_SHOWN ? `${written.slice(0, MAX_NUMBER_SHOWN)}... (${written.length} characters)` : written;
  if (!Number.isFinite(n)) return `the number ${shown} is out of range (JSON readers read it as ${n}, and write it back as null)`;
  if (n === 0 && /[1-9]/.test(written.replace(/[eE].*$/, ''))) return `the number ${shown} is too small to read (JSON readers read it as 0)`;
  if (/^-?\d+$/.test(written) && !Number.isSafeInteger(n)) return `the number ${shown} is too large to read exactly (JSON readers round it to ${n})`;
  return undefined;
}

export interface StrictJson {
  readonly value: unknown;
  /** Keys that appear twice in one object, with their paths. */
  readonly duplicates: string[];
  /** Numbers that do not read as written, with their paths: the schema would see another value. */
  readonly numbers: Array<{ readonly where: string; readonly problem: string }>;
}

/** The value of a JSON text, the duplicate keys and the unreadable numbers found (each with its path). Throws JsonSyntaxError. */
export function parseStrictJson(text: string, maxDepth = MAX_JSON_DEPTH): StrictJson {
  let i = 0;
  const duplicates: string[] = [];
  const numbers: Array<{ where: string; problem: string }> = [];
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
      const n = Number(m[0]);
      const problem = numberProblem(m[0], n);
      if (problem) numbers.push({ where: formatPath(where) || '(root)', problem });
      return n;
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
  return { value: result, duplicates, numbers };
}

export function lineAndColumn(text: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let j = text.indexOf('\n'); j !== -1 && j < offset; j = text.indexOf('\n', j + 1)) {
    line++;
    lineStart = j + 1;
  }
  return `line ${line}, column ${offset - lineStart + 1}`;
}
