/**
 * Request validation of the scraper emulator: what AMP refuses, with AMP's error shapes.
 *
 * Sources, noted per check:
 * - [model] constraints of AMP's API model (botocore data/amp/2020-08-01/service-2.json): patterns, lengths,
 *   required members, unions. Patterns are matched whole, as AWS's service-side validation does.
 * - [docs] the AMP user guide / API reference (cross-account setup, scraper configuration, quotas).
 * - [arn] ARN rules any AWS service applies: partition and region of a resource must be the caller's, a role
 *   can only be passed (iam:PassRole) in its own account.
 * Everything here is pure: the workspace-existence check needs moto and lives in the emulator.
 */
import { parse } from 'yaml';

export interface FieldProblem {
  name: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorType: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** 400 ValidationException, reason FIELD_VALIDATION_FAILED, one fieldList entry per problem (AMP's shape). */
export function validation(fields: FieldProblem[]): ApiError {
  const count = `${fields.length} validation error${fields.length === 1 ? '' : 's'} detected`;
  return new ApiError(400, 'ValidationException', `${count}: ${fields.map((f) => f.message).join('; ')}`, {
    reason: 'FIELD_VALIDATION_FAILED',
    fieldList: fields,
  });
}

/** 400 ValidationException for a body that is not JSON (reason CANNOT_PARSE, from the model's enum). */
export function cannotParse(detail: string): ApiError {
  return new ApiError(400, 'ValidationException', `Could not parse request body: ${detail}`, { reason: 'CANNOT_PARSE' });
}

export function notFound(resourceType: string, resourceId: string, message: string): ApiError {
  return new ApiError(404, 'ResourceNotFoundException', message, { resourceId, resourceType });
}

export function conflict(resourceId: string, message: string): ApiError {
  return new ApiError(409, 'ConflictException', message, { resourceId, resourceType: 'scraper' });
}

/** The partition a region belongs to (AWS's partitions: China, GovCloud, the ISO regions, else `aws`). */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-isof-')) return 'aws-iso-f';
  if (region.startsWith('eu-isoe-')) return 'aws-iso-e';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  return 'aws';
}

// [model] patterns, anchored.
const PATTERNS = {
  clusterArn: /^arn:aws[-a-z]*:eks:[-a-z0-9]+:[0-9]{12}:cluster\/.+$/,
  workspaceArn: /^arn:aws[-a-z]*:aps:[-a-z0-9]+:[0-9]{12}:workspace\/.+$/,
  roleArn: /^arn:aws[-a-z]*:iam::[0-9]{12}:role\/.+$/,
  subnet: /^subnet-[0-9a-z]+$/,
  securityGroup: /^sg-[0-9a-z]+$/,
  alias: /^[0-9A-Za-z][-.0-9A-Z_a-z]*$/,
  clientToken: /^[!-~]+$/,
  tag: /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u,
};

/** An ARN's parts (only for strings that already match a model pattern). */
function arnParts(arn: string): { partition: string; region: string; account: string } {
  const [, partition, , region, account] = arn.split(':');
  return { partition, region, account };
}

function patternProblem(name: string, value: unknown, pattern: RegExp): FieldProblem {
  return {
    name,
    message: `Value '${String(value)}' at '${name}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${pattern.source.slice(1, -1)}`,
  };
}

function lengthProblem(name: string, min: number, max: number): FieldProblem {
  return { name, message: `Value at '${name}' failed to satisfy constraint: Member must have length between ${min} and ${max}, inclusive` };
}

function requiredProblem(name: string): FieldProblem {
  return { name, message: `Value null at '${name}' failed to satisfy constraint: Member must not be null` };
}

/** Where the scraper lives and who calls: the ARN checks compare against these. */
export interface Caller {
  account: string;
  region: string;
}

/** CreateScraper: required members, the EKS source (immutable, so only here), then what update checks too. */
export function checkCreate(input: Record<string, any>, caller: Caller): FieldProblem[] {
  const problems: FieldProblem[] = [];
  // [model] scrapeConfiguration, source and destination are required.
  for (const name of ['scrapeConfiguration', 'source', 'destination'])
    if (input[name] === undefined || input[name] === null) problems.push(requiredProblem(name));
  if (input.source) problems.push(...checkSource(input.source, caller));
  problems.push(...checkTags(input.tags));
  return [...problems, ...checkMutable(input, caller)];
}

/** Checks shared by CreateScraper and UpdateScraper, each only for the members present. */
export function checkMutable(input: Record<string, any>, caller: Caller): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (input.alias !== undefined) {
    // [model] ScraperAlias: 1-100 characters, pattern.
    if (typeof input.alias !== 'string' || input.alias.length < 1 || input.alias.length > 100) problems.push(lengthProblem('alias', 1, 100));
    else if (!PATTERNS.alias.test(input.alias)) problems.push(patternProblem('alias', input.alias, PATTERNS.alias));
  }
  if (input.clientToken !== undefined) {
    // [model] IdempotencyToken: 1-64 printable ASCII characters.
    if (typeof input.clientToken !== 'string' || input.clientToken.length < 1 || input.clientToken.length > 64)
      problems.push(lengthProblem('clientToken', 1, 64));
    else if (!PATTERNS.clientToken.test(input.clientToken)) problems.push(patternProblem('clientToken', input.clientToken, PATTERNS.clientToken));
  }
  if (input.destination !== undefined && input.destination !== null) problems.push(...checkDestination(input.destination, caller));
  if (input.scrapeConfiguration !== undefined && input.scrapeConfiguration !== null) problems.push(...checkScrapeConfiguration(input.scrapeConfiguration));
  if (input.roleConfiguration !== undefined && input.roleConfiguration !== null) problems.push(...checkRoles(input.roleConfiguration, caller));
  return problems;
}

/** [model] Source is a union; the emulator serves its EKS member only. */
function checkSource(source: Record<string, any>, caller: Caller): FieldProblem[] {
  const members = Object.keys(source);
  if (members.length !== 1) return [{ name: 'source', message: `Value at 'source' must set exactly one member of the union, got ${members.length}` }];
  const eks = source.eksConfiguration;
  if (!eks)
    return [{ name: 'source', message: `Value at 'source' failed to satisfy constraint: the emulator serves only eksConfiguration, got ${members[0]}` }];
  const problems: FieldProblem[] = [];
  const arnName = 'source.eksConfiguration.clusterArn';
  if (eks.clusterArn === undefined) problems.push(requiredProblem(arnName));
  else if (typeof eks.clusterArn !== 'string' || !PATTERNS.clusterArn.test(eks.clusterArn))
    problems.push(patternProblem(arnName, eks.clusterArn, PATTERNS.clusterArn));
  else {
    // [docs]/[arn] the scraper is created in the cluster's account and region (and so partition).
    const arn = arnParts(eks.clusterArn);
    if (arn.partition !== partitionOf(caller.region))
      problems.push({ name: arnName, message: `${arnName}: partition ${arn.partition} is not the scraper's partition ${partitionOf(caller.region)}` });
    if (arn.region !== caller.region)
      problems.push({ name: arnName, message: `${arnName}: cluster region ${arn.region} is not the scraper's region ${caller.region}` });
    if (arn.account !== caller.account)
      problems.push({ name: arnName, message: `${arnName}: cluster account ${arn.account} is not the scraper's account ${caller.account}` });
  }
  // [model] SubnetIds required, 1-5 items; SecurityGroupIds optional, 1-5 items; item patterns and length <= 255.
  problems.push(...checkIdList('source.eksConfiguration.subnetIds', eks.subnetIds, PATTERNS.subnet, true));
  problems.push(...checkIdList('source.eksConfiguration.securityGroupIds', eks.securityGroupIds, PATTERNS.securityGroup, false));
  return problems;
}

function checkIdList(name: string, value: unknown, pattern: RegExp, required: boolean): FieldProblem[] {
  if (value === undefined || value === null) return required ? [requiredProblem(name)] : [];
  if (!Array.isArray(value) || value.length < 1 || value.length > 5) {
    return [{ name, message: `Value at '${name}' failed to satisfy constraint: Member must have length between 1 and 5, inclusive` }];
  }
  return value.filter((item) => typeof item !== 'string' || item.length > 255 || !pattern.test(item)).map((item) => patternProblem(name, item, pattern));
}

/** [model] Destination is a union with ampConfiguration; [docs]/[arn] the workspace shares the scraper's region. */
function checkDestination(destination: Record<string, any>, caller: Caller): FieldProblem[] {
  const name = 'destination.ampConfiguration.workspaceArn';
  const members = Object.keys(destination);
  if (members.length !== 1 || !destination.ampConfiguration)
    return [{ name: 'destination', message: `Value at 'destination' must set exactly one member of the union (ampConfiguration)` }];
  const arn = destination.ampConfiguration.workspaceArn;
  if (arn === undefined || arn === null) return [requiredProblem(name)];
  if (typeof arn !== 'string' || !PATTERNS.workspaceArn.test(arn)) return [patternProblem(name, arn, PATTERNS.workspaceArn)];
  const parts = arnParts(arn);
  const problems: FieldProblem[] = [];
  if (parts.partition !== partitionOf(caller.region))
    problems.push({ name, message: `${name}: partition ${parts.partition} is not the scraper's partition ${partitionOf(caller.region)}` });
  if (parts.region !== caller.region)
    problems.push({ name, message: `${name}: workspace region ${parts.region} is not the scraper's region ${caller.region}` });
  return problems;
}

/**
 * [model] ScrapeConfiguration is a union whose configurationBlob is a blob (base64 on the wire).
 * [docs] the blob is a Prometheus scrape configuration in YAML: a mapping with a scrape_configs list.
 */
function checkScrapeConfiguration(config: Record<string, any>): FieldProblem[] {
  const name = 'scrapeConfiguration.configurationBlob';
  const blob = config.configurationBlob;
  if (blob === undefined || blob === null) return [requiredProblem(name)];
  if (typeof blob !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(blob) || blob.length % 4 !== 0) {
    return [{ name, message: `${name}: not valid base64` }];
  }
  const text = Buffer.from(blob, 'base64').toString('utf8');
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    return [{ name, message: `${name}: not valid YAML: ${(e as Error).message.split('\n')[0]}` }];
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return [{ name, message: `${name}: the scrape configuration must be a YAML mapping` }];
  if (!Array.isArray((doc as Record<string, unknown>).scrape_configs))
    return [{ name, message: `${name}: the scrape configuration must have a scrape_configs list` }];
  return [];
}

/**
 * [model] IamRoleArn pattern for both members. [arn] a role ARN is in the scraper's partition, and the
 * source role is passed in the caller's (source) account (iam:PassRole cannot pass another account's role).
 * Both or neither (the provider's AlsoRequires, and cross-account needs both).
 */
function checkRoles(roles: Record<string, any>, caller: Caller): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const given = ['sourceRoleArn', 'targetRoleArn'].filter((k) => roles[k] !== undefined && roles[k] !== null);
  if (given.length === 1)
    problems.push({ name: 'roleConfiguration', message: `roleConfiguration: sourceRoleArn and targetRoleArn must be given together, got only ${given[0]}` });
  for (const member of given) {
    const name = `roleConfiguration.${member}`;
    const value = roles[member];
    if (typeof value !== 'string' || !PATTERNS.roleArn.test(value)) {
      problems.push(patternProblem(name, value, PATTERNS.roleArn));
      continue;
    }
    const arn = arnParts(value);
    if (arn.partition !== partitionOf(caller.region))
      problems.push({ name, message: `${name}: partition ${arn.partition} is not the scraper's partition ${partitionOf(caller.region)}` });
    if (member === 'sourceRoleArn' && arn.account !== caller.account)
      problems.push({ name, message: `${name}: the source role must be in the scraper's account ${caller.account}, got ${arn.account}` });
  }
  return problems;
}

/** [model] TagMap: at most 50; TagKey 1-128 characters, TagValue 0-256, both pattern-limited; [docs] keys must not begin with aws:. */
function checkTags(tags: unknown): FieldProblem[] {
  if (tags === undefined || tags === null) return [];
  if (typeof tags !== 'object' || Array.isArray(tags)) return [{ name: 'tags', message: `Value at 'tags' must be a map` }];
  const entries = Object.entries(tags as Record<string, unknown>);
  if (entries.length > 50) return [{ name: 'tags', message: `Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50` }];
  const problems: FieldProblem[] = [];
  for (const [key, value] of entries) {
    if (key.length < 1 || key.length > 128 || !PATTERNS.tag.test(key) || key.toLowerCase().startsWith('aws:'))
      problems.push({ name: 'tags', message: `Value '${key}' at 'tags' is not an allowed tag key` });
    if (typeof value !== 'string' || value.length > 256 || !PATTERNS.tag.test(value))
      problems.push({ name: 'tags', message: `Value '${String(value)}' at 'tags.${key}' is not an allowed tag value` });
  }
  return problems;
}
