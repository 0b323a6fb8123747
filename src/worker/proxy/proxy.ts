/**
 * startProxy: the service proxy of one node, wired together. Informers on Services and
 * Endpoints feed the routing table synchronously (routing.ts); Service changes also mark the
 * listeners dirty, and one reconcile at a time brings the listening sockets (and, with a cluster
 * IP interface, its addresses) in line with the table (plan.ts, listeners.ts, iface.ts).
 * Connections are forwarded by forward.ts. Nothing is listened on before both informers have
 * synced, so a proxy never turns away connections for want of Endpoints it has not read yet.
 */
import type { Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { Endpoints, Event, KObject, Service } from '../../api/types.js';
import { EventRecorder } from '../../client/events.js';
import { InformerFactory } from '../../client/informer-factory.js';
import type { Informer } from '../../client/informer.js';
import type { Client } from '../../client/rest.js';
import { systemClock, type Clock } from '../../util/clock.js';
import { nullLogger, type Logger } from '../../util/log.js';
import { parseCidr, parseIPv4, nodePortAddresses as resolveNodePortAddresses } from './addresses.js';
import { hostExec, type Exec } from './exec.js';
import { DIAL_TIMEOUTS_MS, forward } from './forward.js';
import { startHealthServer, type HealthServer } from './health.js';
import { ClusterIPInterface } from './iface.js';
import { describeListenError, ListenerSet, type ListenerStatus, type ListenFn } from './listeners.js';
import { ProxyMetrics } from './metrics.js';
import { clusterIPsOf, desiredListeners, planListeners, type ListenerSpec } from './plan.js';
import { compareResourceVersions, RevisionTracker } from './revisions.js';
import { Routing } from './routing.js';
import { serviceKey, servicePortId, type Scope } from './table.js';

/** The kinds the proxy watches. */
export type WatchedKind = 'Service' | 'Endpoints';

/** Set by the endpoints controller to when the change it reflects happened (Kubernetes' annotation). */
export const TRIGGER_TIME_ANNOTATION = 'endpoints.kubernetes.io/last-change-trigger-time';

/** Services with this label belong to another proxy, and kube-proxy leaves them alone; so do we. */
const SERVICE_PROXY_NAME_LABEL = 'service.kubernetes.io/service-proxy-name';

export interface ProxyOptions {
  /** The API server. The proxy does not close it. */
  client: Client;
  /** This node's name, for the Local traffic policies and Events. */
  nodeName: string;
  /** This node's address: the health server listens here, and node ports do by default. */
  nodeIP: string;
  /** Addresses or CIDRs node ports listen on (default: [nodeIP]); see addresses.ts. */
  nodePortAddresses?: string[];
  /** This host's IPv4 addresses, to resolve CIDRs in nodePortAddresses (default: from os.networkInterfaces()). */
  hostAddresses?: string[];
  /** Bind cluster IPs to this (dummy) interface, created on start and deleted on close (needs root). */
  clusterIPInterface?: string;
  /** Runs `ip` for clusterIPInterface (default: on this host). */
  exec?: Exec;
  /** Port of the health and metrics server on nodeIP (default 10256, kube-proxy's healthz port; 0 picks one). */
  healthPort?: number;
  /** How often a listener that could not open is tried again, ms (default 1000). */
  retryIntervalMs?: number;
  /** Connect timeouts of the tries of one connection, ms (default [250, 500, 1000, 2000], as kube-proxy). */
  dialTimeoutsMs?: readonly number[];
  /** Opens listening sockets (default: server.listen); tests inject failures. */
  listen?: ListenFn;
  /** Randomness of the endpoint shuffle (default Math.random). */
  random?: () => number;
  /** Also export the process's default metrics (the daemon does; default false). */
  processMetrics?: boolean;
  /** Called after each Service or Endpoints change is in the routing table (benchmarks time it). */
  onSync?(e: SyncEvent): void;
  clock?: Clock;
  log?: Logger;
}

/** One change applied to the routing table. */
export interface SyncEvent {
  kind: WatchedKind;
  /** "ns/name" */
  key: string;
  resourceVersion: string;
  /** clock.monotonic() when the routing table had it. */
  atMs: number;
}

export interface Proxy {
  /** The health and metrics server: http://nodeIP:port */
  readonly url: string;
  readonly metrics: ProxyMetrics;
  /** Whether the proxy has synced and opened its first listeners. */
  hasSynced(): boolean;
  /** Resolves once hasSynced(); rejects when signal aborts or the proxy closes first. */
  waitUntilSynced(signal?: AbortSignal): Promise<void>;
  /**
   * Resolves once the proxy has applied every change of kind up to resourceVersion: for
   * Endpoints, the routing table has it; for Services, the listeners too.
   */
  waitForRevision(kind: WatchedKind, resourceVersion: string, signal?: AbortSignal): Promise<void>;
  /** The newest resourceVersion of kind applied. */
  revision(kind: WatchedKind): string;
  /** Every listener and its state. */
  listeners(): ListenerStatus[];
  /** Bytes the proxied connections hold in userspace buffers now (readable plus writable). */
  bufferedBytes(): number;
  /** The endpoints a Service port forwards to, in rotation order (portName "" for an unnamed port). */
  endpoints(service: string, portName?: string, scope?: Scope): readonly string[];
  /** Stops listening, closes every proxied connection, deletes the cluster IP interface. */
  close(): Promise<void>;
}

function hostIPv4Addresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((a) => a !== undefined && a.family === 'IPv4')
    .map((a) => a!.address);
}

function validate(o: ProxyOptions): void {
  if (!o.nodeName) throw new TypeError('startProxy needs a nodeName');
  if (parseIPv4(o.nodeIP) === undefined) throw new TypeError(`nodeIP must be an IPv4 address, not ${JSON.stringify(o.nodeIP)}`);
  for (const a of o.nodePortAddresses ?? []) {
    if (parseIPv4(a) === undefined && !parseCidr(a)) throw new TypeError(`nodePortAddresses: ${JSON.stringify(a)} is neither an IPv4 address nor an IPv4 CIDR`);
  }
  const port = o.healthPort ?? 10256;
  if (!(Number.isInteger(port) && port >= 0 && port <= 65535)) throw new RangeError(`healthPort must be 0-65535, not ${o.healthPort}`);
  const dial = o.dialTimeoutsMs ?? DIAL_TIMEOUTS_MS;
  if (dial.length === 0 || dial.some((ms) => !(ms > 0))) throw new RangeError(`dialTimeoutsMs must be a non-empty list of positive numbers, not ${JSON.stringify(o.dialTimeoutsMs)}`);
}

/** Starts a proxy; it serves until close(). Resolves once the health server listens (it may not have synced yet). */
export async function startProxy(o: ProxyOptions): Promise<Proxy> {
  validate(o);
  const p = new ServiceProxy(o);
  try {
    await p.start();
  } catch (err) {
    await p.close();
    throw err;
  }
  return p;
}

class ServiceProxy implements Proxy {
  readonly metrics: ProxyMetrics;
  url = '';
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly ac = new AbortController();
  private readonly routing: Routing;
  private readonly listenerSet: ListenerSet;
  private readonly revisions = new RevisionTracker<WatchedKind>();
  private readonly recorder: EventRecorder;
  private readonly iface: ClusterIPInterface | undefined;
  private readonly nodePortAddrs: string[];
  private readonly sockets = new Set<Socket>();
  private readonly factory: InformerFactory;
  private readonly services: Informer<Service>;
  private readonly endpointsInf: Informer<Endpoints>;
  private health: HealthServer | undefined;
  private informersSynced = false;
  private synced = false;
  private readonly syncedWaiters = new Set<{ resolve(): void; reject(e: unknown): void }>();
  private closed = false;
  private dirty = false;
  private reconciling: Promise<void> | undefined;
  private cancelReconcileRetry: (() => void) | undefined;
  /** Newest Service resourceVersion handed to the routing table, for the next reconcile to report. */
  private pendingServiceRv = '';
  private lastUpdatedMs = 0;

  constructor(private readonly o: ProxyOptions) {
    this.clock = o.clock ?? systemClock;
    this.log = o.log ?? nullLogger;
    this.metrics = new ProxyMetrics({ processMetrics: o.processMetrics ?? false });
    this.metrics.bufferedSource = () => this.bufferedBytes();
    this.routing = new Routing({ nodeName: o.nodeName, metrics: this.metrics, log: this.log, ...(o.random ? { random: o.random } : {}) });
    this.nodePortAddrs = resolveNodePortAddresses(o.nodePortAddresses ?? [], o.nodeIP, o.hostAddresses ?? hostIPv4Addresses());
    this.listenerSet = new ListenerSet({
      onConnection: (spec, socket) => this.onConnection(spec, socket),
      onFailure: (spec, err) => this.onListenFailure(spec, err),
      onStateChange: () => this.metrics.setListenerCounts(this.listenerSet.counts()),
      ...(o.listen ? { listen: o.listen } : {}),
      ...(o.retryIntervalMs !== undefined ? { retryIntervalMs: o.retryIntervalMs } : {}),
      clock: this.clock,
      log: this.log,
    });
    this.recorder = new EventRecorder({ sink: o.client.resource<Event>('Event'), component: 'kube-proxy', host: o.nodeName, clock: this.clock, log: this.log });
    this.iface = o.clusterIPInterface ? new ClusterIPInterface({ name: o.clusterIPInterface, exec: o.exec ?? hostExec, log: this.log }) : undefined;
    this.factory = new InformerFactory(o.client, { clock: this.clock, log: this.log });
    this.services = this.factory.informerFor<Service>('Service', { labelSelector: `!${SERVICE_PROXY_NAME_LABEL}` });
    this.endpointsInf = this.factory.informerFor<Endpoints>('Endpoints');
  }

  async start(): Promise<void> {
    if (this.iface) await this.iface.ensure();
    this.health = await startHealthServer({
      host: this.o.nodeIP,
      port: this.o.healthPort ?? 10256,
      registry: this.metrics.registry,
      state: () => ({ healthy: this.synced, lastUpdatedMs: this.lastUpdatedMs, nowMs: this.clock.now() }),
    });
    this.url = this.health.url;
    const handler = (kind: WatchedKind) => ({
      onAdd: (obj: KObject) => this.onChange(kind, obj),
      onUpdate: (_old: KObject, obj: KObject) => this.onChange(kind, obj),
      onDelete: (obj: KObject) => this.onChange(kind, obj),
    });
    this.services.addEventHandler(handler('Service'));
    this.endpointsInf.addEventHandler(handler('Endpoints'));
    this.factory.startAll(this.ac.signal);
    void this.factory.waitForCacheSync(this.ac.signal).then((ok) => {
      if (!ok || this.closed) return;
      this.informersSynced = true;
      this.pendingServiceRv = maxRv(this.pendingServiceRv, this.services.lastResourceVersion());
      this.revisions.advance('Endpoints', this.endpointsInf.lastResourceVersion());
      this.log.v(1).info('informers synced; opening listeners', { services: this.services.list().length, endpoints: this.endpointsInf.list().length });
      this.scheduleReconcile();
    });
  }

  // ---- the synchronous update path -------------------------------------------------------

  private onChange(kind: WatchedKind, obj: KObject): void {
    const t0 = this.clock.monotonic();
    const key = serviceKey(obj.metadata.namespace, obj.metadata.name);
    this.routing.update(key, this.services.get(key), this.endpointsInf.get(key));
    const now = this.clock.now();
    this.metrics.syncDuration.observe((this.clock.monotonic() - t0) / 1000);
    this.metrics.lastSync.set(now / 1000);
    this.lastUpdatedMs = now;
    const rv = obj.metadata.resourceVersion ?? '';
    if (kind === 'Endpoints') {
      const trigger = Date.parse(obj.metadata.annotations?.[TRIGGER_TIME_ANNOTATION] ?? '');
      if (!Number.isNaN(trigger) && now >= trigger) this.metrics.networkProgramming.observe((now - trigger) / 1000);
      this.revisions.advance('Endpoints', rv);
    } else {
      this.pendingServiceRv = maxRv(this.pendingServiceRv, rv);
      this.scheduleReconcile();
    }
    this.o.onSync?.({ kind, key, resourceVersion: rv, atMs: this.clock.monotonic() });
  }

  // ---- listeners -------------------------------------------------------------------------

  private scheduleReconcile(): void {
    if (!this.informersSynced || this.closed) return;
    this.dirty = true;
    this.reconciling ??= this.reconcileLoop().finally(() => {
      this.reconciling = undefined;
    });
  }

  private async reconcileLoop(): Promise<void> {
    while (this.dirty && !this.closed) {
      this.dirty = false;
      const rv = this.pendingServiceRv;
      await this.reconcileOnce();
      this.revisions.advance('Service', rv);
      if (!this.synced && !this.closed) {
        this.synced = true;
        this.log.info('synced', { node: this.o.nodeName, listeners: this.listenerSet.status().length, revision: rv });
        for (const w of this.syncedWaiters) w.resolve();
        this.syncedWaiters.clear();
      }
    }
  }

  private async reconcileOnce(): Promise<void> {
    const desired = desiredListeners(this.routing.entries(), this.nodePortAddrs);
    let removeAfter: string[] = [];
    if (this.iface) {
      // Addresses go on before listening on them, and come off after the listeners are closed.
      const { add, remove } = this.iface.plan(clusterIPsOf(desired.values()));
      removeAfter = remove;
      await this.ifaceStep(() => this.iface!.add(add), 'add cluster IPs to');
    }
    await this.listenerSet.apply(planListeners(desired, this.listenerSet.specs()));
    if (this.iface && removeAfter.length > 0) await this.ifaceStep(() => this.iface!.remove(removeAfter), 'remove cluster IPs from');
  }

  /** Runs an interface change; a failure is logged and the reconcile tried again later. */
  private async ifaceStep(step: () => Promise<void>, what: string): Promise<void> {
    try {
      await step();
    } catch (err) {
      this.log.error(`cannot ${what} interface "${this.iface!.name}"; trying again`, err);
      this.cancelReconcileRetry ??= this.clock.setTimer(this.o.retryIntervalMs ?? 1000, () => {
        this.cancelReconcileRetry = undefined;
        this.scheduleReconcile();
      });
    }
  }

  private onListenFailure(spec: ListenerSpec, err: NodeJS.ErrnoException): void {
    const svc = this.services.get(spec.service);
    if (!svc) return;
    this.recorder.event({ ...svc, apiVersion: 'v1', kind: 'Service' }, 'Warning', 'FailedToListen', describeListenError(spec, err.code, err.message));
  }

  // ---- connections -----------------------------------------------------------------------

  private onConnection(spec: ListenerSpec, socket: Socket): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    const labels = { service: spec.service, port: spec.portName };
    this.metrics.accepted.inc(labels);
    this.track(socket);
    const clientIP = socket.remoteAddress ?? '';
    const id = spec.target;
    void forward(socket, {
      pick: (reset) => this.routing.next(id, spec.scope, clientIP, this.clock.monotonic(), reset),
      ...(this.o.dialTimeoutsMs ? { dialTimeoutsMs: this.o.dialTimeoutsMs } : {}),
      clock: this.clock,
      onDialFailure: (endpoint, err) => {
        this.metrics.dialFailures.inc(labels);
        this.log.v(1).info('connect to endpoint failed; trying the next', { service: id, endpoint, err: err.message });
      },
      onSpliced: (backend) => {
        this.metrics.forwarded.inc(labels);
        this.metrics.active.inc(labels);
        this.track(backend);
      },
      onClosed: () => this.metrics.active.dec(labels),
    }).then((r) => {
      if (r.outcome === 'no_endpoints' || r.outcome === 'connect_failed') {
        this.metrics.failed.inc({ ...labels, reason: r.outcome });
        this.log.v(2).info('closed a connection', { service: id, address: spec.key, reason: r.outcome });
      }
    });
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  // ---- queries and shutdown --------------------------------------------------------------

  hasSynced(): boolean {
    return this.synced;
  }

  waitUntilSynced(signal?: AbortSignal): Promise<void> {
    if (this.synced) return Promise.resolve();
    if (this.closed) return Promise.reject(new Error('the proxy was closed'));
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.syncedWaiters.delete(w);
        reject(signal!.reason);
      };
      const w = {
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject: (e: unknown) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      };
      this.syncedWaiters.add(w);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  waitForRevision(kind: WatchedKind, resourceVersion: string, signal?: AbortSignal): Promise<void> {
    return this.revisions.wait(kind, resourceVersion, signal);
  }

  revision(kind: WatchedKind): string {
    return this.revisions.current(kind);
  }

  listeners(): ListenerStatus[] {
    return this.listenerSet.status();
  }

  bufferedBytes(): number {
    let n = 0;
    for (const s of this.sockets) n += s.readableLength + s.writableLength;
    return n;
  }

  endpoints(service: string, portName = '', scope: Scope = 'cluster'): readonly string[] {
    return this.routing.endpoints(servicePortId(service, portName), scope);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.ac.abort();
    this.cancelReconcileRetry?.();
    const err = new Error('the proxy was closed');
    for (const w of this.syncedWaiters) w.reject(err);
    this.syncedWaiters.clear();
    this.revisions.close(err);
    await this.reconciling;
    await this.listenerSet.close();
    for (const s of this.sockets) s.destroy();
    await this.health?.close();
    if (this.iface?.type) {
      try {
        await this.iface.delete();
      } catch (e) {
        this.log.error(`cannot delete interface "${this.iface.name}"`, e);
      }
    }
    await this.factory.stopped();
    await this.recorder.flush();
  }
}

function maxRv(a: string, b: string): string {
  return compareResourceVersions(a, b) >= 0 ? a : b;
}
