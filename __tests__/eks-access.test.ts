import { spawnSync } from 'child_process';
import { parseAllDocuments, parse } from 'yaml';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { awsAuthMapRole, collectorRbacManifest } from '../lib/eks-access';
import { exampleConfig, synthFleet } from './support/fleet';
import { scratchDir } from './support/scratch';

test('the RBAC manifest is a valid ClusterRole and ClusterRoleBinding for aps-collector-user', () => {
  const docs = parseAllDocuments(collectorRbacManifest()).map((d) => d.toJS());
  expect(docs.map((d) => d.kind)).toEqual(['ClusterRole', 'ClusterRoleBinding']);
  expect(() => new ClusterRole(docs[0]).validate()).not.toThrow();
  expect(() => new ClusterRoleBinding(docs[1]).validate()).not.toThrow();
  expect(docs[1].subjects).toEqual([{ kind: 'User', name: 'aps-collector-user', apiGroup: 'rbac.authorization.k8s.io' }]);
  expect(docs[1].roleRef.name).toBe(docs[0].metadata.name);
  const core = docs[0].rules.find((r: any) => r.apiGroups?.includes(''));
  expect(core.resources).toEqual(expect.arrayContaining(['nodes', 'nodes/proxy', 'nodes/metrics', 'pods', 'endpoints', 'services']));
});

test('a broken manifest would be caught by the validator', () => {
  const broken = parseAllDocuments(collectorRbacManifest())[0].toJS();
  broken.rules[0].verbs = 'get';
  expect(() => new ClusterRole(broken).validate()).toThrow(/verbs must be array/);
});

test('the aws-auth entry maps the role to aps-collector-user', () => {
  expect(parse(awsAuthMapRole('arn:aws:iam::111111111111:role/AWSServiceRoleForAmazonPrometheusScraper_ab'))).toEqual([
    { rolearn: 'arn:aws:iam::111111111111:role/AWSServiceRoleForAmazonPrometheusScraper_ab', username: 'aps-collector-user' },
  ]);
});

describe('phase-1 outputs for CONFIG_MAP clusters', () => {
  const { json } = synthFleet(exampleConfig('fleet.json'));

  test('only the CONFIG_MAP cluster gets the manifest and the aws-auth entry', () => {
    expect(json['fleet-scrapers'].output.eks_rbac_manifest.value).toBe(collectorRbacManifest());
    expect(json['fleet-scrapers'].output.eks_rbac_manifest.description).toMatch(/CONFIG_MAP clusters: staging-eks$/);
    const mapRoles = json['fleet-scrapers'].output.eks_aws_auth_map_roles.value;
    expect(Object.keys(mapRoles)).toEqual(['staging-to-central']);
    expect(parse(mapRoles['staging-to-central'])).toEqual([
      {
        rolearn: expect.stringMatching(/^\$\{replace\(aws_prometheus_scraper\.staging-to-central_scraper_[0-9A-F]{8}\.role_arn, .*\)\}$/),
        username: 'aps-collector-user',
      },
    ]);
  });

  test('the synthesized expression, run by Terraform, strips the service-linked role path (aws-auth rejects paths)', () => {
    const slr = 'arn:aws:iam::333333333333:role/aws-service-role/scraper.aps.amazonaws.com/AWSServiceRoleForAmazonPrometheusScraper_1a2b3c';
    const synthesized: string = json['fleet-scrapers'].output.eks_aws_auth_map_roles.value['staging-to-central'];
    const expression = /\$\{(replace\(.*\))\}/.exec(synthesized)![1].replace(/aws_prometheus_scraper\.[\w-]+\.role_arn/, JSON.stringify(slr));
    const dir = scratchDir('console');
    const result = spawnSync('terraform', ['console'], {
      cwd: dir,
      input: `${expression}\n`,
      encoding: 'utf8',
      env: { ...process.env, CHECKPOINT_DISABLE: '1' },
    });
    expect(result.stdout.trim()).toBe('"arn:aws:iam::333333333333:role/AWSServiceRoleForAmazonPrometheusScraper_1a2b3c"');
  });
});
