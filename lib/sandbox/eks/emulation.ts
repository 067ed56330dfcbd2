/**
 * What moto's EKS lacks and the preflight reads, answered as EKS does: moto stores a cluster's
 * `resourcesVpcConfig` as given (no `vpcId`, no endpoint-access defaults) and keeps no `accessConfig`.
 * CreateCluster and DescribeCluster still go to moto; their answers gain what EKS reports:
 * - `resourcesVpcConfig.vpcId`: the VPC of the cluster's first subnet (EC2 DescribeSubnets in moto, as the caller);
 * - `endpointPublicAccess` true and `endpointPrivateAccess` false when the request left them out (EKS's defaults);
 * - `accessConfig`: as the CreateCluster request gave it, else EKS's API default (CONFIG_MAP, creator admin true).
 * UpdateClusterConfig with `accessConfig` or the endpoint flags is served here (moto has no such operation), with
 * EKS's rule that the authentication mode only moves CONFIG_MAP -> API_AND_CONFIG_MAP -> API.
 */
import { randomUUID } from 'crypto';
import type { MotoClient, MotoAnswer } from '../scraper/moto-client';
import { ApiError } from '../scraper/validation';

interface AccessConfig {
  authenticationMode: string;
  bootstrapClusterCreatorAdminPermissions?: boolean;
}

interface ClusterExtras {
  accessConfig: AccessConfig;
  endpointPrivateAccess?: boolean;
  endpointPublicAccess?: boolean;
}

const MODE_ORDER = ['CONFIG_MAP', 'API_AND_CONFIG_MAP', 'API'];
const DEFAULT_ACCESS: AccessConfig = { authenticationMode: 'CONFIG_MAP', bootstrapClusterCreatorAdminPermissions: true };

export interface EksRequest {
  readonly method: string;
  readonly path: string;
  readonly body: Record<string, any>;
  readonly key: string;
  readonly account: string;
  readonly region: string;
}

/** The credential scope's service of a SigV4 authorization header. */
export function serviceOf(authorization: string | undefined): string | undefined {
  return /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\//.exec(authorization ?? '')?.[1];
}

export class EksEmulation {
  private readonly extras = new Map<string, ClusterExtras>();

  constructor(private readonly moto: MotoClient) {}

  /** Whether an EKS request is one this emulation completes (the rest goes to moto untouched). */
  static handles(method: string, path: string): boolean {
    return (
      (method === 'POST' && path === '/clusters') ||
      (method === 'GET' && /^\/clusters\/[^/]+$/.test(path)) ||
      (method === 'POST' && /^\/clusters\/[^/]+\/update-config$/.test(path))
    );
  }

  private keyOf(request: EksRequest, name: string): string {
    return `${request.account}/${request.region}/${name}`;
  }

  /** Serves the request: [status, JSON payload]; moto's own errors pass through as they are. */
  async serve(request: EksRequest, forward: () => Promise<MotoAnswer>): Promise<[number, unknown] | MotoAnswer> {
    const update = /^\/clusters\/([^/]+)\/update-config$/.exec(request.path);
    if (update) return this.updateConfig(request, decodeURIComponent(update[1]));
    const answer = await forward();
    if (answer.status >= 300) return answer;
    const payload = JSON.parse(answer.body.toString('utf8'));
    const cluster = payload.cluster;
    if (!cluster) return answer;
    if (request.method === 'POST') {
      const vpc = request.body.resourcesVpcConfig ?? {};
      this.extras.set(this.keyOf(request, cluster.name), {
        accessConfig: { ...DEFAULT_ACCESS, ...(request.body.accessConfig ?? {}) },
        endpointPrivateAccess: vpc.endpointPrivateAccess,
        endpointPublicAccess: vpc.endpointPublicAccess,
      });
    }
    payload.cluster = await this.complete(request, cluster);
    return [answer.status, payload];
  }

  private async complete(request: EksRequest, cluster: Record<string, any>): Promise<Record<string, any>> {
    const extras = this.extras.get(this.keyOf(request, cluster.name)) ?? { accessConfig: DEFAULT_ACCESS };
    const vpc = { ...(cluster.resourcesVpcConfig ?? {}) };
    vpc.endpointPublicAccess = extras.endpointPublicAccess ?? vpc.endpointPublicAccess ?? true;
    vpc.endpointPrivateAccess = extras.endpointPrivateAccess ?? vpc.endpointPrivateAccess ?? false;
    const subnet = (vpc.subnetIds ?? [])[0];
    if (subnet !== undefined && vpc.vpcId === undefined) {
      const vpcId = await this.moto.subnetVpc(request.key, request.region, subnet);
      if (vpcId) vpc.vpcId = vpcId;
    }
    return { ...cluster, resourcesVpcConfig: vpc, accessConfig: extras.accessConfig };
  }

  private async updateConfig(request: EksRequest, name: string): Promise<[number, unknown] | MotoAnswer> {
    const key = this.keyOf(request, name);
    // The cluster must exist: moto's DescribeCluster says so (or not) in EKS's words.
    const described = await this.moto.call('GET', `/clusters/${encodeURIComponent(name)}`, request.key, request.region, 'eks');
    if (described.status >= 300) return described;
    const extras = this.extras.get(key) ?? { accessConfig: { ...DEFAULT_ACCESS } };
    const params: Array<{ type: string; value: string }> = [];
    const mode = request.body.accessConfig?.authenticationMode;
    let type = 'EndpointAccessUpdate';
    if (mode !== undefined) {
      type = 'AccessConfigUpdate';
      const from = MODE_ORDER.indexOf(extras.accessConfig.authenticationMode);
      const to = MODE_ORDER.indexOf(mode);
      if (to < 0) throw new ApiError(400, 'InvalidParameterException', `Unsupported authentication mode ${mode}`);
      if (to < from)
        throw new ApiError(
          400,
          'InvalidParameterException',
          `Unsupported authentication mode update from ${extras.accessConfig.authenticationMode} to ${mode}`,
        );
      extras.accessConfig = { ...extras.accessConfig, authenticationMode: mode };
      params.push({ type: 'AuthenticationMode', value: mode });
    }
    const vpc = request.body.resourcesVpcConfig ?? {};
    if (vpc.endpointPrivateAccess !== undefined) {
      extras.endpointPrivateAccess = vpc.endpointPrivateAccess;
      params.push({ type: 'EndpointPrivateAccess', value: String(vpc.endpointPrivateAccess) });
    }
    if (vpc.endpointPublicAccess !== undefined) {
      extras.endpointPublicAccess = vpc.endpointPublicAccess;
      params.push({ type: 'EndpointPublicAccess', value: String(vpc.endpointPublicAccess) });
    }
    this.extras.set(key, extras);
    // Applied at once: EKS reports InProgress and then Successful; the emulation skips the wait.
    return [200, { update: { id: randomUUID(), status: 'Successful', type, params, createdAt: Math.floor(Date.now() / 1000), errors: [] } }];
  }
}
