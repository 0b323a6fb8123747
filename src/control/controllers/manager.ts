/**
 * The controller manager (kube-controller-manager's counterpart): one process, one API client,
 * one shared InformerFactory (one watch per resource however many controllers read it), and the
 * controllers enabled by --controllers, each run with --concurrent-workers workers once every
 * informer has synced. It serves /healthz (200 once synced) and /metrics (work queues and
 * controller metrics, prom-client on a per-instance Registry) on a loopback port.
 *
 * startControllerManager resolves once the HTTP endpoint is serving; `synced` resolves when the
 * caches are in and the controllers started. close() stops everything it started.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setMaxListeners } from 'node:events';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Event } from '../../api/types.js';
import { EventRecorder } from '../../client/events.js';
import { InformerFactory } from '../../client/informer-factory.js';
import { Client } from '../../client/rest.js';
import { systemClock, type Clock } from '../../util/clock.js';
import { nullLogger, type Logger } from '../../util/log.js';
import type { Controller, ControllerContext } from './context.js';
import { newDeploymentController } from './deployment/controller.js';
import { newEndpointsController } from './endpoints/controller.js';
import { newGarbageCollector } from './garbagecollector/controller.js';
import { newNamespaceController } from './namespace/controller.js';
import { newNodeIpamController } from './nodeipam/controller.js';
import { newNodeLifecycleController, type NodeLifecycleOptions } from './nodelifecycle/controller.js';
import { newTaintEvictionController } from './nodelifecycle/tainteviction.js';
import { newReplicaSetController } from './replicaset/controller.js';

export interface ControllerManagerOptions {
  /** The API client to use (it is not closed by close()); or give kubeconfig. */
  client?: Client;
  /** Path of a kubeconfig to build the client from (its current context). */
  kubeconfig?: string;
  /** --kube-api-qps of a client built from kubeconfig (default: no client-side limit). */
  kubeApiQps?: number;
  /** --kube-api-burst of a client built from kubeconfig (default: ceil(qps)). */
  kubeApiBurst?: number;
  /**
   * --controllers: "*" (every controller on by default), names ("endpoints-controller" or the
   * short "endpoint"), and "-name" to disable one. Default ["*"].
   */
  controllers?: string[];
  /** --concurrent-workers: workers per controller queue (default 5). */
  concurrentWorkers?: number;
  /** Address of /healthz and /metrics (default 127.0.0.1). */
  host?: string;
  /** Port of /healthz and /metrics (default 10257, kube-controller-manager's; 0 picks one). */
  port?: number;
  /** Timings of the node lifecycle controller (defaults: Kubernetes'). */
  nodeLifecycle?: NodeLifecycleOptions;
  /** --endpoint-updates-batch-period, ms (default 0: no batching). */
  endpointUpdatesBatchPeriodMs?: number;
  /**
   * --allocate-node-cidrs with --cluster-cidr and --node-cidr-mask-size: give every node a pod CIDR
   * (the node-ipam-controller runs only when clusterCIDR is set, as in kube-controller-manager).
   */
  clusterCIDR?: string;
  nodeCIDRMaskSize?: number;
  clock?: Clock;
  log?: Logger;
}

/** A controller kube-controller-manager style: its --controllers name, short alias and constructor. */
export interface ControllerDescriptor {
  name: string;
  /** The pre-1.28 short name kube-controller-manager still accepts. */
  alias?: string;
  /** Whether "*" enables it. */
  enabledByDefault: boolean;
  /** A further condition on the options (node IPAM needs a cluster CIDR). */
  enabledIf?(o: ControllerManagerOptions): boolean;
  build(ctx: ControllerContext, o: ControllerManagerOptions): Controller;
}

/** Every controller the manager can run. */
export const CONTROLLERS: readonly ControllerDescriptor[] = [
  { name: 'endpoints-controller', alias: 'endpoint', enabledByDefault: true, build: (ctx, o) => newEndpointsController(ctx, o.endpointUpdatesBatchPeriodMs !== undefined ? { endpointUpdatesBatchPeriodMs: o.endpointUpdatesBatchPeriodMs } : {}) },
  { name: 'garbage-collector-controller', alias: 'garbagecollector', enabledByDefault: true, build: (ctx) => newGarbageCollector(ctx) },
  { name: 'namespace-controller', alias: 'namespace', enabledByDefault: true, build: (ctx) => newNamespaceController(ctx) },
  { name: 'node-lifecycle-controller', alias: 'nodelifecycle', enabledByDefault: true, build: (ctx, o) => newNodeLifecycleController(ctx, o.nodeLifecycle) },
  { name: 'taint-eviction-controller', enabledByDefault: true, build: (ctx) => newTaintEvictionController(ctx) },
  { name: 'replicaset-controller', alias: 'replicaset', enabledByDefault: true, build: (ctx) => newReplicaSetController(ctx) },
  { name: 'deployment-controller', alias: 'deployment', enabledByDefault: true, build: (ctx) => newDeploymentController(ctx) },
  {
    name: 'node-ipam-controller',
    alias: 'nodeipam',
    enabledByDefault: true,
    enabledIf: (o) => !!o.clusterCIDR,
    build: (ctx, o) => newNodeIpamController(ctx, { clusterCIDR: o.clusterCIDR!, ...(o.nodeCIDRMaskSize ? { nodeCIDRMaskSize: o.nodeCIDRMaskSize } : {}) }),
  },
];

/**
 * The controllers --controllers enables, in table order (IsControllerEnabled: an explicit name
 * or "-name" wins, then "*" means the default set). Throws a TypeError naming an unknown entry.
 */
export function resolveControllers(list: readonly string[], table: readonly ControllerDescriptor[] = CONTROLLERS): ControllerDescriptor[] {
  const canonical = (n: string) => table.find((d) => d.name === n || d.alias === n)?.name;
  const entries = list.map((s) => s.trim()).filter(Boolean);
  const normalized: string[] = [];
  for (const e of entries) {
    if (e === '*') {
      normalized.push('*');
      continue;
    }
    const neg = e.startsWith('-');
    const name = canonical(neg ? e.slice(1) : e);
    if (!name) throw new TypeError(`"${e}" is not a known controller; known: ${table.map((d) => d.name).join(', ')} (or "*")`);
    normalized.push(neg ? `-${name}` : name);
  }
  return table.filter((d) => {
    let star = false;
    for (const e of normalized) {
      if (e === d.name) return true;
      if (e === `-${d.name}`) return false;
      if (e === '*') star = true;
    }
    return star && d.enabledByDefault;
  });
}

export interface ControllerManager {
  /** http://host:port of /healthz and /metrics. */
  readonly url: string;
  readonly port: number;
  /** Names of the controllers running. */
  readonly controllers: string[];
  /** What the controllers were built with (client, informers, metrics registry, ...). */
  readonly context: ControllerContext;
  /** Resolves true once the informers synced and the controllers started; false if closed first. */
  readonly synced: Promise<boolean>;
  hasSynced(): boolean;
  /** Stops the controllers, the informers and the HTTP endpoint. */
  close(): Promise<void>;
}

/** Starts a controller manager; see the module comment. */
export async function startControllerManager(o: ControllerManagerOptions): Promise<ControllerManager> {
  const workers = o.concurrentWorkers ?? 5;
  if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`concurrentWorkers must be a positive integer, not ${JSON.stringify(o.concurrentWorkers)}`);
  const port = o.port ?? 10257;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`port must be 0..65535, not ${JSON.stringify(o.port)}`);
  if (!o.client && !o.kubeconfig) throw new TypeError('startControllerManager needs a client or a kubeconfig');
  const descriptors = resolveControllers(o.controllers ?? ['*']).filter((d) => d.enabledIf?.(o) ?? true);
  const clock = o.clock ?? systemClock;
  const log = o.log ?? nullLogger;
  const ownClient = !o.client;
  const client =
    o.client ??
    Client.fromKubeconfig(o.kubeconfig!, undefined, {
      userAgent: 'kubelab-controller-manager',
      ...(o.kubeApiQps !== undefined ? { qps: o.kubeApiQps } : {}),
      ...(o.kubeApiBurst !== undefined ? { burst: o.kubeApiBurst } : {}),
    });

  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const recorders = new Map<string, EventRecorder>();
  const events = client.resource<Event>('Event');
  const context: ControllerContext = {
    client,
    informers: new InformerFactory(client, { clock, log: log.child('informers') }),
    clock,
    log,
    metrics: registry,
    recorder(component) {
      let r = recorders.get(component);
      if (!r) recorders.set(component, (r = new EventRecorder({ sink: events, component, clock, log: log.child('events') })));
      return r;
    },
  };
  const controllers = descriptors.map((d) => d.build(context, o));

  let synced = false;
  const server: Server = createServer((req, res) => void serve(req, res));
  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') return send(res, 405, 'text/plain', 'method not allowed\n');
    if (path === '/healthz' || path === '/readyz' || path === '/livez') {
      return synced ? send(res, 200, 'text/plain', 'ok') : send(res, 500, 'text/plain', '[-]informer-sync failed: caches not synced yet\nhealthz check failed\n');
    }
    if (path === '/metrics') {
      try {
        return send(res, 200, registry.contentType, await registry.metrics());
      } catch (err) {
        return send(res, 500, 'text/plain', `cannot collect metrics: ${(err as Error).message}\n`);
      }
    }
    return send(res, 404, 'text/plain', '404 page not found\n');
  };
  const host = o.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;

  const ac = new AbortController();
  const signal = ac.signal;
  // Every informer, queue and waiting worker listens on this one signal: dozens, by design.
  setMaxListeners(0, signal);
  context.informers.startAll(signal);
  const running: Promise<void>[] = [];
  const syncedPromise = context.informers.waitForCacheSync(signal).then((ok) => {
    if (!ok || signal.aborted) return false;
    synced = true;
    log.info('caches synced; starting controllers', { controllers: controllers.map((c) => c.name), workers });
    for (const c of controllers) {
      running.push(
        c.run(workers, signal).catch((err) => {
          if (!signal.aborted) log.error(`controller ${c.name} stopped`, err);
        }),
      );
    }
    return true;
  });
  log.info('controller manager serving', { url, controllers: descriptors.map((d) => d.name) });

  let closing: Promise<void> | undefined;
  return {
    url,
    port: bound,
    controllers: descriptors.map((d) => d.name),
    context,
    synced: syncedPromise,
    hasSynced: () => synced,
    close() {
      closing ??= (async () => {
        ac.abort();
        await syncedPromise;
        await Promise.all(running);
        await context.informers.stopped();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        if (ownClient) client.close();
      })();
      return closing;
    },
  };
}

function send(res: ServerResponse, code: number, contentType: string, body: string): void {
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
