/**
 * The Deployment controller (Kubernetes pkg/controller/deployment): rolls Deployments out
 * through one ReplicaSet per pod template. This file is the wiring: the shared Deployment,
 * ReplicaSet and pod informers, handlers that turn their events into queue keys, the writes
 * through the API, and the workers; the decisions are in sync.ts and the modules it uses.
 */
import { isDeepStrictEqual } from 'node:util';
import { matchesLabels, selectorFromLabelSelector, isEmptySelector } from '../../../api/selectors.js';
import type { Deployment, OwnerReference, Pod, ReplicaSet } from '../../../api/types.js';
import { isNotFound } from '../../../client/errors.js';
import type { Informer } from '../../../client/informer.js';
import { keyOf } from '../../../client/store.js';
import { runWorkers } from '../../../client/workers.js';
import { WorkQueue } from '../../../client/workqueue.js';
import type { Logger } from '../../../util/log.js';
import type { Controller, ControllerContext } from '../context.js';
import { workQueueMetrics } from '../shared.js';
import { CONTROLLER_INDEX, NAMESPACE_INDEX, ensureWorkloadIndexes } from '../replicaset/indexes.js';
import { getControllerOf } from '../replicaset/owners.js';
import { REPLICASET_KIND } from '../replicaset/sync.js';
import { DEPLOYMENT_KIND } from './operations.js';
import { DeploymentSyncer, type DeploymentControl } from './sync.js';

export const DEPLOYMENT_CONTROLLER_NAME = 'deployment';

/** maxRetries: a Deployment whose sync failed this many times in a row is dropped until its next event. */
const MAX_RETRIES = 15;

/** The Deployment controller, ready for the manager to start the informers and call run. */
export function newDeploymentController(ctx: ControllerContext): Controller {
  return new DeploymentController(ctx);
}

class DeploymentController implements Controller {
  readonly name = DEPLOYMENT_CONTROLLER_NAME;
  private readonly dInformer: Informer<Deployment>;
  private readonly rsInformer: Informer<ReplicaSet>;
  private readonly podInformer: Informer<Pod>;
  private readonly queue: WorkQueue<string>;
  private readonly syncer: DeploymentSyncer;
  private readonly log: Logger;

  constructor(ctx: ControllerContext) {
    this.log = ctx.log.child('deployment-controller');
    this.dInformer = ctx.informers.informerFor<Deployment>('Deployment');
    this.rsInformer = ctx.informers.informerFor<ReplicaSet>('ReplicaSet');
    this.podInformer = ctx.informers.informerFor<Pod>('Pod');
    ensureWorkloadIndexes(this.dInformer);
    ensureWorkloadIndexes(this.rsInformer);
    ensureWorkloadIndexes(this.podInformer);
    this.queue = new WorkQueue<string>({ clock: ctx.clock, metrics: workQueueMetrics(ctx.metrics, DEPLOYMENT_CONTROLLER_NAME) });

    const deployments = ctx.client.resource<Deployment>('Deployment');
    const replicaSets = ctx.client.resource<ReplicaSet>('ReplicaSet');
    const control: DeploymentControl = {
      createReplicaSet: (ns, rs) => replicaSets.create(ns, rs),
      updateReplicaSet: (rs) => replicaSets.update(rs),
      deleteReplicaSet: async (ns, name) => {
        await replicaSets.delete(ns, name);
      },
      patchReplicaSet: async (ns, name, patch) => {
        await replicaSets.patch(ns, name, patch, 'strategic');
      },
      // The status subresource stores annotation changes too (as Kubernetes' does): the revision
      // annotation travels with the status.
      updateDeploymentStatus: (d) => deployments.updateStatus(d),
      getDeployment: async (ns, name) => {
        try {
          return await deployments.get(ns, name);
        } catch (err) {
          if (isNotFound(err)) return undefined;
          throw err;
        }
      },
    };
    this.syncer = new DeploymentSyncer({
      deployments: this.dInformer,
      replicaSets: this.rsInformer,
      pods: this.podInformer,
      control,
      recorder: ctx.recorder('deployment-controller'),
      clock: ctx.clock,
      enqueueAfter: (key, ms) => this.queue.addAfter(key, ms),
      enqueueRateLimited: (key) => this.queue.addRateLimited(key),
      log: this.log,
    });

    this.dInformer.addEventHandler({
      onAdd: (d) => this.enqueue(d),
      onUpdate: (_old, cur) => this.enqueue(cur),
      onDelete: (d) => this.enqueue(d),
    });
    this.rsInformer.addEventHandler({
      onAdd: (rs) => this.onReplicaSetAdded(rs),
      onUpdate: (old, cur) => this.onReplicaSetUpdated(old, cur),
      onDelete: (rs) => this.onReplicaSetDeleted(rs),
    });
    this.podInformer.addEventHandler({ onDelete: (pod) => this.onPodDeleted(pod) });
  }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    const stop = () => this.queue.shutDown();
    signal.addEventListener('abort', stop, { once: true });
    this.log.info('starting', { workers });
    try {
      await runWorkers(this.queue, workers, (key) => this.syncer.sync(key), { signal, log: this.log, name: 'deployment', maxRetries: MAX_RETRIES });
    } finally {
      signal.removeEventListener('abort', stop);
      this.queue.shutDown();
      this.log.info('stopped');
    }
  }

  private enqueue(d: Deployment): void {
    this.queue.add(keyOf(d));
  }

  /** resolveControllerRef: the cached Deployment ref names, if it is still that object. */
  private resolveControllerRef(namespace: string, ref: OwnerReference | undefined): Deployment | undefined {
    if (!ref || ref.kind !== DEPLOYMENT_KIND) return undefined;
    const d = this.dInformer.getByNamespaceName(namespace, ref.name);
    return d && d.metadata.uid === ref.uid ? d : undefined;
  }

  /** getDeploymentsForReplicaSet: the Deployments whose (non-empty) selector matches an orphan ReplicaSet. */
  private deploymentsSelecting(rs: ReplicaSet): Deployment[] {
    const out: Deployment[] = [];
    for (const d of this.dInformer.byIndex(NAMESPACE_INDEX, rs.metadata.namespace ?? '')) {
      try {
        const sel = selectorFromLabelSelector(d.spec.selector);
        if (!isEmptySelector(sel) && matchesLabels(sel, rs.metadata.labels)) out.push(d);
      } catch {
        // An invalid selector selects nothing.
      }
    }
    return out;
  }

  private onReplicaSetAdded(rs: ReplicaSet): void {
    if (rs.metadata.deletionTimestamp) return this.onReplicaSetDeleted(rs);
    const ref = getControllerOf(rs);
    if (ref) {
      const d = this.resolveControllerRef(rs.metadata.namespace ?? '', ref);
      if (d) this.enqueue(d);
      return;
    }
    for (const d of this.deploymentsSelecting(rs)) this.enqueue(d);
  }

  private onReplicaSetUpdated(old: ReplicaSet, cur: ReplicaSet): void {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return; // a resync
    const ns = cur.metadata.namespace ?? '';
    const oldRef = getControllerOf(old);
    const curRef = getControllerOf(cur);
    const refChanged = !isDeepStrictEqual(oldRef, curRef);
    if (refChanged && oldRef) {
      const d = this.resolveControllerRef(ns, oldRef);
      if (d) this.enqueue(d);
    }
    if (curRef) {
      const d = this.resolveControllerRef(ns, curRef);
      if (d) this.enqueue(d);
      return;
    }
    const labelsChanged = !isDeepStrictEqual(old.metadata.labels ?? {}, cur.metadata.labels ?? {});
    if (labelsChanged || refChanged) for (const d of this.deploymentsSelecting(cur)) this.enqueue(d);
  }

  private onReplicaSetDeleted(rs: ReplicaSet): void {
    const d = this.resolveControllerRef(rs.metadata.namespace ?? '', getControllerOf(rs));
    if (d) this.enqueue(d);
  }

  /**
   * deletePod: a Recreate rollout waits for the old pods to be gone, and nothing else would
   * wake it when the last one goes.
   */
  private onPodDeleted(pod: Pod): void {
    const ns = pod.metadata.namespace ?? '';
    const podRef = getControllerOf(pod);
    if (!podRef || podRef.kind !== REPLICASET_KIND) return;
    const rs = this.rsInformer.getByNamespaceName(ns, podRef.name);
    if (!rs || rs.metadata.uid !== podRef.uid) return;
    const d = this.resolveControllerRef(ns, getControllerOf(rs));
    if (!d || d.spec.strategy?.type !== 'Recreate') return;
    let selector;
    try {
      selector = selectorFromLabelSelector(d.spec.selector);
    } catch {
      return;
    }
    for (const owned of this.rsInformer.byIndex(CONTROLLER_INDEX, d.metadata.uid ?? '')) {
      if (this.podInformer.byIndex(CONTROLLER_INDEX, owned.metadata.uid ?? '').some((p) => matchesLabels(selector, p.metadata.labels))) return;
    }
    this.enqueue(d);
  }
}
