/**
 * A small lab for proxy tests: the real API server in-process, Services through the client,
 * Endpoints written directly through the client (the endpoints controller is not involved),
 * backends that answer with their own name, and proxies in-process. Everything is closed in
 * teardown, also when the test fails.
 *
 * Addresses: every test takes a slot (unique across the proxy test files, which ava runs in
 * parallel) and uses service CIDR 127.96.<slot>.0/24, node IPs 127.0.0.<slot>[+1] and its own
 * backend addresses, so no two tests can want the same socket.
 *
 * Backend addresses: the lab's pods live on 127.244.N.M, but our API server validates Endpoints
 * as Kubernetes does (ValidateEndpointIP) and refuses loopback addresses. While it does, backends
 * get addresses from TEST-NET-2 (198.51.100.0/24) added to the loopback interface for the test
 * (root only; traffic still never leaves lo); when it accepts 127.244/16, they use that.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { ExecutionContext } from 'ava';
import type { EndpointSubset, Endpoints, Service, ServiceSpec } from '../../../src/api/types.js';
import { endpointIP } from '../../../src/api/validation/service.js';
import { isAlreadyExists } from '../../../src/client/errors.js';
import { Client } from '../../../src/client/rest.js';
import { createLogger } from '../../../src/util/log.js';
import { ExecError, hostExec } from '../../../src/worker/proxy/exec.js';
import { startProxy, type Proxy, type ProxyOptions } from '../../../src/worker/proxy/index.js';
import { testApiServer } from '../../helpers/apiserver.js';

export const loopbackEndpointsAllowed = endpointIP('127.244.0.1', 'ip').length === 0;
export const isRoot = process.getuid?.() === 0;
/** Whether backends can have addresses the API server accepts in Endpoints. */
export const backendsPossible = loopbackEndpointsAllowed || isRoot;
export const BACKENDS_SKIP_REASON =
  'skipped: the API server refuses loopback Endpoints addresses (src/api/validation/service.ts endpointIP) and only root can add TEST-NET-2 addresses to lo for the backends';

export interface Lab {
  client: Client;
  url: string;
  slot: number;
}

/** An API server with service CIDR 127.96.<slot>.0/24 (and a token, when given) and a client for it. */
export async function startLab(t: ExecutionContext, slot: number, token?: string): Promise<Lab> {
  const server = await testApiServer(t, { serviceCIDR: `127.96.${slot}.0/24`, ...(token ? { token, requireAuth: true } : {}) });
  const client = new Client({ server: server.url, ...(token ? { token } : {}) });
  t.teardown(() => client.close());
  // Each test counts the Services it made: the API server's own "kubernetes" Service (port 443)
  // would be one more listener, and one more EACCES for the unprivileged proxies.
  await client.resource('Service').delete('default', 'kubernetes');
  return { client, url: server.url, slot };
}

/** n backend addresses of slot (see the module comment). */
export async function backendAddresses(t: ExecutionContext, slot: number, n: number): Promise<string[]> {
  if (n > 9) throw new RangeError('at most 9 backend addresses per slot');
  if (loopbackEndpointsAllowed) return Array.from({ length: n }, (_, i) => `127.244.${slot}.${i + 1}`);
  const ips = Array.from({ length: n }, (_, i) => `198.51.100.${(slot % 25) * 10 + i + 1}`);
  for (const ip of ips) {
    try {
      await hostExec('ip', ['addr', 'add', `${ip}/32`, 'dev', 'lo']);
    } catch (err) {
      // Left by a test process that was killed: it is ours, reuse it.
      if (!(err instanceof ExecError && /File exists/.test(err.stderr))) throw err;
    }
    t.teardown(() => hostExec('ip', ['addr', 'del', `${ip}/32`, 'dev', 'lo']).then(() => undefined, () => undefined));
  }
  return ips;
}

export interface Backend {
  name: string;
  ip: string;
  port: number;
  /** Connections accepted so far. */
  connections(): number;
  /** Open sockets of this backend. */
  sockets: Set<Socket>;
  server: Server;
}

/**
 * A TCP backend on ip that greets each connection with "<name>\n", echoes what it receives and,
 * when the client half-closes, answers "bye <bytes received>\n" and closes: a reply after the
 * client's FIN arrives only if the proxy forwards half-closes.
 */
export async function startBackend(t: ExecutionContext, ip: string, name: string, port = 0): Promise<Backend> {
  let count = 0;
  const sockets = new Set<Socket>();
  const server = createServer({ allowHalfOpen: true }, (s) => {
    count++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    s.write(`${name}\n`);
    let n = 0;
    s.on('data', (d: Buffer) => {
      n += d.length;
      s.write(d);
    });
    s.on('end', () => s.end(`bye ${n}\n`));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, ip, () => resolve());
  });
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  const addr = server.address();
  return { name, ip, port: typeof addr === 'object' && addr ? addr.port : port, connections: () => count, sockets, server };
}

export interface Reply {
  /** The first line: the backend's name ('' when the connection closed without data). */
  name: string;
  text: string;
}

/** One exchange: connect, send payload, half-close, read until the other side closes. */
export function request(host: string, port: number, payload = ''): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const s = connect({ host, port, allowHalfOpen: true });
    let text = '';
    s.setEncoding('utf8');
    s.setTimeout(5000, () => s.destroy(new Error(`no answer from ${host}:${port} within 5 s (got ${JSON.stringify(text)})`)));
    s.on('connect', () => s.end(payload));
    s.on('data', (d: string) => (text += d));
    s.on('error', (err: NodeJS.ErrnoException) => {
      // A reset after nothing was sent is how a closed-at-once connection may look.
      if (err.code === 'ECONNRESET' && text === '') resolve({ name: '', text: '' });
      else reject(err);
    });
    s.on('end', () => s.end());
    s.on('close', () => resolve({ name: text.split('\n')[0] ?? '', text }));
  });
}

/** Names of n requests in a row. */
export async function names(host: string, port: number, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push((await request(host, port)).name);
  return out;
}

/** Creates a Service in "default". */
export function createService(lab: Lab, name: string, spec: Partial<ServiceSpec>): Promise<Service> {
  return lab.client.resource<Service>('Service').create('default', { metadata: { name }, spec: { ports: [{ port: 80 }], ...spec } });
}

/** One subset per backend, each with its own port, under port name portName. */
export function subsetsOf(ready: Backend[], notReady: Backend[] = [], portName?: string): EndpointSubset[] {
  const port = (b: Backend) => [{ ...(portName ? { name: portName } : {}), port: b.port }];
  return [...ready.map((b) => ({ addresses: [{ ip: b.ip }], ports: port(b) })), ...notReady.map((b) => ({ notReadyAddresses: [{ ip: b.ip }], ports: port(b) }))];
}

/** Creates or replaces the Endpoints of Service name; returns the resourceVersion written. */
export async function putEndpoints(lab: Lab, name: string, subsets: EndpointSubset[]): Promise<string> {
  const rc = lab.client.resource<Endpoints>('Endpoints');
  try {
    return (await rc.create('default', { metadata: { name }, subsets })).metadata.resourceVersion!;
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
  const cur = await rc.get('default', name);
  return (await rc.update({ ...cur, subsets })).metadata.resourceVersion!;
}

export interface TestProxy extends Proxy {
  /** Log lines so far. */
  logs: string[];
}

/** A proxy in-process on nodeIP, with its health server on a free port; closed in teardown. */
export async function startTestProxy(t: ExecutionContext, lab: Lab, o: Partial<ProxyOptions> & { nodeIP: string }): Promise<TestProxy> {
  const logs: string[] = [];
  const log = createLogger({ component: `proxy ${o.nodeIP}`, verbosity: 1, write: (l) => logs.push(l) });
  const proxy = await startProxy({ client: lab.client, nodeName: `node-${o.nodeIP}`, healthPort: 0, retryIntervalMs: 50, log, ...o });
  t.teardown(() => proxy.close());
  await proxy.waitUntilSynced(AbortSignal.timeout(10_000));
  return Object.assign(proxy, { logs });
}

/** Waits until proxy has applied the Service and Endpoints writes (resourceVersions) given. */
export async function synced(proxy: Proxy, o: { service?: string; endpoints?: string }): Promise<void> {
  const signal = AbortSignal.timeout(5000);
  if (o.service) await proxy.waitForRevision('Service', o.service, signal);
  if (o.endpoints) await proxy.waitForRevision('Endpoints', o.endpoints, signal);
}
