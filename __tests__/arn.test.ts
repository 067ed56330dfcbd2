import { isScraperArn } from './support/policy';
import { dnsSuffixOf, PARTITIONS, parseArn, partitionOf, remoteWriteUrl, roleArn, scraperArnPattern, workspaceIdOf } from '../lib/arn';

test.each([
  ['eu-west-1', 'aws'],
  ['us-east-1', 'aws'],
  ['cn-north-1', 'aws-cn'],
  ['cn-northwest-1', 'aws-cn'],
  ['us-gov-west-1', 'aws-us-gov'],
  ['us-iso-east-1', 'aws-iso'],
  ['us-isob-east-1', 'aws-iso-b'],
])('partition of %s is %s', (region, partition) => {
  expect(partitionOf(region)).toBe(partition);
});

test('ARN builders use the partition everywhere', () => {
  expect(roleArn('aws-us-gov', '111111111111', 'x')).toBe('arn:aws-us-gov:iam::111111111111:role/x');
  expect(scraperArnPattern('aws-cn', 'cn-north-1', '111111111111')).toBe('arn:aws-cn:aps:cn-north-1:111111111111:scraper/*');
  expect(remoteWriteUrl('aws-cn', 'cn-north-1', 'ws-1')).toBe('https://aps-workspaces.cn-north-1.amazonaws.com.cn/workspaces/ws-1/api/v1/remote_write');
  expect(remoteWriteUrl('aws', 'eu-west-1', 'ws-1')).toBe('https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1/api/v1/remote_write');
  expect(dnsSuffixOf('aws-us-gov')).toBe('amazonaws.com');
});

test('parseArn splits the fields and rejects non-ARNs', () => {
  expect(parseArn('arn:aws:eks:eu-west-1:111111111111:cluster/prod')).toEqual({
    partition: 'aws',
    service: 'eks',
    region: 'eu-west-1',
    account: '111111111111',
    resource: 'cluster/prod',
  });
  expect(parseArn('arn:aws:iam::111111111111:role/a/b')?.resource).toBe('role/a/b');
  expect(parseArn('not-an-arn')).toBeUndefined();
  expect(parseArn('arn:aws:eks:eu-west-1:1111:cluster/prod')).toBeUndefined();
  expect(parseArn('arn:nope:eks:eu-west-1:111111111111:cluster/prod')).toBeUndefined();
});

test('workspace IDs and scraper ARNs', () => {
  expect(workspaceIdOf('arn:aws:aps:eu-west-1:222222222222:workspace/ws-abc-123')).toBe('ws-abc-123');
  expect(workspaceIdOf('arn:aws:aps:eu-west-1:222222222222:scraper/s-1')).toBeUndefined();
  expect(isScraperArn('arn:aws:aps:eu-west-1:111111111111:scraper/s-0d266e4c-a2bc')).toBe(true);
  expect(isScraperArn('arn:aws:aps:eu-west-1:111111111111:scraper/*')).toBe(false);
});

test('every known partition parses, has a DNS suffix and appears in the schema message; others do not parse', () => {
  for (const partition of PARTITIONS) {
    expect(parseArn(`arn:${partition}:eks:r-1:111111111111:cluster/x`)?.partition).toBe(partition);
    expect(dnsSuffixOf(partition)).toMatch(/^[a-z0-9.-]+\.[a-z]+$/);
  }
  for (const unknown of ['aws-xx', 'AWS', '', 'aws-iso-z', 'aws-cn-x']) expect(parseArn(`arn:${unknown}:eks:r-1:111111111111:cluster/x`)).toBeUndefined();
});
