/**
 * startScheduler: the scheduler as a library, wired to an API server. It builds the client,
 * the pod and node informers, the cache, the queue and the scheduling loop, serves /healthz,
 * /readyz, /livez and /metrics on loopback, and starts scheduling once the informers have
 * synced. The daemon (main.ts), tests and the scheduling benchmark all start it this way.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Event, Node, Pod } from '../../api/types.js';
import { EventRecorder } from '../../client/events.js';
import { InformerFactory } from '../../client/informer-factory.js';
import { Client } from '../../client/rest.js';
import { systemClock, type Clock } from '../../util/clock.js';
import { nullLogger, type Logger } from '../../util/log.js';
import { SchedulerCache } from './cache.js';
import { apiBinder, ApiConditionWriter, type Binder, type Recorder } from './io.js';
import { SchedulerMetrics } from './metrics.js';
import { SchedulingQueue } from './queue.js';
import { Scheduler, type BoundEvent, type SchedulerConfig } from './scheduler.js';

export interface SchedulerOptions extends SchedulerConfig {
  /** The API client; or give kubeconfig. */
  client?: Client;
  /** Path of a kubeconfig to build the client from (when client is not given). */
  kubeconfig?: string;
  /** Address of the health and metrics server (default 127.0.0.1). */
  host?: string;
  /** Port of the health and metrics server (default 0: any free port). */
  port?: number;
  /** Backoff after the first failed attempt, ms (default 1000). */
  podInitialBackoffMs?: number;
  /** Most backoff, ms (default 10,000). */
  podMaxBackoffMs?: number;
  /** Unschedulable pods are retried by the periodic flush after this long, ms (default 300,000). */
  podMaxInUnschedulableMs?: number;
  /** Period of that flush, ms (default 30,000). */
  unschedulableFlushIntervalMs?: number;
  /** An assumed pod whose binding was written but never seen expires after this long, ms (default 30,000; 0 = never). */
  assumedPodTTLMs?: number;
  /** Record Scheduled and FailedScheduling Events (default true). */
  events?: boolean;
  /** Export process metrics too (default false; the daemon turns it on). */
  processMetrics?: boolean;
  /** Writes bindings (default: POST pods/binding through the client); for tests that need failures. */
  binder?: Binder;
  clock?: Clock;
  log?: Logger;
}

/** A running scheduler. */
export interface RunningScheduler {
  /** http://host:port of /healthz and /metrics. */
  readonly url: string;
  /** The scheduler's own Prometheus registry. */
  readonly metrics: Registry;
  /** The scheduling loop, for inspection (bindingsInFlight). */
  readonly scheduler: Scheduler;
  /** Whether the informers have synced and scheduling has started. */
  hasSynced(): boolean;
  /** Stops scheduling, waits for the bindings in flight, closes the server and the client it made. */
  close(): Promise<void>;
}

export type { BoundEvent };

/** Starts a scheduler; resolves once its HTTP server listens (scheduling starts when the caches sync). */
export async function startScheduler(o: SchedulerOptions): Promise<RunningScheduler> {
  if (!o.client && !o.kubeconfig) throw new TypeError('startScheduler needs a client or a kubeconfig');
  const clock = o.clock ?? systemClock;
  const log = o.log ?? nullLogger;
  const ownClient = !o.client;
  const client = o.client ?? Client.fromKubeconfig(o.kubeconfig!, undefined, { userAgent: 'kubelab-scheduler', clock });
  const schedulerName = o.schedulerName ?? 'default-scheduler';

  const cache = new SchedulerCache({ clock, ...(o.assumedPodTTLMs !== undefined ? { assumedPodTTLMs: o.assumedPodTTLMs } : {}) });
  const queue = new SchedulingQueue({
    clock,
    ...(o.podInitialBackoffMs !== undefined ? { initialBackoffMs: o.podInitialBackoffMs } : {}),
    ...(o.podMaxBackoffMs !== undefined ? { maxBackoffMs: o.podMaxBackoffMs } : {}),
    ...(o.podMaxInUnschedulableMs !== undefined ? { maxInUnschedulableMs: o.podMaxInUnschedulableMs } : {}),
    ...(o.unschedulableFlushIntervalMs !== undefined ? { unschedulableFlushIntervalMs: o.unschedulableFlushIntervalMs } : {}),
  });
  const metrics = new SchedulerMetrics(schedulerName, { queue: () => queue.counts(), cache: () => cache.counts() }, o.processMetrics ?? false);
  const eventRecorder = o.events === false ? undefined : new EventRecorder({ sink: client.resource<Event>('Event'), component: schedulerName, clock, log: log.child('events') });
  const recorder: Recorder = eventRecorder ?? { event() {} };
  const conditions = new ApiConditionWriter(client, { log });
  const scheduler = new Scheduler({ cache, queue, binder: o.binder ?? apiBinder(client), conditions, recorder, metrics, clock, log }, o);

  const informers = new InformerFactory(client, { clock, log: log.child('informers') });
  // Finished pods hold nothing and need nothing: the server leaves them out (kube-scheduler does the same).
  const pods = informers.informerFor<Pod>('Pod', { fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed' });
  const nodes = informers.informerFor<Node>('Node');
  nodes.addEventHandler({ onAdd: (n) => scheduler.onNodeAdd(n), onUpdate: (a, b) => scheduler.onNodeUpdate(a, b), onDelete: (n) => scheduler.onNodeDelete(n) });
  pods.addEventHandler({ onAdd: (p) => scheduler.onPodAdd(p), onUpdate: (a, b) => scheduler.onPodUpdate(a, b), onDelete: (p) => scheduler.onPodDelete(p) });

  const ac = new AbortController();
  let synced = false;
  const server = await listen(o.host ?? '127.0.0.1', o.port ?? 0, metrics.registry, () => synced);
  const addr = server.address() as AddressInfo;
  const url = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;

  informers.startAll(ac.signal);
  const running = (async () => {
    if (!(await informers.waitForCacheSync(ac.signal))) return;
    synced = true;
    log.info('caches synced; scheduling', { scheduler: schedulerName, nodes: cache.counts().nodes });
    await scheduler.run(ac.signal);
  })().catch((err) => log.error('the scheduling loop failed', err));

  let closing: Promise<void> | undefined;
  return {
    url,
    metrics: metrics.registry,
    scheduler,
    hasSynced: () => synced,
    close() {
      closing ??= (async () => {
        ac.abort();
        await running;
        await informers.stopped();
        // Writes still waiting get a few seconds; a server that is gone must not hold up shutdown.
        const grace = new AbortController();
        await Promise.race([Promise.all([conditions.flush(), eventRecorder?.flush()]), clock.sleep(5000, grace.signal)]).catch(() => {});
        grace.abort();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        if (ownClient) client.close();
      })();
      return closing;
    },
  };
}

function listen(host: string, port: number, registry: Registry, synced: () => boolean): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { 'Content-Type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    switch (path) {
      case '/healthz':
      case '/readyz':
        if (synced()) res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
        else res.writeHead(500, { 'Content-Type': 'text/plain' }).end('informers not synced\n');
        return;
      case '/livez':
        res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
        return;
      case '/metrics':
        registry.metrics().then(
          (text) => res.writeHead(200, { 'Content-Type': registry.contentType }).end(text),
          (err: Error) => res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`${err.message}\n`),
        );
        return;
      default:
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
    }
  });
  server.keepAliveTimeout = 5000;
  return new Promise((resolve, reject) => {
    server.once('error', (err) => reject(new Error(`Cannot serve the scheduler's health and metrics on ${host}:${port}: ${err.message}`, { cause: err })));
    server.listen(port, host, () => resolve(server));
  });
}
