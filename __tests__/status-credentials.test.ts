/** The read-only commands (status, recover, plan-all's untracked check) resolve an account's identity as its provider does. */
import { writeFileSync } from 'fs';
import * as path from 'path';
import { credentialsFor } from '../lib/status/aws';
import type { AccountRef } from '../lib/config/fleet';
import { scratchDir } from './support/scratch';

const account = (credentials: AccountRef['credentials']): AccountRef =>
  ({ name: 'workload', id: '111111111111', region: 'eu-west-1', partition: 'aws', credentials, unit: 'fleet' }) as AccountRef;

const saved = { ...process.env };
beforeEach(() => {
  process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(scratchDir('creds'), 'none');
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_ACCESS_KEY_ID;
  delete process.env.AWS_SECRET_ACCESS_KEY;
});
afterEach(() => (process.env = { ...saved }));

function configFile(text: string): string {
  const file = path.join(scratchDir('creds'), 'config');
  writeFileSync(file, text);
  return file;
}

test('sharedConfigFiles: the profile is read from the account’s own file, not from ~/.aws/config', async () => {
  const file = configFile('[profile ops]\naws_access_key_id = AKIAFROMSHAREDFILE01\naws_secret_access_key = s\n');
  const resolve = credentialsFor(account({ profile: 'ops', sharedConfigFiles: [file] }))!;
  expect((await resolve()).accessKeyId).toBe('AKIAFROMSHAREDFILE01');
});

test('sharedConfigFiles without a profile: the default profile of the file (as HCP Terraform writes it)', async () => {
  const file = configFile('[default]\naws_access_key_id = AKIADEFAULTINFILE001\naws_secret_access_key = s\n');
  expect((await credentialsFor(account({ sharedConfigFiles: [file] }))!()).accessKeyId).toBe('AKIADEFAULTINFILE001');
});

test('several files: the first that has the profile wins', async () => {
  const without = configFile('[profile other]\naws_access_key_id = AKIANOTTHISONE000001\naws_secret_access_key = s\n');
  const withIt = path.join(scratchDir('creds'), 'second');
  writeFileSync(withIt, '[profile ops]\naws_access_key_id = AKIASECONDFILE000001\naws_secret_access_key = s\n');
  expect((await credentialsFor(account({ profile: 'ops', sharedConfigFiles: [without, withIt] }))!()).accessKeyId).toBe('AKIASECONDFILE000001');
});

test('no file has the profile: the error says so instead of falling back to other credentials', async () => {
  process.env.AWS_ACCESS_KEY_ID = 'AKIAENVIRONMENT00001';
  process.env.AWS_SECRET_ACCESS_KEY = 's';
  const file = configFile('[profile other]\naws_access_key_id = AKIANOTTHISONE000001\naws_secret_access_key = s\n');
  await expect(credentialsFor(account({ profile: 'ops', sharedConfigFiles: [file] }))!()).rejects.toThrow(/ops/);
});
