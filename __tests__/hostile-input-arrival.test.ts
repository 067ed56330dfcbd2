/**
 * Valid hostile text must arrive byte for byte: every case synthesizes through the app's real entry into a
 * temporary outdir, reads cdk.tf.json, reads each string the way Terraform reads JSON syntax (`$${` -> `${`,
 * `%%{` -> `%{`, and an unescaped `${` or `%{` is NOT a literal) and compares it with what the user wrote.
 * Shell metacharacters must reach the finalizer only through its local-exec environment, never its command.
 */
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'fs';
import * as path from 'path';
import { FINALIZE_COMMAND } from '../lib/trust/command';
import { configIn, exampleConfig, freshDir, localExecs, stackJson, synth, terraformLiteral, type Run, writeConfig } from './hostile-input.helpers';

const SCRAPER_STACK = 'fleet-scrapers';
const TRUST_STACK = 'fleet-trust';

function synthOk(mutate: (c: any) => void, files: Record<string, string | Buffer> = {}): Run {
  const { file } = configIn(mutate, files);
  const run = synth(file);
  expect(run.text).toBe('');
  expect(run.code).toBe(0);
  return run;
}

const only = (resources: Record<string, any> | undefined): any => {
  const all = Object.values(resources ?? {});
  expect(all).toHaveLength(1);
  return all[0];
};

/**
 * The provider block of the module a finalizer ships, as the inner Terraform reads its strings: the outer
 * Terraform unescapes the environment once, the inner one the module's own literals.
 */
const moduleProvider = (exec: { environment: Record<string, string> }): any => JSON.parse(terraformLiteral(exec.environment.AMP_XA_MODULE)).provider.aws[0];
const inner = (value: string) => terraformLiteral(value);
const ofAccount = (id: string) => (e: { environment: Record<string, string> }) => e.environment.AMP_XA_ACCOUNT.endsWith(`(${id})`);

/** The aws providers of a stack, by alias. */
const providers = (json: any): Record<string, any> => Object.fromEntries([json.provider.aws].flat().map((p: any) => [p.alias, p]));

/** A scrape config the managed collector accepts, full of template-like text. */
const HOSTILE_SCRAPE = `# \${jndi:ldap://x} %{ if true }comment%{ endif } $$ $\${keep} %%{keep} \${ %{
global:
  scrape_interval: 30s
  external_labels:
    cluster: "\${cluster}"
    note: '%{ for x in y }%{ endfor } 100% $'
scrape_configs:
  - job_name: a
    static_configs: [{targets: ["x:9100"]}]
    relabel_configs:
      - source_labels: [__address__]
        regex: (.*):(\\d+)
        target_label: __address__
        replacement: \${1}:$2
      - source_labels: [__meta_x]
        target_label: pct
        replacement: 100%{x} % $1%
      - source_labels: [a]
        target_label: b
        replacement: $\${1}$$\${2}
`;

describe('injection: template-like text arrives as written', () => {
  test('a scrape config full of $1, ${1}, %{x}, % and $${ is the scraper configuration, byte for byte', () => {
    const run = synthOk((c) => (c.pairs[0].scrapeConfigFile = 'scrape.yaml'), { 'scrape.yaml': HOSTILE_SCRAPE });
    const scraper = only(stackJson(run, SCRAPER_STACK).resource.aws_prometheus_scraper);
    expect(terraformLiteral(scraper.scrape_configuration)).toBe(HOSTILE_SCRAPE);
  });

  test('a created workspace alias ${timestamp()} is the alias, not a timestamp', () => {
    const run = synthOk((c) => (c.workspaces.central = { account: 'observability', create: { alias: '${timestamp()}' } }));
    const workspace = only(stackJson(run, 'central-workspace').resource.aws_prometheus_workspace);
    expect(terraformLiteral(workspace.alias)).toBe('${timestamp()}');
  });

  test('a workspace alias with %{ directives }', () => {
    const alias = '%{ if true }x%{ endif } %%{ 100%';
    const run = synthOk((c) => (c.workspaces.central = { account: 'observability', create: { alias } }));
    expect(terraformLiteral(only(stackJson(run, 'central-workspace').resource.aws_prometheus_workspace).alias)).toBe(alias);
  });

  test('a profile prod-* reaches the providers and the finalizer as written', () => {
    const run = synthOk((c) => (c.accounts.workload.credentials.profile = 'prod-*'));
    for (const stack of [SCRAPER_STACK, TRUST_STACK]) expect(terraformLiteral(providers(stackJson(run, stack))['to-workload'].profile)).toBe('prod-*');
    const source = localExecs(stackJson(run, TRUST_STACK)).filter(ofAccount('111111111111'));
    expect(source.length).toBeGreaterThan(0);
    for (const exec of source) expect(inner(moduleProvider(exec).profile)).toBe('prod-*');
  });

  test('a profile with ${...} and %{...} is not evaluated', () => {
    const profile = '${file("/etc/passwd")}%{ for k in [1] }x%{ endfor }';
    const run = synthOk((c) => (c.accounts.workload.credentials.profile = profile));
    expect(terraformLiteral(providers(stackJson(run, SCRAPER_STACK))['to-workload'].profile)).toBe(profile);
    const execs = localExecs(stackJson(run, TRUST_STACK)).filter(ofAccount('111111111111'));
    expect(execs.length).toBeGreaterThan(0);
    for (const exec of execs) expect(inner(moduleProvider(exec).profile)).toBe(profile);
  });

  test('a local backend directory with ${ and %{ is the state path', () => {
    const dir = freshDir();
    const directory = path.join(dir, 'state ${var.x} %{ if y }');
    const config = exampleConfig();
    config.backend = { type: 'local', directory };
    const run = synth(writeConfig(dir, config));
    expect(run.code).toBe(0);
    for (const stack of [SCRAPER_STACK, TRUST_STACK]) {
      expect(terraformLiteral(stackJson(run, stack).terraform.backend.local.path)).toBe(path.join(directory, 'fleet', `terraform.${stack}.tfstate`));
    }
    const remote = stackJson(run, TRUST_STACK).data.terraform_remote_state;
    expect(terraformLiteral(remote['scraper-state'].config.path)).toBe(path.join(directory, 'fleet', `terraform.${SCRAPER_STACK}.tfstate`));
    expect(terraformLiteral(remote['own-state'].config.path)).toBe(path.join(directory, 'fleet', `terraform.${TRUST_STACK}.tfstate`));
  });

  test('tag values in non-Latin scripts arrive as written', () => {
    const run = synthOk((c) => (c.pairs[0].tags = { team: 'Zürich-Ωmega plätze', 'app/name': 'a=b+c@d' }));
    expect(only(stackJson(run, SCRAPER_STACK).resource.aws_prometheus_scraper).tags).toMatchObject({ team: 'Zürich-Ωmega plätze', 'app/name': 'a=b+c@d' });
  });
});

describe('shell: metacharacters reach the finalizer through its environment only', () => {
  const finalizers = (run: Run, account: string) => {
    const execs = localExecs(stackJson(run, TRUST_STACK)).filter(ofAccount(account));
    expect(execs.length).toBeGreaterThan(0);
    for (const exec of execs) expect(exec.command).toBe(FINALIZE_COMMAND);
    return execs;
  };

  test.each([
    ['quotes, substitutions and operators', `a b'c"d;$(id)\`id\`|&<>*?!#~\\`],
    ['a here-doc and redirection', 'x <<EOF > /tmp/owned 2>&1'],
    ['an option injection', '--debug --endpoint-url https://evil.example'],
    ['dollar forms', '$HOME ${HOME} $((1+1)) $$ $1'],
  ])('a profile with %s arrives byte for byte', (_name, profile) => {
    const run = synthOk((c) => (c.accounts.workload.credentials.profile = profile));
    for (const exec of finalizers(run, '111111111111')) expect(inner(moduleProvider(exec).profile)).toBe(profile);
  });

  test.each([
    ['a path with spaces', '/opt/AWS config v2/config'],
    ['a path with shell syntax', "/opt/my tools/cfg; rm -rf ~ && $(id) 'x' ${HOME} %{ if x }"],
    ['a Windows-style path', 'C:\\Users\\me\\.aws\\config'],
  ])('a shared config file that is %s arrives byte for byte, in both phases', (_name, file) => {
    const run = synthOk((c) => (c.accounts.workload.credentials.sharedConfigFiles = [file]));
    for (const stack of [SCRAPER_STACK, TRUST_STACK])
      expect(terraformLiteral(providers(stackJson(run, stack))['to-workload'].shared_config_files[0])).toBe(file);
    const vars = Object.entries<any>(stackJson(run, TRUST_STACK).locals).filter(([k]) => k.startsWith('trust-source-workload_vars_'));
    expect(vars).toHaveLength(1);
    expect(terraformLiteral(vars[0][1].shared_config_files[0])).toBe(file);
    for (const exec of finalizers(run, '111111111111')) expect(moduleProvider(exec).shared_config_files).toBe('${var.shared_config_files}');
  });

  test('an external ID and session name with every character AWS allows', () => {
    const externalId = 'a=b,c@d:e/f-g_h+i.j';
    const sessionName = 's@x=y,z.w_-+';
    const run = synthOk((c) => Object.assign(c.accounts.workload.credentials, { externalId, sessionName }));
    for (const exec of finalizers(run, '111111111111')) {
      expect(inner(moduleProvider(exec).assume_role[0].external_id)).toBe(externalId);
      expect(inner(moduleProvider(exec).assume_role[0].session_name)).toBe(sessionName);
    }
    expect(providers(stackJson(run, SCRAPER_STACK))['to-workload'].assume_role[0]).toMatchObject({ external_id: externalId, session_name: sessionName });
  });
});

describe('partitions, prototype keys, files and parsers: valid input is accepted', () => {
  test('a GovCloud fleet synthesizes with aws-us-gov ARNs everywhere', () => {
    const run = synthOk((c) => {
      const gov = (s: string) => s.replace(/^arn:aws:/, 'arn:aws-us-gov:').replace('eu-west-1', 'us-gov-west-1');
      for (const a of Object.values<any>(c.accounts)) {
        a.region = 'us-gov-west-1';
        a.credentials.assumeRoleArn = gov(a.credentials.assumeRoleArn);
      }
      c.clusters['prod-eks'].arn = gov(c.clusters['prod-eks'].arn);
      c.workspaces.central.arn = gov(c.workspaces.central.arn);
    });
    const text = readFileSync(path.join(run.outdir, 'stacks', SCRAPER_STACK, 'cdk.tf.json'), 'utf8');
    expect(text).toContain('arn:aws-us-gov:aps:us-gov-west-1:');
    expect(text).not.toMatch(/arn:aws:/);
  });

  test('constructor as an account, cluster and workspace name', () => {
    const run = synthOk((c) => {
      c.accounts = { constructor: c.accounts.workload, observability: c.accounts.observability };
      c.clusters = { constructor: { ...c.clusters['prod-eks'], account: 'constructor' } };
      c.workspaces = { constructor: c.workspaces.central };
      c.pairs = [{ name: 'p1', cluster: 'constructor', workspace: 'constructor' }];
    });
    const scraper = only(stackJson(run, 'fleet-scrapers').resource.aws_prometheus_scraper);
    expect(scraper.source[0].eks[0].cluster_arn).toBe(exampleConfig().clusters['prod-eks'].arn);
    expect(scraper.destination[0].amp[0].workspace_arn).toBe(exampleConfig().workspaces.central.arn);
  });

  test('a scrapeConfigFile that is a symlink to another file inside the folder', () => {
    const scrape = 'scrape_configs:\n  - job_name: linked\n    static_configs: [{targets: ["x:9100"]}]\n';
    const { dir, file } = configIn((c) => (c.pairs[0].scrapeConfigFile = 'current.yaml'), { 'configs/v2.yaml': scrape });
    symlinkSync(path.join('configs', 'v2.yaml'), path.join(dir, 'current.yaml'));
    const run = synth(file);
    expect(run.code).toBe(0);
    expect(terraformLiteral(only(stackJson(run, SCRAPER_STACK).resource.aws_prometheus_scraper).scrape_configuration)).toBe(scrape);
  });

  test('a config reached through a symlinked folder may use files of that folder', () => {
    const scrape = 'scrape_configs:\n  - job_name: via-link\n    static_configs: [{targets: ["x:9100"]}]\n';
    const { dir } = configIn((c) => (c.pairs[0].scrapeConfigFile = 'scrape.yaml'), { 'scrape.yaml': scrape });
    const outer = freshDir();
    symlinkSync(dir, path.join(outer, 'linked'));
    mkdirSync(path.join(outer, 'out'));
    const run = synth(path.join(outer, 'linked', 'fleet.json'), path.join(outer, 'out'));
    expect(run.text).toBe('');
    expect(terraformLiteral(only(stackJson(run, SCRAPER_STACK).resource.aws_prometheus_scraper).scrape_configuration)).toBe(scrape);
  });

  test('a config with a UTF-8 byte order mark', () => {
    const dir = freshDir();
    const run = synth(writeConfig(dir, `\ufeff${JSON.stringify(exampleConfig())}`));
    expect(run.text).toBe('');
    expect(run.code).toBe(0);
  });

  test('YAML anchors and aliases used normally, and explicit core tags, are accepted', () => {
    const scrape = [
      'scrape_configs:',
      '  - job_name: a',
      '    static_configs: [{targets: ["x:9100"]}]',
      '    relabel_configs: &common',
      '      - source_labels: [__meta_kubernetes_namespace]',
      '        target_label: namespace',
      '  - job_name: !!str b',
      '    honor_labels: !!bool true',
      '    static_configs: [{targets: ["y:9100"]}]',
      '    relabel_configs: *common',
      '',
    ].join('\n');
    const run = synthOk((c) => (c.pairs[0].scrapeConfigFile = 'scrape.yaml'), { 'scrape.yaml': scrape });
    expect(terraformLiteral(only(stackJson(run, SCRAPER_STACK).resource.aws_prometheus_scraper).scrape_configuration)).toBe(scrape);
  });

  test('a JSON config with escapes and unusual whitespace parses as JSON.parse would', () => {
    const dir = freshDir();
    const text = JSON.stringify(exampleConfig(), null, '\t').replace('"team": "platform"', '"te\\u0061m" \r\n : \t"pl\\u0061tform"');
    writeFileSync(path.join(dir, 'fleet.json'), text);
    const run = synth(path.join(dir, 'fleet.json'));
    expect(run.code).toBe(0);
    expect(only(stackJson(run, SCRAPER_STACK).resource.aws_prometheus_scraper).tags).toMatchObject({ team: 'platform' });
  });
});
