/**
 * The schema-valid parts of a config that fails the schema, so the cross-field rules (fleet.ts) and the scrape
 * config checks still run on them and one run reports every problem: a field typo in one pair must not hide a
 * cluster ARN in the wrong region or a pair naming a missing cluster.
 */
import type { ZodType, ZodTypeDef } from 'zod';
import { accountName, accountSchema, clusterName, clusterSchema, configSchema, pairSchema, workspaceName, workspaceSchema } from './schema';
import type { FleetConfigDraft } from './fleet';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function valid<T>(schema: ZodType<T, ZodTypeDef, unknown>, value: unknown): T | undefined {
  const r = schema.safeParse(value);
  return r.success ? r.data : undefined;
}

/** The entries of one section that pass the schema, and the names of all of them (valid or not). */
function section<T>(raw: unknown, key: ZodType<string, ZodTypeDef, unknown>, schema: ZodType<T, ZodTypeDef, unknown>) {
  const entries: Record<string, T> = {};
  const names: string[] = [];
  if (isRecord(raw)) {
    for (const [name, value] of Object.entries(raw)) {
      names.push(name);
      const entry = valid(schema, value);
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
    pairs: Array.isArray(root.pairs) ? root.pairs.map((p) => valid(pairSchema, p)) : [],
    backend: valid(shape.backend, root.backend),
    finalizer: valid(shape.finalizer, root.finalizer),
    bootstrapTrust: valid(shape.bootstrapTrust, root.bootstrapTrust),
    tags: valid(shape.tags, root.tags),
    defined: { accounts: accounts.names, clusters: clusters.names, workspaces: workspaces.names },
  };
}
