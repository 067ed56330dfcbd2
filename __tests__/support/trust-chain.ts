/**
 * Evaluates who may walk the pair's trust chain, one IAM request at a time, with
 * @cloud-copilot/iam-simulate (a dev dependency, AGPL-3.0: tests only, never imported by the app).
 * Hops: scraper service -> Source role; Source session -> Target role; Target session -> RemoteWrite.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { PolicyDocument } from '../../lib/iam-documents';

export interface ChainDocuments {
  sourceTrust: PolicyDocument;
  sourcePermissions: PolicyDocument;
  targetTrust: PolicyDocument;
  targetPermissions: PolicyDocument;
}

export interface Request {
  /** ARN of the caller (a service principal name, a user, or an assumed-role session ARN). */
  principal: string;
  action: string;
  resource: string;
  resourceAccount: string;
  context?: Record<string, string>;
  /** The caller's identity policies; none for service principals. */
  identityPolicies?: PolicyDocument[];
  /** The resource's policy (a role trust policy for sts:AssumeRole). */
  resourcePolicy?: PolicyDocument;
}

export interface Verdict {
  result: 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied' | 'Error';
  ignoredContextKeys: string[];
  errors?: unknown;
}

export async function evaluate(request: Request): Promise<Verdict> {
  const response: any = await runSimulation(
    {
      request: {
        principal: request.principal,
        action: request.action,
        resource: { resource: request.resource, accountId: request.resourceAccount },
        contextVariables: request.context ?? {},
      },
      identityPolicies: (request.identityPolicies ?? []).map((policy, i) => ({ name: `identity-${i}`, policy })),
      resourcePolicy: request.resourcePolicy,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    } as any,
    { simulationMode: 'Strict' } as any,
  );
  if (response.resultType === 'error') return { result: 'Error', ignoredContextKeys: [], errors: response.errors };
  return { result: response.overallResult, ignoredContextKeys: response.result?.ignoredContextKeys ?? [] };
}

export const ADMIN: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

export function session(account: string, role: string, name = 'session'): string {
  return `arn:aws:sts::${account}:assumed-role/${role}/${name}`;
}

/** Replaces Terraform references in synthesized documents with the values they take after apply. */
export function resolveReferences<T>(doc: T, values: Record<string, string>): T {
  const resolve = (value: unknown): unknown => {
    if (typeof value === 'string') {
      const resolved = Object.entries(values).reduce((text, [ref, v]) => text.split(ref).join(v), value);
      if (resolved.includes('${')) throw new Error(`unresolved reference in ${resolved}`);
      return resolved;
    }
    if (Array.isArray(value)) return value.map(resolve);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]));
    return value;
  };
  return resolve(doc) as T;
}
