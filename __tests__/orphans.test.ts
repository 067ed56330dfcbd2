/** Orphaned states: state names map back to stacks, and each orphan says where it is and how to destroy it. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { findOrphans, localOrphans, stackOfCloudWorkspace, stackOfLocalStateFile, stackOfS3Key } from '../lib/orphans';
import type { BackendConfig } from '../lib/config/schema';

const local: BackendConfig = { type: 'local', directory: 'state' };
const s3: BackendConfig = { type: 's3', bucket: 'acme-state', region: 'eu-west-1', keyPrefix: 'amp-xa', useLockfile: true, encrypt: true };
const cloud: BackendConfig = { type: 'cloud', organization: 'acme', hostname: 'app.terraform.io', workspacePrefix: 'amp-xa-' };
const APP = ['fleet-scrapers', 'fleet-trust', 'central-workspace'];

test('state names map back to stack names; backups, lock files and nested keys are not states', () => {
  expect(stackOfLocalStateFile('terraform.fleet-scrapers.tfstate')).toBe('fleet-scrapers');
  expect(stackOfLocalStateFile('terraform.fleet-scrapers.tfstate.backup')).toBeUndefined();
  expect(stackOfLocalStateFile('terraform.tfstate.d')).toBeUndefined();
  expect(stackOfS3Key('amp-xa', 'amp-xa/fleet-trust.tfstate')).toBe('fleet-trust');
  expect(stackOfS3Key('amp-xa', 'amp-xa/fleet-trust.tfstate.tflock')).toBeUndefined();
  expect(stackOfS3Key('amp-xa', 'amp-xa/old/fleet-trust.tfstate')).toBeUndefined();
  expect(stackOfS3Key('amp-xa', 'amp-xa-other/fleet-trust.tfstate')).toBeUndefined();
  expect(stackOfCloudWorkspace('amp-xa-', 'amp-xa-central-workspace')).toBe('central-workspace');
  expect(stackOfCloudWorkspace('amp-xa-', 'billing-prod')).toBeUndefined();
});

test('states of stacks still in the app are not orphans', () => {
  expect(findOrphans(local, APP, APP)).toEqual([]);
});

test('an account removed from the config: both its states, with the put-back-and-deploy procedure', () => {
  const found = findOrphans(s3, APP, [...APP, 'legacy-trust', 'legacy-scrapers']);
  expect(found.map((f) => [f.stack, f.kind, f.location])).toEqual([
    ['legacy-scrapers', 'scrapers', 's3://acme-state/amp-xa/legacy-scrapers.tfstate'],
    ['legacy-trust', 'trust', 's3://acme-state/amp-xa/legacy-trust.tfstate'],
  ]);
  expect(found[0].line).toBe(
    'orphaned state of stack legacy-scrapers (no longer in the app) at s3://acme-state/amp-xa/legacy-scrapers.tfstate: ' +
      'it holds what account "legacy" had (phase 1: scrapers and roles); to destroy it, put account "legacy" back in the config with no clusters ' +
      '(its stacks stay, empty), run npm run deploy (the empty stacks destroy what the state holds), then remove the account',
  );
});

test('a created workspace removed from the config: put it back and destroy its stack, or terraform destroy a kept directory', () => {
  const [found] = findOrphans(cloud, APP, [...APP, 'audit-workspace']);
  expect(found.location).toBe('Terraform Cloud workspace amp-xa-audit-workspace (https://app.terraform.io/app/acme/workspaces/amp-xa-audit-workspace)');
  expect(found.action).toMatch(/put workspace "audit" \(with its create block\) back in the config, run npx cdktf destroy audit-workspace, then remove it/);
  expect(found.action).toMatch(/terraform -chdir=.*audit-workspace.* destroy/);
});

test('states of the former per-pair layout are not mistaken for an account', () => {
  const found = findOrphans(local, APP, ['prod-to-central-scraper', 'prod-to-central-trust']);
  expect(found.map((f) => [f.stack, f.kind])).toEqual([
    ['prod-to-central-scraper', 'unknown'],
    ['prod-to-central-trust', 'unknown'],
  ]);
  expect(found[1].action).toMatch(/check out the version that created it and run npx cdktf destroy prod-to-central-trust/);
  expect(found[1].location).toBe(path.join('state', 'terraform.prod-to-central-trust.tfstate'));
});

test('a state known to hold nothing only needs removing', () => {
  const [found] = findOrphans(s3, APP, [{ stack: 'gone-scrapers', resources: 0 }]);
  expect(found.empty).toBe(true);
  expect(found.action).toBe('it holds no resources; remove it: aws s3 rm s3://acme-state/amp-xa/gone-scrapers.tfstate');
  expect(findOrphans(s3, APP, [{ stack: 'gone-scrapers', resources: 3 }])[0].empty).toBe(false);
});

describe('localOrphans (called by the synth)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'amp-xa-orphans-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('one line per state file whose stack is gone; backups and other files ignored', () => {
    for (const f of ['terraform.fleet-scrapers.tfstate', 'terraform.old-scrapers.tfstate', 'terraform.old-scrapers.tfstate.backup', 'notes.txt']) {
      writeFileSync(path.join(dir, f), '{}');
    }
    mkdirSync(path.join(dir, 'terraform.sub.tfstate.d'));
    const lines = localOrphans(dir, APP);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `^orphaned state of stack old-scrapers \\(no longer in the app\\) at ${path.join(dir, 'terraform.old-scrapers.tfstate').replace(/[.\\/]/g, '\\$&')}: `,
      ),
    );
  });

  test('no state directory yet: nothing to report', () => {
    expect(localOrphans(path.join(dir, 'missing'), APP)).toEqual([]);
  });
});
