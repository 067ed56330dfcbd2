/**
 * AWS access for the read-only commands (status, eks-access): one set of SDK v3 clients per account, with the
 * credentials the config names for it, the same way the Terraform providers and the finalizer reach it:
 * a profile (fromIni) and/or an assumed role (fromTemporaryCredentials, with external ID and session name,
 * default session name "amp-xa"); neither = the SDK's default chain (environment, OIDC, instance role).
 * Endpoints come from the environment like every AWS SDK: AWS_ENDPOINT_URL, or AWS_ENDPOINT_URL_IAM,
 * AWS_ENDPOINT_URL_AMP, AWS_ENDPOINT_URL_EKS, AWS_ENDPOINT_URL_EC2, AWS_ENDPOINT_URL_STS (the SDK reads them itself).
 * Before any read, STS GetCallerIdentity must land in the configured account, as `allowed_account_ids` does.
 */
import { AmpClient } from '@aws-sdk/client-amp';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient } from '@aws-sdk/client-eks';
import { IAMClient } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromIni, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AccountRef } from '../config/fleet';

export interface AccountClients {
  readonly account: AccountRef;
  readonly iam: IAMClient;
  readonly amp: AmpClient;
  readonly eks: EKSClient;
  readonly ec2: EC2Client;
  readonly sts: STSClient;
  /** Resolves once the credentials are known to reach this account; rejects with a message otherwise. */
  readonly verified: Promise<void>;
}

/** Bounded waits: a status command must answer, not hang. */
const clientConfig = (region: string, credentials: ReturnType<typeof credentialsFor>) => ({
  region,
  credentials,
  maxAttempts: 3,
  requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 },
});

/**
 * The base identity: the profile, read from the account's sharedConfigFiles when it names some (as the provider's
 * shared_config_files: a web-identity profile among them works the same). The SDK reads one config file at a
 * time where Terraform merges them, so each file is tried in order and the first that resolves wins. HCP
 * Terraform's per-run file (hcpDynamicCredentialsTag) exists only inside the run: outside it the default chain.
 */
function baseCredentials(account: AccountRef) {
  const { profile, sharedConfigFiles: files } = account.credentials;
  if (files?.length) {
    const providers = files.map((configFilepath) => fromIni({ profile: profile ?? 'default', configFilepath }));
    return async () => {
      let last: unknown;
      for (const provider of providers) {
        try {
          return await provider();
        } catch (e) {
          last = e;
        }
      }
      throw last;
    };
  }
  return profile ? fromIni({ profile }) : undefined;
}

export function credentialsFor(account: AccountRef) {
  const { assumeRoleArn, externalId, sessionName } = account.credentials;
  const base = baseCredentials(account);
  if (!assumeRoleArn) return base;
  return fromTemporaryCredentials({
    masterCredentials: base,
    params: { RoleArn: assumeRoleArn, RoleSessionName: sessionName ?? 'amp-xa', ...(externalId ? { ExternalId: externalId } : {}) },
    clientConfig: { region: account.region },
  });
}

/** The error as one line: the SDK's error name and message (AWS text: rendered through `untrusted` later). */
export function errorText(e: unknown): string {
  if (e instanceof Error) return `${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e.message}`;
  return String(e);
}

/** AWS said the thing does not exist (IAM NoSuchEntity, AMP/EKS ResourceNotFound, or plain 404). */
export function isNotFound(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return (
    ['NoSuchEntityException', 'NoSuchEntity', 'ResourceNotFoundException', 'InvalidVpcID.NotFound'].includes(err?.name ?? '') ||
    err?.$metadata?.httpStatusCode === 404
  );
}

export function accountClients(account: AccountRef): AccountClients {
  const config = clientConfig(account.region, credentialsFor(account));
  const sts = new STSClient(config);
  const verified = sts.send(new GetCallerIdentityCommand({})).then(
    (identity) => {
      if (identity.Account !== account.id) throw new Error(`the credentials for account ${account.name} reach account ${identity.Account}, not ${account.id}`);
    },
    (e) => {
      throw new Error(`cannot sign in to account ${account.name} (${account.id}): ${errorText(e)}`);
    },
  );
  verified.catch(() => undefined); // reported by each read that awaits it
  return { account, iam: new IAMClient(config), amp: new AmpClient(config), eks: new EKSClient(config), ec2: new EC2Client(config), sts, verified };
}

/** One client set per account name, created on first use. */
export class AccountPool {
  private readonly clients = new Map<string, AccountClients>();
  constructor(private readonly make: (account: AccountRef) => AccountClients = accountClients) {}

  for(account: AccountRef): AccountClients {
    let c = this.clients.get(account.name);
    if (!c) this.clients.set(account.name, (c = this.make(account)));
    return c;
  }

  destroy(): void {
    for (const c of this.clients.values()) for (const client of [c.iam, c.amp, c.eks, c.ec2, c.sts]) client.destroy();
  }
}
