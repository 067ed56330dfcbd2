/**
 * The schema-valid parts of a config that fails the schema, so the cross-field rules (fleet.ts) and the scrape
 * config checks still run on them and one run reports every problem: a field typo in one pair must not hide a
 * cluster ARN in the wrong region or a pair naming a missing cluster, even in the same pair.
 *
 * An entry that fails is salvaged one level deep: its unknown fields and invalid optional ones are left out (a
 * tags map keeps its valid tags), and if what remains passes the schema, the rules run on that. A field with a
 * default is not left out (the default could make a rule report what the config does not say): its entry is
 * skipped. The schema has already reported whatever was left out.
 */
import { ZodDefault, ZodEffects, ZodObject, ZodOptional, ZodRecord, type ZodRawShape, type ZodType, type ZodTypeDef } from 'zod';
import { accountName, accountSchema, clusterName, clusterSchema, configSchema, pairSchema, workspaceName, workspaceSchema } from './schema';
import type { FleetConfigDraft } from './fleet';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function valid<T>(schema: ZodType<T, ZodTypeDef, unknown>, value: unknown): T | undefined {
  const r = schema.safeParse(value);
  return r.success ? r.data : undefined;
}

/** A tags-like map: its entries that pass the record's key and value schemas. */
function validEntries(record: ZodRecord, raw: unknown): Record<string, unknown> | undefined {
  if (!isRecord(raw)) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (valid(record.keySchema, k) !== undefined && valid(record.valueSchema, v) !== undefined) out[k] = v;
  }
  return out;
}

function unwrap(schema: ZodType): ZodType {
  if (schema instanceof ZodOptional) return unwrap(schema.unwrap());
  if (schema instanceof ZodDefault) return unwrap(schema.removeDefault());
  if (schema instanceof ZodEffects) return unwrap(schema.innerType());
  return schema;
}

function hasDefault(schema: ZodType): boolean {
  if (schema instanceof ZodDefault) return true;
  if (schema instanceof ZodOptional) return hasDefault(schema.unwrap());
  if (schema instanceof ZodEffects) return hasDefault(schema.innerType());
  return false;
}

/** `raw` if it passes `schema`, else its salvaged fields if they do (see above), else undefined. */
function salvage<T>(schema: ZodType<T, ZodTypeDef, unknown>, raw: unknown): T | undefined {
  const whole = valid(schema, raw);
  const object = unwrap(schema);
  if (whole !== undefined || !isRecord(raw) || !(object instanceof ZodObject)) return whole;
  const kept: Record<string, unknown> = {};
  for (const [key, field] of Object.entries((object as ZodObject<ZodRawShape>).shape)) {
    if (!Object.hasOwn(raw, key)) continue;
    const inner = unwrap(field);
    if (valid(field, raw[key]) !== undefined) kept[key] = raw[key];
    else if (inner instanceof ZodRecord) kept[key] = validEntries(inner, raw[key]);
    else if (hasDefault(field)) return undefined;
  }
  return valid(schema, kept);
}

/** The entries of one section that pass the schema, and the names of all of them (valid or not). */
function section<T>(raw: unknown, key: ZodType<string, ZodTypeDef, unknown>, schema: ZodType<T, ZodTypeDef, unknown>) {
  const entries: Record<string, T> = {};
  const names: string[] = [];
  if (isRecord(raw)) {
    for (const [name, value] of Object.entries(raw)) {
      names.push(name);
      const entry = salvage(schema, value);
      // A key the schema refuses (`__proto__` among them) is never used as a property name.
      if (entry !== undefined && valid(key, name) !== undefined) entries[name] = entry;
    }
  }
  return { entries, names };
}

export function draftConfig(input: unknown): FleetConfigDraft {
  const root = isRecord(input) ? input : {};
  const accounts = section(root.accounts, accountName, accountSchema);
  const clusters = section(root.clusters, clusterName, clusterSchema);
  const workspaces = section(root.workspaces, workspaceName, workspaceSchema);
  const shape = configSchema.shape;
  return {
    accounts: accounts.entries,
    clusters: clusters.entries,
    workspaces: workspaces.entries,
    pairs: Array.isArray(root.pairs) ? root.pairs.map((p) => salvage(pairSchema, p)) : [],
    fleet: valid(shape.fleet, root.fleet),
    backend: valid(shape.backend, root.backend),
    finalizer: valid(shape.finalizer, root.finalizer),
    bootstrapTrust: valid(shape.bootstrapTrust, root.bootstrapTrust),
    tags: valid(shape.tags, root.tags) ?? (validEntries(unwrap(shape.tags) as ZodRecord, root.tags) as Record<string, string> | undefined),
    defined: { accounts: accounts.names, clusters: clusters.names, workspaces: workspaces.names },
  };
}
