/** scripts/ci/save-aws-profile.sh with the real AWS CLI, in a scratch AWS config. */
import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { run } from './harness';

const SCRIPT = path.join(__dirname, '..', '..', 'scripts', 'ci', 'save-aws-profile.sh');

test('saves exported OIDC credentials as a profile and blanks them for later steps', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'amp-xa-ci-'));
  const githubEnv = path.join(dir, 'github-env');
  writeFileSync(githubEnv, '');
  const result = await run(SCRIPT, ['workload'], {
    env: {
      PATH: process.env.PATH,
      AWS_CONFIG_FILE: path.join(dir, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'credentials'),
      AWS_ACCESS_KEY_ID: 'ASIAOIDC',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: 'token',
      AWS_REGION: 'eu-west-1',
      GITHUB_ENV: githubEnv,
    },
  });
  expect(result).toEqual({ code: 0, output: 'saved AWS profile workload\n' });
  const credentials = readFileSync(path.join(dir, 'credentials'), 'utf8');
  expect(credentials).toMatch(/\[workload\]\naws_access_key_id = ASIAOIDC\naws_secret_access_key = secret\naws_session_token = token/);
  expect(readFileSync(path.join(dir, 'config'), 'utf8')).toMatch(/\[profile workload\]\nregion = eu-west-1/);
  expect(readFileSync(githubEnv, 'utf8')).toBe('AWS_ACCESS_KEY_ID=\nAWS_SECRET_ACCESS_KEY=\nAWS_SESSION_TOKEN=\n');
});

test('refuses to run before an OIDC step exported credentials', async () => {
  const result = await run(SCRIPT, ['workload'], { env: { PATH: process.env.PATH } });
  expect(result.code).not.toBe(0);
  expect(result.output).toMatch(/no credentials in the environment; run the OIDC step first/);
});
