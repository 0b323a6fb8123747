/**
 * The hollow-node daemon's HTTP API, for the scenario engine's faults:
 *
 *   GET  /healthz                 "ok"
 *   GET  /metrics                 Prometheus metrics of all the nodes
 *   GET  /nodes                   [{name, ip, state: alive|killed, pods}]
 *   POST /nodes/<name>/kill       the node vanishes: lease and pods left alone (409 if killed)
 *   POST /nodes/<name>/revive     the node comes back (409 if alive)
 *
 * Unknown nodes answer 404. Answers are JSON: the node's new state, or {error}.
 */
import type { ServerResponse } from 'node:http';
import { HttpServer, sendJson } from '../kubelet/http-server.js';
import type { Logger } from '../../util/log.js';
import type { HollowNodes } from './hollow.js';

/** Adds the admin routes for hollow to server. */
export function adminRoutes(server: HttpServer, hollow: HollowNodes): HttpServer {
  server.healthz().metrics(hollow.metrics.registry);
  server.route('GET', '/nodes', (_req, res) => sendJson(res, 200, hollow.list()));
  server.route('POST', '/nodes/', async (_req, res, url) => {
    const m = /^\/nodes\/([^/]+)\/(kill|revive)$/.exec(url.pathname);
    if (!m) return sendJson(res, 404, { error: `no such action: ${url.pathname}; use /nodes/<name>/kill or /nodes/<name>/revive` });
    const name = decodeURIComponent(m[1]!);
    const node = hollow.node(name);
    if (!node) return sendJson(res, 404, { error: `node "${name}" is not a hollow node of this process` });
    if (m[2] === 'kill') return answer(res, hollow.kill(name), name, 'killed', 'is already killed');
    return answer(res, await hollow.revive(name), name, 'alive', 'is alive');
  });
  return server;
}

function answer(res: ServerResponse, done: boolean, name: string, state: 'alive' | 'killed', already: string): void {
  if (done) sendJson(res, 200, { name, state });
  else sendJson(res, 409, { error: `node "${name}" ${already}` });
}

/** Starts the admin server on host:port for hollow; resolves with it listening. */
export async function startAdminServer(hollow: HollowNodes, host: string, port: number, log: Logger): Promise<HttpServer> {
  const server = adminRoutes(new HttpServer(host, log), hollow);
  await server.listen(port);
  return server;
}
