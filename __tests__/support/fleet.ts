/** Test helpers: example configs as data, and synthesized stacks as parsed Terraform JSON. */
import * as path from 'path';
import { readFileSync, rmSync } from 'fs';
import { Testing } from 'cdktf';
import { parseFleetConfig } from '../../lib/config/load';
import type { FleetPlan } from '../../lib/config/fleet';
import { buildFleet, type FleetStacks } from '../../lib/fleet-app';

export const EXAMPLES = path.join(__dirname, '..', '..', 'examples');

/** A fresh, mutable copy of an example config. */
export function exampleConfig(name = 'single-pair.json'): any {
  return JSON.parse(readFileSync(path.join(EXAMPLES, name), 'utf8'));
}

export function plan(config: unknown, baseDir = EXAMPLES): FleetPlan {
  return parseFleetConfig(config, baseDir, 'test-config');
}

export interface Synthesized {
  readonly fleet: FleetPlan;
  readonly stacks: FleetStacks;
  /** Stack name -> synthesized Terraform JSON (validations run). */
  readonly json: Record<string, any>;
  /** Stack name -> the raw JSON text, for cdktf's matchers. */
  readonly text: Record<string, string>;
}

export function synthFleet(config: unknown, baseDir = EXAMPLES): Synthesized {
  const fleet = plan(config, baseDir);
  const app = Testing.app();
  // Testing.app() makes a temporary output directory per app: leave none behind, also when synth throws.
  try {
    const stacks = buildFleet(app, fleet);
    const text: Record<string, string> = {};
    const json: Record<string, any> = {};
    for (const stack of stacks.all) {
      text[stack.node.id] = Testing.synth(stack, true);
      json[stack.node.id] = JSON.parse(text[stack.node.id]);
    }
    return { fleet, stacks, json, text };
  } finally {
    rmSync(app.outdir, { recursive: true, force: true });
  }
}

/** The single resource of `type` in a synthesized stack (fails the test if there are several). */
export function only(stackJson: any, type: string, kind: 'resource' | 'data' = 'resource'): any {
  const all = Object.values(stackJson[kind]?.[type] ?? {});
  if (all.length !== 1) throw new Error(`expected exactly one ${kind} ${type}, found ${all.length}`);
  return all[0];
}

export function all(stackJson: any, type: string, kind: 'resource' | 'data' = 'resource'): Record<string, any> {
  return stackJson[kind]?.[type] ?? {};
}

/** The resource (or data source) of `type` that construct `path` (e.g. "prod-to-central/source-role") synthesized. */
export function at(stackJson: any, type: string, constructPath: string, kind: 'resource' | 'data' = 'resource'): any {
  const prefix = `${constructPath.replace(/\//g, '_')}_`;
  const found = Object.entries(all(stackJson, type, kind)).filter(([name]) => name.startsWith(prefix) && /^[0-9A-F]{8}$/.test(name.slice(prefix.length)));
  if (found.length !== 1) throw new Error(`expected one ${kind} ${type} at ${constructPath}, found ${found.length}`);
  return found[0][1];
}

/** `type.name` of every resource in a synthesized stack. */
export function addresses(stackJson: any): string[] {
  return Object.entries<Record<string, unknown>>(stackJson.resource ?? {})
    .flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`))
    .sort();
}
