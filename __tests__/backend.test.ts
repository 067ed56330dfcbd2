import * as path from 'path';
import { App } from 'cdktf';
import { EXAMPLES, exampleConfig, synthFleet } from './support/fleet';

function withBackend(backend: unknown) {
  const config = exampleConfig();
  config.backend = backend;
  const synth = synthFleet(config);
  const outdir = App.of(synth.stacks.units.get('fleet')!.scraper).outdir;
  return { scraper: synth.json['fleet-scrapers'], trust: synth.json['fleet-trust'], outdir };
}

test('local (default): one state file per stack, addressed relative to the stack directory; phase 2 reads phase 1 file', () => {
  const { scraper, trust, outdir } = withBackend(undefined);
  const fromStack = (stack: string, file: string) => path.relative(path.join(outdir, 'stacks', stack), path.resolve(EXAMPLES, 'state', 'fleet', file));
  expect(scraper.terraform.backend).toEqual({ local: { path: fromStack('fleet-scrapers', 'terraform.fleet-scrapers.tfstate') } });
  expect(trust.terraform.backend).toEqual({ local: { path: fromStack('fleet-trust', 'terraform.fleet-trust.tfstate') } });
  const phase1 = fromStack('fleet-trust', 'terraform.fleet-scrapers.tfstate');
  expect(path.isAbsolute(phase1)).toBe(false);
  const reader = trust.data.terraform_remote_state['scraper-state'];
  expect(reader.config).toEqual({ path: phase1 });
  // terraform_remote_state fails on a missing state file even with defaults: read it only once it exists.
  expect(reader.count).toBe(`\${try(length(file(${JSON.stringify(phase1)})) > 0, false) ? 1 : 0}`);
});

test('local with an absolute directory keeps it absolute', () => {
  const { scraper } = withBackend({ type: 'local', directory: '/var/lib/amp-xa' });
  expect(scraper.terraform.backend).toEqual({ local: { path: '/var/lib/amp-xa/fleet/terraform.fleet-scrapers.tfstate' } });
});

test('S3 with native locking: key per stack; the reader gets the same bucket, key and access, never static keys', () => {
  const { scraper, trust } = withBackend({
    type: 's3',
    bucket: 'tf-state',
    region: 'eu-central-1',
    keyPrefix: 'amp',
    roleArn: 'arn:aws:iam::222222222222:role/state',
    dynamodbTable: 'locks',
  });
  expect(scraper.terraform.backend.s3).toEqual({
    bucket: 'tf-state',
    key: 'amp/fleet/fleet-scrapers.tfstate',
    region: 'eu-central-1',
    encrypt: true,
    use_lockfile: true,
    dynamodb_table: 'locks',
    assume_role: { role_arn: 'arn:aws:iam::222222222222:role/state' },
  });
  const reader = trust.data.terraform_remote_state['scraper-state'];
  expect(reader.backend).toBe('s3');
  expect(reader.config).toEqual({
    bucket: 'tf-state',
    key: 'amp/fleet/fleet-scrapers.tfstate',
    region: 'eu-central-1',
    assume_role: { role_arn: 'arn:aws:iam::222222222222:role/state' },
  });
  // Read only once phase 1 has written its state: a listing of the key decides, with the bucket's own access.
  expect(reader.count).toBe('${contains(data.aws_s3_objects.scraper-state-probe.keys, "amp/fleet/fleet-scrapers.tfstate") ? 1 : 0}');
  expect(trust.data.aws_s3_objects['scraper-state-probe']).toEqual({
    bucket: 'tf-state',
    prefix: 'amp/fleet/fleet-scrapers.tfstate',
    max_keys: 1,
    provider: 'aws.state-bucket',
  });
  expect(trust.provider.aws.find((p: any) => p.alias === 'state-bucket')).toEqual({
    alias: 'state-bucket',
    region: 'eu-central-1',
    assume_role: [{ role_arn: 'arn:aws:iam::222222222222:role/state', session_name: 'amp-xa-state' }],
  });
  expect(JSON.stringify(trust)).not.toMatch(/access_key|secret_key/);
});

test('S3 locking can be switched to DynamoDB only', () => {
  const { scraper } = withBackend({ type: 's3', bucket: 'tf-state', region: 'eu-west-1', useLockfile: false, dynamodbTable: 'locks' });
  expect(scraper.terraform.backend.s3.use_lockfile).toBeUndefined();
  expect(scraper.terraform.backend.s3.dynamodb_table).toBe('locks');
});

test('Terraform Cloud: a workspace per stack; phase 2 reads phase 1 through the remote backend', () => {
  const { scraper, trust } = withBackend({ type: 'cloud', organization: 'acme', workspacePrefix: 'obs-', project: 'observability' });
  expect(scraper.terraform.cloud).toEqual({
    hostname: 'app.terraform.io',
    organization: 'acme',
    workspaces: { name: 'obs-fleet-fleet-scrapers', project: 'observability' },
  });
  expect(trust.terraform.cloud.workspaces.name).toBe('obs-fleet-fleet-trust');
  const reader = trust.data.terraform_remote_state['scraper-state'];
  expect(reader).toEqual({
    backend: 'remote',
    config: { hostname: 'app.terraform.io', organization: 'acme', workspaces: { name: 'obs-fleet-fleet-scrapers' } },
  });
  expect(trust.locals['scraper-state-scraper_arns-prod-to-central']).toBe(
    '${try(data.terraform_remote_state.scraper-state.outputs.scraper_arns["prod-to-central"], "")}',
  );
});
