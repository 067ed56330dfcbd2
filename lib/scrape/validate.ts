/**
 * Checks a scrape configuration against what the AMP managed collector accepts, a subset of Prometheus:
 * `global` and `scrape_configs` with static, Kubernetes SD, relabel and metric-relabel configs. Errors
 * name the key path. The collector itself would reject these only after ~20 minutes of scraper creation.
 *
 * The file may not be a scrape config at all (a config can name the wrong file), so errors never quote its
 * content: they name the key path and describe a wrong value by its kind ("a string of 12 characters").
 * YAML is read as plain data: core tags only (no !!binary, !!set, !!js/function...), unique keys, bounded
 * nesting and alias expansion.
 */
import type * as Yaml from 'yaml';
import { describeKind, escapeText, pathKey } from '../describe-value';

export const MIN_SCRAPE_INTERVAL_MS = 30_000;
/** Nesting limit: a Prometheus scrape config nests about 7 levels. */
export const MAX_YAML_DEPTH = 32;
/** Alias expansions allowed when reading the YAML (the yaml package's own default; stops alias bombs). */
export const MAX_YAML_ALIAS_COUNT = 100;

/** Explicit tags Prometheus's YAML reader gives plain values for; anything else is refused. */
const CORE_TAGS = ['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`);

const TOP_LEVEL = ['global', 'scrape_configs'];
const GLOBAL_KEYS = ['scrape_interval', 'scrape_timeout', 'external_labels'];
const JOB_KEYS = [
  'job_name',
  'scrape_interval',
  'scrape_timeout',
  'metrics_path',
  'scheme',
  'params',
  'honor_labels',
  'honor_timestamps',
  'sample_limit',
  'label_limit',
  'label_name_length_limit',
  'label_value_length_limit',
  'target_limit',
  'body_size_limit',
  'static_configs',
  'kubernetes_sd_configs',
  'relabel_configs',
  'metric_relabel_configs',
  'tls_config',
  'authorization',
  'bearer_token_file',
];
const STATIC_KEYS = ['targets', 'labels'];
const KUBERNETES_SD_KEYS = ['role', 'namespaces', 'selectors'];
const KUBERNETES_ROLES = ['node', 'service', 'pod', 'endpoints', 'endpointslice', 'ingress'];
const RELABEL_KEYS = ['source_labels', 'separator', 'target_label', 'regex', 'modulus', 'replacement', 'action'];
const RELABEL_ACTIONS = ['replace', 'keep', 'drop', 'keepequal', 'dropequal', 'hashmod', 'labelmap', 'labeldrop', 'labelkeep', 'lowercase', 'uppercase'];
const ACTIONS_NEEDING_TARGET = ['replace', 'hashmod', 'keepequal', 'dropequal', 'lowercase', 'uppercase'];
const TLS_KEYS = ['ca_file', 'cert_file', 'key_file', 'server_name', 'insecure_skip_verify', 'min_version'];
const AUTHORIZATION_KEYS = ['type', 'credentials_file'];
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const DURATION_UNITS_MS = [365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1];

/** Prometheus duration to milliseconds, or undefined if malformed. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value !== 'string' || value === '' || value === '0') return value === '0' ? 0 : undefined;
  const m = DURATION.exec(value);
  if (!m) return undefined;
  return DURATION_UNITS_MS.reduce((sum, unit, i) => sum + Number(m[i + 1] ?? 0) * unit, 0);
}

/** Prometheus regexes are RE2, fully anchored; JS covers the syntax once Go's `(?P<name>` is rewritten. The reason it fails, without the pattern. */
export function compileRegex(value: string): string | undefined {
  try {
    new RegExp(`^(?:${value.replace(/\(\?P</g, '(?<')})$`, 'u');
    return undefined;
  } catch (e) {
    // V8 quotes the whole pattern ("Invalid regular expression: /<pattern>/u: reason"): keep the reason only.
    const message = (e as Error).message;
    return message.slice(message.lastIndexOf(': ') + 2) || 'invalid regular expression';
  }
}

type Obj = Record<string, unknown>;

class Checker {
  readonly problems: string[] = [];
  fail(path: string, message: string) {
    this.problems.push(`${path}: ${message}`);
  }
  object(path: string, value: unknown, allowed: string[]): Obj | undefined {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      this.fail(path, `expected a mapping, got ${show(value)}`);
      return undefined;
    }
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) this.fail(`${path}${pathKey(key)}`, `not supported by the AMP managed collector; allowed here: ${allowed.join(', ')}`);
    }
    return value as Obj;
  }
  list(path: string, value: unknown): unknown[] {
    if (!Array.isArray(value)) {
      this.fail(path, `expected a list, got ${show(value)}`);
      return [];
    }
    return value;
  }
  string(path: string, value: unknown): value is string {
    if (typeof value === 'string' && value !== '') return true;
    this.fail(path, `expected a non-empty string, got ${show(value)}`);
    return false;
  }
  duration(path: string, value: unknown, minimumMs = 0): number | undefined {
    const ms = parseDuration(value);
    if (ms === undefined) this.fail(path, `expected a Prometheus duration like 30s or 1m, got ${show(value)}`);
    else if (ms < minimumMs) this.fail(path, `must be at least ${minimumMs / 1000}s for the AMP managed collector, got ${show(value)}`);
    return ms;
  }
  labels(path: string, value: unknown) {
    const labels = this.object(path, value, Object.keys((value as Obj) ?? {}));
    for (const [k, v] of Object.entries(labels ?? {})) {
      if (!LABEL_NAME.test(k)) this.fail(`${path}${pathKey(k)}`, 'label names match [a-zA-Z_][a-zA-Z0-9_]*');
      if (typeof v !== 'string') this.fail(`${path}${pathKey(k)}`, `label values are strings, got ${show(v)}`);
    }
  }
}

/** Never the value itself: see the file comment. */
const show = describeKind;

function checkRelabel(c: Checker, path: string, value: unknown) {
  c.list(path, value).forEach((entry, i) => {
    const p = `${path}[${i}]`;
    const rule = c.object(p, entry, RELABEL_KEYS);
    if (!rule) return;
    const action = rule.action ?? 'replace';
    if (typeof action !== 'string' || !RELABEL_ACTIONS.includes(action)) {
      c.fail(`${p}.action`, `unknown relabel action (${show(action)}); allowed: ${RELABEL_ACTIONS.join(', ')}`);
      return;
    }
    if (rule.regex !== undefined) {
      if (typeof rule.regex !== 'string') c.fail(`${p}.regex`, `expected a string, got ${show(rule.regex)}`);
      else {
        const error = compileRegex(rule.regex);
        if (error) c.fail(`${p}.regex`, `does not compile: ${error}`);
      }
    }
    if (rule.source_labels !== undefined) {
      c.list(`${p}.source_labels`, rule.source_labels).forEach((l, j) => {
        if (typeof l !== 'string' || !LABEL_NAME.test(l)) c.fail(`${p}.source_labels[${j}]`, `expected a label name, got ${show(l)}`);
      });
    }
    if (ACTIONS_NEEDING_TARGET.includes(action) && rule.target_label === undefined) c.fail(p, `action ${action} needs target_label`);
    if (action === 'hashmod' && !(Number.isInteger(rule.modulus) && (rule.modulus as number) > 0))
      c.fail(`${p}.modulus`, 'action hashmod needs a positive integer modulus');
    if (['keep', 'drop', 'hashmod', 'keepequal', 'dropequal', 'lowercase', 'uppercase'].includes(action) && rule.source_labels === undefined) {
      c.fail(p, `action ${action} needs source_labels`);
    }
  });
}

function checkJob(c: Checker, path: string, value: unknown, globalInterval: number, jobNames: Map<string, string>) {
  const job = c.object(path, value, JOB_KEYS);
  if (!job) return;
  if (c.string(`${path}.job_name`, job.job_name)) {
    const first = jobNames.get(job.job_name);
    if (first) c.fail(`${path}.job_name`, `the same job name is already used by ${first}; job names must be unique`);
    else jobNames.set(job.job_name, path);
  }
  const interval = job.scrape_interval === undefined ? globalInterval : c.duration(`${path}.scrape_interval`, job.scrape_interval, MIN_SCRAPE_INTERVAL_MS);
  if (job.scrape_timeout !== undefined) {
    const timeout = c.duration(`${path}.scrape_timeout`, job.scrape_timeout);
    if (timeout !== undefined && interval !== undefined && timeout > interval)
      c.fail(`${path}.scrape_timeout`, `must not exceed the scrape interval (${interval / 1000}s)`);
  }
  if (job.scheme !== undefined && job.scheme !== 'http' && job.scheme !== 'https') c.fail(`${path}.scheme`, `expected http or https, got ${show(job.scheme)}`);
  if (job.metrics_path !== undefined && (typeof job.metrics_path !== 'string' || !job.metrics_path.startsWith('/'))) {
    c.fail(`${path}.metrics_path`, `expected a path starting with /, got ${show(job.metrics_path)}`);
  }
  for (const key of ['honor_labels', 'honor_timestamps']) {
    if (job[key] !== undefined && typeof job[key] !== 'boolean') c.fail(`${path}.${key}`, `expected true or false, got ${show(job[key])}`);
  }
  if (job.static_configs === undefined && job.kubernetes_sd_configs === undefined)
    c.fail(path, 'needs static_configs or kubernetes_sd_configs to find targets');
  if (job.static_configs !== undefined) {
    c.list(`${path}.static_configs`, job.static_configs).forEach((s, i) => {
      const p = `${path}.static_configs[${i}]`;
      const group = c.object(p, s, STATIC_KEYS);
      if (!group) return;
      c.list(`${p}.targets`, group.targets).forEach((t, j) => c.string(`${p}.targets[${j}]`, t));
      if (group.labels !== undefined) c.labels(`${p}.labels`, group.labels);
    });
  }
  if (job.kubernetes_sd_configs !== undefined) {
    c.list(`${path}.kubernetes_sd_configs`, job.kubernetes_sd_configs).forEach((s, i) => {
      const p = `${path}.kubernetes_sd_configs[${i}]`;
      const sd = c.object(p, s, KUBERNETES_SD_KEYS);
      if (sd && !KUBERNETES_ROLES.includes(sd.role as string)) c.fail(`${p}.role`, `expected one of ${KUBERNETES_ROLES.join(', ')}, got ${show(sd.role)}`);
      if (sd?.namespaces !== undefined) c.object(`${p}.namespaces`, sd.namespaces, ['names', 'own_namespace']);
    });
  }
  if (job.tls_config !== undefined) c.object(`${path}.tls_config`, job.tls_config, TLS_KEYS);
  if (job.authorization !== undefined) c.object(`${path}.authorization`, job.authorization, AUTHORIZATION_KEYS);
  if (job.relabel_configs !== undefined) checkRelabel(c, `${path}.relabel_configs`, job.relabel_configs);
  if (job.metric_relabel_configs !== undefined) checkRelabel(c, `${path}.metric_relabel_configs`, job.metric_relabel_configs);
}

/** What a YAML error code means, in our words: the parser's own messages may quote the file. */
const YAML_ERRORS: Partial<Record<Yaml.ErrorCode, string>> = {
  BAD_INDENT: 'bad indentation',
  TAB_AS_INDENT: 'a tab used for indentation',
  MULTIPLE_DOCS: 'more than one YAML document (---); a scrape config is one document',
  BAD_DQ_ESCAPE: 'an invalid escape in a double-quoted string',
  BAD_ALIAS: 'an alias to an anchor that is not defined before it',
  MISSING_CHAR: 'a missing closing quote or bracket',
  KEY_OVER_1024_CHARS: 'an implicit key over 1024 characters',
  MULTILINE_IMPLICIT_KEY: 'an implicit key spanning lines',
  RESOURCE_EXHAUSTION: `nesting too deep (more than ${MAX_YAML_DEPTH} levels is never needed)`,
  DUPLICATE_KEY: 'a duplicate key',
  BLOCK_IN_FLOW: 'a block collection inside a flow collection',
  UNEXPECTED_TOKEN: 'unexpected text',
};

/** The YAML's problems: syntax (first error only: later ones are usually its echoes), then structure. */
function yamlProblems(Y: typeof Yaml, doc: Yaml.Document.Parsed): string[] {
  if (doc.errors.length) {
    const first = doc.errors[0];
    const at = first.linePos ? ` at line ${first.linePos[0].line}, column ${first.linePos[0].col}` : '';
    const more = doc.errors.length > 1 ? ` (and ${doc.errors.length - 1} more YAML error${doc.errors.length === 2 ? '' : 's'} after it)` : '';
    return [`(yaml): not valid YAML${at}: ${YAML_ERRORS[first.code] ?? `a syntax error (${first.code})`}${more}`];
  }
  const problems: string[] = [];
  const tagProblem = (path: string, node: { tag?: string }) => {
    if (node.tag !== undefined && !CORE_TAGS.includes(node.tag)) {
      const tag = escapeText(node.tag.replace(/^tag:yaml\.org,2002:/, '!!'), 40);
      problems.push(`${path}: YAML tag ${tag} is not allowed; Prometheus reads plain YAML (strings, numbers, booleans, lists, mappings)`);
      return true;
    }
    return false;
  };
  // Paths as the Checker writes them: `global.scrape_interval`, `scrape_configs[0]`; `(root)` for the top.
  const walk = (node: unknown, path: string, depth: number): void => {
    const shown = path || '(root)';
    if (depth > MAX_YAML_DEPTH) {
      problems.push(`${shown}: nested deeper than ${MAX_YAML_DEPTH} levels`);
      return;
    }
    if (Y.isAlias(node) || !Y.isNode(node)) return;
    if (tagProblem(shown, node)) return;
    if (Y.isSeq(node)) node.items.forEach((item, i) => walk(item, `${shown}[${i}]`, depth + 1));
    if (Y.isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        const key = pair.key;
        if (Y.isNode(key) && tagProblem(shown, key)) continue;
        if (Y.isScalar(key) && typeof key.value === 'symbol' && key.source === '<<') {
          // A merge key: its value (a mapping or aliases) is merged into this mapping, and checked there.
          walk(pair.value, path, depth + 1);
          continue;
        }
        if (!Y.isScalar(key) || (!['string', 'number', 'boolean'].includes(typeof key.value) && key.value !== null)) {
          problems.push(`${shown}: a key that is not a plain string (a list, mapping or alias); Prometheus keys are plain strings`);
          continue;
        }
        const name = String(key.value);
        const keyPath = path ? `${path}${pathKey(name)}` : pathKey(name).replace(/^\./, '');
        if (seen.has(name)) problems.push(`${keyPath}: duplicate key; each key may appear once in a mapping`);
        seen.add(name);
        walk(pair.value, keyPath, depth + 1);
      }
    }
  };
  walk(doc.contents, '', 0);
  return problems;
}

/** Problems in a scrape configuration YAML, each prefixed with its key path; empty when valid. */
export function validateScrapeConfiguration(yamlText: string): string[] {
  const c = new Checker();
  if (yamlText.trim() === '') return ['(file): is empty; expected a YAML mapping with scrape_configs'];
  // Loaded here, not at the top: synth without scrape config files never needs a YAML parser.
  const Y = require('yaml') as typeof Yaml;
  // merge: Prometheus's YAML reader (go-yaml) applies `<<` merge keys, so they are valid in its configs.
  const doc = Y.parseDocument(yamlText, { uniqueKeys: false, merge: true });
  const structural = yamlProblems(Y, doc);
  if (structural.length) return structural;
  if (!Y.isMap(doc.contents)) return [`(file): expected a YAML mapping at the top, got ${Y.isSeq(doc.contents) ? 'a list' : 'a scalar'}`];
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_YAML_ALIAS_COUNT });
  } catch (e) {
    if (!(e instanceof ReferenceError || e instanceof RangeError)) throw e;
    return [`(yaml): aliases expand to too much data (over ${MAX_YAML_ALIAS_COUNT} alias expansions); write the repeated parts out or use fewer aliases`];
  }
  const root = c.object('(root)', data, TOP_LEVEL)!;
  let globalInterval: number | undefined = 60_000; // Prometheus default
  if (root.global !== undefined) {
    const global = c.object('global', root.global, GLOBAL_KEYS);
    if (global?.scrape_interval !== undefined) globalInterval = c.duration('global.scrape_interval', global.scrape_interval, MIN_SCRAPE_INTERVAL_MS);
    if (global?.scrape_timeout !== undefined) {
      const timeout = c.duration('global.scrape_timeout', global.scrape_timeout);
      if (timeout !== undefined && globalInterval !== undefined && timeout > globalInterval)
        c.fail('global.scrape_timeout', 'must not exceed global.scrape_interval');
    }
    if (global?.external_labels !== undefined) c.labels('global.external_labels', global.external_labels);
  }
  const jobs = c.list('scrape_configs', root.scrape_configs);
  if (root.scrape_configs !== undefined && jobs.length === 0) c.fail('scrape_configs', 'list at least one job');
  const jobNames = new Map<string, string>();
  jobs.forEach((job, i) => checkJob(c, `scrape_configs[${i}]`, job, globalInterval ?? 60_000, jobNames));
  return c.problems;
}
