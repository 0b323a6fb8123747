/**
 * The garbage collector (kube-controller-manager's garbage-collector-controller, from
 * pkg/controller/garbagecollector): deletes objects whose owners are gone, and carries out the
 * foreground and orphan deletions the API server only marks.
 *
 * - Background: an object whose owner references all point to objects that no longer exist (by
 *   uid) is deleted.
 * - Foreground: an owner being deleted with the foregroundDeletion finalizer has its dependents
 *   deleted first (those with dependents of their own in the foreground too); once no dependent
 *   with blockOwnerDeletion is left, the finalizer is removed and the API server completes the
 *   deletion.
 * - Orphan: an owner being deleted with the orphan finalizer has its reference removed from each
 *   dependent, then the finalizer removed.
 *
 * The dependency graph (graph.ts) is built from one informer per kind of src/api/resources.ts
 * (Events excepted, as Kubernetes ignores them); what to do is decided on the live objects (GET)
 * by sync.ts, because a cache may be behind and deleting on stale data cannot be undone.
 */
import { resourceByKind, RESOURCES } from '../../../api/resources.js';
import type { KObject } from '../../../api/types.js';
import { isConflict, isNotFound } from '../../../client/errors.js';
import type { EventRecorder } from '../../../client/events.js';
import { runWorkers } from '../../../client/workers.js';
import { WorkQueue } from '../../../client/workqueue.js';
import type { Logger } from '../../../util/log.js';
import type { Controller, ControllerContext } from '../context.js';
import { workQueueMetrics } from '../shared.js';
import { FINALIZER_FOREGROUND, FINALIZER_ORPHAN, Graph, isNamespacedKind, type GraphEvent, type GraphWork, type Identity } from './graph.js';
import { classifyOwner, decideAttemptToDelete, deleteOwnerRefsPatch, deletingDependentsDecision, unblockOwnerRefsPatch, withoutFinalizer, type OwnerState } from './sync.js';

/** Kinds the collector never watches: Events are many, short-lived and never owners (Kubernetes' ignoredResources). */
const IGNORED_KINDS = new Set(['Event']);
/** How many absent owners are remembered, so their dependents do not each GET them again. */
const ABSENT_CACHE_SIZE = 500;
/** Tries of a finalizer removal against concurrent writers. */
const FINALIZER_RETRIES = 5;

export interface GarbageCollectorOptions {
  /** Kinds to build the graph from (default: every kind of src/api/resources.ts but Event). */
  kinds?: string[];
}

/** Builds the garbage collector; it registers an informer per kind now. */
export function newGarbageCollector(ctx: ControllerContext, o: GarbageCollectorOptions = {}): Controller {
  return new GarbageCollector(ctx, o.kinds ?? RESOURCES.map((r) => r.kind).filter((k) => !IGNORED_KINDS.has(k)));
}

class GarbageCollector implements Controller {
  readonly name = 'garbage-collector-controller';
  private readonly log: Logger;
  private readonly recorder: EventRecorder;
  private readonly graph = new Graph();
  private readonly absent = new Map<string, true>();
  private readonly deleteQueue: WorkQueue<string>;
  private readonly orphanQueue: WorkQueue<string>;

  constructor(
    private readonly ctx: ControllerContext,
    kinds: string[],
  ) {
    this.log = ctx.log.child(this.name);
    this.recorder = ctx.recorder('garbage-collector-controller');
    this.deleteQueue = new WorkQueue({ clock: ctx.clock, metrics: workQueueMetrics(ctx.metrics, 'garbage_collector_attempt_to_delete') });
    this.orphanQueue = new WorkQueue({ clock: ctx.clock, metrics: workQueueMetrics(ctx.metrics, 'garbage_collector_attempt_to_orphan') });
    for (const kind of kinds) {
      if (!resourceByKind(kind)) throw new TypeError(`Cannot collect garbage of kind "${kind}": it is not in src/api/resources.ts`);
      ctx.informers.informerFor<KObject>(kind).addEventHandler({
        onAdd: (obj) => this.observe({ type: 'add', obj }),
        onUpdate: (old, obj) => this.observe({ type: 'update', obj, old }),
        onDelete: (obj) => this.observe({ type: 'delete', obj }),
      });
    }
  }

  /** The graph is updated in the handler (it is cheap and needs event order); the work is queued. */
  private observe(ev: GraphEvent): void {
    this.enqueue(this.graph.apply(ev));
    if (ev.type === 'delete' && ev.obj.metadata.uid) this.markAbsent(ev.obj.metadata.namespace ?? '', ev.obj.metadata.uid);
  }

  private enqueue(work: GraphWork): void {
    for (const uid of work.attemptToDelete) this.deleteQueue.add(uid);
    for (const uid of work.attemptToOrphan) this.orphanQueue.add(uid);
  }

  private markAbsent(ns: string, uid: string): void {
    const key = `${ns}/${uid}`;
    this.absent.delete(key);
    this.absent.set(key, true);
    if (this.absent.size > ABSENT_CACHE_SIZE) this.absent.delete(this.absent.keys().next().value!);
  }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    signal.addEventListener(
      'abort',
      () => {
        this.deleteQueue.shutDown();
        this.orphanQueue.shutDown();
      },
      { once: true },
    );
    await Promise.all([
      runWorkers(this.deleteQueue, workers, (uid) => this.attemptToDelete(uid), { signal, log: this.log, name: 'attempt-to-delete' }),
      runWorkers(this.orphanQueue, workers, (uid) => this.attemptToOrphan(uid), { signal, log: this.log, name: 'attempt-to-orphan' }),
    ]);
  }

  /** The live object, or undefined when it is gone. */
  private async getLive(id: Identity): Promise<KObject | undefined> {
    try {
      return await this.ctx.client.resource<KObject>(id.kind).get(id.namespace, id.name);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** attemptToDeleteItem. */
  private async attemptToDelete(uid: string): Promise<void> {
    const node = this.graph.get(uid);
    if (!node) return;
    // An object on its way out is left alone, unless it is waiting for its dependents.
    if (node.beingDeleted && !node.deletingDependents) return;
    if (!resourceByKind(node.identity.kind)) {
      this.log.v(2).info('owner of an unknown kind; leaving its dependents alone', { kind: node.identity.kind, name: node.identity.name });
      return;
    }
    const latest = await this.getLive(node.identity);
    if (!latest || latest.metadata.uid !== uid) {
      // Gone, though no informer said so (or never seen at all): its dependents are orphans now.
      this.markAbsent(node.identity.namespace, uid);
      this.enqueue(this.graph.removeAbsent(uid));
      return;
    }
    // It exists; its informer will show it. A virtual node has no owners of its own to judge.
    if (node.virtual) return;
    if (node.deletingDependents) return this.processDeletingDependents(uid);

    const refs = latest.metadata.ownerReferences ?? [];
    if (refs.length === 0) return;
    const owners: { ref: (typeof refs)[number]; state: OwnerState }[] = [];
    for (const ref of refs) owners.push({ ref, state: await this.ownerState(ref, latest) });
    const dependents = this.graph.dependentsOf(node);
    const d = decideAttemptToDelete(latest, owners, dependents.length > 0, dependents.some((x) => x.deletingDependents));
    const id = node.identity;
    const rc = this.ctx.client.resource<KObject>(id.kind);
    switch (d.type) {
      case 'none':
        return;
      case 'removeOwnerReferences':
        this.log.v(2).info('removing dangling owner references', { kind: id.kind, object: objName(id), owners: d.uids });
        try {
          await rc.patch(id.namespace, id.name, deleteOwnerRefsPatch(uid, d.uids), 'strategic');
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
        return;
      case 'delete': {
        if (d.unblock) {
          // Its dependent waits for it while it waits for its owner: unblock to break the cycle.
          const patch = unblockOwnerRefsPatch(latest);
          if (patch) await rc.patch(id.namespace, id.name, patch, 'strategic');
        }
        this.log.info('deleting object whose owners are gone', { kind: id.kind, object: objName(id), propagation: d.policy });
        try {
          await rc.delete(id.namespace, id.name, { propagationPolicy: d.policy, preconditions: { uid } });
        } catch (err) {
          // Gone already, or replaced by a new object of the same name (the uid precondition).
          if (!isNotFound(err) && !isConflict(err)) throw err;
        }
        return;
      }
    }
  }

  /** Whether the owner ref points to exists, waits for its dependents, or is gone. */
  private async ownerState(ref: NonNullable<KObject['metadata']['ownerReferences']>[number], dependent: KObject): Promise<OwnerState> {
    const depNs = dependent.metadata.namespace ?? '';
    const namespaced = isNamespacedKind(ref.kind);
    if (namespaced && !depNs) {
      // A cluster-scoped object cannot be owned by a namespaced one: the reference resolves to nothing.
      this.recorder.event(dependent, 'Warning', 'OwnerRefInvalidNamespace', `ownerRef [${ref.apiVersion}/${ref.kind}, namespace: , name: ${ref.name}, uid: ${ref.uid}] does not exist in namespace ""`);
      return 'dangling';
    }
    const ns = namespaced ? depNs : '';
    if (this.absent.has(`${ns}/${ref.uid}`)) return 'dangling';
    if (!resourceByKind(ref.kind)) {
      // Kubernetes retries forever on an unknown kind; deleting on a guess cannot be undone.
      this.log.v(2).info('owner reference to an unknown kind; keeping the dependent', { kind: ref.kind, name: ref.name });
      return 'solid';
    }
    const owner = await this.getLive({ apiVersion: ref.apiVersion, kind: ref.kind, namespace: ns, name: ref.name, uid: ref.uid });
    const state = classifyOwner(ref, owner);
    if (state === 'dangling') this.markAbsent(ns, ref.uid);
    return state;
  }

  /** processDeletingDependentsItem. */
  private async processDeletingDependents(uid: string): Promise<void> {
    const node = this.graph.get(uid)!;
    const blocking = this.graph.blockingDependents(node).map((d) => ({ uid: d.identity.uid, deletingDependents: d.deletingDependents }));
    const d = deletingDependentsDecision(blocking);
    if (d.done) {
      this.log.v(2).info('dependents deleted: completing foreground deletion', { kind: node.identity.kind, object: objName(node.identity) });
      await this.removeFinalizer(node.identity, FINALIZER_FOREGROUND);
      return;
    }
    for (const dep of d.attemptToDelete) this.deleteQueue.add(dep);
  }

  /** attemptToOrphanWorker: drop the reference to uid from its dependents, then the orphan finalizer. */
  private async attemptToOrphan(uid: string): Promise<void> {
    const node = this.graph.get(uid);
    if (!node) return;
    const errs: unknown[] = [];
    for (const dep of this.graph.dependentsOf(node)) {
      const id = dep.identity;
      try {
        await this.ctx.client.resource<KObject>(id.kind).patch(id.namespace, id.name, deleteOwnerRefsPatch(id.uid, [uid]), 'strategic');
      } catch (err) {
        if (!isNotFound(err)) errs.push(err);
      }
    }
    if (errs.length) throw new AggregateError(errs, `cannot orphan ${errs.length} dependent(s) of ${node.identity.kind} "${objName(node.identity)}"`);
    this.log.v(2).info('dependents orphaned', { kind: node.identity.kind, object: objName(node.identity) });
    await this.removeFinalizer(node.identity, FINALIZER_ORPHAN);
  }

  /** Removes finalizer f from the live object, guarded by its resourceVersion, retrying conflicts. */
  private async removeFinalizer(id: Identity, f: string): Promise<void> {
    const rc = this.ctx.client.resource<KObject>(id.kind);
    for (let attempt = 1; ; attempt++) {
      const obj = await this.getLive(id);
      if (!obj || obj.metadata.uid !== id.uid) return;
      const finalizers = withoutFinalizer(obj, f);
      if (!finalizers) return;
      try {
        await rc.patch(id.namespace, id.name, { metadata: { resourceVersion: obj.metadata.resourceVersion, finalizers } }, 'merge');
        return;
      } catch (err) {
        if (isNotFound(err)) return;
        if (!isConflict(err) || attempt >= FINALIZER_RETRIES) throw err;
      }
    }
  }
}

function objName(id: Identity): string {
  return id.namespace ? `${id.namespace}/${id.name}` : id.name;
}
