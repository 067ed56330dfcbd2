/**
 * Hostile input that must be refused: every case runs the app's real entry with a temporary outdir and
 * asserts exit 1, nothing written, one bounded printable line per problem naming the field (see
 * expectRejected). Categories: crashes, partitions, files, error output, parsers, shell.
 * Valid hostile text (it must arrive byte for byte) is in hostile-input-arrival.test.ts.
 */
import { spawnSync } from 'child_process';
import { closeSync, mkdirSync, openSync, symlinkSync, truncateSync, writeFileSync } from 'fs';
import * as path from 'path';
import { MAX_CONFIG_BYTES, MAX_SCRAPE_CONFIG_BYTES } from '../lib/config/load';
import { PARTITIONS } from '../lib/arn';
import { configIn, exampleConfig, expectRejected, freshDir, rejects, synth, synthInChild, writeConfig } from './hostile-input.helpers';

const VALID_JOB = 'scrape_configs:\n  - job_name: a\n    static_configs: [{targets: ["x:9100"]}]\n';
/** The example with a scrape config file `scrape.yaml` of the given content. */
const withScrape = (content: string | Buffer) => rejects((c) => (c.pairs[0].scrapeConfigFile = 'scrape.yaml'), { 'scrape.yaml': content });
const SCRAPE = 'pairs[0].scrapeConfigFile';
const ALL_PARTITIONS = PARTITIONS.join(', ');

describe('crashes: input that used to end in a stack trace', () => {
  test('deeply nested JSON is refused at the depth limit, with its path', () => {
    const dir = freshDir();
    const run = synth(writeConfig(dir, '['.repeat(100_000)));
    expect(expectRejected(run, '[0]'.repeat(32))[0]).toMatch(/nested deeper than 32 levels/);
  });

  test('deep nesting inside a field names that field', () => {
    const dir = freshDir();
    const run = synth(writeConfig(dir, `{"accounts": {"a": ${'{"b": '.repeat(50_000)}1${'}'.repeat(50_000)}}}`));
    expectRejected(run, `accounts.a${'.b'.repeat(30)}`);
  });

  test('a YAML alias bomb is refused (no ReferenceError)', () => {
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      ...'bcdefgh'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(',')}]`),
      'scrape_configs: [*h]',
    ].join('\n');
    const { problems } = withScrape(bomb);
    expect(problems(SCRAPE)).toEqual([expect.stringMatching(/^pairs\[0\]\.scrapeConfigFile \(scrape\.yaml\) \(yaml\): aliases expand to too much data/)]);
  });

  test('deeply nested YAML flow collections are refused (no RangeError)', () => {
    const { problems } = withScrape(`scrape_configs: ${'['.repeat(100_000)}`);
    expect(problems(SCRAPE)[0]).toMatch(/\(yaml\): not valid YAML at line 1, column \d+: /);
  });

  test('deeply nested YAML blocks beyond the limit are refused with the path', () => {
    const nested = Array.from({ length: 40 }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n') + ' x\n';
    const { problems } = withScrape(nested);
    expect(problems(SCRAPE).join('\n')).toMatch(/\(scrape\.yaml\) k0\.k1\.k2\..*\.k31\.k32: nested deeper than 32 levels$/);
  });

  test.each([
    [
      '__proto__ as an account name',
      (c: any) => Object.defineProperty(c.accounts, '__proto__', { value: c.accounts.workload, enumerable: true }),
      'accounts.__proto__',
    ],
    ['toString as a workspace name', (c: any) => (c.workspaces.toString = c.workspaces.central), 'workspaces.toString'],
    ['hasOwnProperty as a pair cluster', (c: any) => (c.pairs[0].cluster = 'hasOwnProperty'), 'pairs[0].cluster'],
    ['valueOf as a cluster account', (c: any) => (c.clusters['prod-eks'].account = 'valueOf'), 'clusters.prod-eks.account'],
    ['__proto__ as a top-level field', (c: any) => Object.defineProperty(c, '__proto__', { value: { polluted: true }, enumerable: true }), '__proto__'],
    [
      '__proto__ inside credentials',
      (c: any) => Object.defineProperty(c.accounts.workload.credentials, '__proto__', { value: {}, enumerable: true }),
      'accounts.workload.credentials.__proto__',
    ],
    ['constructor as an undefined account', (c: any) => (c.clusters['prod-eks'].account = 'constructor'), 'clusters.prod-eks.account'],
    ['constructor as an undefined cluster', (c: any) => (c.pairs[0].cluster = 'constructor'), 'pairs[0].cluster'],
    ['constructor as an undefined workspace', (c: any) => (c.pairs[0].workspace = 'constructor'), 'pairs[0].workspace'],
    ['constructor as a pair name (reserved by the constructs library)', (c: any) => (c.pairs[0].name = 'constructor'), 'pairs[0].name'],
  ])('prototype key: %s', (_name, mutate, field) => {
    const { run, problems } = rejects(mutate);
    problems(field);
    expect(({} as any).polluted).toBeUndefined();
    expect(run.text).not.toMatch(/TypeError|at Object\./);
  });

  test.each([
    ['__proto__ at the top', `__proto__: {a: 1}\n${VALID_JOB}`, '(root).__proto__'],
    [
      'constructor in a job',
      `scrape_configs:\n  - job_name: a\n    constructor: 1\n    static_configs: [{targets: ["x:1"]}]\n`,
      'scrape_configs[0].constructor',
    ],
  ])('prototype key in a scrape config: %s', (_name, yaml, keyPath) => {
    const { problems } = withScrape(yaml);
    expect(problems(SCRAPE)).toEqual([
      expect.stringMatching(new RegExp(`^pairs\\[0\\]\\.scrapeConfigFile \\(scrape\\.yaml\\) ${keyPath.replace(/[.()[\]]/g, '\\$&')}: not supported`)),
    ]);
    expect(({} as any).a).toBeUndefined();
  });

  test.each([
    ['null', 'null'],
    ['a number', '42'],
    ['a string', '"accounts"'],
  ])('a config that is %s', (_name, text) => {
    const dir = freshDir();
    expectRejected(synth(writeConfig(dir, text)), '(root)');
  });

  test('accounts as a list', () => {
    rejects((c) => (c.accounts = [c.accounts.workload])).problems('accounts');
  });

  test('a lone surrogate in a key is shown escaped', () => {
    const dir = freshDir();
    const text = JSON.stringify(exampleConfig()).replace('"workload":{', '"\\ud800":{');
    const problems = expectRejected(synth(writeConfig(dir, text)), 'accounts["\\ud800"]');
    expect(problems.join('\n')).toContain('\\ud800');
  });
});

describe('partitions: ARNs in unknown partitions are refused by the schema, naming the allowed ones', () => {
  const unknown = (arn: string) => arn.replace(/^arn:aws:/, 'arn:aws-xx:');
  test.each([
    ['cluster ARN', (c: any) => (c.clusters['prod-eks'].arn = unknown(c.clusters['prod-eks'].arn)), 'clusters.prod-eks.arn'],
    ['workspace ARN', (c: any) => (c.workspaces.central.arn = unknown(c.workspaces.central.arn)), 'workspaces.central.arn'],
    [
      'assumeRoleArn',
      (c: any) => (c.accounts.workload.credentials.assumeRoleArn = unknown(c.accounts.workload.credentials.assumeRoleArn)),
      'accounts.workload.credentials.assumeRoleArn',
    ],
    [
      'kmsKeyArn',
      (c: any) =>
        (c.workspaces.central = {
          account: 'observability',
          create: { kmsKeyArn: 'arn:aws-xx:kms:eu-west-1:222222222222:key/0123abcd-0123-0123-0123-0123456789ab' },
        }),
      'workspaces.central.create.kmsKeyArn',
    ],
    [
      'backend roleArn',
      (c: any) => (c.backend = { type: 's3', bucket: 'state-bucket', region: 'eu-west-1', roleArn: 'arn:aws-xx:iam::111111111111:role/state' }),
      'backend.roleArn',
    ],
    ['upper-case partition', (c: any) => (c.clusters['prod-eks'].arn = c.clusters['prod-eks'].arn.replace('arn:aws:', 'arn:AWS:')), 'clusters.prod-eks.arn'],
    ['empty partition', (c: any) => (c.clusters['prod-eks'].arn = c.clusters['prod-eks'].arn.replace('arn:aws:', 'arn::')), 'clusters.prod-eks.arn'],
  ])('%s', (_name, mutate, field) => {
    const { run, problems } = rejects(mutate);
    const line = problems(field).find((p) => p.startsWith(`${field}:`))!;
    expect(line).toContain(`in a known partition (${ALL_PARTITIONS})`);
    expect(run.text).not.toMatch(/TypeError/);
  });

  test('a known partition that does not match the region', () => {
    rejects((c) => (c.clusters['prod-eks'].arn = c.clusters['prod-eks'].arn.replace('arn:aws:', 'arn:aws-cn:'))).problems('clusters.prod-eks.arn');
  });

  // Depends on the assumeRoleArn partition check in lib/config/fleet.ts.
  test('an assumeRoleArn in another partition than its account region', () => {
    rejects((c) => (c.accounts.workload.credentials.assumeRoleArn = 'arn:aws-cn:iam::111111111111:role/amp-xa-deployer')).problems(
      'accounts.workload.credentials.assumeRoleArn',
    );
  });
});

describe('files: only regular files inside the limits, scrape configs only inside the config folder', () => {
  const mkfifo = (file: string) => {
    const r = spawnSync('mkfifo', [file]);
    if (r.status !== 0) throw new Error(`mkfifo failed: ${r.stderr}`);
  };

  test('AMP_XA_CONFIG naming a FIFO is refused without blocking', () => {
    const dir = freshDir();
    mkfifo(path.join(dir, 'fleet.json'));
    const problems = expectRejected(synthInChild(path.join(dir, 'fleet.json'), dir), 'AMP_XA_CONFIG');
    expect(problems[0]).toMatch(/is a FIFO \(named pipe\); amp-xa reads regular files only/);
  });

  test('a scrapeConfigFile naming a FIFO is refused without blocking', () => {
    const { dir, file } = configIn((c) => (c.pairs[0].scrapeConfigFile = 'scrape.yaml'));
    mkfifo(path.join(dir, 'scrape.yaml'));
    const problems = expectRejected(synthInChild(file, dir), SCRAPE);
    expect(problems[0]).toMatch(/is a FIFO \(named pipe\); amp-xa reads regular files only/);
  });

  test('AMP_XA_CONFIG=/dev/zero is refused without reading it', () => {
    const dir = freshDir();
    const problems = expectRejected(synthInChild('/dev/zero', dir), 'AMP_XA_CONFIG');
    expect(problems[0]).toMatch(/\/dev\/zero is a character device/);
  });

  test('a symlink inside the folder to /dev/zero is refused as outside the folder', () => {
    const { dir, file } = configIn((c) => (c.pairs[0].scrapeConfigFile = 'scrape.yaml'));
    symlinkSync('/dev/zero', path.join(dir, 'scrape.yaml'));
    expect(expectRejected(synth(file), SCRAPE)[0]).toMatch(/resolves to \/dev\/zero, outside the config file's folder/);
  });

  test('a 100 MB scrape config is refused by size, naming the limit and why', () => {
    const { dir, file } = configIn((c) => (c.pairs[0].scrapeConfigFile = 'scrape.yaml'));
    closeSync(openSync(path.join(dir, 'scrape.yaml'), 'w'));
    truncateSync(path.join(dir, 'scrape.yaml'), 100 * 1024 * 1024); // sparse: no disk, no memory
    const [line] = expectRejected(synth(file), SCRAPE);
    expect(line).toMatch(/is 104857600 bytes; the limit is 1048576 bytes \(1 MiB\): AWS publishes no size limit for a scrape configuration/);
  });

  test('a scrape config one byte over the limit is refused; at the limit it is read', () => {
    const over = withScrape(VALID_JOB + '#'.repeat(MAX_SCRAPE_CONFIG_BYTES - VALID_JOB.length) + '\n');
    expect(over.problems(SCRAPE)[0]).toMatch(/the limit is 1048576 bytes/);
    const { file } = configIn((c) => (c.pairs[0].scrapeConfigFile = 'scrape.yaml'), {
      'scrape.yaml': VALID_JOB + '#'.repeat(MAX_SCRAPE_CONFIG_BYTES - VALID_JOB.length - 1) + '\n',
    });
    expect(synth(file).code).toBe(0);
  });

  test('a config JSON over 1 MiB is refused by size', () => {
    const dir = freshDir();
    const text = JSON.stringify(exampleConfig()) + ' '.repeat(MAX_CONFIG_BYTES);
    expect(expectRejected(synth(writeConfig(dir, text)), 'AMP_XA_CONFIG')[0]).toMatch(/the limit is 1048576 bytes \(1 MiB\)/);
  });

  test('a symlink to /etc/passwd is refused before reading, and nothing of it is printed', () => {
    const { dir, file } = configIn((c) => (c.pairs[0].scrapeConfigFile = 'scrape.yaml'));
    symlinkSync('/etc/passwd', path.join(dir, 'scrape.yaml'));
    const run = synth(file);
    expect(expectRejected(run, SCRAPE)[0]).toMatch(
      /"scrape\.yaml" resolves to \/etc\/passwd, outside the config file's folder .*; a scrape config file must be inside that folder after following symlinks/,
    );
    expect(run.text).not.toMatch(/root:/);
  });

  test.each([
    ['a relative path out of the folder', '../secret.yaml'],
    ['an absolute path elsewhere', '/etc/hostname'],
    ['a path through a symlinked directory that leaves the folder', 'etc/passwd'],
  ])('%s is refused', (_name, scrapeConfigFile) => {
    const { dir, file } = configIn((c) => (c.pairs[0].scrapeConfigFile = scrapeConfigFile));
    writeFileSync(path.join(dir, '..', 'secret.yaml'), VALID_JOB);
    symlinkSync('/etc', path.join(dir, 'etc'));
    expect(expectRejected(synth(file), SCRAPE)[0]).toMatch(/outside the config file's folder/);
  });

  test('a scrapeConfigFile that is a directory', () => {
    const { dir, file } = configIn((c) => (c.pairs[0].scrapeConfigFile = 'scrape'));
    mkdirSync(path.join(dir, 'scrape'));
    expect(expectRejected(synth(file), SCRAPE)[0]).toMatch(/is a directory; amp-xa reads regular files only/);
  });

  test('AMP_XA_CONFIG naming a directory', () => {
    const dir = freshDir();
    expect(expectRejected(synth(dir, dir), 'AMP_XA_CONFIG')[0]).toMatch(/is a directory/);
  });

  test('a dangling symlink', () => {
    const { dir, file } = configIn((c) => (c.pairs[0].scrapeConfigFile = 'scrape.yaml'));
    symlinkSync(path.join(dir, 'nowhere.yaml'), path.join(dir, 'scrape.yaml'));
    expect(expectRejected(synth(file), SCRAPE)[0]).toMatch(/cannot read .* \(ENOENT\)/);
  });

  test('a secrets file inside the folder: keys may be named, values never printed', () => {
    const { run, problems } = withScrape('password: hunter2-SECRET\napi_key: "AKIAEXAMPLESECRET"\n');
    expect(problems(SCRAPE).join('\n')).toMatch(/\(root\)\.password: not supported/);
    expect(run.text).not.toMatch(/hunter2|SECRET/);
  });

  test('an INI credentials file as scrape config: nothing of it printed', () => {
    const { run, problems } = withScrape('[default]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = SECRETSECRETSECRET\n');
    problems(SCRAPE);
    expect(run.text).not.toMatch(/AKIA|SECRET|aws_secret/);
  });

  test('a scrape config that is not UTF-8', () => {
    const { problems } = withScrape(Buffer.from([0x73, 0x63, 0xff, 0xfe, 0x0a]));
    expect(problems(SCRAPE)[0]).toMatch(/is not UTF-8 text/);
  });

  test('a config that is not UTF-8', () => {
    const dir = freshDir();
    expect(expectRejected(synth(writeConfig(dir, Buffer.from([0x7b, 0xc3, 0x28, 0x7d]))), 'AMP_XA_CONFIG')[0]).toMatch(/is not UTF-8 text/);
  });
});

describe('error output: bounded, one line per problem, nothing invisible or raw', () => {
  test('a 900 KB key is cut, not printed whole', () => {
    const big = 'k'.repeat(900_000);
    const { run, problems } = rejects((c) => (c.accounts[big] = c.accounts.workload));
    expect(problems()).toEqual([expect.stringMatching(/^accounts\["k+"\.\.\. \(900000 characters\)\]: expected account name/)]);
    expect(run.text.length).toBeLessThan(2000);
  });

  test('a 900 KB value is cut, not printed whole', () => {
    const { run, problems } = rejects((c) => (c.accounts.workload.region = 'r'.repeat(900_000)));
    expect(problems('accounts.workload.region')[0]).toMatch(/got "r+"\.\.\. \(900000 characters\)$/);
    expect(run.text.length).toBeLessThan(2000);
  });

  test('a newline and ANSI escape in a key cannot forge an error line', () => {
    const evil = 'x\n  - accounts.workload.id: \u001b[32mforged\u001b[0m';
    const { run, problems } = rejects((c) => (c.accounts.workload.credentials[evil] = 1));
    const found = problems();
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^accounts\.workload\.credentials\["x\\n {2}- accounts\.workload\.id: \\u001b\[32mforged/);
    expect(run.lines.filter((l) => l.startsWith('  - '))).toHaveLength(1);
  });

  test.each([
    ['right-to-left override', '\u202e', '\\u202e'],
    ['zero-width space', '\u200b', '\\u200b'],
    ['zero-width joiner', '\u200d', '\\u200d'],
    ['byte order mark', '\ufeff', '\\ufeff'],
    ['line separator', '\u2028', '\\u2028'],
    ['C1 control (CSI)', '\u009b', '\\u009b'],
    ['escape', '\u001b', '\\u001b'],
    ['NUL', '\u0000', '\\u0000'],
  ])('a %s in a referenced name is shown as an escape', (_name, ch, shown) => {
    const { problems } = rejects((c) => (c.pairs[0].cluster = `prod${ch}-eks`));
    expect(problems('pairs[0].cluster')[0]).toContain(`"prod${shown}-eks"`);
  });

  test('a homoglyph (Cyrillic e) is distinguishable from the real name', () => {
    const { problems } = rejects((c) => (c.pairs[0].cluster = 'prod-\u0435ks'));
    expect(problems('pairs[0].cluster')[0]).toContain('"prod-\\u0435ks"');
  });

  test('1000 problems: the first 50, then a count of the rest', () => {
    const { run, problems } = rejects((c) => {
      for (let i = 0; i < 1000; i++) c[`unknown${i}`] = i;
    });
    expect(problems('unknown0', 'unknown49')).toHaveLength(50);
    expect(run.lines[run.lines.length - 1]).toBe('  ... and 950 more problems (fix the ones above first)');
  });

  test('a !!binary value is one problem, not one per byte', () => {
    const { problems } = withScrape(`global:\n  external_labels:\n    blob: !!binary ${Buffer.alloc(3000, 7).toString('base64')}\n${VALID_JOB}`);
    expect(problems(SCRAPE)).toEqual([
      expect.stringMatching(/^pairs\[0\]\.scrapeConfigFile \(scrape\.yaml\) global\.external_labels\.blob: YAML tag !!binary is not allowed/),
    ]);
  });

  test('hundreds of scrape config problems are bounded', () => {
    const yaml = Array.from({ length: 300 }, (_, i) => `unknown_${i}: 1`).join('\n') + `\n${VALID_JOB}`;
    const { run, problems } = withScrape(yaml);
    expect(problems(SCRAPE)).toHaveLength(50);
    expect(run.lines[run.lines.length - 1]).toMatch(/and 250 more problems/);
  });

  test('an ANSI escape in a scrape config key is escaped', () => {
    const { problems } = withScrape(`"\\e[2Jboom": 1\n${VALID_JOB}`);
    expect(problems(SCRAPE)[0]).toContain('(root)["\\u001b[2Jboom"]: not supported');
  });

  test('a config file name with a newline and an escape is shown escaped in the header', () => {
    const dir = freshDir();
    const run = synth(writeConfig(dir, '{', 'evil\n\u001b[31mname.json'));
    expectRejected(run, '(file)');
    expect(run.lines[0]).toContain('evil\\n\\x1b[31mname.json');
  });

  test('a folder name with a newline and escapes, quoted raw by a file error, is escaped by ConfigError itself', () => {
    const dir = path.join(freshDir(), 'evil\n  - forged: \u001b[2J\u202e');
    mkdirSync(dir);
    const config = exampleConfig();
    config.pairs[0].scrapeConfigFile = 'missing.yaml';
    const run = synth(writeConfig(dir, config), dir);
    const problems = expectRejected(run, SCRAPE);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('evil\\n  - forged: \\x1b[2J\\u202e/missing.yaml (ENOENT)');
  });

  test('scrape config values are described, never quoted', () => {
    const { run, problems } = withScrape('scrape_configs: "AKIAEXAMPLESECRETKEY"\n');
    expect(problems(SCRAPE)[0]).toMatch(/scrape_configs: expected a list, got a string of 20 characters$/);
    expect(run.text).not.toContain('AKIA');
  });

  test('a very long scrapeConfigFile name is cut', () => {
    const { run } = rejects((c) => (c.pairs[0].scrapeConfigFile = `${'d/'.repeat(500)}x.yaml`));
    expectRejected(run, SCRAPE);
    expect(run.text.length).toBeLessThan(2500);
  });
});

describe('parsers: duplicate keys, strict JSON, plain YAML', () => {
  const dup = (text: string, field: string) => {
    const dir = freshDir();
    const problems = expectRejected(synth(writeConfig(dir, text)), field);
    expect(problems.find((p) => p.startsWith(field))).toMatch(/: duplicate key; each key may appear once/);
  };
  const example = () => JSON.stringify(exampleConfig());

  test('a duplicate top-level key', () => dup(example().replace(/^\{/, '{"tags": {"a": "b"},'), 'tags'));
  test('a duplicate nested key', () => dup(example().replace('"id":"111111111111"', '"id":"111111111111","id":"999999999999"'), 'accounts.workload.id'));
  test('a duplicate spelled with an escape', () =>
    dup(example().replace('"id":"111111111111"', '"id":"111111111111","\\u0069d":"999999999999"'), 'accounts.workload.id'));
  test('a duplicate __proto__ key', () => dup(example().replace(/^\{/, '{"__proto__": {}, "__proto__": {},'), '__proto__'));

  test.each([
    ['a syntax error next to a secret', '{"accounts": SECRETTOKEN123}', /not valid JSON at line 1, column 14 \(in accounts\): expected a value/],
    ['text after the JSON', '{}\n{"x": 1}', /not valid JSON at line 2, column 1: unexpected text after the end/],
    ['a comment', '{\n  // accounts\n}', /not valid JSON at line 2, column 3: expected a key in double quotes/],
    ['a raw line break in a string', '{"a": "x\ny"}', /not valid JSON at line 1, column 9 \(in a\): a raw control character/],
    ['a single-quoted string', "{'accounts': {}}", /expected a key in double quotes/],
    ['a trailing comma', '{"a": 1,}', /expected a key in double quotes/],
  ])('JSON: %s is reported by position, without quoting the file', (_name, text, message) => {
    const dir = freshDir();
    const run = synth(writeConfig(dir, text));
    expect(expectRejected(run, '(file)')[0]).toMatch(message);
    expect(run.text).not.toMatch(/SECRET/);
  });

  test.each([
    ['!!js/function', 'x: !!js/function "function () { return 1 }"', '!!js/function'],
    ['!!binary', 'x: !!binary aGVsbG8=', '!!binary'],
    ['!!set', 'x: !!set {a, b}', '!!set'],
    ['a local tag', 'x: !secret name', '!secret'],
    ['!!python/object', 'x: !!python/object/apply:os.system ["id"]', '!!python/object/apply:os.system'],
    ['!!omap', 'x: !!omap [a: 1]', '!!omap'],
  ])('YAML tag %s is refused with its key path', (_name, line, tag) => {
    const { problems } = withScrape(`global:\n  external_labels:\n    ${line}\n${VALID_JOB}`);
    expect(problems(SCRAPE)).toEqual([
      `${SCRAPE} (scrape.yaml) global.external_labels.x: YAML tag ${tag} is not allowed; Prometheus reads plain YAML (strings, numbers, booleans, lists, mappings)`,
    ]);
  });

  test('a tag on a key', () => {
    const { problems } = withScrape(`!!binary Z2xvYmFs: {}\n${VALID_JOB}`);
    expect(problems(SCRAPE)[0]).toMatch(/YAML tag !!binary is not allowed/);
  });

  test('a duplicate YAML key deep in a job', () => {
    const { problems } = withScrape('scrape_configs:\n  - job_name: a\n    job_name: b\n    static_configs: [{targets: ["x:1"]}]\n');
    expect(problems(SCRAPE)).toEqual([`${SCRAPE} (scrape.yaml) scrape_configs[0].job_name: duplicate key; each key may appear once in a mapping`]);
  });

  test('several YAML documents', () => {
    const { problems } = withScrape(`${VALID_JOB}---\n${VALID_JOB}`);
    expect(problems(SCRAPE)[0]).toMatch(/\(yaml\): not valid YAML at line 4, column 1: more than one YAML document/);
  });

  test('a complex (list) key', () => {
    const { problems } = withScrape(`? [a, b]\n: 1\n${VALID_JOB}`);
    expect(problems(SCRAPE)[0]).toMatch(/\(root\): a key that is not a plain string/);
  });
});

describe('shell: values the finalizer would run are refused when they carry control characters', () => {
  test.each([
    ['a profile with a line break', (c: any) => (c.accounts.workload.credentials.profile = 'prod\necho pwned'), 'accounts.workload.credentials.profile'],
    [
      'a shared config file with NUL',
      (c: any) => (c.accounts.workload.credentials.sharedConfigFiles = ['/etc/aws\u0000--debug']),
      'accounts.workload.credentials.sharedConfigFiles[0]',
    ],
    [
      'a shared config file with an escape sequence',
      (c: any) => (c.accounts.workload.credentials.sharedConfigFiles = ['ok', '\u001b]0;title\u0007cfg']),
      'accounts.workload.credentials.sharedConfigFiles[1]',
    ],
    ['a backend directory with a carriage return', (c: any) => (c.backend = { type: 'local', directory: 'state\r' }), 'backend.directory'],
    [
      'a workspace alias with a direction mark',
      (c: any) => (c.workspaces.central = { account: 'observability', create: { alias: 'prod\u202e' } }),
      'workspaces.central.create.alias',
    ],
    [
      'an s3 backend profile with a tab',
      (c: any) => (c.backend = { type: 's3', bucket: 'state-bucket', region: 'eu-west-1', profile: 'a\tb' }),
      'backend.profile',
    ],
  ])('%s', (_name, mutate, field) => {
    expect(rejects(mutate).problems(field).join('\n')).toMatch(/without control or invisible characters/);
  });
});
