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
