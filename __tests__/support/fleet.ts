/** Test helpers: example configs as data, and synthesized stacks as parsed Terraform JSON. */
import * as path from 'path';
import { readFileSync } from 'fs';
import { parseFleetConfig } from '../../lib/config/load';
import type { FleetPlan } from '../../lib/config/fleet';
import type { FleetStacks } from '../../lib/fleet-app';
import { synthesizeStacks } from '../../lib/testing';

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
  // The users' entry point (lib/testing) synthesizes the same way: validations run, no output directory left behind.
  const { stacks, built } = synthesizeStacks(fleet);
  const json = Object.fromEntries(Object.entries(stacks).map(([name, s]) => [name, s.json]));
  const text = Object.fromEntries(Object.entries(stacks).map(([name, s]) => [name, s.text]));
  return { fleet, stacks: built, json, text };
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
