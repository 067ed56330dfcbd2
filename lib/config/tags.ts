/**
 * AWS's tag rules, applied to the tags each resource really gets: the fleet-wide `tags` (every provider's
 * default_tags), amp-xa's own provenance tags, and the resource's own tags, merged as Terraform merges them
 * (a resource tag replaces a default tag of the very same key; keys that differ in any way are both sent).
 *
 * Limits (botocore's API models: data/iam/2010-05-08 tagKeyType, tagValueType, tagListType; data/amp/2020-08-01
 * TagKey, TagValue, TagMap): at most 50 tags per resource; keys 1-128 and values 0-256 characters of
 * [\p{L}\p{Z}\p{N}_.:/=+\-@], the same set for IAM and AMP. IAM tag keys are case-insensitive (two keys that
 * differ only in case are one key, and IAM refuses the request); AMP keys are case-sensitive. `aws:` is
 * reserved in any case on both.
 */

import { formatPath } from '../describe-value';

export const MAX_TAGS_PER_RESOURCE = 50;

/** Tag keys amp-xa sets itself (lib/providers.ts baseTags, lib/pair-scraper.ts, stacks/workspace-stack.ts). */
export const MANAGED_BY_TAG = 'managed-by';
export const PAIR_TAG = 'amp-xa:pair';
export const WORKSPACE_TAG = 'amp-xa:workspace';
/** AWS tags a workspace with this key when a scraper writes to it; amp-xa's providers ignore it there. */
export const SCRAPER_DESTINATION_TAG = 'AMPAgentlessScraper';

export type TagService = 'IAM' | 'AMP';

/** One source of a resource's tags: the config field it comes from (or amp-xa itself) and its tags. */
export interface TagSource {
  /** Config path of the tags (`tags`, `pairs[0].tags`), or undefined for the tags amp-xa adds. */
  readonly field?: string;
  readonly tags: Record<string, string>;
}

/** The tags one resource gets: default tags (provider) and resource tags, each from one or more sources. */
export interface ResourceTags {
  /** What the resource is, for messages: "the IAM roles of pairs[0]". */
  readonly what: string;
  readonly service: TagService;
  readonly defaults: TagSource[];
  readonly resource: TagSource[];
  /** Tags AWS itself adds to the resource later: they count against the limit too. */
  readonly addedByAws?: string[];
  /** Keys amp-xa's provider ignores on this resource (ignore_tags): a user tag of that key would be lost. */
  readonly ignoredKeys?: string[];
}

export interface Placed {
  readonly key: string;
  readonly source: TagSource;
}

/** `tags.team` or `tags["aws:x"]`, as every other problem names a field. */
const at = (field: string, key: string) => `${field}${formatPath(['_', key]).slice(1)}`;
const where = (p: Placed) => (p.source.field ? at(p.source.field, p.key) : `amp-xa's own tag ${JSON.stringify(p.key)}`);

/** The tags Terraform sends (tags_all): a resource tag replaces a default tag of the very same key. */
export function mergedTags(r: Pick<ResourceTags, 'defaults' | 'resource'>): Map<string, Placed> {
  const merged = new Map<string, Placed>();
  for (const source of [...r.defaults, ...r.resource]) for (const key of Object.keys(source.tags)) merged.set(key, { key, source });
  return merged;
}

/**
 * The problems AWS would report when Terraform sends this resource's merged tags, plus keys that would be lost
 * silently (a user key replacing one of amp-xa's own, or one AWS sets itself and amp-xa ignores). Messages about
 * a fleet-wide field do not depend on the resource, so one problem is one line however many resources share it.
 */
export function resourceTagProblems(r: ResourceTags): string[] {
  const problems: string[] = [];
  const merged = mergedTags(r);

  const own = [...r.defaults, ...r.resource].filter((s) => s.field === undefined).flatMap((s) => Object.keys(s.tags));
  for (const source of [...r.defaults, ...r.resource]) {
    if (source.field === undefined) continue;
    for (const key of Object.keys(source.tags)) {
      const clash = own.find((o) => (r.service === 'IAM' ? o.toLowerCase() === key.toLowerCase() : o === key));
      if (clash === key)
        problems.push(`${at(source.field, key)}: is amp-xa's own tag key (it would replace or be replaced by amp-xa's value); choose another key`);
      else if (clash !== undefined)
        problems.push(
          `${at(source.field, key)}: is the same IAM tag key as amp-xa's own ${JSON.stringify(clash)} (IAM tag keys are case-insensitive, and IAM refuses both at once); choose another key`,
        );
      if (r.ignoredKeys?.includes(key))
        problems.push(
          `${at(source.field, key)}: AWS sets this tag itself on every workspace a scraper writes to, and amp-xa ignores it on workspaces (so this value would be lost); choose another key`,
        );
    }
  }

  if (r.service === 'IAM') {
    const byLower = new Map<string, Placed>();
    for (const placed of merged.values()) {
      const lower = placed.key.toLowerCase();
      const first = byLower.get(lower);
      if (first === undefined) byLower.set(lower, placed);
      // Clashes with amp-xa's own keys are reported above.
      else if (first.source.field !== undefined && placed.source.field !== undefined)
        problems.push(
          `${where(placed)}: IAM tag keys are case-insensitive, and ${JSON.stringify(placed.key)} is the same key as ${where(first)} on ${r.what}; IAM refuses both at once: spell them the same, or drop one`,
        );
    }
  }

  const added = (r.addedByAws ?? []).filter((k) => !merged.has(k));
  const total = merged.size + added.length;
  if (total > MAX_TAGS_PER_RESOURCE) {
    const sources = [...r.defaults, ...r.resource].filter((s) => s.field !== undefined && Object.keys(s.tags).length > 0);
    const counts = sources.map((s) => `${Object.keys(s.tags).length} from ${s.field}`);
    if (own.length) counts.push(`${own.length} of amp-xa's own (${own.join(', ')})`);
    if (added.length) counts.push(`${added.length} AWS adds (${added.join(', ')})`);
    // The most specific field that has tags: a resource's own, else the fleet-wide ones.
    const field = [...r.resource, ...r.defaults].find((s) => s.field !== undefined && Object.keys(s.tags).length > 0)?.field ?? 'tags';
    problems.push(
      `${field}: ${r.what} would carry ${total} tags (${counts.join(', ')}; a key in both default and resource tags counts once); ${r.service} allows at most ${MAX_TAGS_PER_RESOURCE} per resource: remove ${total - MAX_TAGS_PER_RESOURCE}`,
    );
  }
  return problems;
}
