import { existsSync, readFileSync } from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { defaultScrapeConfiguration } from '../lib/scrape/default';
import { compileRegex, parseDuration, validateScrapeConfiguration } from '../lib/scrape/validate';

const EXAMPLE_SCRAPE = path.join(__dirname, '..', 'examples', 'scrape', 'minimal.yaml');

describe('the built-in and example scrape configs', () => {
  test('pass the managed-collector checks', () => {
    expect(validateScrapeConfiguration(defaultScrapeConfiguration('prod-eks'))).toEqual([]);
    expect(validateScrapeConfiguration(readFileSync(EXAMPLE_SCRAPE, 'utf8'))).toEqual([]);
  });

  test('the default template is exactly the reviewed configuration (fixtures/default-scrape-config.yaml)', () => {
    const fixture = readFileSync(path.join(__dirname, 'fixtures', 'default-scrape-config.yaml'), 'utf8').replace('cluster: CLUSTER', 'cluster: prod-eks');
    expect(parse(defaultScrapeConfiguration('prod-eks'))).toEqual(parse(fixture));
  });

  test('the default scrapes the API server, kubelet, cAdvisor, annotated pods and services, every 30s', () => {
    const config = parse(defaultScrapeConfiguration('prod-eks'));
    expect(config.global).toEqual({ scrape_interval: '30s', scrape_timeout: '10s', external_labels: { cluster: 'prod-eks' } });
    expect(config.scrape_configs.map((j: any) => j.job_name)).toEqual([
      'kubernetes-apiservers',
      'kubernetes-kubelet',
      'kubernetes-cadvisor',
      'kubernetes-pods',
      'kubernetes-service-endpoints',
    ]);
    const cadvisor = config.scrape_configs[2];
    expect(cadvisor.relabel_configs[2]).toMatchObject({ target_label: '__metrics_path__', replacement: '/api/v1/nodes/$1/proxy/metrics/cadvisor' });
  });

  // An independent oracle: the Prometheus config JSON Schema from ../shared (this project's workspace, not part
  // of the repository). Only this project's .ci/run demands it (AMP_XA_REQUIRE_SHARED_DATA=1); anywhere else,
  // a user's CI included, the check is skipped and says so.
  const schemaPath = path.join(__dirname, '..', '..', 'shared', 'data', 'prometheus-config.schema.json');
  const haveSchema = existsSync(schemaPath);
  if (!haveSchema && process.env.AMP_XA_REQUIRE_SHARED_DATA === '1') {
    test('the Prometheus configuration JSON Schema is present (AMP_XA_REQUIRE_SHARED_DATA=1)', () => {
      throw new Error(`AMP_XA_REQUIRE_SHARED_DATA=1 but ${schemaPath} is missing`);
    });
  } else if (!haveSchema) {
    console.warn(`skipped: the Prometheus JSON Schema check of the scrape configs (${schemaPath} not found; it is optional outside this project's CI)`);
  }
  (haveSchema ? test : test.skip)(
    `conform to the Prometheus configuration JSON Schema${haveSchema ? '' : ' (skipped: ../shared/data/prometheus-config.schema.json not found)'}`,
    () => {
      const ajv = new Ajv({ strict: false, allErrors: true });
      addFormats(ajv);
      const validate = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')));
      for (const text of [defaultScrapeConfiguration('prod-eks'), readFileSync(EXAMPLE_SCRAPE, 'utf8')]) {
        const ok = validate(parse(text));
        expect(validate.errors ?? []).toEqual([]);
        expect(ok).toBe(true);
      }
    },
  );
});

test.each([
  ['30s', 30_000],
  ['1m', 60_000],
  ['1h30m', 5_400_000],
  ['500ms', 500],
  ['2d', 172_800_000],
])('duration %s = %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

test.each(['30', '1.5m', '', 'm', '30S', 30])('malformed duration %p', (v) => expect(parseDuration(v)).toBeUndefined());

test('regexes compile as RE2-ish, including Go named groups', () => {
  expect(compileRegex('__meta_kubernetes_node_label_(.+)')).toBeUndefined();
  expect(compileRegex('(?P<name>[a-z]+)')).toBeUndefined();
  expect(compileRegex('([a-z')).toBe('Unterminated character class');
  // The reason only: V8's message quotes the pattern, which is file content.
  expect(compileRegex('secret-(')).not.toMatch(/secret/);
});

const job = (extra: string) => `scrape_configs:\n  - job_name: a\n    static_configs: [{targets: ["x:9100"]}]\n${extra}`;

const bad: Array<[string, string, RegExp]> = [
  ['empty file', '   \n', /^\(file\): is empty/],
  ['YAML syntax error', 'scrape_configs: [', /^\(yaml\): /],
  ['duplicate YAML key', 'global: {}\nglobal: {}\nscrape_configs: []', /^global: duplicate key; each key may appear once in a mapping$/],
  ['a list at the top', '- a\n- b', /^\(file\): expected a YAML mapping at the top, got a list/],
  [
    'unsupported top-level section',
    'remote_write: []\nscrape_configs: []',
    /^\(root\)\.remote_write: not supported by the AMP managed collector; allowed here: global, scrape_configs$/,
  ],
  ['rule_files', 'rule_files: [a]\n' + job(''), /^\(root\)\.rule_files: not supported/],
  [
    'interval under 30s',
    'global: {scrape_interval: 15s}\n' + job(''),
    /^global\.scrape_interval: must be at least 30s for the AMP managed collector, got a string of 3 characters$/,
  ],
  ['job interval under 30s', job('    scrape_interval: 10s\n'), /^scrape_configs\[0\]\.scrape_interval: must be at least 30s/],
  [
    'malformed duration',
    'global: {scrape_interval: 30 seconds}\n' + job(''),
    /^global\.scrape_interval: expected a Prometheus duration like 30s or 1m, got a string of 10 characters$/,
  ],
  [
    'timeout above interval',
    job('    scrape_interval: 30s\n    scrape_timeout: 1m\n'),
    /^scrape_configs\[0\]\.scrape_timeout: must not exceed the scrape interval \(30s\)$/,
  ],
  [
    'unsupported SD',
    'scrape_configs:\n  - job_name: a\n    ec2_sd_configs: [{}]\n',
    /^scrape_configs\[0\]\.ec2_sd_configs: not supported by the AMP managed collector/,
  ],
  ['basic auth', job('    basic_auth: {username: a}\n'), /^scrape_configs\[0\]\.basic_auth: not supported/],
  ['no targets', 'scrape_configs:\n  - job_name: a\n', /^scrape_configs\[0\]: needs static_configs or kubernetes_sd_configs/],
  [
    'duplicate job name',
    'scrape_configs:\n  - job_name: a\n    static_configs: [{targets: [x]}]\n  - job_name: a\n    static_configs: [{targets: [y]}]\n',
    /^scrape_configs\[1\]\.job_name: the same job name is already used by scrape_configs\[0\]; job names must be unique$/,
  ],
  ['missing job name', 'scrape_configs:\n  - static_configs: [{targets: [x]}]\n', /^scrape_configs\[0\]\.job_name: expected a non-empty string, got nothing$/],
  [
    'unknown kubernetes role',
    'scrape_configs:\n  - job_name: a\n    kubernetes_sd_configs: [{role: pods}]\n',
    /^scrape_configs\[0\]\.kubernetes_sd_configs\[0\]\.role: expected one of node, service, pod, endpoints, endpointslice, ingress, got a string of 4 characters$/,
  ],
  [
    'kubernetes api_server',
    'scrape_configs:\n  - job_name: a\n    kubernetes_sd_configs: [{role: pod, api_server: "https://x"}]\n',
    /^scrape_configs\[0\]\.kubernetes_sd_configs\[0\]\.api_server: not supported/,
  ],
  [
    'unknown relabel action',
    job('    relabel_configs: [{action: rename, source_labels: [a]}]\n'),
    /^scrape_configs\[0\]\.relabel_configs\[0\]\.action: unknown relabel action \(a string of 6 characters\)/,
  ],
  [
    'regex that does not compile',
    job('    metric_relabel_configs: [{action: drop, source_labels: [__name__], regex: "go_(.*"}]\n'),
    /^scrape_configs\[0\]\.metric_relabel_configs\[0\]\.regex: does not compile/,
  ],
  [
    'replace without target_label',
    job('    relabel_configs: [{source_labels: [a], regex: (.*)}]\n'),
    /^scrape_configs\[0\]\.relabel_configs\[0\]: action replace needs target_label$/,
  ],
  [
    'hashmod without modulus',
    job('    relabel_configs: [{action: hashmod, source_labels: [a], target_label: b}]\n'),
    /^scrape_configs\[0\]\.relabel_configs\[0\]\.modulus: action hashmod needs a positive integer modulus$/,
  ],
  [
    'bad source label name',
    job('    relabel_configs: [{action: keep, source_labels: ["not-a-label"]}]\n'),
    /^scrape_configs\[0\]\.relabel_configs\[0\]\.source_labels\[0\]: expected a label name, got a string of 11 characters$/,
  ],
  ['bad scheme', job('    scheme: ftp\n'), /^scrape_configs\[0\]\.scheme: expected http or https, got a string of 3 characters$/],
  ['bad external label', 'global: {external_labels: {"bad-name": x}}\n' + job(''), /^global\.external_labels\.bad-name: label names match/],
];

test.each(bad)('rejects %s with the key path', (_name, text, expected) => {
  expect(validateScrapeConfiguration(text)).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
});

test('merge keys work as in Prometheus (go-yaml), and merged-in keys are checked too', () => {
  expect(validateScrapeConfiguration('scrape_configs:\n  - job_name: a\n    <<: {static_configs: [{targets: ["x:9100"]}]}\n')).toEqual([]);
  expect(validateScrapeConfiguration('scrape_configs:\n  - job_name: a\n    <<: {basic_auth: {}, static_configs: [{targets: ["x:9100"]}]}\n')).toEqual([
    expect.stringMatching(/^scrape_configs\[0\]\.basic_auth: not supported by the AMP managed collector/),
  ]);
});
