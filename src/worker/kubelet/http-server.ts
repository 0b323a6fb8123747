/**
 * The kubelet's HTTP server (plain HTTP on the node IP; Kubernetes' is HTTPS on 10250): a route
 * table serving /healthz, /metrics and /containerLogs (logs/). Hollow nodes serve their admin API
 * with the same server. Routes that reveal what runs in pods check a bearer token
 * (hasBearerToken) when the kubelet has one; /healthz and /metrics stay open for the lab's
 * scrapers.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from '../../util/log.js';

/** Handles one request whose path matched; the URL is parsed once for it. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;

interface Route {
  method: string;
  /** Exact path, or a prefix when it ends with "/". */
  path: string;
  handler: RouteHandler;
}

/** Sends a plain-text answer. */
export function sendText(res: ServerResponse, code: number, text: string): void {
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** Sends a JSON answer. */
export function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** Whether req carries "Authorization: Bearer <token>" (compared in constant time). */
export function hasBearerToken(req: IncomingMessage, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
  if (!m) return false;
  const given = Buffer.from(m[1]!.trim());
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

export class HttpServer {
  private readonly routes: Route[] = [];
  private readonly server: Server;
  private port = 0;

  constructor(
    private readonly host: string,
    private readonly log: Logger,
  ) {
    this.server = createServer((req, res) => void this.dispatch(req, res));
    this.server.keepAliveTimeout = 5000;
  }

  /** Serves method on path (a prefix when it ends with "/"); the first matching route wins. */
  route(method: string, path: string, handler: RouteHandler): this {
    this.routes.push({ method, path, handler });
    return this;
  }

  /** /healthz answering "ok" while check says nothing is wrong (check returns the problem). */
  healthz(check: () => string | undefined = () => undefined): this {
    return this.route('GET', '/healthz', (_req, res) => {
      const problem = check();
      sendText(res, problem ? 500 : 200, problem ? `unhealthy: ${problem}` : 'ok');
    });
  }

  /** /metrics in Prometheus text format from registry. */
  metrics(registry: Registry): this {
    return this.route('GET', '/metrics', async (_req, res) => {
      const text = await registry.metrics();
      res.writeHead(200, { 'Content-Type': registry.contentType });
      res.end(text);
    });
  }

  /** Listens on host:port (0 picks a port); resolves with the port. */
  listen(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, this.host, () => {
        this.server.off('error', reject);
        this.port = (this.server.address() as AddressInfo).port;
        resolve(this.port);
      });
    });
  }

  /** http://host:port */
  get url(): string {
    const h = this.host.includes(':') ? `[${this.host}]` : this.host;
    return `http://${h}:${this.port}`;
  }

  /** Stops listening and ends open connections. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://kubelet');
    const path = url.pathname;
    const matches = this.routes.filter((r) => (r.path.endsWith('/') ? path.startsWith(r.path) : path === r.path));
    const route = matches.find((r) => r.method === req.method);
    try {
      if (!route) {
        if (matches.length) sendText(res, 405, `method ${req.method} not allowed on ${path}`);
        else sendText(res, 404, `404 page not found: ${path}`);
        return;
      }
      await route.handler(req, res, url);
    } catch (err) {
      this.log.error(`${req.method} ${path} failed`, err);
      if (!res.headersSent) sendText(res, 500, `internal error: ${(err as Error).message}`);
      else res.destroy();
    }
  }
}
