/**
 * How error messages show text that came from a user's files: visibly, boundedly, never raw.
 *
 * - `escapeText`: everything outside printable ASCII becomes an escape (`\n`, `\x1b`, `\u202e`, `\u0435`,
 *   `\u{1f600}`), so a newline cannot forge an extra error line, an ANSI sequence cannot recolour or erase the
 *   terminal, and a zero-width, right-to-left or homoglyph character is told apart from what it imitates.
 * - `describeValue`: a config value as JSON (strings quoted, so a backslash shows as `\\`), escaped and cut.
 * - `describeKind`: a value by its shape only ("a string of 7 characters"), for files whose content must
 *   never be printed (scrape configs: a config may name a secrets file by mistake).
 */

/** One character (code point) as a visible escape; printable ASCII stays as it is. */
function escapeChar(ch: string): string {
  const code = ch.codePointAt(0)!;
  if (code >= 0x20 && code <= 0x7e) return ch;
  switch (ch) {
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
  }
  if (code < 0x20 || code === 0x7f) return `\\x${code.toString(16).padStart(2, '0')}`;
  if (code <= 0xffff) return `\\u${code.toString(16).padStart(4, '0')}`;
  return `\\u{${code.toString(16)}}`;
}

/**
 * `text` with every character outside printable ASCII escaped, at most `max` characters long. A cut never
 * splits an escape and says how much was left out.
 */
export function escapeText(text: string, max = Infinity): string {
  let out = '';
  let i = 0;
  // Code points, so an astral character is one escape; a lone surrogate is escaped on its own.
  for (const ch of text) {
    const escaped = escapeChar(ch);
    if (out.length + escaped.length > max) {
      const rest = text.length - i;
      return `${out}... (${rest} more character${rest === 1 ? '' : 's'})`;
    }
    out += escaped;
    i += ch.length;
  }
  return out;
}

/** Longest string value quoted in full; longer ones are cut (the message says so). */
const MAX_STRING_SHOWN = 200;

/** Bounded JSON for small structures: at most `depth` levels and `items` entries per level. */
function boundedJson(value: unknown, depth: number): string {
  if (typeof value === 'string') {
    const shown = value.length > MAX_STRING_SHOWN ? value.slice(0, MAX_STRING_SHOWN) : value;
    return JSON.stringify(shown) + (shown.length < value.length ? `... (${value.length} characters)` : '');
  }
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) {
    if (depth <= 0) return `[${value.length} item${value.length === 1 ? '' : 's'}]`;
    const shown = value.slice(0, 5).map((v) => boundedJson(v, depth - 1));
    return `[${shown.join(',')}${value.length > 5 ? `,... ${value.length - 5} more` : ''}]`;
  }
  if (typeof value === 'object') {
    const keys = Object.keys(value as object);
    if (depth <= 0) return `{${keys.length} key${keys.length === 1 ? '' : 's'}}`;
    const shown = keys.slice(0, 5).map((k) => `${boundedJson(k, 0)}:${boundedJson((value as Record<string, unknown>)[k], depth - 1)}`);
    return `{${shown.join(',')}${keys.length > 5 ? `,... ${keys.length - 5} more` : ''}}`;
  }
  return typeof value;
}

/** A string quoted as JSON with everything outside printable ASCII escaped, cut to about `max` characters. */
function quoteString(value: string, max: number): string {
  let out = '"';
  for (const ch of value) {
    const piece = escapeText(JSON.stringify(ch).slice(1, -1));
    if (out.length + piece.length + 1 > max) return `${out}"... (${value.length} characters)`;
    out += piece;
  }
  return `${out}"`;
}

/** A value as error messages quote it: JSON, non-ASCII escaped, cut to `max` characters, "nothing" for a missing value. */
export function describeValue(value: unknown, max = 80): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return quoteString(value, max);
  return escapeText(boundedJson(value, 2), max);
}

/** A value by its kind and size only: no content. */
export function describeKind(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null (an empty value)';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return 'a number';
  if (typeof value === 'string') return value === '' ? 'an empty string' : `a string of ${value.length} character${value.length === 1 ? '' : 's'}`;
  if (Array.isArray(value)) return `a list of ${value.length} item${value.length === 1 ? '' : 's'}`;
  if (value instanceof Uint8Array) return 'binary data';
  if (value instanceof Set || value instanceof Map) return 'a set';
  if (typeof value === 'object') return 'a mapping';
  return typeof value;
}

/** Characters of a key shown in a path; longer keys are cut. */
const MAX_KEY_SHOWN = 64;
const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** One key of a field path: `.name` for ordinary keys, `["..."]` (escaped, cut) for anything else. */
export function pathKey(key: string): string {
  if (PLAIN_KEY.test(key) && key.length <= MAX_KEY_SHOWN) return `.${key}`;
  return `[${describeValue(key, MAX_KEY_SHOWN + 2)}]`;
}

/** A field path from its segments: `pairs[0].name`, `accounts["bad key"]`. */
export function formatPath(segments: ReadonlyArray<PropertyKey>): string {
  const out = segments.map((s) => (typeof s === 'number' ? `[${s}]` : pathKey(String(s)))).join('');
  return out.startsWith('.') ? out.slice(1) : out;
}
