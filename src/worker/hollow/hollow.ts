/**
 * Hollow nodes (kubemark's hollow kubelets, kwok's fake nodes): N kubelets in one process, each
 * with its own fake runtime, for scheduling benchmarks and fault scenarios at a scale no machine
 * could run for real.
 *
 * Each node registers a Node, renews its Lease, reports status, and runs the pods bound to it
 * through the same PodSyncer as the real kubelet: pods go Running and Ready after the configured
 * start delay in one status write, crash and restart when scripted, and graceful deletions are
 * finished. What the nodes share keeps the cost per node small: one Client, one pod informer (all
 * bound pods, indexed by node name), one node informer, one lease loop and one status loop that
 * spread their work evenly over their interval, one metrics registry.
 *
 * A node can be killed (its lease stops, its pods are no longer touched: the machine vanished) and
 * revived (it registers again, renews its lease and resyncs its pods), in process or through the
 * daemon's admin API, for the scenario engine's faults.
 */
import { setMaxListeners } from 'node:events';
import { Gauge, Registry } from 'prom-client';
import type { Node, NodeStatus, Pod, Taint } from '../../api/types.js';
import { InformerFactory } from '../../client/informer-factory.js';
import type { Informer } from '../../client/informer.js';
import type { Client } from '../../client/rest.js';
import { systemClock, type Clock } from '../../util/clock.js';
import { nullLogger, type Logger } from '../../util/log.js';
import { RestartBackoff } from '../kubelet/backoff.js';
import { KubeletMetrics } from '../kubelet/metrics.js';
import { defaultRenewIntervalMs, LeaseRenewer } from '../kubelet/node/lease.js';
import { buildNode, goArch, nodeStatusOf, type NodeConfig } from '../kubelet/node/node-status.js';
import { registerNode } from '../kubelet/node/registration.js';
import { NodeStatusReporter } from '../kubelet/node/reporter.js';
import { SpreadScheduler } from '../kubelet/node/spread.js';
import { PodSyncer } from '../kubelet/pod-syncer.js';
import type { RuntimeCondition } from '../kubelet/runtime.js';
import { FakeRuntime } from '../kubelet/runtimes/fake.js';
import { hollowNodeIP, hollowNodeName, hollowPodCIDR, MAX_HOLLOW_INDEX } from './addresses.js';

export interface HollowNodesOptions {
  client: Client;
  /** How many nodes. */
  count: number;
  /** Node names are <namePrefix><index> (default "hollow-node-"). */
  namePrefix?: string;
  /** Index of the first node (default 0), so several processes can share a cluster. */
  startIndex?: number;
  /** How long a pod takes from being seen to running (the sandbox's start), ms (default 0). */
  podStartDelayMs?: number;
  /** CPU capacity of each node (default "4"). */
  cpu?: string;
  /** Memory capacity of each node (default "16Gi"). */
  memory?: string;
  /** Pod capacity of each node (default 110). */
  maxPods?: number;
  /** node-role.kubernetes.io/<role> label (default none). */
  role?: string;
  /** More labels on every node. */
  labels?: Record<string, string>;
  /** Taints every node registers with. */
  taints?: Taint[];
  /** spec.leaseDurationSeconds (default 40). */
  leaseDurationSeconds?: number;
  /** Time between a node's lease renewals, ms (default 0.25 x the duration). */
  leaseRenewIntervalMs?: number;
  /** Node status is written at least this often, ms (default 5 min). */
  nodeStatusReportFrequencyMs?: number;
  /** First crash-loop back-off, ms (default 10 s). */
  restartBackoffBaseMs?: number;
  /** Largest crash-loop back-off, ms (default 300 s). */
  restartBackoffMaxMs?: number;
  /** Each node's pods are resynced this often, ms (default 60 s). */
  syncFrequencyMs?: number;
  /** daemonEndpoints.kubeletEndpoint.Port the nodes advertise (default 10250). */
  kubeletPort?: number;
  /** Registrations in flight at once (default 32). */
  registerConcurrency?: number;
  clock?: Clock;
  log?: Logger;
  /** Metrics registry (default: a new one). */
  registry?: Registry;
}

/** One hollow node: its identity, its fake runtime and its pod syncer. */
export interface HollowNode {
  readonly name: string;
  readonly index: number;
  readonly ip: string;
  readonly runtime: FakeRuntime;
  readonly pods: PodSyncer;
  /** The Node's uid once registered. */
  uid: string | undefined;
  killed: boolean;
}

/** A node as the admin API lists it. */
export interface HollowNodeInfo {
  name: string;
  ip: string;
  state: 'alive' | 'killed';
  pods: number;
}

const READY: RuntimeCondition[] = [
  { type: 'RuntimeReady', status: true },
  { type: 'NetworkReady', status: true },
];

/** Checks options up front, naming the bad value (RangeError). */
export function validateHollowOptions(o: HollowNodesOptions): void {
  const start = o.startIndex ?? 0;
  if (!(Number.isInteger(o.count) && o.count >= 0)) throw new RangeError(`count must be a whole number, not ${JSON.stringify(o.count)}`);
  if (!(Number.isInteger(start) && start >= 0)) throw new RangeError(`startIndex must be a whole number, not ${JSON.stringify(o.startIndex)}`);
  if (start + o.count - 1 > MAX_HOLLOW_INDEX) throw new RangeError(`hollow node indexes ${start}-${start + o.count - 1} exceed ${MAX_HOLLOW_INDEX}`);
  if (o.podStartDelayMs !== undefined && !(o.podStartDelayMs >= 0)) throw new RangeError(`podStartDelayMs must be >= 0, not ${o.podStartDelayMs}`);
  if (o.maxPods !== undefined && !(Number.isInteger(o.maxPods) && o.maxPods > 0)) throw new RangeError(`maxPods must be a positive integer, not ${o.maxPods}`);
  if (o.registerConcurrency !== undefined && !(Number.isInteger(o.registerConcurrency) && o.registerConcurrency > 0)) throw new RangeError(`registerConcurrency must be a positive integer, not ${o.registerConcurrency}`);
}

export class HollowNodes {
  private readonly nodes = new Map<string, HollowNode>();
  private readonly informers: InformerFactory;
  private readonly podInformer: Informer<Pod>;
  private readonly nodeInformer: Informer<Node>;
  private readonly leases: LeaseRenewer;
  private readonly reporter: NodeStatusReporter;
  private readonly housekeeping: SpreadScheduler<string>;
  private readonly restartBackoff: RestartBackoff;
  private readonly imageBackoff: RestartBackoff;
  private readonly ac = new AbortController();
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly base: Omit<NodeConfig, 'name' | 'ip'>;
  readonly metrics: KubeletMetrics;
  private closed = false;

  /** @internal use startHollowNodes */
  constructor(private readonly o: HollowNodesOptions) {
    validateHollowOptions(o);
    // Every registration in flight listens on this signal; thousands of them are expected.
    setMaxListeners(0, this.ac.signal);
    this.clock = o.clock ?? systemClock;
    this.log = o.log ?? nullLogger;
    this.metrics = new KubeletMetrics(o.registry ?? new Registry());
    const nodes = this.nodes;
    new Gauge({
      name: 'kubelab_hollow_nodes',
      help: 'Hollow nodes in this process by state (alive, killed).',
      labelNames: ['state'],
      registers: [this.metrics.registry],
      collect() {
        let killed = 0;
        for (const n of nodes.values()) if (n.killed) killed++;
        this.set({ state: 'alive' }, nodes.size - killed);
        this.set({ state: 'killed' }, killed);
      },
    });
    this.base = {
      capacity: { cpu: o.cpu ?? '4', memory: o.memory ?? '16Gi', pods: String(o.maxPods ?? 110) },
      ...(o.role ? { role: o.role } : {}),
      ...(o.labels ? { labels: o.labels } : {}),
      ...(o.taints ? { taints: o.taints } : {}),
      kubeletPort: o.kubeletPort ?? 10250,
      containerRuntimeVersion: 'fake://0.1.0',
      arch: goArch(),
      systemInfo: { kernelVersion: '6.1.0-kubelab-hollow', osImage: 'kubelab hollow node' },
    };
    const clock = this.clock;
    const log = this.log;
    const leaseDurationSeconds = o.leaseDurationSeconds ?? 40;
    this.restartBackoff = new RestartBackoff({ initialMs: o.restartBackoffBaseMs ?? 10_000, maxMs: o.restartBackoffMaxMs ?? 300_000 }, clock);
    this.imageBackoff = new RestartBackoff({ initialMs: o.restartBackoffBaseMs ?? 10_000, maxMs: o.restartBackoffMaxMs ?? 300_000 }, clock);

    this.informers = new InformerFactory(o.client, { clock, log: log.child('informers') });
    this.podInformer = this.informers.informerFor<Pod>('Pod', { fieldSelector: 'spec.nodeName!=' });
    this.podInformer.addIndexer('nodeName', (p) => [p.spec.nodeName ?? '']);
    this.nodeInformer = this.informers.informerFor<Node>('Node');
    this.podInformer.addEventHandler({
      onAdd: (p) => this.nodes.get(p.spec.nodeName ?? '')?.pods.podUpdated(p),
      onUpdate: (_old, p) => this.nodes.get(p.spec.nodeName ?? '')?.pods.podUpdated(p),
      onDelete: (p) => this.nodes.get(p.spec.nodeName ?? '')?.pods.podDeleted(p),
    });
    const nodeChanged = (n: Node) => {
      const h = this.nodes.get(n.metadata.name ?? '');
      if (h && !h.killed) void this.reporter.check(h.name);
    };
    this.nodeInformer.addEventHandler({ onUpdate: (_old, n) => nodeChanged(n) });

    this.leases = new LeaseRenewer({
      client: o.client,
      clock,
      log: log.child('leases'),
      leaseDurationSeconds,
      renewIntervalMs: o.leaseRenewIntervalMs ?? defaultRenewIntervalMs(leaseDurationSeconds),
      onRenew: (_n, ok) => this.metrics.leaseRenewals.inc({ result: ok ? 'ok' : 'error' }),
    });
    const reportFrequencyMs = o.nodeStatusReportFrequencyMs ?? 300_000;
    this.reporter = new NodeStatusReporter({
      client: o.client,
      clock,
      log: log.child('status'),
      reportFrequencyMs,
      // Nothing about a hollow node changes by itself: changes by others arrive as informer events.
      checkIntervalMs: reportFrequencyMs,
      current: (name) => this.nodeInformer.get(name),
      desired: (name, current) => this.statusOf(name, current),
      onReport: (_n, ok) => this.metrics.nodeStatusReports.inc({ result: ok ? 'ok' : 'error' }),
    });
    this.housekeeping = new SpreadScheduler<string>({
      intervalMs: o.syncFrequencyMs ?? 60_000,
      clock,
      log,
      run: async (name) => {
        const h = this.nodes.get(name);
        if (h && !h.killed) await h.pods.resyncAll();
      },
    });

    const podLog = log.child('pods');
    const prefix = o.namePrefix ?? 'hollow-node-';
    const start = o.startIndex ?? 0;
    for (let i = start; i < start + o.count; i++) {
      const name = hollowNodeName(prefix, i);
      const ip = hollowNodeIP(i);
      const runtime = new FakeRuntime({ clock, sandboxDelayMs: o.podStartDelayMs ?? 0, podCIDR: hollowPodCIDR(i) });
      const pods = new PodSyncer({
        nodeName: name,
        hostIPs: [ip],
        runtime,
        client: o.client,
        clock,
        log: podLog,
        metrics: this.metrics,
        restartBackoff: this.restartBackoff,
        imageBackoff: this.imageBackoff,
      });
      this.nodes.set(name, { name, index: i, ip, runtime, pods, uid: undefined, killed: false });
    }
  }

  /** Node names, in index order. */
  get names(): string[] {
    return [...this.nodes.keys()];
  }

  /** The hollow node called name. */
  node(name: string): HollowNode | undefined {
    return this.nodes.get(name);
  }

  /** Every node with its state and pod count. */
  list(): HollowNodeInfo[] {
    return [...this.nodes.values()].map((h) => ({ name: h.name, ip: h.ip, state: h.killed ? 'killed' : 'alive', pods: h.pods.podCount }));
  }

  /** Pods bound to node name, from the shared informer. */
  podsOf(name: string): Pod[] {
    return this.podInformer.byIndex('nodeName', name);
  }

  /** Starts the informers, then registers every node; resolves when all are registered. */
  async start(): Promise<void> {
    this.informers.startAll(this.ac.signal);
    if (!(await this.informers.waitForCacheSync(this.ac.signal))) throw new Error('hollow nodes were closed before their informers synced');
    const queue = [...this.nodes.values()];
    const workers = Array.from({ length: Math.min(queue.length, this.o.registerConcurrency ?? 32) }, async () => {
      for (let h = queue.shift(); h; h = queue.shift()) await this.bringUp(h, false);
    });
    await Promise.all(workers);
    this.log.info('hollow nodes registered', { nodes: this.nodes.size });
  }

  /**
   * Kills node name as if its machine vanished: its lease stops being renewed, its status is no
   * longer reported and its pods are no longer touched (their fake containers keep "running").
   * Returns false for an unknown or already killed node.
   */
  kill(name: string): boolean {
    const h = this.nodes.get(name);
    if (!h || h.killed) return false;
    h.killed = true;
    h.pods.pause();
    this.leases.remove(name);
    this.reporter.remove(name);
    this.housekeeping.remove(name);
    this.log.info('killed hollow node', { node: name });
    return true;
  }

  /**
   * Brings a killed node back: it registers again (the Node may have been deleted meanwhile),
   * renews its lease and reports its status at once, and resyncs its pods. Resolves false for an
   * unknown or living node.
   */
  async revive(name: string): Promise<boolean> {
    const h = this.nodes.get(name);
    if (!h || !h.killed) return false;
    h.killed = false;
    await this.bringUp(h, true);
    this.log.info('revived hollow node', { node: name });
    return true;
  }

  /** Stops every node (pods are left as they are in the API). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.leases.stop();
    this.reporter.stop();
    this.housekeeping.stop();
    this.ac.abort();
    await Promise.all([...this.nodes.values()].map((h) => h.pods.close()));
    await this.informers.stopped();
  }

  private configOf(h: HollowNode): NodeConfig {
    return { ...this.base, name: h.name, ip: h.ip };
  }

  private statusOf(name: string, current: Node | undefined): NodeStatus {
    const h = this.nodes.get(name)!;
    return nodeStatusOf(this.configOf(h), READY, this.clock.now(), current?.status);
  }

  private async bringUp(h: HollowNode, revived: boolean): Promise<void> {
    const cfg = this.configOf(h);
    const { node, created } = await registerNode(this.o.client, () => buildNode(cfg, READY, this.clock.now()), cfg, { clock: this.clock, log: this.log, signal: this.ac.signal });
    if (h.killed) return; // killed while registering
    h.uid = node.metadata.uid;
    if (revived) await h.pods.resume();
    else await h.pods.start();
    // The first renewal creates (or takes over) the lease now; later ones fall in the node's slot.
    await this.leases.renewNow(h.name, h.uid, created);
    this.leases.add(h.name, h.uid);
    if (!revived) this.reporter.reported(h.name);
    this.reporter.add(h.name, revived ? 0 : undefined);
    this.housekeeping.add(h.name);
  }
}

/** Creates hollow nodes and starts them; resolves when every node is registered. */
export async function startHollowNodes(o: HollowNodesOptions): Promise<HollowNodes> {
  const hollow = new HollowNodes(o);
  try {
    await hollow.start();
  } catch (err) {
    await hollow.close();
    throw err;
  }
  return hollow;
}
