/**
 * The node lifecycle controller (kube-controller-manager's node-lifecycle-controller, from
 * pkg/controller/nodelifecycle): the part of the control plane that notices a node is gone.
 *
 * Three loops, as in Kubernetes:
 * - every --node-monitor-period, monitorNodeHealth: a node whose kubelet has not renewed its
 *   Lease (kube-node-lease/<node>) nor changed its Ready heartbeat for --node-monitor-grace-period
 *   (--node-startup-grace-period if it never posted Ready) gets Ready, MemoryPressure, DiskPressure
 *   and PIDPressure = Unknown through nodes/status and a NodeNotReady event, and its pods get
 *   Ready=False (so Services stop sending them traffic); from the next pass on, a node whose Ready
 *   is False or Unknown is queued for a NoExecute taint (not-ready or unreachable), and a node
 *   that is Ready again loses both;
 * - every 100 ms, the NoExecute tainting pass: queued nodes are tainted at --node-eviction-rate
 *   per zone, slower or not at all when a zone is mostly down, and not at all when every zone is
 *   (then the controller assumes it is itself cut off and removes the taints);
 * - on every node change, the NoSchedule taints that mirror node conditions and
 *   spec.unschedulable (TaintNodesByCondition), so the scheduler avoids unhealthy nodes.
 *
 * Pods are deleted by the taint eviction controller (tainteviction.ts), which acts on the
 * NoExecute taints this controller sets.
 */
import type { Condition, Lease, Node, Pod, Taint } from '../../../api/types.js';
import { isConflict, isNotFound } from '../../../client/errors.js';
import type { EventRecorder } from '../../../client/events.js';
import type { Informer } from '../../../client/informer.js';
import { keyOf, splitKey } from '../../../client/store.js';
import { runWorkers } from '../../../client/workers.js';
import { WorkQueue } from '../../../client/workqueue.js';
import { rfc3339 } from '../../../util/clock.js';
import type { Logger } from '../../../util/log.js';
import type { Controller, ControllerContext } from '../context.js';
import { podsOnNode, sharedCounter, sharedGauge, workQueueMetrics } from '../shared.js';
import {
  EXCLUDE_DISRUPTION_LABEL,
  noExecuteTaintFor,
  planDisruption,
  podsToMarkNotReady,
  taintBasedEvictionAction,
  tryUpdateNodeHealth,
  zoneKey,
  type EvictionRates,
  type NodeHealth,
  type ZoneState,
} from './sync.js';
import { RateLimitedTimedQueue } from './tainter.js';
import { NOT_READY_TAINT, noScheduleTaintDiff, swapTaints, taintExists, UNREACHABLE_TAINT } from './taints.js';

/** Timings and rates of the node lifecycle controller; defaults are kube-controller-manager's. */
export interface NodeLifecycleOptions {
  /** --node-monitor-period: how often node health is checked, ms (default 5000). */
  nodeMonitorPeriodMs?: number;
  /** --node-monitor-grace-period: silence after which a node is Unknown, ms (default 40,000). */
  nodeMonitorGracePeriodMs?: number;
  /** --node-startup-grace-period: the same for a node that never posted Ready, ms (default 60,000). */
  nodeStartupGracePeriodMs?: number;
  /** --node-eviction-rate: nodes per second per zone that get a NoExecute taint (default 0.1). */
  nodeEvictionRate?: number;
  /** --secondary-node-eviction-rate: the same in a partially disrupted large zone (default 0.01). */
  secondaryNodeEvictionRate?: number;
  /** --large-cluster-size-threshold: nodes above which a zone is large (default 50). */
  largeClusterSizeThreshold?: number;
  /** --unhealthy-zone-threshold: share of not-Ready nodes (at least 3) that disrupts a zone (default 0.55). */
  unhealthyZoneThreshold?: number;
  /** How often queued nodes are tainted, ms (Kubernetes' NodeEvictionPeriod: 100). */
  taintingPeriodMs?: number;
}

export const NODE_LIFECYCLE_DEFAULTS: Required<NodeLifecycleOptions> = {
  nodeMonitorPeriodMs: 5000,
  nodeMonitorGracePeriodMs: 40_000,
  nodeStartupGracePeriodMs: 60_000,
  nodeEvictionRate: 0.1,
  secondaryNodeEvictionRate: 0.01,
  largeClusterSizeThreshold: 50,
  unhealthyZoneThreshold: 0.55,
  taintingPeriodMs: 100,
};

/** Validates options, naming the bad one (RangeError). */
export function nodeLifecycleOptions(o: NodeLifecycleOptions = {}): Required<NodeLifecycleOptions> {
  const r = { ...NODE_LIFECYCLE_DEFAULTS };
  for (const [k, v] of Object.entries(o) as [keyof NodeLifecycleOptions, number | undefined][]) if (v !== undefined) r[k] = v;
  const positive: (keyof NodeLifecycleOptions)[] = ['nodeMonitorPeriodMs', 'nodeMonitorGracePeriodMs', 'nodeStartupGracePeriodMs', 'taintingPeriodMs'];
  for (const k of positive) if (!(Number.isFinite(r[k]) && r[k] > 0)) throw new RangeError(`${k} must be a positive number of ms, not ${JSON.stringify(r[k])}`);
  for (const k of ['nodeEvictionRate', 'secondaryNodeEvictionRate', 'largeClusterSizeThreshold'] as const) {
    if (!(Number.isFinite(r[k]) && r[k] >= 0)) throw new RangeError(`${k} must be >= 0, not ${JSON.stringify(r[k])}`);
  }
  if (!(r.unhealthyZoneThreshold > 0 && r.unhealthyZoneThreshold <= 1)) throw new RangeError(`unhealthyZoneThreshold must be in (0, 1], not ${JSON.stringify(r.unhealthyZoneThreshold)}`);
  return r;
}

const NODE_LEASE_NAMESPACE = 'kube-node-lease';
/** Tries of a node status update before the node is skipped for this pass (NodeHealthUpdateRetry). */
const HEALTH_UPDATE_RETRIES = 5;
/** Tries of a taint change against a conflicting writer (the kubelet updates nodes too). */
const TAINT_RETRIES = 5;

/** Builds the node lifecycle controller; it registers its informers and handlers now. */
export function newNodeLifecycleController(ctx: ControllerContext, o: NodeLifecycleOptions = {}): Controller {
  return new NodeLifecycleController(ctx, nodeLifecycleOptions(o));
}

class NodeLifecycleController implements Controller {
  readonly name = 'node-lifecycle-controller';
  private readonly log: Logger;
  private readonly recorder: EventRecorder;
  private readonly nodes: Informer<Node>;
  private readonly pods: Informer<Pod>;
  private readonly leases: Informer<Lease>;
  private readonly podsOf: (node: string) => Pod[];
  private readonly nodeQueue: WorkQueue<string>;
  private readonly podQueue: WorkQueue<string>;
  private readonly health = new Map<string, NodeHealth>();
  private readonly known = new Map<string, Node>();
  private zoneStates = new Map<string, ZoneState>();
  private readonly tainters = new Map<string, RateLimitedTimedQueue>();
  private readonly nodesToRetry = new Set<string>();
  private readonly rates: EvictionRates;
  private workers = 1;
  private readonly evictions;
  private readonly zoneHealth;
  private readonly zoneSize;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly o: Required<NodeLifecycleOptions>,
  ) {
    this.log = ctx.log.child(this.name);
    this.recorder = ctx.recorder('node-controller');
    this.rates = {
      evictionRate: o.nodeEvictionRate,
      secondaryEvictionRate: o.secondaryNodeEvictionRate,
      largeClusterSizeThreshold: o.largeClusterSizeThreshold,
      unhealthyZoneThreshold: o.unhealthyZoneThreshold,
    };
    this.nodes = ctx.informers.informerFor<Node>('Node');
    this.pods = ctx.informers.informerFor<Pod>('Pod');
    // The all-namespaces Lease informer, shared with the garbage collector: one watch, not two.
    this.leases = ctx.informers.informerFor<Lease>('Lease');
    this.podsOf = podsOnNode(this.pods);
    this.nodeQueue = new WorkQueue({ clock: ctx.clock, metrics: workQueueMetrics(ctx.metrics, 'node_lifecycle_controller') });
    this.podQueue = new WorkQueue({ clock: ctx.clock, metrics: workQueueMetrics(ctx.metrics, 'node_lifecycle_controller_pods') });
    this.evictions = sharedCounter(ctx.metrics, 'node_collector_evictions_total', 'Number of nodes tainted NoExecute (evictions started) since the controller started, by zone.', ['zone']);
    this.zoneHealth = sharedGauge(ctx.metrics, 'node_collector_zone_health', 'Percentage of healthy nodes in each zone.', ['zone']);
    this.zoneSize = sharedGauge(ctx.metrics, 'node_collector_zone_size', 'Number of nodes in each zone.', ['zone']);

    this.nodes.addEventHandler({
      onAdd: (n) => this.nodeQueue.add(n.metadata.name!),
      onUpdate: (_old, n) => this.nodeQueue.add(n.metadata.name!),
    });
    this.pods.addEventHandler({
      onAdd: (p) => this.podUpdated(undefined, p),
      onUpdate: (old, p) => this.podUpdated(old, p),
    });
  }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    this.workers = workers;
    const stop = () => {
      this.nodeQueue.shutDown();
      this.podQueue.shutDown();
    };
    signal.addEventListener('abort', stop, { once: true });
    await Promise.all([
      runWorkers(this.nodeQueue, workers, (name) => this.noScheduleTaintingPass(name), { signal, log: this.log, name: 'noschedule-taints' }),
      runWorkers(this.podQueue, workers, (key) => this.processPod(key), { signal, log: this.log, name: 'pods', maxRetries: 15 }),
      this.every(this.o.taintingPeriodMs, signal, () => this.noExecuteTaintingPass()),
      this.every(this.o.nodeMonitorPeriodMs, signal, () => this.monitorNodeHealth()),
    ]);
  }

  /** Runs fn, then waits period, until signal aborts (wait.Until). A failure is logged, not fatal. */
  private async every(period: number, signal: AbortSignal, fn: () => Promise<void>): Promise<void> {
    while (!signal.aborted) {
      try {
        await fn();
      } catch (err) {
        if (!signal.aborted) this.log.error('pass failed', err);
      }
      try {
        await this.ctx.clock.sleep(period, signal);
      } catch {
        return;
      }
    }
  }

  private podUpdated(old: Pod | undefined, pod: Pod): void {
    const node = pod.spec?.nodeName;
    if (node && (!old || old.spec?.nodeName !== node)) this.podQueue.add(keyOf(pod));
  }

  private tainterOf(zone: string): RateLimitedTimedQueue {
    let t = this.tainters.get(zone);
    if (!t) {
      t = new RateLimitedTimedQueue(this.o.nodeEvictionRate, this.ctx.clock);
      this.tainters.set(zone, t);
      if (!this.zoneStates.has(zone)) this.zoneStates.set(zone, 'Initial');
      this.evictions.inc({ zone: zoneLabel(zone) }, 0);
    }
    return t;
  }

  // ---- monitorNodeHealth ----

  private async monitorNodeHealth(): Promise<void> {
    const nodes = this.nodes.list();
    const names = new Set(nodes.map((n) => n.metadata.name!));
    for (const node of nodes) {
      const name = node.metadata.name!;
      this.tainterOf(zoneKey(node));
      if (this.known.has(name)) continue;
      this.log.v(1).info('observed a new node', { node: name });
      this.recorder.event(node, 'Normal', 'RegisteredNode', `Registered Node ${name} in Controller`);
      this.known.set(name, node);
      await this.markNodeAsReachable(node);
    }
    for (const [name, node] of this.known) {
      if (names.has(name)) continue;
      this.log.v(1).info('observed a node deletion', { node: name });
      this.recorder.event(node, 'Normal', 'RemovingNode', `Removing Node ${name} from Controller`);
      this.known.delete(name);
      this.health.delete(name);
      for (const t of this.tainters.values()) t.remove(name);
    }

    const zoneReady = new Map<string, (Condition | undefined)[]>();
    await parallel(nodes, this.workers, async (node) => {
      const r = await this.updateNodeHealth(node);
      if (!r) return;
      if (!node.metadata.labels?.[EXCLUDE_DISRUPTION_LABEL]) {
        const zone = zoneKey(node);
        zoneReady.set(zone, [...(zoneReady.get(zone) ?? []), r.currentReady]);
      }
      const name = node.metadata.name!;
      if (r.currentReady) {
        await this.processTaintBasedEviction(node, r.observedReady);
        const needsRetry = this.nodesToRetry.has(name);
        const becameNotReady = r.currentReady.status !== 'True' && r.observedReady.status === 'True';
        if (becameNotReady) {
          this.log.info('node is not ready', { node: name, ready: r.currentReady.status, reason: r.currentReady.reason });
          this.recorder.event(node, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
        }
        if (becameNotReady || (needsRetry && r.observedReady.status !== 'True')) {
          try {
            await this.markPodsNotReady(this.podsOf(name), name);
          } catch (err) {
            this.log.error(`cannot mark all pods on node "${name}" not ready; retrying next pass`, err);
            this.nodesToRetry.add(name);
            return;
          }
        }
      }
      this.nodesToRetry.delete(name);
    });
    await this.handleDisruption(zoneReady, nodes);
  }

  /** tryUpdateNodeHealth with its status write, retried against a fresh node on failure. */
  private async updateNodeHealth(cached: Node): Promise<ReturnType<typeof tryUpdateNodeHealth> | undefined> {
    const name = cached.metadata.name!;
    const client = this.ctx.client.resource<Node>('Node');
    let node = cached;
    for (let attempt = 1; ; attempt++) {
      const lease = this.leases.getByNamespaceName(NODE_LEASE_NAMESPACE, name);
      const r = tryUpdateNodeHealth(this.health.get(name), node, lease, this.ctx.clock.now(), {
        monitorGracePeriodMs: this.o.nodeMonitorGracePeriodMs,
        startupGracePeriodMs: this.o.nodeStartupGracePeriodMs,
      });
      this.health.set(name, r.health);
      if (!r.update) return r;
      try {
        await client.updateStatus({ ...node, status: r.update });
        this.health.set(name, r.healthAfterUpdate!);
        this.log.info('node stopped posting status: marked Unknown', { node: name });
        return r;
      } catch (err) {
        if (attempt >= HEALTH_UPDATE_RETRIES) {
          this.log.error(`cannot update the health of node "${name}"; skipping it this pass, no pods will be evicted`, err);
          return undefined;
        }
        try {
          node = await client.get('', name);
        } catch (getErr) {
          if (!isNotFound(getErr)) this.log.error(`cannot get node "${name}" to retry its health update`, getErr);
          return undefined;
        }
      }
    }
  }

  private async processTaintBasedEviction(node: Node, observedReady: Condition): Promise<void> {
    const action = taintBasedEvictionAction(node, observedReady.status);
    const name = node.metadata.name!;
    switch (action.type) {
      case 'swap':
        if (!(await this.swapNodeTaints(node, [action.add], [action.remove]))) this.log.error(`cannot swap the NoExecute taints of node "${name}"; retrying next pass`);
        return;
      case 'mark': {
        const tainter = this.tainterOf(zoneKey(node));
        // A node that lost its taint (someone removed it) must be queued afresh.
        if (!taintExists(node.spec?.taints, action.taint)) tainter.remove(name);
        if (tainter.add(name, node.metadata.uid ?? '')) this.log.v(2).info('node queued for a NoExecute taint', { node: name, taint: action.taint.key });
        return;
      }
      case 'reachable':
        await this.markNodeAsReachable(node);
        return;
    }
  }

  /** Removes both NoExecute taints of the controller and forgets the node in its zone's tainter. */
  private async markNodeAsReachable(node: Node): Promise<void> {
    const ok = await this.swapNodeTaints(node, [], [UNREACHABLE_TAINT, NOT_READY_TAINT]);
    if (!ok) {
      this.log.error(`cannot remove the NoExecute taints of node "${node.metadata.name}"; retrying next pass`);
      return;
    }
    this.tainterOf(zoneKey(node)).remove(node.metadata.name!);
  }

  private async markPodsNotReady(pods: Pod[], nodeName: string): Promise<void> {
    const client = this.ctx.client.resource<Pod>('Pod');
    const errs: unknown[] = [];
    for (const { pod, status } of podsToMarkNotReady(pods, nodeName, this.ctx.clock.now())) {
      try {
        await client.updateStatus({ ...pod, status });
        this.log.v(2).info('pod marked not ready', { pod: keyOf(pod), node: nodeName });
        this.recorder.event(pod, 'Warning', 'NodeNotReady', 'Node is not ready');
      } catch (err) {
        if (!isNotFound(err)) errs.push(err);
      }
    }
    if (errs.length) throw new AggregateError(errs, `cannot mark ${errs.length} pod(s) on node "${nodeName}" not ready`);
  }

  /**
   * Adds and removes taints on a node (SwapNodeControllerTaint), first from the cached node and
   * then, after a conflict, from a fresh one. Returns whether the node now has them.
   */
  private async swapNodeTaints(cached: Node, add: Taint[], remove: Taint[]): Promise<boolean> {
    const client = this.ctx.client.resource<Node>('Node');
    const name = cached.metadata.name!;
    let node = cached;
    for (let attempt = 1; ; attempt++) {
      const next = swapTaints(node.spec?.taints, add, remove, rfc3339(this.ctx.clock.now()));
      if (!next) return true;
      try {
        // resourceVersion makes the merge patch conditional: a concurrent change is a Conflict, not lost.
        await client.patch('', name, { metadata: { resourceVersion: node.metadata.resourceVersion }, spec: { taints: next.length ? next : null } }, 'merge');
        this.log.v(2).info('node taints changed', { node: name, added: add.map((t) => `${t.key}:${t.effect}`), removed: remove.map((t) => `${t.key}:${t.effect}`) });
        return true;
      } catch (err) {
        if (isNotFound(err)) return true;
        if (!isConflict(err) || attempt >= TAINT_RETRIES) {
          this.log.error(`cannot change the taints of node "${name}"`, err);
          return false;
        }
      }
      try {
        node = await client.get('', name);
      } catch (err) {
        if (isNotFound(err)) return true;
        this.log.error(`cannot get node "${name}"`, err);
        return false;
      }
    }
  }

  private async handleDisruption(zoneReady: Map<string, (Condition | undefined)[]>, nodes: Node[]): Promise<void> {
    for (const [zone, conds] of zoneReady) {
      const healthy = conds.filter((c) => c?.status === 'True').length;
      this.zoneSize.set({ zone: zoneLabel(zone) }, conds.length);
      this.zoneHealth.set({ zone: zoneLabel(zone) }, (100 * healthy) / conds.length);
    }
    const plan = planDisruption(this.zoneStates, zoneReady, this.rates);
    this.zoneStates = plan.states;
    for (const [zone, rate] of plan.rates) this.tainterOf(zone).swapLimiter(rate);
    if (plan.enterFullDisruption) {
      // Every node silent at once is more likely our own network than every kubelet dying.
      this.log.info('all nodes are not ready: entering full disruption mode (no NoExecute taints, no evictions)');
      for (const node of nodes) await this.markNodeAsReachable(node);
      return;
    }
    if (plan.exitFullDisruption) {
      this.log.info('some nodes are ready again: leaving full disruption mode');
      const now = this.ctx.clock.now();
      for (const node of nodes) {
        const h = this.health.get(node.metadata.name!);
        if (h) this.health.set(node.metadata.name!, { ...h, probeTimestamp: now, readyTransitionTimestamp: now });
      }
    }
    for (const c of plan.changed) this.log.info('zone changed state', { zone: zoneLabel(c.zone), state: c.state });
  }

  // ---- the NoExecute tainting pass ----

  private async noExecuteTaintingPass(): Promise<void> {
    for (const [zone, tainter] of this.tainters) {
      await tainter.try(async (name) => {
        const node = this.nodes.getByNamespaceName('', name);
        if (!node) return { done: true };
        const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
        if (!ready) return { done: false, retryAfterMs: 50 };
        const swap = noExecuteTaintFor(ready.status);
        if (!swap) return { done: true };
        const ok = await this.swapNodeTaints(node, [swap.add], [swap.remove]);
        if (ok) {
          this.evictions.inc({ zone: zoneLabel(zone) });
          this.log.info('node tainted', { node: name, taint: `${swap.add.key}:NoExecute` });
          return { done: true };
        }
        return { done: false, retryAfterMs: 0 };
      });
    }
  }

  // ---- workers ----

  private async noScheduleTaintingPass(name: string): Promise<void> {
    const node = this.nodes.getByNamespaceName('', name);
    if (!node) return;
    const { add, remove } = noScheduleTaintDiff(node);
    if (add.length === 0 && remove.length === 0) return;
    if (!(await this.swapNodeTaints(node, add, remove))) throw new Error(`cannot update the NoSchedule taints of node "${name}"`);
  }

  private async processPod(key: string): Promise<void> {
    const pod = this.pods.get(key);
    if (!pod?.spec.nodeName) return;
    const nodeName = pod.spec.nodeName;
    const health = this.health.get(nodeName);
    if (!health) return; // not seen by a monitor pass yet, or deleted: the next pass handles it
    if (!this.nodes.getByNamespaceName('', nodeName)) throw new Error(`node "${nodeName}" of pod "${splitKey(key).name}" is not in the cache`);
    const ready = health.status?.conditions?.find((c) => c.type === 'Ready');
    if (!ready || ready.status === 'True') return;
    await this.markPodsNotReady([pod], nodeName);
  }
}

/** The zone key in a form fit for a metric label and a log line. */
function zoneLabel(zone: string): string {
  return zone.replace(':\u0000:', ':');
}

/** Runs fn over items with at most n at once (workqueue.ParallelizeUntil). */
async function parallel<T>(items: T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, worker));
}
