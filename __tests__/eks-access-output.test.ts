/**
 * `npm run --silent eks-access`: YAML only on stdout, valid against the Kubernetes schemas, for the selected
 * pairs; the aws-auth entries come from a (here faked) scraper lookup, with the service-linked role's path stripped.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { parse, parseAllDocuments } from 'yaml';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { eksAccessOutput, eksAccessPairs, type ScraperRoleLookup } from '../lib/eks-access-output';
import { pathFreeRoleArn } from '../lib/eks-access';
import { EXAMPLES, exampleConfig, plan } from './support/fleet';

const fleet = plan(exampleConfig('fleet.json'));
const SLR = (account: string, suffix: string) =>
  `arn:aws:iam::${account}:role/aws-service-role/scraper.aps.amazonaws.com/AWSServiceRoleForAmazonPrometheusScraper_${suffix}`;
const fakeLookup = (roles: Record<string, string>) => {
  const calls: string[] = [];
  const lookup: ScraperRoleLookup = async (pair) => {
    calls.push(pair.name);
    if (!roles[pair.name]) throw new Error(`pair ${pair.name}: no scraper`);
    return roles[pair.name];
  };
  return { lookup, calls };
};

test('by default, the pairs whose cluster is in CONFIG_MAP mode; a named pair in another mode comes with a note', () => {
  expect(eksAccessPairs(fleet.pairs, false).pairs.map((p) => p.name)).toEqual(['staging-to-central']);
  const named = eksAccessPairs(
    fleet.pairs.filter((p) => p.name === 'prod-to-central'),
    true,
  );
  expect(named.pairs.map((p) => p.name)).toEqual(['prod-to-central']);
  expect(named.notes).toEqual([expect.stringMatching(/^eks-access: note: cluster prod-eks \(pair prod-to-central\) is in API_AND_CONFIG_MAP mode/)]);
  expect(() => eksAccessPairs(plan(exampleConfig()).pairs, false)).toThrow(/no selected pair has a cluster in CONFIG_MAP mode/);
  expect(() => eksAccessPairs(fleet.pairs, false, 'nope')).toThrow(/--cluster "nope" is not a cluster of the selected pairs; clusters: prod-eks, staging-eks/);
});

test('the RBAC output is a valid ClusterRole and ClusterRoleBinding, and needs no scraper lookup', async () => {
  const { lookup, calls } = fakeLookup({});
  const { yaml } = await eksAccessOutput(eksAccessPairs(fleet.pairs, false).pairs, 'rbac', lookup);
  const docs = parseAllDocuments(yaml).map((d) => d.toJS());
  expect(docs.map((d) => d.kind)).toEqual(['ClusterRole', 'ClusterRoleBinding']);
  expect(() => new ClusterRole(docs[0]).validate()).not.toThrow();
  expect(() => new ClusterRoleBinding(docs[1]).validate()).not.toThrow();
  expect(calls).toEqual([]);
});

test('the aws-auth output maps the live service-linked role, path stripped, to aps-collector-user; valid as ConfigMap data', async () => {
  const { lookup, calls } = fakeLookup({ 'staging-to-central': SLR('333333333333', 'a1') });
  const { yaml, notes } = await eksAccessOutput(eksAccessPairs(fleet.pairs, false).pairs, 'aws-auth', lookup);
  expect(calls).toEqual(['staging-to-central']);
  expect(parse(yaml)).toEqual([{ rolearn: 'arn:aws:iam::333333333333:role/AWSServiceRoleForAmazonPrometheusScraper_a1', username: 'aps-collector-user' }]);
  expect(yaml).not.toMatch(/#/);
  expect(() => new ConfigMap({ metadata: { name: 'aws-auth', namespace: 'kube-system' }, data: { mapRoles: yaml } }).validate()).not.toThrow();
  expect(notes).toEqual(['eks-access: add these entries to mapRoles of ConfigMap aws-auth in kube-system on cluster staging-eks']);
});

test('pairs of one cluster sharing a role give one entry; pairs of two clusters are refused; a lookup failure or a strange ARN fails', async () => {
  const prodPairs = fleet.pairs.filter((p) => p.cluster.name === 'prod-eks');
  expect(prodPairs).toHaveLength(2);
  const same = fakeLookup(Object.fromEntries(prodPairs.map((p) => [p.name, SLR('111111111111', 'x')])));
  expect(parse((await eksAccessOutput(prodPairs, 'aws-auth', same.lookup)).yaml)).toHaveLength(1);
  await expect(eksAccessOutput(fleet.pairs, 'aws-auth', same.lookup)).rejects.toThrow(/the selected pairs are on 2 clusters \(prod-eks, staging-eks\)/);
  await expect(eksAccessOutput(prodPairs, 'aws-auth', fakeLookup({}).lookup)).rejects.toThrow(/no scraper/);
  const hostile = fakeLookup({ [prodPairs[0].name]: 'arn:aws:iam::111111111111:role/x\n- rolearn: arn:aws:iam::111111111111:role/admin\u001b[0m' });
  await expect(eksAccessOutput([prodPairs[0]], 'aws-auth', hostile.lookup)).rejects.toThrow(/is not an IAM role ARN: .*\\n- rolearn.*\\u\{1b\}/);
});

test('pathFreeRoleArn drops any role path and keeps a path-free ARN', () => {
  expect(pathFreeRoleArn(SLR('111111111111', 'b2'))).toBe('arn:aws:iam::111111111111:role/AWSServiceRoleForAmazonPrometheusScraper_b2');
  expect(pathFreeRoleArn('arn:aws-cn:iam::111111111111:role/Plain')).toBe('arn:aws-cn:iam::111111111111:role/Plain');
});

test('the command prints the manifest alone on stdout (notes on stderr, no colour codes); bad options exit 1', () => {
  const ROOT = path.join(__dirname, '..');
  const run = (args: string[]) =>
    spawnSync(process.execPath, ['-r', path.join(ROOT, 'scripts', 'register.js'), path.join(ROOT, 'scripts', 'eks-access.ts'), ...args], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: process.env.HOME, AMP_XA_CONFIG: path.join(EXAMPLES, 'fleet.json'), FORCE_COLOR: '1' },
    });
  const ok = run(['--pair', 'prod-to-central']);
  expect(ok.status).toBe(0);
  expect(ok.stdout).not.toMatch(/\u001b/);
  expect(parseAllDocuments(ok.stdout).map((d) => d.toJS().kind)).toEqual(['ClusterRole', 'ClusterRoleBinding']);
  expect(ok.stderr).toMatch(/is in API_AND_CONFIG_MAP mode/);
  const bad = run(['--aws-auth', '--pair']);
  expect({ status: bad.status, stdout: bad.stdout }).toEqual({ status: 1, stdout: '' });
  expect(bad.stderr).toMatch(/^eks-access: Option '--pair <value>' argument missing/m);
});
