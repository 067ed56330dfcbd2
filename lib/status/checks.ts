/**
 * The status checks: pure functions of a pair's plan and its live snapshot (model.ts). Each answers one
 * question an operator asks, with the role, policy or scraper involved named in its details.
 */
import { sourceSide, type PairPlan } from '../config/fleet';
import {
  SOURCE_PERMISSIONS_POLICY_NAME,
  TARGET_PERMISSIONS_POLICY_NAME,
  UNPINNED_SCRAPER_ID,
  sourcePermissionsPolicy,
  sourceTrustPolicy,
  targetPermissionsPolicy,
  targetTrustPolicy,
  type PolicyDocument,
} from '../iam-documents';
import type { CheckName, CheckResult, CheckState, Health, LiveRole, LiveScraper, PairReport, PairSnapshot, Read, StatusReport } from './model';
import { pinnedValues, samePolicy } from './policy';
import { stateCheck, type RecoveryRead } from './state-check';

const result = (check: CheckName, state: CheckState, summary: string, details: string[] = []): CheckResult => ({ check, state, summary, details });

/** A read that failed: its error, and the account whose credentials failed when that is why. */
const failed = (check: CheckName, read: { detail: string; account?: string }, summary: string): CheckResult => ({
  ...result(check, 'error', summary),
  ...(read.account ? { unreadableAccount: { name: read.account, problem: read.detail } } : {}),
});
const list = (values: readonly string[]) => (values.length ? values.join(', ') : 'nothing');

/** The pair's scraper when exactly one matches. */
export function liveScraper(snapshot: PairSnapshot): LiveScraper | undefined {
  return snapshot.scrapers.state === 'found' && snapshot.scrapers.value.length === 1 ? snapshot.scrapers.value[0] : undefined;
}

function lookupText(pair: PairPlan): string {
  return pair.adopt ? `adopt.scraperId ${pair.adopt.scraperId}` : `alias ${pair.alias} and cluster ${pair.cluster.arn}`;
}

/** Found, exactly one, ACTIVE, and wired as the config says (cluster, workspace, both roles). */
export function checkScraper(pair: PairPlan, snapshot: PairSnapshot): CheckResult {
  const { scrapers } = snapshot;
  if (scrapers.state === 'error') return failed('scraper', scrapers, `cannot list scrapers: ${scrapers.detail}`);
  if (scrapers.state === 'missing') return result('scraper', 'problem', `no scraper (${lookupText(pair)}): ${scrapers.detail}`);
  if (scrapers.value.length === 0)
    return result('scraper', 'problem', `no scraper found with ${lookupText(pair)}`, ['deploy the pair (npx cdktf deploy) or set adopt.scraperId']);
  if (scrapers.value.length > 1) {
    return result(
      'scraper',
      'problem',
      `${scrapers.value.length} scrapers match ${lookupText(pair)}; expected one`,
      scrapers.value.map((s) => `${s.scraperId} ${s.statusCode}${s.statusReason ? `: ${s.statusReason}` : ''}`),
    );
  }
  const s = scrapers.value[0];
  const details: string[] = [];
  const expectField = (what: string, live: string | undefined, expected: string) => {
    if (live !== expected) details.push(`${what} is ${live ?? 'not set'}; expected ${expected}`);
  };
  expectField('cluster', s.clusterArn, pair.cluster.arn);
  if (snapshot.workspaceArn.state === 'found') expectField('destination workspace', s.workspaceArn, snapshot.workspaceArn.value);
  expectField('source role', s.sourceRoleArn, pair.sourceRoleArn);
  expectField('target role', s.targetRoleArn, pair.targetRoleArn);
  const status = `${s.scraperId} ${s.statusCode}`;
  if (s.statusCode !== 'ACTIVE') {
    const reason = s.statusReason ? `: ${s.statusReason}` : '';
    const transitional = ['CREATING', 'UPDATING', 'DELETING'].includes(s.statusCode) ? ' (in progress; check again later)' : '';
    return result('scraper', 'problem', `${status}${reason}${transitional}`, details);
  }
  return details.length ? result('scraper', 'problem', `${status}, but not as configured`, details) : result('scraper', 'ok', status);
}

function roleRead(check: CheckName, role: Read<LiveRole>, roleName: string, account: string): CheckResult | LiveRole {
  if (role.state === 'error') return failed(check, role, `cannot read role ${roleName} in ${account}: ${role.detail}`);
  if (role.state === 'missing') return result(check, 'problem', `role ${roleName} does not exist in ${account}`);
  return role.value;
}

function trustCheck(
  check: CheckName,
  role: Read<LiveRole>,
  roleName: string,
  account: string,
  snapshot: PairSnapshot,
  expected: (scraperArn: string) => PolicyDocument,
  pinKey: string,
): CheckResult {
  const live = roleRead(check, role, roleName, account);
  if (!('trust' in live)) return live;
  const scraper = liveScraper(snapshot);
  if (!scraper) return result(check, 'unknown', `role ${roleName}: no single scraper to compare its trust with`);
  const document = expected(scraper.arn);
  if (samePolicy(live.trust, document)) return result(check, 'ok', `role ${roleName} trusts only scraper ${scraper.scraperId}`);
  const pinned = pinnedValues(live.trust, pinKey);
  const details = [`${pinKey} is pinned to ${list(pinned)}; expected ${scraper.arn}`];
  if (pinned.some((v) => v.endsWith(`:scraper/${UNPINNED_SCRAPER_ID}`)))
    details.push('still the sealed bootstrap trust: phase 2 has not pinned it (run cdktf deploy)');
  if (pinned.some((v) => v.endsWith(':scraper/*')))
    details.push('still the account-wide bootstrap trust (any scraper of the account and region): phase 2 has not pinned it (run cdktf deploy)');
  if (pinned.length === 1 && pinned[0] === scraper.arn) details.push('the pinned ARN is right, but other parts of the document differ from the final document');
  const livePrincipals = principals(live.trust);
  const expectedPrincipals = principals(document);
  if (JSON.stringify(livePrincipals) !== JSON.stringify(expectedPrincipals))
    details.push(`principal is ${list(livePrincipals)}; expected ${list(expectedPrincipals)}`);
  details.push(`live document: ${typeof live.trust === 'string' ? live.trust : JSON.stringify(live.trust)}`);
  return result(check, 'problem', `role ${roleName}: trust is not pinned to the live scraper; the next cdktf deploy pins it`, details);
}

function principals(doc: unknown): string[] {
  const statements = doc && typeof doc === 'object' ? (doc as { Statement?: unknown }).Statement : undefined;
  const out = new Set<string>();
  for (const s of Array.isArray(statements) ? statements : [statements]) {
    const p = s && typeof s === 'object' ? (s as { Principal?: unknown }).Principal : undefined;
    if (typeof p === 'string') out.add(p);
    else if (p && typeof p === 'object') for (const [kind, v] of Object.entries(p)) for (const x of Array.isArray(v) ? v : [v]) out.add(`${kind}:${String(x)}`);
  }
  return [...out].sort();
}

/** The Source role's trust is the final document for the live scraper (ArnEquals aws:SourceArn). */
export function checkSourceTrust(pair: PairPlan, snapshot: PairSnapshot): CheckResult {
  return trustCheck(
    'source-trust',
    snapshot.sourceRole,
    pair.sourceRoleName,
    pair.source.id,
    snapshot,
    (arn) => sourceTrustPolicy(sourceSide(pair), arn),
    'aws:SourceArn',
  );
}

/** The Target role's trust is the final document: the Source role, with sts:ExternalId = the live scraper ARN. */
export function checkTargetTrust(pair: PairPlan, snapshot: PairSnapshot): CheckResult {
  return trustCheck(
    'target-trust',
    snapshot.targetRole,
    pair.targetRoleName,
    pair.target.id,
    snapshot,
    (arn) => targetTrustPolicy(sourceSide(pair), pair.sourceRoleArn, arn),
    'sts:ExternalId',
  );
}

/** Exactly amp-xa's inline policy, with exactly the expected document, and no managed policies. */
function permissionsCheck(check: CheckName, live: LiveRole, policyName: string, expected: PolicyDocument, okText: string): CheckResult {
  const problems: string[] = [];
  if (live.attached.length) problems.push(`managed policies attached: ${list(live.attached.map((p) => p.arn))}`);
  const extra = live.inline.filter((p) => p.name !== policyName).map((p) => p.name);
  if (extra.length) problems.push(`inline policies besides ${policyName}: ${list(extra)}`);
  const own = live.inline.find((p) => p.name === policyName);
  if (!own) problems.push(`inline policy ${policyName} is missing`);
  else if (!samePolicy(own.document, expected))
    problems.push(`${policyName} differs from amp-xa's: ${typeof own.document === 'string' ? own.document : JSON.stringify(own.document)}`);
  return problems.length
    ? result(check, 'problem', `role ${live.name} may do more (or less) than ${okText}`, problems)
    : result(check, 'ok', `role ${live.name} may only ${okText}`);
}

/** The Source role may assume only its pair's Target role. */
export function checkSourcePermissions(pair: PairPlan, snapshot: PairSnapshot): CheckResult {
  const live = roleRead('source-permissions', snapshot.sourceRole, pair.sourceRoleName, pair.source.id);
  if (!('trust' in live)) return live;
  return permissionsCheck(
    'source-permissions',
    live,
    SOURCE_PERMISSIONS_POLICY_NAME,
    sourcePermissionsPolicy(pair.targetRoleArn),
    `assume ${pair.targetRoleArn}`,
  );
}

/** The Target role may remote-write to its pair's workspace only. */
export function checkTargetPermissions(pair: PairPlan, snapshot: PairSnapshot): CheckResult {
  const live = roleRead('target-permissions', snapshot.targetRole, pair.targetRoleName, pair.target.id);
  if (!('trust' in live)) return live;
  const ws = snapshot.workspaceArn;
  if (ws.state === 'error') return failed('target-permissions', ws, `cannot find workspace ${pair.workspace.name}: ${ws.detail}`);
  if (ws.state === 'missing') return result('target-permissions', 'problem', `workspace ${pair.workspace.name} not found: ${ws.detail}`);
  return permissionsCheck('target-permissions', live, TARGET_PERMISSIONS_POLICY_NAME, targetPermissionsPolicy(ws.value), `remote-write to ${ws.value}`);
}

/** The cluster's live authentication mode is the configured one (it decides whether CONFIG_MAP output is needed). */
export function checkAuthenticationMode(pair: PairPlan, snapshot: PairSnapshot): CheckResult {
  const c = snapshot.cluster;
  const name = pair.cluster.name;
  if (c.state === 'error') return failed('eks-authentication-mode', c, `cannot describe cluster ${name}: ${c.detail}`);
  if (c.state === 'missing') return result('eks-authentication-mode', 'problem', `cluster ${pair.cluster.arn} not found`);
  const live = c.value.authenticationMode;
  const expected = pair.cluster.authenticationMode;
  if (live === undefined) return result('eks-authentication-mode', 'unknown', `cluster ${name}: EKS returned no authentication mode; configured ${expected}`);
  if (live !== expected) {
    const hint =
      live === 'CONFIG_MAP' ? 'the scraper needs the aws-auth mapping and RBAC (npm run eks-access)' : 'set authenticationMode in the config to match';
    return result('eks-authentication-mode', 'problem', `cluster ${name} is in ${live} mode; the config says ${expected}`, [hint]);
  }
  return result('eks-authentication-mode', 'ok', `cluster ${name} is in ${live} mode, as configured`);
}

export const CHECKS = [checkScraper, checkSourceTrust, checkTargetTrust, checkSourcePermissions, checkTargetPermissions, checkAuthenticationMode];

export function healthOf(states: readonly CheckState[]): Health {
  if (states.includes('error')) return 'error';
  if (states.includes('problem')) return 'degraded';
  return 'healthy';
}

export function pairReport(pair: PairPlan, snapshot: PairSnapshot & { readonly recovery?: RecoveryRead }): PairReport {
  const checks = [...CHECKS.map((check) => check(pair, snapshot)), ...stateCheck(snapshot)];
  const s = liveScraper(snapshot);
  return {
    pair: pair.name,
    sourceAccount: pair.source.id,
    targetAccount: pair.target.id,
    region: pair.region,
    health: healthOf(checks.map((c) => c.state)),
    ...(s ? { scraper: { id: s.scraperId, arn: s.arn, status: s.statusCode, ...(s.statusReason ? { statusReason: s.statusReason } : {}) } } : {}),
    checks,
  };
}

/** Exit code: 1 when something could not be read (the picture is incomplete), else 2 when a pair is degraded, else 0. */
export function statusReport(pairs: PairReport[]): StatusReport {
  const health = pairs.some((p) => p.health === 'error') ? 'error' : pairs.some((p) => p.health === 'degraded') ? 'degraded' : 'healthy';
  return { health, exitCode: health === 'error' ? 1 : health === 'degraded' ? 2 : 0, pairs };
}
