import { parseArn } from '../../lib/arn';
/**
 * Semantic comparison of IAM policies: what IAM evaluates, not how the JSON is spelled. Sids are
 * labels; single values and one-element lists are the same; condition keys are case-insensitive.
 */
export function normalizePolicy(doc: any): any {
  const list = (v: unknown) => (v === undefined ? undefined : (Array.isArray(v) ? v : [v]).map(String).sort());
  return {
    Version: doc.Version,
    Statement: (Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement])
      .map((s: any) => ({
        Effect: s.Effect,
        Principal: s.Principal && Object.fromEntries(Object.entries(s.Principal).map(([k, v]) => [k, list(v)])),
        Action: list(s.Action),
        Resource: list(s.Resource),
        Condition:
          s.Condition &&
          Object.fromEntries(
            Object.entries(s.Condition).map(([op, kv]) => [op, Object.fromEntries(Object.entries(kv as object).map(([k, v]) => [k.toLowerCase(), list(v)]))]),
          ),
      }))
      .map((s: any) => JSON.parse(JSON.stringify(s)))
      .sort((a: any, b: any) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
  };
}

/** A scraper ARN as AMP issues them (`scraper/s-…`): the tests' oracle for "no real scraper has this ARN". */
export function isScraperArn(value: string): boolean {
  const arn = parseArn(value);
  return !!arn && arn.service === 'aps' && /^scraper\/s-[0-9a-zA-Z-]+$/.test(arn.resource);
}
