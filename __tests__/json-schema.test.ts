import { readFileSync } from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import { fleetConfigJsonSchema } from '../lib/config/json-schema';
import { exampleConfig } from './support/fleet';

const committed = JSON.parse(readFileSync(path.join(__dirname, '..', 'amp-xa.schema.json'), 'utf8'));
const validate = new Ajv({ strict: false, allErrors: true }).compile(committed);

test('amp-xa.schema.json is current (run `npm run schema` after changing lib/config/schema.ts)', () => {
  expect(committed).toEqual(fleetConfigJsonSchema());
});

test.each(['single-pair.json', 'fleet.json'])('examples/%s references the schema and satisfies it', (name) => {
  const config = exampleConfig(name);
  expect(config.$schema).toBe('../amp-xa.schema.json');
  expect(validate(config)).toBe(true);
});

test('editors flag what the app rejects: a bad account ID, an unknown field, too many subnets', () => {
  const config = exampleConfig();
  config.accounts.workload.id = '12';
  config.clusters['prod-eks'].subnetIds = Array.from({ length: 6 }, (_, i) => `subnet-0000000${i}`);
  config.pairs[0].colour = 'red';
  expect(validate(config)).toBe(false);
  const paths = (validate.errors ?? []).map((e) => e.instancePath);
  expect(paths).toEqual(expect.arrayContaining(['/accounts/workload/id', '/clusters/prod-eks/subnetIds', '/pairs/0']));
});

test('field descriptions reach the editor', () => {
  expect(committed.properties.pairs.items.properties.name.description).toMatch(/renaming destroys its scraper and roles/);
  expect(committed.properties.finalizer.properties.resource.enum).toEqual(['terraform_data', 'null_resource']);
});

test('editors agree with the app on hostile input: unknown partitions and control characters flagged, free-text profiles and paths accepted', () => {
  const config = exampleConfig();
  config.clusters['prod-eks'].arn = 'arn:aws-xx:eks:eu-west-1:111111111111:cluster/prod-eks';
  config.accounts.workload.credentials.profile = 'prod\u001b[2J';
  expect(validate(config)).toBe(false);
  expect((validate.errors ?? []).map((e) => e.instancePath)).toEqual(
    expect.arrayContaining(['/clusters/prod-eks/arn', '/accounts/workload/credentials/profile']),
  );
  const fine = exampleConfig();
  fine.accounts.workload.credentials.profile = 'prod-* with spaces ${x}';
  fine.accounts.workload.credentials.sharedConfigFiles = ['/opt/AWS config/${x}'];
  fine.backend = { type: 'local', directory: 'state ${x} %{y}' };
  expect(validate(fine)).toBe(true);
});
