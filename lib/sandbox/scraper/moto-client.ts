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
