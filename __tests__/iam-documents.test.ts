import {
  PINNED_ARN_QUERY,
  SCRAPER_SERVICE_PRINCIPAL,
  UNPINNED_SCRAPER_ID,
  renderPolicy,
  sourcePermissionsPolicy,
  sourceTrustPolicy,
  targetPermissionsPolicy,
  targetTrustPolicy,
  unpinnedScraperArn,
  type PolicyDocument,
} from '../lib/iam-documents';
import { isScraperArn, parseArn } from '../lib/arn';
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

describe('sealed bootstrap (the default): a placeholder scraper ARN that matches no scraper', () => {
  const placeholder = `arn:aws:aps:eu-west-1:${SOURCE}:scraper/${UNPINNED_SCRAPER_ID}`;

  test('the placeholder is a scraper ARN of the source account and region that AMP can never generate', () => {
    expect(unpinnedScraperArn(side)).toBe(placeholder);
    expect(parseArn(placeholder)).toEqual({ partition: 'aws', service: 'aps', region: 'eu-west-1', account: SOURCE, resource: `scraper/${UNPINNED_SCRAPER_ID}` });
    // Fits the ScraperId pattern of the AMP API model (same shape as a real ARN)...
    expect(UNPINNED_SCRAPER_ID).toMatch(/^[0-9A-Za-z][-.0-9A-Z_a-z]*$/);
    // ...but not the `s-` prefix of every ID AMP generates.
    expect(isScraperArn(placeholder)).toBe(false);
    expect(UNPINNED_SCRAPER_ID.startsWith('s-')).toBe(false);
  });
  test('bootstrap is sealed unless told otherwise', () => {
    expect(sourceTrustPolicy(side)).toEqual(sourceTrustPolicy(side, undefined, 'sealed'));
    expect(targetTrustPolicy(side, SOURCE_ROLE)).toEqual(targetTrustPolicy(side, SOURCE_ROLE, undefined, 'sealed'));
  });
  test('the sealed documents are the final documents pinned to the placeholder: same operators, same shape', () => {
    expect(sourceTrustPolicy(side)).toEqual(sourceTrustPolicy(side, placeholder));
    expect(targetTrustPolicy(side, SOURCE_ROLE)).toEqual(targetTrustPolicy(side, SOURCE_ROLE, placeholder));
    expect(sourceTrustPolicy(side).Statement[0].Condition).toEqual({
      ArnEquals: { 'aws:SourceArn': placeholder },
      StringEquals: { 'aws:SourceAccount': SOURCE },
    });
    expect(targetTrustPolicy(side, SOURCE_ROLE).Statement[0].Condition).toEqual({ StringEquals: { 'sts:ExternalId': placeholder } });
  });
  test('no wildcard anywhere in the sealed documents', () => {
    expect(renderPolicy(sourceTrustPolicy(side)) + renderPolicy(targetTrustPolicy(side, SOURCE_ROLE))).not.toMatch(/[*?]|Like/);
  });
});

describe('account-wide bootstrap (opt-in): any scraper of the source account and region', () => {
  test('source trust matches any scraper of the source account and region, with ArnLike', () => {
    const doc = sourceTrustPolicy(side, undefined, 'account-wide');
    expect(doc.Statement[0].Principal).toEqual({ Service: SCRAPER_SERVICE_PRINCIPAL });
    expect(doc.Statement[0].Condition).toEqual({
      ArnLike: { 'aws:SourceArn': `arn:aws:aps:eu-west-1:${SOURCE}:scraper/*` },
      StringEquals: { 'aws:SourceAccount': SOURCE },
    });
  });
  test('target trust uses StringLike, since StringEquals would not expand the wildcard', () => {
    const doc = targetTrustPolicy(side, SOURCE_ROLE, undefined, 'account-wide');
    expect(doc.Statement[0].Principal).toEqual({ AWS: SOURCE_ROLE });
    expect(doc.Statement[0].Condition).toEqual({ StringLike: { 'sts:ExternalId': `arn:aws:aps:eu-west-1:${SOURCE}:scraper/*` } });
  });
  test('bootstrap differs from final only in the ARN conditions', () => {
    const bootstrap = sourceTrustPolicy(side, undefined, 'account-wide');
    const final = sourceTrustPolicy(side, SCRAPER);
    expect({ ...bootstrap.Statement[0], Condition: undefined }).toEqual({ ...final.Statement[0], Condition: undefined });
  });
});

test('a scraper ARN always wins over the bootstrap mode: final documents are exact', () => {
  for (const mode of ['sealed', 'account-wide'] as const) {
    expect(sourceTrustPolicy(side, SCRAPER, mode)).toEqual(sourceTrustPolicy(side, SCRAPER));
    expect(targetTrustPolicy(side, SOURCE_ROLE, SCRAPER, mode)).toEqual(targetTrustPolicy(side, SOURCE_ROLE, SCRAPER));
  }
});

describe('partitions', () => {
  const cn = { partition: 'aws-cn', region: 'cn-north-1', sourceAccount: SOURCE };
  test('China regions produce aws-cn ARNs in the account-wide pattern', () => {
    const doc = sourceTrustPolicy(cn, undefined, 'account-wide');
    expect(doc.Statement[0].Condition?.ArnLike).toEqual({ 'aws:SourceArn': `arn:aws-cn:aps:cn-north-1:${SOURCE}:scraper/*` });
  });
  test('China regions produce an aws-cn placeholder in the sealed documents', () => {
    const placeholder = `arn:aws-cn:aps:cn-north-1:${SOURCE}:scraper/${UNPINNED_SCRAPER_ID}`;
    expect(sourceTrustPolicy(cn).Statement[0].Condition?.ArnEquals).toEqual({ 'aws:SourceArn': placeholder });
    expect(targetTrustPolicy(cn, SOURCE_ROLE).Statement[0].Condition?.StringEquals).toEqual({ 'sts:ExternalId': placeholder });
  });
});

/**
 * The subset of JMESPath that PINNED_ARN_QUERY uses: identifiers, "quoted identifiers" and [index]
 * joined by dots. Anything else throws, so a query outside the subset fails the test instead of passing.
 * Missing keys and indexes give null, as in JMESPath (the AWS CLI prints None).
 */
function jmespath(query: string, data: unknown): unknown {
  const token = /^(?:([A-Za-z_][A-Za-z0-9_]*)|"((?:[^"\\]|\\.)*)"|\[(-?\d+)\])/;
  let rest = query;
  let value: unknown = data;
  let first = true;
  while (rest.length > 0) {
    if (!first && !rest.startsWith('[')) {
      if (!rest.startsWith('.')) throw new Error(`unsupported JMESPath at "${rest}" in ${query}`);
      rest = rest.slice(1);
    }
    const m = token.exec(rest);
    if (!m || (first && m[3] !== undefined)) throw new Error(`unsupported JMESPath at "${rest}" in ${query}`);
    if (m[3] !== undefined) {
      const i = Number(m[3]);
      value = Array.isArray(value) ? (value[i < 0 ? value.length + i : i] ?? null) : null;
    } else {
      const key = m[1] ?? JSON.parse(`"${m[2]}"`);
      value = value !== null && typeof value === 'object' && !Array.isArray(value) ? ((value as Record<string, unknown>)[key] ?? null) : null;
    }
    rest = rest.slice(m[0].length);
    first = false;
  }
  return value;
}

describe('PINNED_ARN_QUERY finds the scraper ARN in the documents the builders produce', () => {
  // What `aws iam get-role` returns around the trust document.
  const getRole = (doc: PolicyDocument) => ({ Role: { RoleName: 'r', AssumeRolePolicyDocument: doc } });
  const documents = {
    source: (arn?: string, mode?: 'sealed' | 'account-wide') => sourceTrustPolicy(side, arn, mode),
    target: (arn?: string, mode?: 'sealed' | 'account-wide') => targetTrustPolicy(side, SOURCE_ROLE, arn, mode),
  };

  test.each(['source', 'target'] as const)('%s: the final document reads back the pinned ARN', (which) => {
    expect(jmespath(PINNED_ARN_QUERY[which], getRole(documents[which](SCRAPER)))).toBe(SCRAPER);
  });
  test.each(['source', 'target'] as const)('%s: a sealed bootstrap reads back the placeholder (same shape)', (which) => {
    expect(jmespath(PINNED_ARN_QUERY[which], getRole(documents[which]()))).toBe(unpinnedScraperArn(side));
  });
  test.each(['source', 'target'] as const)('%s: an account-wide bootstrap reads back nothing, never a wildcard', (which) => {
    expect(jmespath(PINNED_ARN_QUERY[which], getRole(documents[which](undefined, 'account-wide')))).toBeNull();
  });

  test('the evaluator handles the path forms the queries use, and refuses others', () => {
    const data = { A: { 'b:c': [{ 'x"y': 1 }, { d: 'e' }] } };
    expect(jmespath('A."b:c"[1].d', data)).toBe('e');
    expect(jmespath('A."b:c"[-2]."x\\"y"', data)).toBe(1);
    expect(jmespath('A."b:c"[2].d', data)).toBeNull();
    expect(jmespath('A.missing.d', data)).toBeNull();
    expect(() => jmespath('A."b:c"[*].d', data)).toThrow(/unsupported/);
    expect(() => jmespath('A | B', data)).toThrow(/unsupported/);
  });
});

test('renderPolicy is compact JSON that parses back to the document', () => {
  const doc = targetTrustPolicy(side, SOURCE_ROLE, SCRAPER);
  const text = renderPolicy(doc);
  expect(text).not.toMatch(/\n/);
  expect(JSON.parse(text)).toEqual(doc);
});
