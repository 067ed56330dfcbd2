/**
 * Terraform expressions and literals, in one place. cdktf writes strings into `cdk.tf.json` as they are, and
 * Terraform evaluates `${…}` and `%{…}` in every string of its JSON syntax: text a user wrote (a scrape config
 * with `${1}`, an alias, a profile name) must be escaped to arrive in AWS byte for byte.
 */

/** A literal string for Terraform's JSON syntax: `${` -> `$${`, `%{` -> `%%{`; nothing else changes. */
export function literal(text: string): string {
  return text.replace(/([$%])\{/g, '$1$1{');
}

/** Undefined stays undefined: for optional config fields. */
export function optionalLiteral(text: string | undefined): string | undefined {
  return text === undefined ? undefined : literal(text);
}

/** `${expression}`: an HCL expression as a string argument value. */
export function interpolation(expression: string): string {
  return `\${${expression}}`;
}

/**
 * cdktf types `count` as a number and conditions as booleans, though Terraform takes expressions for both:
 * the casts live here, once, instead of at every use.
 */
export function countWhen(condition: string): number {
  return interpolation(`${condition} ? 1 : 0`) as unknown as number;
}

export function condition(expression: string): boolean {
  return interpolation(expression) as unknown as boolean;
}

/**
 * A quoted HCL string holding `value` literally: template sequences escaped, and only the escapes HCL knows
 * (`\\`, `\"`, `\n`, `\r`, `\t`, `\uNNNN`; JSON's `\b` and `\f` are not among them).
 */
export function hclString(value: string): string {
  const escaped = literal(value).replace(/[\\"\u0000-\u001f\u007f]/g, (c) => {
    switch (c) {
      case '\\':
        return '\\\\';
      case '"':
        return '\\"';
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\t':
        return '\\t';
      default:
        return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
    }
  });
  return `"${escaped}"`;
}

/** `try(expression, "fallback")`: the expression, or the fallback while it cannot be evaluated. */
export function tryOr(expression: string, fallback: string): string {
  return `try(${expression}, ${hclString(fallback)})`;
}

/** Address of an element (resource or data source) as HCL, with `[index]` for counted ones. */
export function address(element: { terraformResourceType: string; friendlyUniqueId: string }, kind: 'resource' | 'data', index?: number): string {
  const base = `${kind === 'data' ? 'data.' : ''}${element.terraformResourceType}.${element.friendlyUniqueId}`;
  return index === undefined ? base : `${base}[${index}]`;
}
