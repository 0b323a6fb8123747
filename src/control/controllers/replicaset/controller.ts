/**
 * The ReplicaSet controller (Kubernetes pkg/controller/replicaset): keeps spec.replicas pods of
 * each ReplicaSet in existence. This file is the wiring: the shared ReplicaSet and pod
 * informers, handlers that turn pod and ReplicaSet events into queue keys and observed
 * expectations, the pod writes through the API, and the workers; the decisions are in sync.ts.
 */
import { matchesLabels, selectorFromLabelSelector } from '../../../api/selectors.js';
import { isDeepStrictEqual } from 'node:util';
import type { OwnerReference, Pod, ReplicaSet } from '../../../api/types.js';
import { isConflict, isNotFound } from '../../../client/errors.js';
import type { Informer } from '../../../client/informer.js';
import { keyOf } from '../../../client/store.js';
import { runWorkers } from '../../../client/workers.js';
import { WorkQueue } from '../../../client/workqueue.js';
import type { Logger } from '../../../util/log.js';
import type { Controller, ControllerContext } from '../context.js';
import { workQueueMetrics } from '../shared.js';
import { Expectations } from './expectations.js';
import { NAMESPACE_INDEX, ensureWorkloadIndexes } from './indexes.js';
import { getControllerOf } from './owners.js';
import { isPodReady, podKey } from './pods.js';
import { REPLICASET_KIND, ReplicaSetSyncer, type PodControl } from './sync.js';

export const REPLICASET_CONTROLLER_NAME = 'replicaset';

/** Options of the ReplicaSet controller beyond the context. */
export interface ReplicaSetControllerOptions {
  /** Most pods one sync creates or deletes (default 500, Kubernetes' burstReplicas). */
  burstReplicas?: number;
}

/** statusUpdateRetries: one more attempt, against a freshly read object, after a conflict. */
const STATUS_UPDATE_RETRIES = 1;

/** The ReplicaSet controller, ready for the manager to start the informers and call run. */
export function newReplicaSetController(ctx: ControllerContext, o: ReplicaSetControllerOptions = {}): Controller {
  return new ReplicaSetController(ctx, o);
}

class ReplicaSetController implements Controller {
  readonly name = REPLICASET_CONTROLLER_NAME;
  private readonly rsInformer: Informer<ReplicaSet>;
  private readonly podInformer: Informer<Pod>;
  private readonly queue: WorkQueue<string>;
  private readonly expectations: Expectations;
  private readonly syncer: ReplicaSetSyncer;
  private readonly log: Logger;

  constructor(ctx: ControllerContext, o: ReplicaSetControllerOptions) {
    this.log = ctx.log.child('replicaset-controller');
    this.rsInformer = ctx.informers.informerFor<ReplicaSet>('ReplicaSet');
    this.podInformer = ctx.informers.informerFor<Pod>('Pod');
    ensureWorkloadIndexes(this.rsInformer);
    ensureWorkloadIndexes(this.podInformer);
    this.queue = new WorkQueue<string>({ clock: ctx.clock, metrics: workQueueMetrics(ctx.metrics, REPLICASET_CONTROLLER_NAME) });
    this.expectations = new Expectations(ctx.clock);
    const pods = ctx.client.resource<Pod>('Pod');
    const replicaSets = ctx.client.resource<ReplicaSet>('ReplicaSet');
    const podControl: PodControl = {
      createPod: (ns, pod) => pods.create(ns, pod),
      deletePod: async (ns, name) => {
        await pods.delete(ns, name);
      },
      patchPod: async (ns, name, patch) => {
        await pods.patch(ns, name, patch, 'strategic');
      },
    };
    this.syncer = new ReplicaSetSyncer({
      replicaSets: this.rsInformer,
      pods: this.podInformer,
      podControl,
      updateStatus: async (rs, status) => {
        let cur = rs;
        for (let attempt = 0; ; attempt++) {
          try {
            return await replicaSets.updateStatus({ ...cur, status });
          } catch (err) {
            if (!isConflict(err) || attempt >= STATUS_UPDATE_RETRIES) throw err;
            cur = await replicaSets.get(rs.metadata.namespace ?? '', rs.metadata.name ?? '');
          }
        }
      },
      getLive: async (ns, name) => {
        try {
          return await replicaSets.get(ns, name);
        } catch (err) {
          if (isNotFound(err)) return undefined;
          throw err;
        }
      },
      expectations: this.expectations,
      recorder: ctx.recorder('replicaset-controller'),
      clock: ctx.clock,
      enqueueAfter: (key, ms) => this.queue.addAfter(key, ms),
      log: this.log,
      ...(o.burstReplicas !== undefined ? { burstReplicas: o.burstReplicas } : {}),
    });

    this.rsInformer.addEventHandler({
      onAdd: (rs) => this.enqueue(rs),
      onUpdate: (old, cur) => {
        // A delete and re-create under the same name between two events: forget the old one.
        if (old.metadata.uid !== cur.metadata.uid) this.onReplicaSetDeleted(old);
        this.enqueue(cur);
      },
      onDelete: (rs) => this.onReplicaSetDeleted(rs),
    });
    this.podInformer.addEventHandler({
      onAdd: (pod) => this.onPodAdded(pod),
      onUpdate: (old, cur) => this.onPodUpdated(old, cur),
      onDelete: (pod) => this.onPodDeleted(pod),
    });
  }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    const stop = () => this.queue.shutDown();
    signal.addEventListener('abort', stop, { once: true });
    this.log.info('starting', { workers });
    try {
      await runWorkers(this.queue, workers, (key) => this.syncer.sync(key), { signal, log: this.log, name: 'replicaset' });
    } finally {
      signal.removeEventListener('abort', stop);
      this.queue.shutDown();
      this.log.info('stopped');
    }
  }

  private enqueue(rs: ReplicaSet): void {
    this.queue.add(keyOf(rs));
  }

  private onReplicaSetDeleted(rs: ReplicaSet): void {
    const key = keyOf(rs);
    this.expectations.delete(key);
    this.queue.add(key);
  }

  /** resolveControllerRef: the cached ReplicaSet ref names, if it is still that object. */
  private resolveControllerRef(namespace: string, ref: OwnerReference | undefined): ReplicaSet | undefined {
    if (!ref || ref.kind !== REPLICASET_KIND) return undefined;
    const rs = this.rsInformer.getByNamespaceName(namespace, ref.name);
    return rs && rs.metadata.uid === ref.uid ? rs : undefined;
  }

  /** getPodReplicaSets: the ReplicaSets of the pod's namespace whose selector matches it (for orphans). */
  private replicaSetsSelecting(pod: Pod): ReplicaSet[] {
    const out: ReplicaSet[] = [];
    for (const rs of this.rsInformer.byIndex(NAMESPACE_INDEX, pod.metadata.namespace ?? '')) {
      try {
        if (matchesLabels(selectorFromLabelSelector(rs.spec.selector), pod.metadata.labels)) out.push(rs);
      } catch {
        // An invalid selector selects nothing.
      }
    }
    return out;
  }

  private onPodAdded(pod: Pod): void {
    // A pod already being deleted when first seen (after a relist) counts as a deletion.
    if (pod.metadata.deletionTimestamp) return this.onPodDeleted(pod);
    const ref = getControllerOf(pod);
    if (ref) {
      const rs = this.resolveControllerRef(pod.metadata.namespace ?? '', ref);
      if (!rs) return;
      const key = keyOf(rs);
      this.expectations.creationObserved(key);
      this.queue.add(key);
      return;
    }
    // An orphan: whoever may adopt it should look.
    for (const rs of this.replicaSetsSelecting(pod)) this.enqueue(rs);
  }

  private onPodUpdated(old: Pod, cur: Pod): void {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return; // a resync
    const labelsChanged = !isDeepStrictEqual(old.metadata.labels ?? {}, cur.metadata.labels ?? {});
    if (cur.metadata.deletionTimestamp) {
      // A graceful delete began: the owner can count it gone now, without waiting for the
      // removal. With changed labels the old owner must hear of it too.
      this.onPodDeleted(cur);
      if (labelsChanged) this.onPodDeleted(old);
      return;
    }
    const oldRef = getControllerOf(old);
    const curRef = getControllerOf(cur);
    const refChanged = !isDeepStrictEqual(oldRef, curRef);
    const ns = cur.metadata.namespace ?? '';
    if (refChanged && oldRef) {
      const rs = this.resolveControllerRef(ns, oldRef);
      if (rs) this.enqueue(rs);
    }
    if (curRef) {
      const rs = this.resolveControllerRef(ns, curRef);
      if (!rs) return;
      this.enqueue(rs);
      const minReady = rs.spec.minReadySeconds ?? 0;
      // Becomes available minReadySeconds after it became ready; one more second absorbs timer skew.
      if (!isPodReady(old) && isPodReady(cur) && minReady > 0) this.queue.addAfter(keyOf(rs), minReady * 1000 + 1000);
      return;
    }
    if (labelsChanged || refChanged) for (const rs of this.replicaSetsSelecting(cur)) this.enqueue(rs);
  }

  private onPodDeleted(pod: Pod): void {
    const ref = getControllerOf(pod);
    if (!ref) return;
    const rs = this.resolveControllerRef(pod.metadata.namespace ?? '', ref);
    if (!rs) return;
    const key = keyOf(rs);
    this.expectations.deletionObserved(key, podKey(pod));
    this.queue.add(key);
  }
}
