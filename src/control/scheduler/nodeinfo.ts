/**
 * A node as the scheduler sees it (kube-scheduler's framework.NodeInfo): the node's own
 * scheduling properties, parsed once when the node changes, and the running totals of the
 * pods on it (bound and assumed): requested CPU and memory, their non-zero variants for
 * scoring, the pod count, the host ports taken, and pods per controller for spreading.
 *
 * Adding and removing a pod is O(its ports); nothing here is recomputed per pod scheduled.
 */
import type { Node, Taint } from '../../api/types.js';
import { milliCPUOf, valueOf, type PodInfo, type Resources } from './podinfo.js';
import { untoleratedTaintReason } from './taints.js';

/** A NoSchedule or NoExecute taint with its filter reason, built once. */
export interface BlockingTaint {
  taint: Taint;
  /** ["node(s) had untolerated taint {key: value}"], shared by every failure it causes. */
  reasons: readonly string[];
}

/** The node's allocatable CPU (millicores), memory (bytes) and pod count. */
export interface Allocatable extends Resources {
  pods: number;
}

export class NodeInfo {
  /** The node object; undefined while pods point at a node the cache has not seen (or that was deleted). */
  node: Node | undefined;
  ready = false;
  unschedulable = false;
  labels: Record<string, string> | undefined;
  blockingTaints: readonly BlockingTaint[] = [];
  preferNoScheduleTaints: readonly Taint[] = [];
  allocatable: Allocatable = { milliCPU: 0, memory: 0, pods: 0 };

  /** Sums of the effective requests of the pods here. */
  readonly requested: Resources = { milliCPU: 0, memory: 0 };
  /** Sums of the non-zero requests, for scoring. */
  readonly nonZeroRequested: Resources = { milliCPU: 0, memory: 0 };
  podCount = 0;
  /** "TCP/80" -> hostIP -> number of pods holding it. */
  readonly usedPorts = new Map<string, Map<string, number>>();
  /** Controller uid -> pods of that controller here (terminating pods left out). */
  readonly owners = new Map<string, number>();
  /** Position in the cache's node list, -1 when not listed. Maintained by the cache. */
  index = -1;

  constructor(readonly name: string) {}

  /** A NodeInfo for node with pods on it, for tests and tools. */
  static of(node: Node, pods: readonly PodInfo[] = []): NodeInfo {
    const ni = new NodeInfo(node.metadata.name ?? '');
    ni.setNode(node);
    for (const p of pods) ni.addPod(p);
    return ni;
  }

  /**
   * Takes a new version of the node and re-derives its scheduling properties. Throws an Error
   * naming the node when an allocatable quantity is malformed.
   */
  setNode(node: Node): void {
    this.node = node;
    this.ready = isReady(node);
    this.unschedulable = node.spec?.unschedulable === true;
    this.labels = node.metadata.labels;
    const blocking: BlockingTaint[] = [];
    const prefer: Taint[] = [];
    for (const t of node.spec?.taints ?? []) {
      if (t.effect === 'NoSchedule' || t.effect === 'NoExecute') blocking.push({ taint: t, reasons: [untoleratedTaintReason(t)] });
      else if (t.effect === 'PreferNoSchedule') prefer.push(t);
    }
    this.blockingTaints = blocking;
    this.preferNoScheduleTaints = prefer;
    const a = node.status?.allocatable ?? {};
    try {
      this.allocatable = {
        milliCPU: a.cpu === undefined ? 0 : milliCPUOf(a.cpu),
        memory: a.memory === undefined ? 0 : valueOf(a.memory),
        pods: a.pods === undefined ? 0 : valueOf(a.pods),
      };
    } catch (err) {
      throw new Error(`Cannot read status.allocatable of node "${this.name}": ${(err as Error).message}`, { cause: err });
    }
  }

  /** Counts pod on this node. */
  addPod(p: PodInfo): void {
    this.update(p, 1);
  }

  /** Stops counting pod (the same PodInfo that was added). */
  removePod(p: PodInfo): void {
    this.update(p, -1);
  }

  private update(p: PodInfo, sign: 1 | -1): void {
    this.requested.milliCPU += sign * p.request.milliCPU;
    this.requested.memory += sign * p.request.memory;
    this.nonZeroRequested.milliCPU += sign * p.nonZero.milliCPU;
    this.nonZeroRequested.memory += sign * p.nonZero.memory;
    this.podCount += sign;
    for (const hp of p.hostPorts) {
      let byIp = this.usedPorts.get(hp.protoPort);
      if (!byIp) this.usedPorts.set(hp.protoPort, (byIp = new Map()));
      const n = (byIp.get(hp.ip) ?? 0) + sign;
      if (n > 0) byIp.set(hp.ip, n);
      else byIp.delete(hp.ip);
      if (byIp.size === 0) this.usedPorts.delete(hp.protoPort);
    }
    if (p.ownerUid && !p.terminating) {
      const n = (this.owners.get(p.ownerUid) ?? 0) + sign;
      if (n > 0) this.owners.set(p.ownerUid, n);
      else this.owners.delete(p.ownerUid);
    }
  }
}

/** Whether the node's Ready condition is True. */
export function isReady(node: Node): boolean {
  for (const c of node.status?.conditions ?? []) if (c.type === 'Ready') return c.status === 'True';
  return false;
}
