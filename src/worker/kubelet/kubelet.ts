/**
 * The kubelet: wiring of one node's agent. It serves HTTP (/healthz, /metrics, /containerLogs),
 * registers its Node, keeps its Lease renewed and its status reported, and runs the pods bound to
 * it through a PodSyncer on a ContainerRuntime, with a ProbeManager probing their containers.
 * Decisions live in the modules it wires: node/ (Node object, leases, status reports),
 * pod-actions.ts, status/, prober/, logs/ and pod-syncer.ts.
 *
 * Closing the kubelet stops it without stopping containers, so a kubelet started again on the
 * same runtime adopts them.
 */
import { Registry } from 'prom-client';
import type { Event, Node, NodeSystemInfo, Pod, Taint } from '../../api/types.js';
import { EventRecorder } from '../../client/events.js';
import { InformerFactory } from '../../client/informer-factory.js';
import type { Informer } from '../../client/informer.js';
import type { Client } from '../../client/rest.js';
import { systemClock, type Clock } from '../../util/clock.js';
import { nullLogger, type Logger } from '../../util/log.js';
import { RestartBackoff } from './backoff.js';
import { HttpServer } from './http-server.js';
import { CONTAINER_LOGS_PATH, containerLogsHandler } from './logs/server.js';
import { KubeletMetrics } from './metrics.js';
import { defaultRenewIntervalMs, LeaseRenewer } from './node/lease.js';
import { buildNode, goArch, nodeStatusOf, type NodeConfig } from './node/node-status.js';
import { registerNode } from './node/registration.js';
import { NodeStatusReporter } from './node/reporter.js';
import { SpreadScheduler } from './node/spread.js';
import { hostCapacity, hostSystemInfo } from './node/system-info.js';
import { PodSyncer, type PodEventSink, type PodProbes } from './pod-syncer.js';
import { ProbeManager } from './prober/manager.js';
import type { ContainerRuntime, RuntimeCondition } from './runtime.js';
import { instrumentRuntime } from './runtimes/instrumented.js';

export interface KubeletOptions {
  client: Client;
  /** The runtime; the caller owns it (close() leaves it running, for a restart to adopt). */
  runtime: ContainerRuntime;
  nodeName: string;
  /** The node's IP: InternalIP, pods' hostIP, and where the HTTP server listens. */
  nodeIP: string;
  /** HTTP port on nodeIP (default 10250; 0 picks a free one). */
  port?: number;
  /** CPU capacity (default: this machine's CPUs). */
  cpu?: string;
  /** Memory capacity (default: this machine's memory). */
  memory?: string;
  /** Pod capacity (default 110). */
  maxPods?: number;
  /** node-role.kubernetes.io/<role> label. */
  role?: string;
  /** More node labels. */
  labels?: Record<string, string>;
  /** Taints the Node registers with. */
  taints?: Taint[];
  /** spec.leaseDurationSeconds of the node lease (default 40). */
  leaseDurationSeconds?: number;
  /** Time between lease renewals, ms (default 0.25 x the lease duration: 10 s). */
  leaseRenewIntervalMs?: number;
  /** How often node status is checked for changes, ms (default 10 s). */
  nodeStatusUpdateFrequencyMs?: number;
  /** Node status is written at least this often, ms (default 5 min). */
  nodeStatusReportFrequencyMs?: number;
  /** First crash-loop back-off, ms (default 10 s). */
  restartBackoffBaseMs?: number;
  /** Largest crash-loop back-off, ms (default 300 s). */
  restartBackoffMaxMs?: number;
  /** Every pod is resynced this often, ms (default 60 s: the kubelet's sync-frequency). */
  syncFrequencyMs?: number;
  /** Pod IP range handed to the runtime (default: the Node's spec.podCIDR once allocated). */
  podCIDR?: string;
  /** Where runtimes that write log files keep pod logs. */
  podLogsDir?: string;
  /**
   * The prober (default: a ProbeManager running the pods' liveness, readiness and startup
   * probes); tests may pass their own answers.
   */
  probes?: PodProbes;
  /**
   * Bearer token that /containerLogs requests must carry (the lab's token, which the API server's
   * log proxy sends); undefined: no check.
   */
  authenticationToken?: string;
  /** nodeInfo facts (default: this machine's). */
  systemInfo?: Partial<NodeSystemInfo>;
  clock?: Clock;
  log?: Logger;
  /** Metrics registry (default: a new one). */
  registry?: Registry;
}

function positive(name: string, v: number | undefined, integer = false): void {
  if (v === undefined) return;
  if (!(Number.isFinite(v) && v > 0) || (integer && !Number.isInteger(v))) throw new RangeError(`${name} must be a positive ${integer ? 'integer' : 'number'}, not ${JSON.stringify(v)}`);
}

/** Checks options up front, naming the bad value. */
export function validateKubeletOptions(o: KubeletOptions): void {
  if (!o.nodeName) throw new TypeError('nodeName is required');
  if (!o.nodeIP) throw new TypeError('nodeIP is required');
  if (o.port !== undefined && !(Number.isInteger(o.port) && o.port >= 0 && o.port <= 65535)) throw new RangeError(`port must be within 0-65535, not ${JSON.stringify(o.port)}`);
  if (o.authenticationToken !== undefined && o.authenticationToken.trim() === '') throw new TypeError('authenticationToken must not be empty (leave it out for no check)');
  positive('maxPods', o.maxPods, true);
  positive('leaseDurationSeconds', o.leaseDurationSeconds, true);
  positive('leaseRenewIntervalMs', o.leaseRenewIntervalMs);
  positive('nodeStatusUpdateFrequencyMs', o.nodeStatusUpdateFrequencyMs);
  positive('nodeStatusReportFrequencyMs', o.nodeStatusReportFrequencyMs);
  positive('restartBackoffBaseMs', o.restartBackoffBaseMs);
  positive('restartBackoffMaxMs', o.restartBackoffMaxMs);
  positive('syncFrequencyMs', o.syncFrequencyMs);
  if ((o.restartBackoffMaxMs ?? 300_000) < (o.restartBackoffBaseMs ?? 10_000)) {
    throw new RangeError(`restartBackoffMaxMs (${o.restartBackoffMaxMs ?? 300_000}) must be >= restartBackoffBaseMs (${o.restartBackoffBaseMs ?? 10_000})`);
  }
}

export class Kubelet {
  /** http://<node IP>:<port> of the kubelet's HTTP server. */
  readonly url: string;
  readonly metrics: KubeletMetrics;
  private closed = false;

  /** @internal built by startKubelet */
  constructor(
    readonly nodeName: string,
    private readonly parts: {
      server: HttpServer;
      prober: ProbeManager | undefined;
      informers: InformerFactory;
      nodes: Informer<Node>;
      pods: Informer<Pod>;
      syncer: PodSyncer;
      leases: LeaseRenewer;
      reporter: NodeStatusReporter;
      housekeeping: SpreadScheduler<string>;
      ac: AbortController;
    },
    metrics: KubeletMetrics,
  ) {
    this.url = parts.server.url;
    this.metrics = metrics;
  }

  /** The Node as the kubelet's informer last saw it. */
  node(): Node | undefined {
    return this.parts.nodes.get(this.nodeName);
  }

  /** The pod syncer (for tests, the prober and the log server). */
  get pods(): PodSyncer {
    return this.parts.syncer;
  }

  /** A pod bound to this node, by namespace and name, as the informer has it. */
  pod(namespace: string, name: string): Pod | undefined {
    return this.parts.pods.getByNamespaceName(namespace, name);
  }

  /** The kubelet's HTTP server, where more routes (/containerLogs) are added. */
  get http(): HttpServer {
    return this.parts.server;
  }

  /** Stops the kubelet; containers keep running for the next kubelet on this runtime. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const p = this.parts;
    p.housekeeping.stop();
    p.leases.stop();
    p.reporter.stop();
    p.ac.abort();
    await p.prober?.close();
    await p.syncer.close();
    await p.informers.stopped();
    await p.server.close();
  }
}

/**
 * Starts a kubelet: HTTP server, Node registration (retried until it works), informers for its
 * Node and its pods, lease renewals, status reports and pod syncing. Resolves once registered
 * and synced.
 */
export async function startKubelet(o: KubeletOptions): Promise<Kubelet> {
  validateKubeletOptions(o);
  const clock = o.clock ?? systemClock;
  const log = o.log ?? nullLogger;
  const metrics = new KubeletMetrics(o.registry ?? new Registry());
  const runtime = instrumentRuntime(o.runtime, metrics, clock);
  const ac = new AbortController();
  const leaseDurationSeconds = o.leaseDurationSeconds ?? 40;
  const host = hostCapacity();

  const server = new HttpServer(o.nodeIP, log);
  server.healthz().metrics(metrics.registry);
  const port = await server.listen(o.port ?? 10250);
  let prober: ProbeManager | undefined;
  try {
    const version = await runtime.version();
    const cfg: NodeConfig = {
      name: o.nodeName,
      ip: o.nodeIP,
      capacity: { cpu: o.cpu ?? host.cpu, memory: o.memory ?? host.memory, pods: String(o.maxPods ?? 110) },
      ...(o.role ? { role: o.role } : {}),
      ...(o.labels ? { labels: o.labels } : {}),
      ...(o.taints ? { taints: o.taints } : {}),
      kubeletPort: port,
      containerRuntimeVersion: `${version.runtimeName}://${version.runtimeVersion}`,
      arch: goArch(),
      systemInfo: o.systemInfo ?? hostSystemInfo(),
    };
    let runtimeConditions: RuntimeCondition[] | undefined;
    const runtimeStatus = async () => {
      try {
        runtimeConditions = await runtime.status();
      } catch (err) {
        runtimeConditions = [{ type: 'RuntimeReady', status: false, reason: 'RuntimeUnreachable', message: (err as Error).message }];
      }
      return runtimeConditions;
    };
    await runtimeStatus();
    const { node: registered } = await registerNode(o.client, () => buildNode(cfg, runtimeConditions, clock.now()), cfg, { clock, log, signal: ac.signal });

    const informers = new InformerFactory(o.client, { clock, log });
    const nodes = informers.informerFor<Node>('Node', { fieldSelector: `metadata.name=${o.nodeName}` });
    const pods = informers.informerFor<Pod>('Pod', { fieldSelector: `spec.nodeName=${o.nodeName}` });

    const leases = new LeaseRenewer({
      client: o.client,
      clock,
      log,
      leaseDurationSeconds,
      renewIntervalMs: o.leaseRenewIntervalMs ?? defaultRenewIntervalMs(leaseDurationSeconds),
      onRenew: (_n, ok) => metrics.leaseRenewals.inc({ result: ok ? 'ok' : 'error' }),
    });
    const reporter = new NodeStatusReporter({
      client: o.client,
      clock,
      log,
      reportFrequencyMs: o.nodeStatusReportFrequencyMs ?? 300_000,
      checkIntervalMs: o.nodeStatusUpdateFrequencyMs ?? 10_000,
      current: (name) => nodes.get(name),
      desired: async (_name, current) => nodeStatusOf(cfg, await runtimeStatus(), clock.now(), current?.status),
      onReport: (_n, ok) => metrics.nodeStatusReports.inc({ result: ok ? 'ok' : 'error' }),
    });
    const restartBackoff = new RestartBackoff({ initialMs: o.restartBackoffBaseMs ?? 10_000, maxMs: o.restartBackoffMaxMs ?? 300_000 }, clock);
    const imageBackoff = new RestartBackoff({ initialMs: o.restartBackoffBaseMs ?? 10_000, maxMs: o.restartBackoffMaxMs ?? 300_000 }, clock);
    const recorder = new EventRecorder({ sink: o.client.resource<Event>('Event'), component: 'kubelet', host: o.nodeName, clock, log: log.child('events') });
    const events: PodEventSink = {
      event(pod, type, reason, message, fieldPath) {
        // The informer's pods may lack kind and apiVersion; the Event's reference needs them.
        recorder.event(pod.kind ? pod : { ...pod, apiVersion: 'v1', kind: 'Pod' }, type, reason, message, fieldPath);
      },
    };
    // The prober asks for resyncs of the syncer made after it.
    let requestSync = (_uid: string): void => {};
    prober = o.probes ? undefined : new ProbeManager({ runtime, clock, log: log.child('prober'), metrics, events, onResult: (uid) => requestSync(uid) });
    const syncer = new PodSyncer({
      nodeName: o.nodeName,
      hostIPs: [o.nodeIP],
      runtime,
      client: o.client,
      clock,
      log: log.child('pods'),
      metrics,
      restartBackoff,
      imageBackoff,
      probes: (o.probes ?? prober)!,
      nodeAllocatable: { cpu: cfg.capacity.cpu, memory: cfg.capacity.memory },
      ...(o.podLogsDir ? { podLogsDir: o.podLogsDir } : {}),
      events,
    });
    requestSync = (uid) => syncer.requestSync(uid);
    server.route(
      'GET',
      CONTAINER_LOGS_PATH,
      containerLogsHandler({
        pod: (ns, name) => pods.getByNamespaceName(ns, name),
        status: (pod) => syncer.latestStatus(pod),
        runtime,
        clock,
        log: log.child('logs'),
        ...(o.authenticationToken !== undefined ? { token: o.authenticationToken } : {}),
      }),
    );

    let podCIDR = o.podCIDR;
    if (podCIDR) await runtime.updateRuntimeConfig({ podCIDR });
    nodes.addEventHandler({
      onUpdate: (_old, node) => {
        // The node IPAM controller allocates spec.podCIDR after registration: hand it to the runtime.
        const cidr = node.spec.podCIDR;
        if (!o.podCIDR && cidr && cidr !== podCIDR) {
          podCIDR = cidr;
          runtime.updateRuntimeConfig({ podCIDR: cidr }).catch((err: unknown) => log.error('failed to hand the pod CIDR to the runtime', err));
        }
        void reporter.check(node.metadata.name ?? '');
      },
    });
    pods.addEventHandler({
      onAdd: (p) => syncer.podUpdated(p),
      onUpdate: (_old, p) => syncer.podUpdated(p),
      onDelete: (p) => syncer.podDeleted(p),
    });
    informers.startAll(ac.signal);
    if (!(await informers.waitForCacheSync(ac.signal))) throw new Error('stopped before the informers synced');
    const first = nodes.get(o.nodeName);
    if (!podCIDR && first?.spec.podCIDR) {
      podCIDR = first.spec.podCIDR;
      await runtime.updateRuntimeConfig({ podCIDR });
    }
    await syncer.start();

    leases.add(o.nodeName, registered.metadata.uid, 0);
    reporter.reported(o.nodeName);
    reporter.add(o.nodeName, 0);
    const syncFrequencyMs = o.syncFrequencyMs ?? 60_000;
    const housekeeping = new SpreadScheduler<string>({
      intervalMs: syncFrequencyMs,
      clock,
      log,
      run: async () => {
        restartBackoff.gc();
        imageBackoff.gc();
        await syncer.resyncAll();
      },
    });
    housekeeping.add('housekeeping', syncFrequencyMs);
    log.info('kubelet started', { node: o.nodeName, url: server.url, runtime: cfg.containerRuntimeVersion });
    return new Kubelet(o.nodeName, { server, prober, informers, nodes, pods, syncer, leases, reporter, housekeeping, ac }, metrics);
  } catch (err) {
    ac.abort();
    await prober?.close();
    await server.close();
    throw err;
  }
}
