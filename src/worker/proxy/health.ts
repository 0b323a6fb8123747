/**
 * The proxy's HTTP endpoint on the node IP: /healthz (200 once the proxy has synced with the API
 * server and opened its listeners, 503 before; JSON like kube-proxy's healthz), /metrics
 * (Prometheus text) and /proxyMode ("userspace", as kube-proxy answers there).
 */
import { createServer } from 'node:http';
import type { Registry } from 'prom-client';

export interface HealthState {
  healthy: boolean;
  /** When the routing table was last updated, ms since the epoch (0: never). */
  lastUpdatedMs: number;
  nowMs: number;
}

export interface HealthServer {
  /** http://host:port */
  url: string;
  close(): Promise<void>;
}

export async function startHealthServer(o: { host: string; port: number; state: () => HealthState; registry: Registry }): Promise<HealthServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/healthz' || path === '/livez') {
      const s = o.state();
      const body = JSON.stringify({
        lastUpdated: s.lastUpdatedMs ? new Date(s.lastUpdatedMs).toISOString() : '',
        currentTime: new Date(s.nowMs).toISOString(),
        healthy: s.healthy,
      });
      res.writeHead(s.healthy ? 200 : 503, { 'Content-Type': 'application/json' }).end(body);
      return;
    }
    if (path === '/metrics') {
      o.registry.metrics().then(
        (text) => res.writeHead(200, { 'Content-Type': o.registry.contentType }).end(text),
        (err: Error) => res.writeHead(500, { 'Content-Type': 'text/plain' }).end(err.message),
      );
      return;
    }
    if (path === '/proxyMode') {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('userspace');
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : o.port;
  return {
    url: `http://${o.host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
