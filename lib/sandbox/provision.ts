/**
 * Creates in moto, through the AWS SDK, what a fleet config references and amp-xa does not create itself:
 * each account's deployer role, per cluster a network AMP accepts (a VPC with DNS support and hostnames, subnets
 * in two Availability Zones, a security group) and the EKS cluster (private endpoint access, the configured
 * authentication mode), and every workspace the config names by ARN. Returns the IDs moto chose.
 */
import { STSClient, AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { IAMClient, CreateRoleCommand } from '@aws-sdk/client-iam';
import { EC2Client, CreateVpcCommand, ModifyVpcAttributeCommand, CreateSubnetCommand, CreateSecurityGroupCommand } from '@aws-sdk/client-ec2';
import { EKSClient, CreateClusterCommand } from '@aws-sdk/client-eks';
import { AmpClient, CreateWorkspaceCommand } from '@aws-sdk/client-amp';
import { BASE_CREDENTIALS, type Provisioned, type SessionCredentials, type SandboxAccount, type SandboxCluster, type SandboxNeeds } from './fleet';
import { SandboxError } from './moto';

const SESSION = 'amp-xa-sandbox';

type AwsCredentialIdentity = SessionCredentials;

interface Endpoint {
  readonly url: string;
}

const clientConfig = (endpoint: Endpoint, region: string, credentials: AwsCredentialIdentity) => ({
  endpoint: endpoint.url,
  region,
  credentials,
  maxAttempts: 3,
});

/** Credentials in `account`: its deployer role, assumed from the base credentials. */
async function deployerCredentials(endpoint: Endpoint, account: SandboxAccount): Promise<AwsCredentialIdentity> {
  const sts = new STSClient(clientConfig(endpoint, account.region, BASE_CREDENTIALS));
  try {
    const { Credentials: c } = await sts.send(new AssumeRoleCommand({ RoleArn: account.deployerRoleArn, RoleSessionName: SESSION }));
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new SandboxError(`sandbox: moto returned no credentials for ${account.deployerRoleArn}`);
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
  } finally {
    sts.destroy();
  }
}

const trustOf = (principal: Record<string, string>) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' }] });

/** The deployer role, trusted by the base identity's account (moto does not evaluate either; it is there to be seen). */
async function createDeployerRole(endpoint: Endpoint, account: SandboxAccount, credentials: AwsCredentialIdentity, baseAccount: string): Promise<void> {
  const iam = new IAMClient(clientConfig(endpoint, account.region, credentials));
  try {
    const roleName = account.deployerRoleArn.slice(account.deployerRoleArn.lastIndexOf('/') + 1);
    const rolePath = account.deployerRoleArn.split(':role')[1].slice(0, -roleName.length) || '/';
    await iam.send(
      new CreateRoleCommand({
        RoleName: roleName,
        Path: rolePath,
        AssumeRolePolicyDocument: trustOf({ AWS: `arn:aws:iam::${baseAccount}:root` }),
        Description: 'amp-xa sandbox deployer (moto does not evaluate IAM permissions)',
      }),
    );
  } finally {
    iam.destroy();
  }
}

/** The cluster's network and the cluster, in the source account. */
async function createCluster(endpoint: Endpoint, account: SandboxAccount, credentials: AwsCredentialIdentity, cluster: SandboxCluster) {
  const ec2 = new EC2Client(clientConfig(endpoint, account.region, credentials));
  const eks = new EKSClient(clientConfig(endpoint, account.region, credentials));
  const iam = new IAMClient(clientConfig(endpoint, account.region, credentials));
  try {
    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc?.VpcId;
    if (!vpcId) throw new SandboxError(`sandbox: moto created no VPC for cluster ${cluster.key}`);
    // One attribute per call: EC2's ModifyVpcAttribute takes one at a time.
    await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsSupport: { Value: true } }));
    await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: true } }));
    const zones = ['a', 'b', 'c'].map((z) => `${account.region}${z}`);
    const subnetIds: string[] = [];
    for (let i = 0; i < cluster.subnets; i++) {
      const subnet = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `10.0.${i}.0/24`, AvailabilityZone: zones[i % zones.length] }));
      subnetIds.push(subnet.Subnet!.SubnetId!);
    }
    const securityGroupIds: string[] = [];
    for (let i = 0; i < cluster.securityGroups; i++) {
      const group = await ec2.send(
        new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: `${cluster.name}-sandbox-${i + 1}`, Description: `amp-xa sandbox: cluster ${cluster.name}` }),
      );
      securityGroupIds.push(group.GroupId!);
    }
    const role = await iam.send(
      new CreateRoleCommand({ RoleName: `${cluster.name}-sandbox-cluster`.slice(0, 64), AssumeRolePolicyDocument: trustOf({ Service: 'eks.amazonaws.com' }) }),
    );
    const created = await eks.send(
      new CreateClusterCommand({
        name: cluster.name,
        roleArn: role.Role!.Arn!,
        resourcesVpcConfig: { subnetIds, securityGroupIds, endpointPrivateAccess: true, endpointPublicAccess: false },
        accessConfig: { authenticationMode: cluster.authenticationMode },
      }),
    );
    return { arn: created.cluster!.arn!, subnetIds, securityGroupIds };
  } finally {
    ec2.destroy();
    eks.destroy();
    iam.destroy();
  }
}

async function createWorkspace(endpoint: Endpoint, account: SandboxAccount, credentials: AwsCredentialIdentity, alias: string) {
  const amp = new AmpClient(clientConfig(endpoint, account.region, credentials));
  try {
    return { arn: (await amp.send(new CreateWorkspaceCommand({ alias }))).arn! };
  } finally {
    amp.destroy();
  }
}

/** A step's failure names the step: moto's own errors (an HTML page for a 500) say nothing of what was asked. */
async function step<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof SandboxError) throw e;
    const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    throw new SandboxError(`sandbox: ${what} failed${status ? ` (moto answered ${status})` : ''}: ${String((e as Error).message ?? e).split('\n')[0]}`);
  }
}

/**
 * Everything `needs` lists, one account after another (a few seconds slower than all at once, and moto once
 * answered an internal error to a create when the accounts were provisioned concurrently).
 */
export async function provision(motoUrl: string, needs: SandboxNeeds): Promise<Provisioned & { sessions: Record<string, SessionCredentials> }> {
  const endpoint = { url: motoUrl };
  const region = needs.accounts[0]?.region ?? 'us-east-1';
  const sts = new STSClient(clientConfig(endpoint, region, BASE_CREDENTIALS));
  const baseAccount = await step('reading the base identity (sts:GetCallerIdentity)', async () => (await sts.send(new GetCallerIdentityCommand({}))).Account!);
  sts.destroy();
  const clusters: Provisioned['clusters'] = {};
  const workspaces: Provisioned['workspaces'] = {};
  const sessions: Record<string, SessionCredentials> = {};
  for (const account of needs.accounts) {
    const credentials = await step(`assuming ${account.deployerRoleArn}`, () => deployerCredentials(endpoint, account));
    sessions[account.name] = credentials;
    await step(`creating the deployer role ${account.deployerRoleArn}`, () => createDeployerRole(endpoint, account, credentials, baseAccount));
    for (const cluster of needs.clusters.filter((c) => c.account === account.name)) {
      clusters[cluster.key] = await step(`creating cluster ${cluster.key} and its network in account ${account.name}`, () =>
        createCluster(endpoint, account, credentials, cluster),
      );
    }
    for (const workspace of needs.workspaces.filter((w) => w.account === account.name)) {
      workspaces[workspace.key] = await step(`creating workspace ${workspace.key} in account ${account.name}`, () =>
        createWorkspace(endpoint, account, credentials, workspace.alias),
      );
    }
  }
  return { clusters, workspaces, sessions };
}
