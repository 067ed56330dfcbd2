/**
 * Request validation of the scraper emulator: what AMP answers with a 400 ValidationException
 * (reason FIELD_VALIDATION_FAILED, a fieldList naming each field) or other typed errors.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */

const CLUSTER_ARN = /^arn:aws[-a-z]*:eks:[a-z0-9-]+:\d{12}:cluster\/[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;
const WORKSPACE_ARN = /^arn:aws[-a-z]*:aps:[a-z0-9-]+:\d{12}:workspace\/ws-[0-9a-zA-Z-]+$/;
const ROLE_ARN = /^arn:aws[-a-z]*:iam::\d{12}:role\/.+$/;
const SUBNET = /^subnet-[0-9a-z]+$/;
const SECURITY_GROUP = /^sg-[0-9a-z]+$/;
const ALIAS = /^[0-9A-Za-z][-.0-9A-Z_a-z]*$/;

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

export function validation(fields: Array<{ name: string; message: string }>): ApiError {
  return new ApiError(400, 'ValidationException', fields.map((f) => f.message).join('; '), { reason: 'FIELD_VALIDATION_FAILED', fieldList: fields });
}

/** CreateScraper's checks: the EKS source (immutable, so only here), then what create and update share. */
export function checkCreate(input: Record<string, any>, region: string): Array<{ name: string; message: string }> {
  const problems: Array<{ name: string; message: string }> = [];
  const eks = input.source?.eksConfiguration;
  if (!eks) problems.push({ name: 'source', message: 'source.eksConfiguration is required' });
  else {
    if (!CLUSTER_ARN.test(eks.clusterArn ?? '')) problems.push({ name: 'source.eksConfiguration.clusterArn', message: `Invalid cluster ARN: ${eks.clusterArn}` });
    const subnets: unknown[] = eks.subnetIds ?? [];
    if (subnets.length < 1 || subnets.length > 5) problems.push({ name: 'source.eksConfiguration.subnetIds', message: 'Member must have length between 1 and 5' });
    for (const s of subnets) if (typeof s !== 'string' || !SUBNET.test(s)) problems.push({ name: 'source.eksConfiguration.subnetIds', message: `Invalid subnet ID: ${s}` });
    const groups: unknown[] = eks.securityGroupIds ?? [];
    if (groups.length > 5) problems.push({ name: 'source.eksConfiguration.securityGroupIds', message: 'Member must have length between 1 and 5' });
    for (const g of groups) if (typeof g !== 'string' || !SECURITY_GROUP.test(g)) problems.push({ name: 'source.eksConfiguration.securityGroupIds', message: `Invalid security group ID: ${g}` });
    if (CLUSTER_ARN.test(eks.clusterArn ?? '') && eks.clusterArn.split(':')[3] !== region) {
      problems.push({ name: 'source.eksConfiguration.clusterArn', message: `Cluster must be in the scraper's region ${region}` });
    }
  }
  return [...problems, ...checkMutable(input, region, true)];
}

/** Checks shared by create and update; `required` marks create, where destination and config must be present. */
export function checkMutable(input: Record<string, any>, region: string, required: boolean): Array<{ name: string; message: string }> {
  const problems: Array<{ name: string; message: string }> = [];
  if (input.alias !== undefined && (typeof input.alias !== 'string' || !ALIAS.test(input.alias) || input.alias.length > 100)) {
    problems.push({ name: 'alias', message: `Invalid alias: ${input.alias}` });
  }
  const workspaceArn = input.destination?.ampConfiguration?.workspaceArn;
  if (required || input.destination !== undefined) {
    if (!WORKSPACE_ARN.test(workspaceArn ?? '')) problems.push({ name: 'destination.ampConfiguration.workspaceArn', message: `Invalid workspace ARN: ${workspaceArn}` });
    else if (workspaceArn.split(':')[3] !== region) problems.push({ name: 'destination.ampConfiguration.workspaceArn', message: `Workspace must be in the scraper's region ${region}` });
  }
  const blob = input.scrapeConfiguration?.configurationBlob;
  if (required || input.scrapeConfiguration !== undefined) {
    const decoded = typeof blob === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(blob) ? Buffer.from(blob, 'base64').toString('utf8') : '';
    if (!decoded.trim() || !/scrape_configs\s*:/.test(decoded)) {
      problems.push({ name: 'scrapeConfiguration.configurationBlob', message: 'Configuration blob must be a base64-encoded Prometheus scrape configuration with scrape_configs' });
    }
  }
  const roles = input.roleConfiguration;
  if (roles !== undefined) {
    const given = [roles.sourceRoleArn, roles.targetRoleArn].filter((r) => r !== undefined);
    if (given.length === 1) problems.push({ name: 'roleConfiguration', message: 'Both sourceRoleArn and targetRoleArn must be provided' });
    for (const [name, value] of [['roleConfiguration.sourceRoleArn', roles.sourceRoleArn], ['roleConfiguration.targetRoleArn', roles.targetRoleArn]]) {
      if (value !== undefined && !ROLE_ARN.test(value)) problems.push({ name, message: `Invalid role ARN: ${value}` });
    }
  }
  return problems;
}
