/**
 * What a phase-1 state tracks, read from `terraform state pull` (a state of any backend, as Terraform itself reads
 * it), and where the synthesized stack puts each pair's scraper and roles: the two halves of "what AWS has and
 * state lacks" after an interrupted deploy.
 */

/** Resource instances of a state, by address, with the attributes recovery compares (pure). */
export interface TrackedResource {
  readonly address: string;
  readonly type: string;
  /** The provider's ID: a scraper ID, a role name. */
  readonly id: string;
  readonly arn?: string;
  readonly pair?: string;
  /** Terraform will replace it: a create that was interrupted (Ctrl-C) or failed. */
  readonly tainted?: boolean;
}

export function trackedResources(state: unknown): TrackedResource[] {
  const resources = (state as { resources?: unknown[] } | null)?.resources;
  if (!Array.isArray(resources)) return [];
  const out: TrackedResource[] = [];
  for (const r of resources as any[]) {
    if (r?.mode !== 'managed' || typeof r.type !== 'string' || typeof r.name !== 'string') continue;
    for (const instance of Array.isArray(r.instances) ? r.instances : []) {
      const a = instance?.attributes ?? {};
      const key = instance?.index_key === undefined ? '' : `[${JSON.stringify(instance.index_key)}]`;
      out.push({
        address: `${r.module ? `${r.module}.` : ''}${r.type}.${r.name}${key}`,
        type: r.type,
        id: String(a.id ?? ''),
        ...(typeof a.arn === 'string' ? { arn: a.arn } : {}),
        ...(typeof a.tags?.['amp-xa:pair'] === 'string' ? { pair: a.tags['amp-xa:pair'] } : {}),
        ...(instance?.status === 'tainted' ? { tainted: true } : {}),
      });
    }
  }
  return out;
}

/** Where a synthesized scraper stack puts one pair's scraper and roles (Terraform addresses). */
export interface PairAddresses {
  readonly scraper?: string;
  /** Role name -> address. */
  readonly roles: ReadonlyMap<string, string>;
}

export function pairAddresses(stackJson: any, pairName: string): PairAddresses {
  const ofPair = (type: string) =>
    Object.entries<any>(stackJson?.resource?.[type] ?? {}).filter(([, body]) => body?.tags?.['amp-xa:pair'] === pairName && body?.count === undefined);
  const scraper = ofPair('aws_prometheus_scraper')[0];
  return {
    ...(scraper ? { scraper: `aws_prometheus_scraper.${scraper[0]}` } : {}),
    roles: new Map(ofPair('aws_iam_role').map(([id, body]) => [String(body.name), `aws_iam_role.${id}`])),
  };
}
