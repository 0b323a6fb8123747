/**
 * The API server: HTTP front (authentication, routing, metrics) over the generic store, the
 * watch cache and a storage backend. startApiServer() returns once it is ready to serve.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { errors, isStatusError, StatusError } from '../../api/errors.js';
import { resourceByKind, RESOURCES } from '../../api/resources.js';
import type { Event } from '../../api/types.js';
import { parseTime, systemClock, type Clock } from '../../util/clock.js';
import { nullLogger, type Logger } from '../../util/log.js';
import { WatchCache } from './cache.js';
import { sendStatus } from './codec.js';
import { handleNonResource, type NonResourceEnv } from './handlers/nonresource.js';
import { handleResource, type ResourceEnv } from './handlers/resource.js';
import { ApiServerMetrics } from './metrics.js';
import { Store } from './registry/store.js';
import { parseRequest, type RequestInfo } from './request.js';
import { ensureKubernetesService, ensureNamespaces } from './bootstrap.js';
import type { Storage } from './storage/interface.js';
import { SqliteStorage } from './storage/sqlite.js';

export interface ApiServerOptions {
  /** Directory of the embedded store (state.db). Ignored when storage is given. */
  dataDir?: string;
  /** A storage backend to use instead of SQLite in dataDir (etcd, or a test's). */
  storage?: Storage;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Port (default 6443; 0 picks a free one). */
  port?: number;
  /** Serve HTTPS with this certificate and key (PEM). kubectl sends tokens only over TLS. */
  tls?: { cert: string; key: string };
  /** Bearer token clients must present. */
  token?: string;
  /**
   * Bearer token the pods/log proxy sends to kubelets, which check it when started with
   * --authentication-token-file (default: token, the lab's one token).
   */
  kubeletToken?: string;
  /** Whether every request needs the token (default: when host is not a loopback address). */
  requireAuth?: boolean;
  clock?: Clock;
  log?: Logger;
  /** Service cluster IP range (default 10.96.0.0/16). */
  serviceCIDR?: string;
  /** NodePort range (default 30000-32767). */
  nodePortRange?: readonly [number, number];
  /** tolerationSeconds of the default not-ready/unreachable tolerations (Kubernetes: 300). */
  defaultTolerationSeconds?: number;
  /** Accept loopback (127.0.0.0/8) pod addresses in Endpoints, for the local lab's process runtime. */
  allowLoopbackEndpoints?: boolean;
  /** Events kept in the watch cache for resuming watchers (default 50,000). */
  watchCacheSize?: number;
  /** How often history older than one interval is compacted, ms (Kubernetes: 5 min). */
  compactIntervalMs?: number;
  /** How long Events live, ms (Kubernetes: 1 h). */
  eventTTLMs?: number;
  /** Lower bound of the default watch timeout, s (Kubernetes' --min-request-timeout: 1800). */
  minWatchTimeoutSeconds?: number;
  /** At most one write per watcher per this many ms under load (default 2; 0: one per batch of events). */
  watchCoalesceMs?: number;
  /** BOOKMARK interval, ms (default 60 s). */
  bookmarkIntervalMs?: number;
  /**
   * Address of this API server that pods can reach, for the "kubernetes" Service's Endpoints
   * (kube-apiserver's --advertise-address; default host, none when host is 0.0.0.0 or ::).
   */
  advertiseAddress?: string;
}

export interface ApiServer {
  /** http(s)://host:port */
  readonly url: string;
  readonly port: number;
  readonly store: Store;
  readonly metrics: ApiServerMetrics;
  close(): Promise<void>;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;
const VERSION = '0.1.0';

export async function startApiServer(o: ApiServerOptions): Promise<ApiServer> {
  const clock = o.clock ?? systemClock;
  const log = o.log ?? nullLogger;
  const host = o.host ?? '127.0.0.1';
  const metrics = new ApiServerMetrics();
  if (!o.storage && !o.dataDir) throw new TypeError('startApiServer needs dataDir or storage');
  const requireAuth = o.requireAuth ?? !LOOPBACK.test(host);
  if (requireAuth && !o.token) throw new TypeError(`the API server listens on ${host}, beyond loopback, so it needs a token`);

  const storage = o.storage ?? new SqliteStorage({ path: join(o.dataDir!, 'state.db'), observer: { ...metrics.storageObserver(), checkpointError: (err) => log.error('WAL checkpoint failed', err) } });
  const cache = new WatchCache(storage, { capacity: o.watchCacheSize ?? 50_000 });
  await cache.start();
  const store = new Store(storage, cache, {
    clock,
    ...(o.serviceCIDR ? { serviceCIDR: o.serviceCIDR } : {}),
    ...(o.nodePortRange ? { nodePortRange: o.nodePortRange } : {}),
    defaultTolerationSeconds: o.defaultTolerationSeconds ?? 300,
    validation: { allowLoopbackEndpoints: o.allowLoopbackEndpoints ?? false },
  });
  await ensureNamespaces(store);

  const token = o.token ? Buffer.from(o.token) : undefined;

  let openWatches = 0;
  const resourceEnv: ResourceEnv = {
    store,
    clock,
    minWatchTimeoutSeconds: o.minWatchTimeoutSeconds ?? 1800,
    ...(o.kubeletToken ?? o.token ? { kubeletToken: o.kubeletToken ?? o.token } : {}),
    watch: {
      cache,
      clock,
      bookmarkIntervalMs: o.bookmarkIntervalMs ?? 60_000,
      maxBufferedBytes: 64 * 1024 * 1024,
      coalesceMs: o.watchCoalesceMs ?? 2,
      onOpen: (r) => {
        openWatches++;
        metrics.watchers.inc({ resource: r.plural });
      },
      onClose: (r) => {
        openWatches--;
        metrics.watchers.dec({ resource: r.plural });
      },
    },
  };
  let closing = false;
  const nonResourceEnv: NonResourceEnv = {
    version: VERSION,
    checks: {
      ping: () => undefined,
      storage: () => (closing ? 'shutting down' : undefined),
      'watch-cache': () => (cache.revision() < storage.revision() - 10_000 ? `watch cache is behind storage (${cache.revision()} < ${storage.revision()})` : undefined),
    },
    metrics: async () => {
      for (const r of RESOURCES) metrics.objects.set({ resource: r.plural }, cache.count(r));
      return { contentType: metrics.registry.contentType, body: await metrics.registry.metrics() };
    },
  };

  const authenticate = (req: IncomingMessage): void => {
    const h = req.headers.authorization;
    if (!h) {
      if (requireAuth) throw errors.unauthorized();
      return;
    }
    const m = /^Bearer\s+(.+)$/i.exec(h);
    const given = m ? Buffer.from(m[1]!.trim()) : undefined;
    if (!token || !given || given.length !== token.length || !timingSafeEqual(given, token)) throw errors.unauthorized();
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now();
    let info: RequestInfo | undefined;
    try {
      info = parseRequest(req.method ?? 'GET', req.url ?? '/');
      authenticate(req);
      if (info.kind === 'resource') await handleResource(resourceEnv, req, res, info);
      else if (info.kind === 'other') await handleNonResource(nonResourceEnv, req, res, info);
      else throw errors.noResource();
    } catch (err) {
      if (!(err instanceof StatusError)) log.error('request failed', err, { method: req.method, url: req.url });
      else if (isStatusError(err, 'InternalError')) log.error('request failed', err.cause ?? err, { method: req.method, url: req.url });
      sendStatus(res, err);
    } finally {
      const labels = info?.kind === 'resource'
        ? { verb: info.verb, resource: info.resource.plural, subresource: info.subresource }
        : { verb: (req.method ?? 'GET').toLowerCase(), resource: '', subresource: '' };
      metrics.latency.observe(labels, (performance.now() - started) / 1000);
      metrics.requests.inc({ ...labels, code: String(res.statusCode) });
      log.v(4).info('request', { method: req.method, url: req.url, code: res.statusCode, ms: (performance.now() - started).toFixed(1) });
    }
  };

  const serverOptions = { keepAliveTimeout: 65_000, requestTimeout: 0 };
  const onRequest = (req: IncomingMessage, res: ServerResponse) => void handle(req, res);
  const server: Server = o.tls ? createTlsServer({ ...serverOptions, cert: o.tls.cert, key: o.tls.key }, onRequest) : createServer(serverOptions, onRequest);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 6443, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const advertise = o.advertiseAddress ?? (host === '0.0.0.0' || host === '::' ? undefined : host);
  await ensureKubernetesService(store, advertise, port, log);

  // Compaction as kube-apiserver does it: every interval, drop history older than the previous tick.
  let lastRev = storage.revision();
  const compactTimer = setInterval(() => {
    const target = lastRev;
    lastRev = storage.revision();
    storage.compact(target).catch((err) => log.error('compaction failed', err));
  }, o.compactIntervalMs ?? 5 * 60_000);
  compactTimer.unref();
  const eventTimer = setInterval(() => void expireEvents(store, clock, o.eventTTLMs ?? 3_600_000, log), Math.min(o.eventTTLMs ?? 3_600_000, 60_000));
  eventTimer.unref();

  const url = `${o.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  log.info('API server ready', { url, revision: storage.revision(), auth: requireAuth ? 'required' : 'optional' });
  return {
    url,
    port,
    store,
    metrics,
    async close() {
      if (closing) return;
      closing = true;
      clearInterval(compactTimer);
      clearInterval(eventTimer);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      void openWatches;
      cache.stop();
      await storage.close();
    },
  };
}

/** Deletes Events older than ttl, as the event TTL in etcd does for Kubernetes. */
async function expireEvents(store: Store, clock: Clock, ttl: number, log: Logger): Promise<void> {
  const r = resourceByKind('Event')!;
  const cutoff = clock.now() - ttl;
  for (const e of store.cache.list(r, '')) {
    const ev = e.obj as Event;
    const t = parseTime(ev.lastTimestamp ?? undefined) ?? parseTime(ev.eventTime ?? undefined) ?? parseTime(ev.metadata.creationTimestamp);
    if (t === undefined || t >= cutoff) continue;
    try {
      await store.delete(r, ev.metadata.namespace ?? '', ev.metadata.name!, {});
    } catch (err) {
      if (!isStatusError(err, 'NotFound')) log.error('event expiry failed', err);
    }
  }
}
