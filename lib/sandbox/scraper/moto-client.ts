/**
 * What the scraper emulator asks moto: the account behind an access key, whether an AMP workspace exists
 * (in the workspace's own account), and the plain proxying of every request the emulator does not serve.
 */
import * as http from 'http';
import { ApiError } from './validation';

/** A signature-less SigV4 header: moto routes on the credential scope's service and region, and does not verify. */
function authorization(key: string, region: string, service: string): string {
  return `AWS4-HMAC-SHA256 Credential=${key}/20250101/${region}/${service}/aws4_request, SignedHeaders=host, Signature=0`;
}

/** A buffered answer of moto. */
export interface MotoAnswer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

export class MotoClient {
  private readonly accounts = new Map<string, string>();

  constructor(readonly url: string) {}

  /** Account of an access key (incl. assumed-role keys): moto's GetCallerIdentity, cached. */
  async accountOf(key: string): Promise<string> {
    const cached = this.accounts.get(key);
    if (cached) return cached;
    const response = await fetch(`${this.url}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: authorization(key, 'us-east-1', 'sts') },
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
    });
    const account = /<Account>(\d{12})<\/Account>/.exec(await response.text())?.[1];
    if (!account) throw new ApiError(403, 'AccessDeniedException', `Unknown access key ${key}`);
    this.accounts.set(key, account);
    return account;
  }

  /**
   * Whether moto holds the workspace: AMP DescribeWorkspace in the workspace's account and region
   * (moto takes the account from the `x-moto-account-id` header before the access key).
   */
  async workspaceExists(arn: string): Promise<boolean> {
    const [, , , region, account, resource] = arn.split(':');
    const id = resource.slice('workspace/'.length);
    let response: Response;
    try {
      response = await fetch(`${this.url}/workspaces/${encodeURIComponent(id)}`, {
        headers: { authorization: authorization('AKIAEMULATORLOOKUP00', region, 'aps'), 'x-moto-account-id': account },
      });
    } catch (e) {
      throw new ApiError(500, 'InternalServerException', `moto unreachable: ${(e as Error).message}`);
    }
    await response.arrayBuffer();
    if (response.status === 404) return false;
    if (!response.ok) throw new ApiError(500, 'InternalServerException', `moto DescribeWorkspace answered ${response.status}`);
    return true;
  }

  /** Forwards a request to moto unchanged and buffers the answer (for answers the emulator completes). */
  forward(req: http.IncomingMessage, body: Buffer): Promise<MotoAnswer> {
    return this.request(req.url ?? '/', { method: req.method, headers: { ...req.headers } }, body);
  }

  /** A request of its own to moto, as the caller `key` (moto picks the account from it) in `region`. */
  call(method: string, path: string, key: string, region: string, service: string, body = ''): Promise<MotoAnswer> {
    const headers: http.OutgoingHttpHeaders = { authorization: authorization(key, region, service) };
    if (body) headers['content-type'] = service === 'ec2' ? 'application/x-www-form-urlencoded' : 'application/json';
    return this.request(path, { method, headers }, Buffer.from(body));
  }

  /** The VPC of a subnet, as EC2 DescribeSubnets in moto answers the caller; undefined when there is none. */
  async subnetVpc(key: string, region: string, subnetId: string): Promise<string | undefined> {
    const answer = await this.call('POST', '/', key, region, 'ec2', `Action=DescribeSubnets&Version=2016-11-15&SubnetId.1=${encodeURIComponent(subnetId)}`);
    return answer.status === 200 ? /<vpcId>([^<]+)<\/vpcId>/.exec(answer.body.toString('utf8'))?.[1] : undefined;
  }

  private request(path: string, options: http.RequestOptions, body: Buffer): Promise<MotoAnswer> {
    const target = new URL(path, this.url);
    return new Promise((resolve, reject) => {
      const upstream = http.request(target, { ...options, headers: { ...options.headers, host: target.host, 'content-length': String(body.length) } }, (up) => {
        const chunks: Buffer[] = [];
        up.on('data', (c: Buffer) => chunks.push(c));
        up.on('end', () => resolve({ status: up.statusCode ?? 502, headers: up.headers, body: Buffer.concat(chunks) }));
        up.on('error', reject);
      });
      upstream.on('error', (e) => reject(new ApiError(500, 'InternalServerException', `moto unreachable: ${e.message}`)));
      upstream.end(body);
    });
  }

  /** Forwards a request to moto unchanged and pipes the answer back. */
  proxy(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, onError: (message: string) => void): void {
    const target = new URL(req.url ?? '/', this.url);
    const upstream = http.request(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', (e) => onError(`moto unreachable: ${e.message}`));
    upstream.end(body);
  }
}
