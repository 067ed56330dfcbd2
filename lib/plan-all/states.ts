/** Orphaned states for plan-all: the app's backend as synthesized, the states it holds, those whose stack left the app. */
import { existsSync, readdirSync, readFileSync } from 'fs';
import * as path from 'path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { fromIni, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { BackendConfig } from '../config/schema';
import { findOrphans, stackOfCloudWorkspace, stackOfLocalStateFile, stackOfS3Key, type ExistingState } from '../orphans';
import { errorText } from '../status/aws';
import type { OrphanReport } from './report';

/** The app's backend, as synthesized (every stack has the same one), in the config's terms. */
export function backendOfStack(stackJson: any, stackName: string, workingDirectory = '.'): BackendConfig | undefined {
  const tf = stackJson?.terraform ?? {};
  if (tf.backend?.local) {
    // A relative state path is relative to the stack's directory, where Terraform runs.
    return { type: 'local', directory: path.dirname(path.resolve(workingDirectory, tf.backend.local.path ?? `terraform.${stackName}.tfstate`)) };
  }
  if (tf.backend?.s3) {
    const s3 = tf.backend.s3;
    const key: string = s3.key ?? '';
    return {
      type: 's3',
      bucket: s3.bucket,
      region: s3.region,
      keyPrefix: key.endsWith(`/${stackName}.tfstate`) ? key.slice(0, -`/${stackName}.tfstate`.length) : path.posix.dirname(key),
      useLockfile: Boolean(s3.use_lockfile),
      encrypt: s3.encrypt ?? true,
      profile: s3.profile,
      roleArn: s3.assume_role?.role_arn,
      usePathStyle: s3.use_path_style,
    };
  }
  const cloud = tf.cloud;
  if (cloud?.workspaces?.name) {
    const name: string = cloud.workspaces.name;
    return {
      type: 'cloud',
      organization: cloud.organization,
      hostname: cloud.hostname ?? 'app.terraform.io',
      workspacePrefix: name.endsWith(stackName) ? name.slice(0, name.length - stackName.length) : '',
      project: cloud.workspaces.project,
    };
  }
  return undefined;
}

/**
 * An S3 client with the credentials the S3 backend uses: its profile, then its role (assumed from the profile or
 * the default chain), else the default chain (environment, web identity, instance role). Endpoints and path style
 * as the backend has them: AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL (the SDK reads them itself), usePathStyle.
 */
export function s3ClientFor(backend: Extract<BackendConfig, { type: 's3' }>): S3Client {
  const base = backend.profile ? fromIni({ profile: backend.profile }) : undefined;
  const credentials = backend.roleArn
    ? fromTemporaryCredentials({
        masterCredentials: base,
        params: { RoleArn: backend.roleArn, RoleSessionName: 'amp-xa-plan-all' },
        clientConfig: { region: backend.region },
      })
    : base;
  return new S3Client({
    region: backend.region,
    credentials,
    forcePathStyle: backend.usePathStyle,
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 },
  });
}

function managedResources(state: any): number {
  return (state?.resources ?? []).filter((r: any) => r.mode !== 'data').length;
}

async function listStates(backend: BackendConfig, env: NodeJS.ProcessEnv): Promise<{ states?: ExistingState[]; note?: string }> {
  switch (backend.type) {
    case 'local': {
      if (!existsSync(backend.directory)) return { states: [] };
      const states: ExistingState[] = [];
      for (const file of readdirSync(backend.directory)) {
        const stack = stackOfLocalStateFile(file);
        if (!stack) continue;
        let resources: number | undefined;
        try {
          resources = managedResources(JSON.parse(readFileSync(path.join(backend.directory, file), 'utf8')));
        } catch {
          /* unreadable: count unknown, reported as holding resources */
        }
        states.push({ stack, resources });
      }
      return { states };
    }
    case 's3': {
      const where = `s3://${backend.bucket}/${backend.keyPrefix}/`;
      const keys: string[] = [];
      try {
        const s3 = s3ClientFor(backend);
        let token: string | undefined;
        do {
          const page = await s3.send(new ListObjectsV2Command({ Bucket: backend.bucket, Prefix: `${backend.keyPrefix}/`, ContinuationToken: token }));
          for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
          token = page.IsTruncated ? page.NextContinuationToken : undefined;
        } while (token);
      } catch (e) {
        return { note: `cannot list ${where} (${errorText(e)})` };
      }
      return {
        states: keys
          .map((k) => stackOfS3Key(backend.keyPrefix, k))
          .filter((s): s is string => !!s)
          .map((stack) => ({ stack })),
      };
    }
    case 'cloud': {
      const tokenVar = `TF_TOKEN_${backend.hostname.replace(/-/g, '__').replace(/\./g, '_')}`;
      const token = env[tokenVar];
      if (!token) return { note: `${tokenVar} is not set, so the Terraform Cloud workspaces cannot be listed` };
      if (!backend.workspacePrefix) return { note: 'the workspace prefix is empty, so amp-xa cannot tell its workspaces from others' };
      const states: ExistingState[] = [];
      try {
        for (let page = 1; page;) {
          const url = `https://${backend.hostname}/api/v2/organizations/${encodeURIComponent(backend.organization)}/workspaces?search%5Bname%5D=${encodeURIComponent(backend.workspacePrefix)}&page%5Bsize%5D=100&page%5Bnumber%5D=${page}`;
          const response = await fetch(url, {
            headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/vnd.api+json' },
            signal: AbortSignal.timeout(20_000),
          });
          if (!response.ok) return { note: `the Terraform Cloud API answered ${response.status} listing workspaces of ${backend.organization}` };
          const body: any = await response.json();
          for (const ws of body.data ?? []) {
            const stack = stackOfCloudWorkspace(backend.workspacePrefix, ws.attributes?.name ?? '');
            if (stack) states.push({ stack, resources: typeof ws.attributes?.['resource-count'] === 'number' ? ws.attributes['resource-count'] : undefined });
          }
          page = body.meta?.pagination?.['next-page'] ?? 0;
        }
      } catch (e) {
        return { note: `the Terraform Cloud API is not reachable (${(e as Error).message})` };
      }
      return { states };
    }
  }
}

/**
 * Which of the app's stacks have a state that holds resources (a count the backend does not give counts as some),
 * as the backend lists them; undefined, with why, when it cannot be listed.
 */
export async function deployedStacks(
  stacks: ReadonlyArray<{ name: string; workingDirectory: string; synthesizedStackPath: string }>,
  env: NodeJS.ProcessEnv,
): Promise<{ deployed?: Set<string>; note?: string }> {
  if (!stacks.length) return { deployed: new Set() };
  const backend = backendOfStack(JSON.parse(readFileSync(stacks[0].synthesizedStackPath, 'utf8')), stacks[0].name, stacks[0].workingDirectory);
  if (!backend) return { note: 'the stacks have no backend amp-xa knows' };
  const { states, note } = await listStates(backend, env);
  if (!states) return { note };
  return { deployed: new Set(states.filter((s) => s.resources !== 0).map((s) => s.stack)) };
}

export async function orphanReport(
  stacks: ReadonlyArray<{ name: string; workingDirectory: string; synthesizedStackPath: string }>,
  env: NodeJS.ProcessEnv,
): Promise<OrphanReport> {
  if (!stacks.length) return { checked: false, note: 'the app has no stacks, so its backend is unknown', findings: [] };
  const backend = backendOfStack(JSON.parse(readFileSync(stacks[0].synthesizedStackPath, 'utf8')), stacks[0].name, stacks[0].workingDirectory);
  if (!backend) return { checked: false, note: 'the stacks have no backend amp-xa knows', findings: [] };
  const { states, note } = await listStates(backend, env);
  if (!states) return { checked: false, note, findings: [] };
  return {
    checked: true,
    findings: findOrphans(
      backend,
      stacks.map((s) => s.name),
      states,
    ),
  };
}
