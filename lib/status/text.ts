/**
 * Text that came from AWS (status reasons, policy and role names, error messages) is untrusted: it may hold
 * terminal escape sequences, bidirectional overrides or zero-width characters that change what an operator
 * sees. `untrusted` makes it printable and bounded: every control, format (invisible), separator, private-use,
 * surrogate or unassigned character is written as an escape (`\n`, `\t`, `\u{202e}`), a backslash as `\\`
 * (so an escape in the output always means an escaped character), and the result is cut to `max` characters.
 */
export const MAX_UNTRUSTED_LENGTH = 200;

const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cs}\p{Cn}]/u;
const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\\': '\\\\' };

function escapeChar(ch: string): string {
  if (SHORT[ch]) return SHORT[ch];
  if (!UNSAFE.test(ch)) return ch;
  return `\\u{${ch.codePointAt(0)!.toString(16)}}`;
}

export function untrusted(text: string, max = MAX_UNTRUSTED_LENGTH): string {
  let out = '';
  let taken = 0;
  const chars = Array.from(text); // code points: a lone surrogate stays one (unsafe) element
  for (const ch of chars) {
    const piece = escapeChar(ch);
    if (out.length + piece.length > max) {
      return `${out}... (${chars.length - taken} more characters)`;
    }
    out += piece;
    taken++;
  }
  return out;
}
