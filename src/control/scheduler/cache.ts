/**
 * The scheduler's cache (kube-scheduler's internal/cache): every node with the running totals
 * of the pods on it, fed by the informers, plus assumed pods.
 *
 * Assumed pods are how many bindings can be in flight without double-booking a node: the
 * moment a pod is chosen for a node its requests count there, before the binding is written.
 * Then one of three things happens:
 *
 * - the informer shows the pod bound (addPod): the assumption is confirmed and becomes a plain
 *   pod, on the node the API server says, should that differ;
 * - the binding fails (forgetPod): the requests are taken off the node again;
 * - the binding succeeded but the bound pod never shows up (a lost watch event): ttlMs after
 *   the binding finished the assumption expires (cleanupExpired), so the node's room is not
 *   leaked forever. ttlMs 0 never expires, as kube-scheduler's default today.
 *
 * Pods are keyed by uid. A pod may reference a node the cache has not seen yet (the pod's watch
 * event came first); its NodeInfo then exists without a node object and is not offered to the
 * scheduling algorithm until the node arrives, but its totals are already right.
 */
import type { Node } from '../../api/types.js';
import { systemClock, type Clock } from '../../util/clock.js';
import { NodeInfo } from './nodeinfo.js';
import type { PodInfo } from './podinfo.js';

interface PodState {
  info: PodInfo;
  node: string;
  assumed: boolean;
  bindingFinished: boolean;
  /** Monotonic ms after which an assumed pod whose binding finished expires. */
  deadline: number;
}

export interface SchedulerCacheOptions {
  /** How long an assumed pod may wait to be seen bound after its binding finished, ms (default 30,000; 0 = forever). */
  assumedPodTTLMs?: number;
  clock?: Clock;
}

/** Sizes of the cache, for metrics. */
export interface CacheCounts {
  nodes: number;
  pods: number;
  assumedPods: number;
}

export class SchedulerCache {
  private readonly nodeInfos = new Map<string, NodeInfo>();
  /** NodeInfos that have a node object: what the algorithm iterates over. */
  private readonly listed: NodeInfo[] = [];
  private readonly pods = new Map<string, PodState>();
  private readonly assumed = new Set<string>();
  private readonly ttlMs: number;
  private readonly clock: Clock;

  constructor(o: SchedulerCacheOptions = {}) {
    this.ttlMs = o.assumedPodTTLMs ?? 30_000;
    if (!(this.ttlMs >= 0)) throw new RangeError(`assumedPodTTLMs must be >= 0, not ${o.assumedPodTTLMs}`);
    this.clock = o.clock ?? systemClock;
  }

  /** The nodes pods may be scheduled to, in a stable order that changes only when nodes come and go. */
  nodeList(): readonly NodeInfo[] {
    return this.listed;
  }

  /** The NodeInfo of name, whether or not its node object is known. */
  getNode(name: string): NodeInfo | undefined {
    return this.nodeInfos.get(name);
  }

  /** Adds or replaces a node; returns its NodeInfo. Throws when its allocatable cannot be parsed. */
  setNode(node: Node): NodeInfo {
    const name = node.metadata.name ?? '';
    let ni = this.nodeInfos.get(name);
    if (!ni) this.nodeInfos.set(name, (ni = new NodeInfo(name)));
    ni.setNode(node);
    if (ni.index < 0) {
      ni.index = this.listed.length;
      this.listed.push(ni);
    }
    return ni;
  }

  /**
   * Removes a node. Its NodeInfo stays while pods still point at it, because their deletions
   * come through another watch and may arrive later.
   */
  removeNode(name: string): void {
    const ni = this.nodeInfos.get(name);
    if (!ni) return;
    this.unlist(ni);
    ni.node = undefined;
    if (ni.podCount === 0) this.nodeInfos.delete(name);
  }

  /**
   * Counts pod on nodeName before its binding is written. Throws if the pod is already in the
   * cache (assumed or bound): assuming twice would count it twice.
   */
  assumePod(info: PodInfo, nodeName: string): void {
    if (this.pods.has(info.uid)) throw new Error(`Cannot assume pod "${info.key}": it is already in the scheduler cache`);
    this.pods.set(info.uid, { info, node: nodeName, assumed: true, bindingFinished: false, deadline: 0 });
    this.assumed.add(info.uid);
    this.nodeFor(nodeName).addPod(info);
  }

  /** The binding of an assumed pod was written: its expiry clock starts. */
  finishBinding(uid: string): void {
    const ps = this.pods.get(uid);
    if (!ps || !ps.assumed) return;
    ps.bindingFinished = true;
    ps.deadline = this.clock.monotonic() + this.ttlMs;
  }

  /** The binding of an assumed pod failed: take it off its node. No-op for pods not assumed. */
  forgetPod(uid: string): void {
    const ps = this.pods.get(uid);
    if (!ps || !ps.assumed) return;
    this.drop(uid, ps);
  }

  /**
   * The informer shows pod bound to a node (info.pod.spec.nodeName): confirms an assumption,
   * or adds or updates the pod.
   */
  addPod(info: PodInfo): void {
    const nodeName = info.pod.spec.nodeName ?? '';
    const ps = this.pods.get(info.uid);
    if (ps) {
      this.nodeFor(ps.node).removePod(ps.info);
      this.releaseIfEmpty(ps.node);
      ps.info = info;
      ps.node = nodeName;
      ps.assumed = false;
      ps.bindingFinished = false;
      this.assumed.delete(info.uid);
    } else {
      this.pods.set(info.uid, { info, node: nodeName, assumed: false, bindingFinished: false, deadline: 0 });
    }
    this.nodeFor(nodeName).addPod(info);
  }

  /** The pod left (deleted, or finished: Succeeded and Failed pods hold no resources). */
  removePod(uid: string): void {
    const ps = this.pods.get(uid);
    if (ps) this.drop(uid, ps);
  }

  /** Whether uid is assumed and not yet confirmed. */
  isAssumed(uid: string): boolean {
    return this.assumed.has(uid);
  }

  /** Whether the cache counts uid on a node (assumed or bound). */
  has(uid: string): boolean {
    return this.pods.has(uid);
  }

  /** The node uid is counted on, if any. */
  nodeOf(uid: string): string | undefined {
    return this.pods.get(uid)?.node;
  }

  /** Expires assumed pods whose binding finished more than the TTL ago; returns them. */
  cleanupExpired(): PodInfo[] {
    if (this.ttlMs === 0 || this.assumed.size === 0) return [];
    const now = this.clock.monotonic();
    const expired: PodInfo[] = [];
    for (const uid of this.assumed) {
      const ps = this.pods.get(uid)!;
      if (!ps.bindingFinished || now < ps.deadline) continue;
      expired.push(ps.info);
      this.drop(uid, ps);
    }
    return expired;
  }

  counts(): CacheCounts {
    return { nodes: this.listed.length, pods: this.pods.size, assumedPods: this.assumed.size };
  }

  private drop(uid: string, ps: PodState): void {
    this.pods.delete(uid);
    this.assumed.delete(uid);
    this.nodeFor(ps.node).removePod(ps.info);
    this.releaseIfEmpty(ps.node);
  }

  private nodeFor(name: string): NodeInfo {
    let ni = this.nodeInfos.get(name);
    if (!ni) this.nodeInfos.set(name, (ni = new NodeInfo(name)));
    return ni;
  }

  /** Forgets a NodeInfo kept only for pods of a node that is gone, once the last pod left. */
  private releaseIfEmpty(name: string): void {
    const ni = this.nodeInfos.get(name);
    if (ni && !ni.node && ni.podCount === 0) this.nodeInfos.delete(name);
  }

  private unlist(ni: NodeInfo): void {
    if (ni.index < 0) return;
    // Swap with the last: O(1), and the order of the others barely moves.
    const last = this.listed.pop()!;
    if (last !== ni) {
      this.listed[ni.index] = last;
      last.index = ni.index;
    }
    ni.index = -1;
  }
}
