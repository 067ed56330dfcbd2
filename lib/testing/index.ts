/**
 * amp-xa for your own tests: synthesize a fleet config as `cdktf synth` would (validations included, nothing
 * written but a temporary directory that is removed) and look up each pair's roles, their trust and permission
 * documents, its scraper and its phase-2 finalizers, to assert your platform's rules with jest.
 *
 *   import { synthFleetConfig } from '<amp-xa>/lib/testing';
 *   const fleet = synthFleetConfig('fleets/prod.json');
 *   for (const pair of fleet.pairs) expect(pair.target.policies['amp-xa-remote-write'].Statement[0].Resource).toBe(pair.workspaceArn);
 *
 * Every stack's synthesized JSON text is there too (`fleet.stacks[name].text`), for cdktf's jest matchers
 * (`Testing.setupJest()`, then `expect(text).toHaveResourceWithProperties(PrometheusScraper, {...})`).
 * See examples/testing/fleet-rules.test.ts.
 */
import { readdirSync, rmSync } from 'fs';
import * as path from 'path';
import { Testing, type TerraformStack } from 'cdktf';
import { parseFleetConfig, loadFleetConfig } from '../config/load';
import type { FleetPlan, PairPlan } from '../config/fleet';
import { sourceSide } from '../config/fleet';
import { buildFleet } from '../fleet-app';
import { sourceTrustPolicy, targetTrustPolicy, type PolicyDocument } from '../iam-documents';

export type { FleetPlan, PairPlan, PolicyDocument };

/** One synthesized Terraform resource: its address in its stack and its JSON. */
export interface SynthesizedResource {
  /** `type.name`, as Terraform names it in plans (`aws_iam_role.prod-to-central_source-role_EA1A60E6`). */
  readonly address: string;
  readonly type: string;
  readonly stack: string;
  readonly json: Record<string, any>;
}

export interface RoleUnderTest extends SynthesizedResource {
  readonly name: string;
  readonly arn: string;
  /** The trust phase 1 deploys (the bootstrap: sealed by default), parsed. */
  readonly trust: PolicyDocument;
  /** The trust phase 2 pins once the scraper exists, for a given scraper ARN (what `npm run status` expects live). */
  pinnedTrust(scraperArn: string): PolicyDocument;
  /** Inline policies by policy name, parsed; a reference to another role of the stack reads as that role's ARN. */
  readonly policies: Record<string, PolicyDocument>;
  /** Managed policies attached to it (amp-xa attaches none). */
  readonly managedPolicyArns: string[];
}

export interface PairUnderTest {
  readonly name: string;
  /** The pair as the config resolved it: accounts, cluster, workspace, role names, scrape configuration. */
  readonly plan: PairPlan;
  readonly source: RoleUnderTest;
  readonly target: RoleUnderTest;
  readonly scraper: SynthesizedResource;
  /**
   * The workspace ARN the pair writes to: the config's ARN, or for a workspace amp-xa creates, the Terraform
   * expression the stacks read it through (the ARN exists only after its stack is deployed).
   */
  readonly workspaceArn: string;
  /**
   * The phase-2 resources of the trust stack that act on this pair's roles (whatever their type): a finalizer pins a
   * batch, the roles of one kind in one account, so it may act on other pairs' roles of that account too.
   */
  readonly finalizers: SynthesizedResource[];
}

export interface FleetUnderTest {
  readonly plan: FleetPlan;
  /** Every stack by name, in dependency order: parsed JSON and the text cdktf's matchers take. */
  readonly stacks: Record<string, { json: Record<string, any>; text: string }>;
  readonly pairs: PairUnderTest[];
  /** A pair by name; throws listing the pairs when there is none. */
  pair(name: string): PairUnderTest;
}

/** The stacks of a fleet plan, synthesized with validations, from a temporary app whose directory is removed. */
export function synthesizeStacks(plan: FleetPlan): {
  stacks: Record<string, { json: Record<string, any>; text: string }>;
  built: ReturnType<typeof buildFleet>;
} {
  const app = Testing.app();
  try {
    const built = buildFleet(app, plan);
    const stacks: Record<string, { json: Record<string, any>; text: string }> = {};
    for (const stack of built.all) {
      const text = Testing.synth(stack, true);
      stacks[stack.node.id] = { json: JSON.parse(text), text };
    }
    return { stacks, built };
  } finally {
    rmSync(app.outdir, { recursive: true, force: true });
  }
}

/**
 * Synthesizes a fleet config: a path (read and validated as AMP_XA_CONFIG would be) or the parsed JSON
 * (scrapeConfigFile paths then resolve from `baseDir`, default the working directory). An invalid config
 * throws the ConfigError every amp-xa command prints.
 */
export function synthFleetConfig(config: string | object, options: { baseDir?: string } = {}): FleetUnderTest {
  const plan = typeof config === 'string' ? loadFleetConfig(path.resolve(config)) : parseFleetConfig(config, path.resolve(options.baseDir ?? '.'), 'config');
  const { stacks, built } = synthesizeStacks(plan);
  const pairs = plan.pairs.map((pair) => {
    const unit = built.units.get(pair.source.unit)!;
    return pairUnderTest(pair, stacks, unit.scraper, unit.trust);
  });
  return {
    plan,
    stacks,
    pairs,
    pair(name) {
      const found = pairs.find((p) => p.name === name);
      if (!found) throw new Error(`no pair ${JSON.stringify(name)} in the fleet; pairs: ${pairs.map((p) => p.name).join(', ')}`);
      return found;
    },
  };
}

function resources(stack: string, json: Record<string, any>): SynthesizedResource[] {
  return Object.entries<Record<string, any>>(json.resource ?? {}).flatMap(([type, byName]) =>
    Object.entries(byName).map(([name, body]) => ({ address: `${type}.${name}`, type, stack, json: body })),
  );
}

/** The resource a construct of the pair synthesized (`<pair>/<id>`: logical ID `<pair>_<id>_<8 hex>`). */
function constructResource(all: SynthesizedResource[], type: string, pair: string, id: string): SynthesizedResource {
  const prefix = `${type}.${pair}_${id}_`;
  const found = all.filter((r) => r.address.startsWith(prefix) && /^[0-9A-F]{8}$/.test(r.address.slice(prefix.length)));
  if (found.length !== 1) throw new Error(`pair ${pair}: expected one ${type} for ${id}, found ${found.length}`);
  return found[0];
}

/** A role name as a whole word of a JSON text (role names may prefix one another: amp-xa-a-source, amp-xa-a-source-b...). */
const mentions = (text: string, roleName: string) => new RegExp(`(?<![\\w+=,.@-])${roleName.replace(/[.+]/g, '\\$&')}(?![\\w+=,.@-])`).test(text);

/** A resource's JSON and every local it references, directly or through other locals. */
function withLocals(text: string, locals: Record<string, unknown>): string {
  const seen = new Set<string>();
  const parts = [text];
  for (let i = 0; i < parts.length; i++) {
    for (const [, name] of parts[i].matchAll(/local\.([\w-]+)/g)) {
      if (seen.has(name) || !(name in locals)) continue;
      seen.add(name);
      parts.push(JSON.stringify(locals[name]));
    }
  }
  return parts.join('\n');
}

function pairUnderTest(pair: PairPlan, stacks: FleetUnderTest['stacks'], scraperStack: TerraformStack, trustStack: TerraformStack): PairUnderTest {
  const phase1 = resources(scraperStack.node.id, stacks[scraperStack.node.id].json);
  const phase2 = resources(trustStack.node.id, stacks[trustStack.node.id].json);
  const sourceRole = constructResource(phase1, 'aws_iam_role', pair.name, 'source-role');
  const targetRole = constructResource(phase1, 'aws_iam_role', pair.name, 'target-role');
  // References to the pair's roles (`${aws_iam_role.<id>.arn}`) read as their ARNs: a role's ARN follows from its name.
  const roleArns = new Map([
    [sourceRole.address, pair.sourceRoleArn],
    [targetRole.address, pair.targetRoleArn],
  ]);
  const side = sourceSide(pair);
  const role = (found: SynthesizedResource, name: string, arn: string, pinned: (scraperArn: string) => PolicyDocument): RoleUnderTest => {
    const ofRole = (r: SynthesizedResource) => r.json.role === `\${${found.address}.name}` || r.json.role === `\${${found.address}.id}` || r.json.role === name;
    const inline = phase1.filter((r) => r.type === 'aws_iam_role_policy' && ofRole(r));
    const attached = phase1.filter((r) => r.type === 'aws_iam_role_policy_attachment' && ofRole(r));
    return {
      ...found,
      name,
      arn,
      trust: JSON.parse(found.json.assume_role_policy),
      pinnedTrust: pinned,
      policies: Object.fromEntries(inline.map((p) => [p.json.name, JSON.parse(resolveRoleArns(p.json.policy, roleArns))])),
      managedPolicyArns: [...(found.json.managed_policy_arns ?? []), ...attached.map((a) => a.json.policy_arn)],
    };
  };
  const source = role(sourceRole, pair.sourceRoleName, pair.sourceRoleArn, (scraperArn) => sourceTrustPolicy(side, scraperArn));
  const target = role(targetRole, pair.targetRoleName, pair.targetRoleArn, (scraperArn) => targetTrustPolicy(side, pair.sourceRoleArn, scraperArn));
  const scraper = constructResource(phase1, 'aws_prometheus_scraper', pair.name, 'scraper');
  const workspaceArn = pair.workspace.kind === 'existing' ? pair.workspace.arn : scraper.json.destination[0].amp[0].workspace_arn;
  // A finalizer pins a batch (one account's roles of one kind) and names its roles through locals: read those too.
  const locals = stacks[trustStack.node.id].json.locals ?? {};
  const finalizers = phase2.filter((r) => {
    const text = withLocals(JSON.stringify(r.json), locals);
    return mentions(text, pair.sourceRoleName) || mentions(text, pair.targetRoleName);
  });
  return { name: pair.name, plan: pair, source, target, scraper, workspaceArn, finalizers };
}

function resolveRoleArns(policy: string, roleArns: Map<string, string>): string {
  return policy.replace(/\$\{(aws_iam_role\.[\w-]+)\.arn\}/g, (whole, address: string) => roleArns.get(address) ?? whole);
}

/** The fleet configs of a folder (`*.json`), e.g. to run the same rules on every fleet of a repository. */
export function fleetConfigsIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json'))
    .sort()
    .map((f) => path.join(dir, f));
}
