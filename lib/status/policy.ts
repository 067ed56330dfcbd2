/**
 * Semantic comparison of IAM policy documents as IAM returns them (GetRole and GetRolePolicy answer with
 * URL-encoded JSON): what IAM evaluates, not how the JSON is spelled. Sids are labels; a single value and a
 * one-element list are the same; lists are sets; action names and condition keys are case-insensitive.
 * Every other field is kept as it is, so a `NotAction`, `NotPrincipal` or unexpected key makes documents differ.
 */
import type { PolicyDocument } from '../iam-documents';

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);
const sortedStrings = (v: unknown, lower = false) =>
  [...new Set(asList(v).map((x) => (typeof x === 'string' ? (lower ? x.toLowerCase() : x) : JSON.stringify(x))))].sort();

function normalizeStatement(statement: unknown): unknown {
  if (!statement || typeof statement !== 'object' || Array.isArray(statement)) return statement;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(statement as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) {
    if (key === 'Sid') continue;
    if (key === 'Action' || key === 'NotAction') out[key] = sortedStrings(value, true);
    else if (key === 'Resource' || key === 'NotResource') out[key] = sortedStrings(value);
    else if ((key === 'Principal' || key === 'NotPrincipal') && value && typeof value === 'object') {
      out[key] = Object.fromEntries(
        Object.entries(value as Record<string, unknown>)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([k, v]) => [k, sortedStrings(v)]),
      );
    } else if (key === 'Condition' && value && typeof value === 'object') {
      out[key] = Object.fromEntries(
        Object.entries(value as Record<string, unknown>)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([op, kv]) => [
            op,
            kv && typeof kv === 'object'
              ? Object.fromEntries(
                  Object.entries(kv as Record<string, unknown>)
                    .map(([k, v]) => [k.toLowerCase(), sortedStrings(v)] as const)
                    .sort(([a], [b]) => a.localeCompare(b)),
                )
              : kv,
          ]),
      );
    } else out[key] = value;
  }
  return out;
}

/** A canonical form: equal for documents IAM evaluates the same way (within the rules above). */
export function normalizePolicy(doc: unknown): unknown {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return doc;
  const { Statement, Id: _id, ...rest } = doc as Record<string, unknown>;
  const statements = [...new Set((Statement === undefined ? [] : asList(Statement)).map((s) => JSON.stringify(normalizeStatement(s))))].sort();
  return { ...rest, Statement: statements };
}

export function samePolicy(live: unknown, expected: PolicyDocument): boolean {
  return JSON.stringify(normalizePolicy(live)) === JSON.stringify(normalizePolicy(expected));
}

/**
 * IAM's answer: URL-encoded JSON (the SDK does not decode it). Already-parsed objects pass through; text that
 * is not JSON stays text (and so never equals a document).
 */
export function decodePolicyDocument(document: unknown): unknown {
  if (typeof document !== 'string') return document;
  let text = document;
  try {
    text = decodeURIComponent(document);
  } catch {
    /* not URL-encoded */
  }
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The values a trust document pins `conditionKey` to (e.g. aws:SourceArn, sts:ExternalId), whatever the operator. */
export function pinnedValues(doc: unknown, conditionKey: string): string[] {
  if (!doc || typeof doc !== 'object') return [];
  const statements = asList((doc as Record<string, unknown>).Statement);
  const values = new Set<string>();
  for (const s of statements) {
    const condition = s && typeof s === 'object' ? (s as Record<string, unknown>).Condition : undefined;
    if (!condition || typeof condition !== 'object') continue;
    for (const kv of Object.values(condition as Record<string, unknown>)) {
      if (!kv || typeof kv !== 'object') continue;
      for (const [k, v] of Object.entries(kv as Record<string, unknown>))
        if (k.toLowerCase() === conditionKey.toLowerCase()) asList(v).forEach((x) => values.add(String(x)));
    }
  }
  return [...values].sort();
}
