import {
  SCRAPER_SERVICE_PRINCIPAL,
  renderPolicy,
  sourcePermissionsPolicy,
  sourceTrustPolicy,
  targetPermissionsPolicy,
  targetTrustPolicy,
} from '../lib/iam-documents';
import { normalizePolicy } from './support/policy';

const SOURCE = '111111111111';
const TARGET = '222222222222';
const SCRAPER = `arn:aws:aps:eu-west-1:${SOURCE}:scraper/s-11111111-2222-3333-4444-555555555555`;
const SOURCE_ROLE = `arn:aws:iam::${SOURCE}:role/Source`;
const TARGET_ROLE = `arn:aws:iam::${TARGET}:role/Target`;
const WORKSPACE = `arn:aws:aps:eu-west-1:${TARGET}:workspace/ws-abc`;
const side = { partition: 'aws', region: 'eu-west-1', sourceAccount: SOURCE };

// The documents of AWS's cross-account scraper guide, with its placeholders filled in.
const AWS_DOC = {
  sourceTrust: {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 'scraper.aps.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: { ArnEquals: { 'aws:SourceArn': SCRAPER }, StringEquals: { 'AWS:SourceAccount': SOURCE } },
      },
    ],
  },
  sourcePermissions: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: TARGET_ROLE }] },
  targetTrust: {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: SOURCE_ROLE }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': SCRAPER } } }],
  },
  // AmazonPrometheusRemoteWriteAccess
  remoteWriteManaged: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['aps:RemoteWrite'], Resource: '*' }] },
};

describe('final trust documents match AWS cross-account guidance', () => {
  test('source trust: scraper service, exact scraper ARN, source account', () => {
    expect(normalizePolicy(sourceTrustPolicy(side, SCRAPER))).toEqual(normalizePolicy(AWS_DOC.sourceTrust));
  });
  test('target trust: Source role principal, ExternalId = scraper ARN', () => {
    expect(normalizePolicy(targetTrustPolicy(side, SOURCE_ROLE, SCRAPER))).toEqual(normalizePolicy(AWS_DOC.targetTrust));
  });
  test('source permissions: AssumeRole on the Target role only', () => {
    expect(normalizePolicy(sourcePermissionsPolicy(TARGET_ROLE))).toEqual(normalizePolicy(AWS_DOC.sourcePermissions));
  });
  test('target permissions: the managed policy action, narrowed from * to the workspace', () => {
    const ours = normalizePolicy(targetPermissionsPolicy(WORKSPACE));
    const managed = normalizePolicy(AWS_DOC.remoteWriteManaged);
    expect(ours.Statement[0].Action).toEqual(managed.Statement[0].Action);
    expect(ours.Statement[0].Resource).toEqual([WORKSPACE]);
    expect(ours).toEqual({ ...managed, Statement: [{ ...managed.Statement[0], Resource: [WORKSPACE] }] });
  });
});

describe('bootstrap trust documents (before the scraper ARN exists)', () => {
  test('source trust matches any scraper of the source account and region, with ArnLike', () => {
    const doc = sourceTrustPolicy(side);
    expect(doc.Statement[0].Principal).toEqual({ Service: SCRAPER_SERVICE_PRINCIPAL });
    expect(doc.Statement[0].Condition).toEqual({
      ArnLike: { 'aws:SourceArn': `arn:aws:aps:eu-west-1:${SOURCE}:scraper/*` },
      StringEquals: { 'aws:SourceAccount': SOURCE },
    });
  });
  test('target trust uses StringLike, since StringEquals would not expand the wildcard', () => {
    const doc = targetTrustPolicy(side, SOURCE_ROLE);
    expect(doc.Statement[0].Principal).toEqual({ AWS: SOURCE_ROLE });
    expect(doc.Statement[0].Condition).toEqual({ StringLike: { 'sts:ExternalId': `arn:aws:aps:eu-west-1:${SOURCE}:scraper/*` } });
  });
  test('bootstrap differs from final only in the ARN conditions', () => {
    const bootstrap = sourceTrustPolicy(side);
    const final = sourceTrustPolicy(side, SCRAPER);
    expect({ ...bootstrap.Statement[0], Condition: undefined }).toEqual({ ...final.Statement[0], Condition: undefined });
  });
});

describe('partitions', () => {
  test('China regions produce aws-cn ARNs in the bootstrap pattern', () => {
    const doc = sourceTrustPolicy({ partition: 'aws-cn', region: 'cn-north-1', sourceAccount: SOURCE });
    expect(doc.Statement[0].Condition?.ArnLike).toEqual({ 'aws:SourceArn': `arn:aws-cn:aps:cn-north-1:${SOURCE}:scraper/*` });
  });
});

test('renderPolicy is compact JSON that parses back to the document', () => {
  const doc = targetTrustPolicy(side, SOURCE_ROLE, SCRAPER);
  const text = renderPolicy(doc);
  expect(text).not.toMatch(/\n/);
  expect(JSON.parse(text)).toEqual(doc);
});
