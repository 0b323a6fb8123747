/**
 * One small HTTP(S) GET for health checks and bring-up, trusting a given CA: Node's fetch cannot
 * take a custom CA without undici's own Agent, and health probes should not need the client.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface GetResult {
  status: number;
  body: string;
}

export function httpGet(url: string, o: { ca?: string; token?: string; timeoutMs?: number } = {}): Promise<GetResult> {
  const u = new URL(url);
  const req = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const r = req(
      u,
      {
        method: 'GET',
        headers: o.token ? { Authorization: `Bearer ${o.token}` } : {},
        ...(o.ca ? { ca: o.ca } : {}),
        timeout: o.timeoutMs ?? 2000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    r.on('timeout', () => r.destroy(new Error(`GET ${url} timed out after ${o.timeoutMs ?? 2000} ms`)));
    r.on('error', reject);
    r.end();
  });
}
