/**
 * The taint eviction controller (kube-controller-manager's taint-eviction-controller, from
 * pkg/controller/tainteviction; the "taint manager" of older releases): deletes the pods of a
 * node with a NoExecute taint they do not tolerate at once, and those that tolerate it for
 * tolerationSeconds when that time is up (see eviction.ts for when exactly).
 *
 * Node and pod changes are queued and turned into a per-pod timer; a timer that fires puts the
 * pod on the eviction queue, whose worker checks the decision again against the current state,
 * records TaintManagerEviction ("Marking for deletion Pod <ns>/<name>"), marks the pod with the
 * DisruptionTarget condition and deletes it (its uid as a precondition). Each pod is deleted
 * once: a failed delete is retried by the queue, a succeeded one is never repeated.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Node, Pod, Taint } from '../../../api/types.js';
import { isConflict, isNotFound } from '../../../client/errors.js';
import type { EventRecorder } from '../../../client/events.js';
import type { Informer } from '../../../client/informer.js';
import { keyOf, splitKey } from '../../../client/store.js';
import { runWorkers } from '../../../client/workers.js';
import { WorkQueue } from '../../../client/workqueue.js';
import { rfc3339 } from '../../../util/clock.js';
import type { Logger } from '../../../util/log.js';
import type { Controller, ControllerContext } from '../context.js';
import { podsOnNode, sharedCounter, workQueueMetrics } from '../shared.js';
import { evictionDecision } from './eviction.js';
import { noExecuteTaints } from './taints.js';

interface Scheduled {
  uid: string;
  at: number;
  cancel: () => void;
}

/** Builds the taint eviction controller; it registers its informers and handlers now. */
export function newTaintEvictionController(ctx: ControllerContext): Controller {
  return new TaintEvictionController(ctx);
}

class TaintEvictionController implements Controller {
  readonly name = 'taint-eviction-controller';
  private readonly log: Logger;
  private readonly recorder: EventRecorder;
  private readonly nodes: Informer<Node>;
  private readonly pods: Informer<Pod>;
  private readonly podsOf: (node: string) => Pod[];
  private readonly nodeQueue: WorkQueue<string>;
  private readonly podQueue: WorkQueue<string>;
  private readonly evictionQueue: WorkQueue<string>;
  private readonly scheduled = new Map<string, Scheduled>();
  /** uids of pods this controller deleted: each is deleted once. */
  private readonly evicted = new Set<string>();
  private readonly deletions;

  constructor(private readonly ctx: ControllerContext) {
    this.log = ctx.log.child(this.name);
    this.recorder = ctx.recorder('taint-eviction-controller');
    this.nodes = ctx.informers.informerFor<Node>('Node');
    this.pods = ctx.informers.informerFor<Pod>('Pod');
    this.podsOf = podsOnNode(this.pods);
    const q = (name: string) => new WorkQueue<string>({ clock: ctx.clock, metrics: workQueueMetrics(ctx.metrics, name) });
    this.nodeQueue = q('noexec_taint_node');
    this.podQueue = q('noexec_taint_pod');
    this.evictionQueue = q('taint_eviction');
    this.deletions = sharedCounter(ctx.metrics, 'taint_eviction_controller_pod_deletions_total', 'Total number of Pods deleted by the taint eviction controller since its start.', []);

    this.nodes.addEventHandler({
      onAdd: (n) => this.nodeQueue.add(n.metadata.name!),
      onUpdate: (old, n) => {
        if (!isDeepStrictEqual(noExecuteTaints(old), noExecuteTaints(n))) this.nodeQueue.add(n.metadata.name!);
      },
      onDelete: (n) => this.nodeQueue.add(n.metadata.name!),
    });
    this.pods.addEventHandler({
      onAdd: (p) => this.podQueue.add(keyOf(p)),
      onUpdate: (old, p) => {
        if (old.spec.nodeName === p.spec.nodeName && isDeepStrictEqual(old.spec.tolerations ?? [], p.spec.tolerations ?? [])) return;
        this.podQueue.add(keyOf(p));
      },
      onDelete: (p) => {
        if (p.metadata.uid) this.evicted.delete(p.metadata.uid);
        this.podQueue.add(keyOf(p));
      },
    });
  }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    const queues = [this.nodeQueue, this.podQueue, this.evictionQueue];
    signal.addEventListener(
      'abort',
      () => {
        for (const q of queues) q.shutDown();
        for (const s of this.scheduled.values()) s.cancel();
        this.scheduled.clear();
      },
      { once: true },
    );
    await Promise.all([
      runWorkers(this.nodeQueue, workers, async (name) => this.handleNode(name), { signal, log: this.log, name: 'nodes' }),
      runWorkers(this.podQueue, workers, async (key) => this.handlePod(key), { signal, log: this.log, name: 'pods' }),
      runWorkers(this.evictionQueue, workers, (key) => this.evict(key), { signal, log: this.log, name: 'evictions', maxRetries: 5 }),
    ]);
  }

  private handleNode(name: string): void {
    const node = this.nodes.getByNamespaceName('', name);
    // A deleted node keeps its pods' scheduled evictions, as in Kubernetes.
    if (!node) return;
    const taints = noExecuteTaints(node);
    const now = this.ctx.clock.now();
    for (const pod of this.podsOf(name)) this.processPodOnNode(pod, taints, now);
  }

  private handlePod(key: string): void {
    const pod = this.pods.get(key);
    if (!pod) {
      this.cancel(key, true);
      return;
    }
    const nodeName = pod.spec.nodeName;
    if (!nodeName) return;
    const node = this.nodes.getByNamespaceName('', nodeName);
    if (!node) return;
    this.processPodOnNode(pod, noExecuteTaints(node), this.ctx.clock.now());
  }

  private processPodOnNode(pod: Pod, taints: Taint[], now: number): void {
    const key = keyOf(pod);
    const d = evictionDecision(pod, taints, now);
    if (d.evictAt === undefined) {
      this.cancel(key, d.reason !== 'terminating');
      return;
    }
    const uid = pod.metadata.uid ?? '';
    const existing = this.scheduled.get(key);
    if (existing && existing.uid === uid && existing.at === d.evictAt) return;
    if (existing) this.cancel(key, true);
    if (d.reason === 'not-tolerated') this.log.v(2).info('pod does not tolerate its node\'s NoExecute taints', { pod: key, node: pod.spec.nodeName });
    this.schedule(key, uid, d.evictAt, now);
  }

  private schedule(key: string, uid: string, at: number, now: number): void {
    if (at <= now) {
      this.evictionQueue.add(key);
      return;
    }
    const cancel = this.ctx.clock.setTimer(at - now, () => {
      const s = this.scheduled.get(key);
      if (s?.cancel !== cancel) return;
      this.scheduled.delete(key);
      this.evictionQueue.add(key);
    });
    this.scheduled.set(key, { uid, at, cancel });
    this.log.v(2).info('pod eviction scheduled', { pod: key, at: new Date(at).toISOString() });
  }

  private cancel(key: string, withEvent: boolean): void {
    const s = this.scheduled.get(key);
    if (!s) return;
    s.cancel();
    this.scheduled.delete(key);
    if (!withEvent) return;
    const { namespace, name } = splitKey(key);
    this.recorder.event(this.podRef(namespace, name, s.uid), 'Normal', 'TaintManagerEviction', `Cancelling deletion of Pod ${key}`);
  }

  /** The pod, or a reference to one that is gone (events need only kind and name). */
  private podRef(namespace: string, name: string, uid: string): Pod {
    return this.pods.getByNamespaceName(namespace, name) ?? { apiVersion: 'v1', kind: 'Pod', metadata: { namespace, name, uid }, spec: { containers: [] } };
  }

  private async evict(key: string): Promise<void> {
    const pod = this.pods.get(key);
    if (!pod || this.evicted.has(pod.metadata.uid ?? '')) return;
    const now = this.ctx.clock.now();
    const node = pod.spec.nodeName ? this.nodes.getByNamespaceName('', pod.spec.nodeName) : undefined;
    if (node) {
      // The state may have changed since the timer was set: act on the current one.
      const d = evictionDecision(pod, noExecuteTaints(node), now);
      if (d.evictAt === undefined) return;
      if (d.evictAt > now) {
        this.schedule(key, pod.metadata.uid ?? '', d.evictAt, now);
        return;
      }
    }
    const { namespace, name } = splitKey(key);
    const client = this.ctx.client.resource<Pod>('Pod');
    if (this.evictionQueue.numRequeues(key) === 0) {
      this.log.info('deleting pod', { pod: key, node: pod.spec.nodeName });
      this.recorder.event(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${key}`);
    }
    try {
      const condition = { type: 'DisruptionTarget', status: 'True' as const, reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint', lastTransitionTime: rfc3339(now) };
      const has = pod.status?.conditions?.some((c) => c.type === condition.type && c.status === 'True' && c.reason === condition.reason);
      if (!has) await client.patch(namespace, name, { status: { conditions: [condition] } }, 'strategic', { subresource: 'status' });
      await client.delete(namespace, name, { preconditions: { uid: pod.metadata.uid! } });
    } catch (err) {
      // Gone, or replaced by another pod of the same name: nothing left to evict.
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
    this.evicted.add(pod.metadata.uid ?? '');
    this.deletions.inc();
  }
}
