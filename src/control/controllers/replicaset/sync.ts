/**
 * The ReplicaSet controller's reconcile step (Kubernetes pkg/controller/replicaset/
 * replica_set.go, syncReplicaSet and manageReplicas), with every side effect behind an
 * interface so that tests drive it with seeded caches and a fake pod control:
 *
 *   read the ReplicaSet from the cache (gone: forget its expectations) -> claim pods (adopt
 *   matching orphans, release owned pods that stopped matching) -> if its expectations are
 *   satisfied, create the missing pods in slow-start batches or delete the surplus, cheapest
 *   first -> write the status when it changed -> requeue after minReadySeconds if pods are
 *   ready but not yet available.
 */
import { selectorFromLabelSelector } from '../../../api/selectors.js';
import type { Pod, ReplicaSet, ReplicaSetStatus } from '../../../api/types.js';
import { isNotFound } from '../../../client/errors.js';
import type { EventRecorder } from '../../../client/events.js';
import type { Clock } from '../../../util/clock.js';
import { nullLogger, type Logger } from '../../../util/log.js';
import { hasNamespaceTerminatingCause } from './errors.js';
import type { Expectations } from './expectations.js';
import { CONTROLLER_INDEX, orphanKey, type Lister } from './indexes.js';
import { adoptPatch, claimObjects, getControllerOf, newControllerRef, releasePatch } from './owners.js';
import { filterActivePods, podFromTemplate, podKey } from './pods.js';
import { podsToDelete } from './ranking.js';
import { SLOW_START_INITIAL_BATCH_SIZE, slowStartBatch } from './slow-start.js';
import { calculateStatus, statusNeedsUpdate, type ManageError } from './status.js';

/** BurstReplicas: most creates or deletes one sync issues; the rest wait for the next sync. */
export const BURST_REPLICAS = 500;

export const REPLICASET_API_VERSION = 'apps/v1';
export const REPLICASET_KIND = 'ReplicaSet';

/** The pod writes of the controller (Kubernetes' PodControlInterface). */
export interface PodControl {
  /** Creates pod in namespace; resolves with the created pod (its generated name). */
  createPod(namespace: string, pod: Pod): Promise<Pod>;
  /** Deletes the pod; rejects with a NotFound StatusError when it is already gone. */
  deletePod(namespace: string, name: string): Promise<void>;
  /** Applies a strategic merge patch to the pod (ownerReferences for adoption and release). */
  patchPod(namespace: string, name: string, patch: unknown): Promise<void>;
}

/** Everything syncReplicaSet reads and writes. */
export interface ReplicaSetSyncDeps {
  /** ReplicaSets by "ns/name", indexed by CONTROLLER_INDEX. */
  replicaSets: Lister<ReplicaSet>;
  /** Pods indexed by CONTROLLER_INDEX. */
  pods: Lister<Pod>;
  podControl: PodControl;
  /**
   * Writes status (observedGeneration included) through the status subresource, from rs as
   * cached; resolves with the ReplicaSet as written.
   */
  updateStatus(rs: ReplicaSet, status: ReplicaSetStatus): Promise<ReplicaSet>;
  /** The ReplicaSet as the API server has it now (not the cache), undefined when it is gone. */
  getLive(namespace: string, name: string): Promise<ReplicaSet | undefined>;
  expectations: Expectations;
  recorder: Pick<EventRecorder, 'event'>;
  clock: Clock;
  /** Syncs key again after ms. */
  enqueueAfter(key: string, ms: number): void;
  log?: Logger;
  /** Default BURST_REPLICAS. */
  burstReplicas?: number;
}

/** An error of manageReplicas, with the ReplicaFailure reason it produces. */
class ManageReplicasError extends Error {
  constructor(
    readonly reason: 'FailedCreate' | 'FailedDelete',
    cause: Error,
  ) {
    super(cause.message, { cause });
    this.name = 'ManageReplicasError';
  }
}

/** Runs syncReplicaSet for keys handed to it by the work queue. */
export class ReplicaSetSyncer {
  private readonly log: Logger;
  private readonly burst: number;

  constructor(private readonly deps: ReplicaSetSyncDeps) {
    this.log = deps.log ?? nullLogger;
    this.burst = deps.burstReplicas ?? BURST_REPLICAS;
    if (!Number.isInteger(this.burst) || this.burst < 1) throw new RangeError(`burstReplicas must be a positive integer, not ${deps.burstReplicas}`);
  }

  /**
   * Reconciles the ReplicaSet "ns/name". Rejects (for a rate-limited retry) when claiming,
   * creating, deleting or writing status failed; the status written still reports the failure.
   */
  async sync(key: string): Promise<void> {
    const d = this.deps;
    const rs = d.replicaSets.get(key);
    if (!rs) {
      d.expectations.delete(key);
      return;
    }
    const needsSync = d.expectations.satisfied(key);
    let selector;
    try {
      selector = selectorFromLabelSelector(rs.spec.selector);
    } catch (err) {
      // A selector the API accepted cannot be invalid; retrying would not fix it either.
      this.log.error(`ReplicaSet ${key} has an invalid selector`, err);
      return;
    }
    const ns = rs.metadata.namespace ?? '';
    const candidates = filterActivePods([...d.pods.byIndex(CONTROLLER_INDEX, rs.metadata.uid ?? ''), ...d.pods.byIndex(CONTROLLER_INDEX, orphanKey(ns))]);
    const ref = newControllerRef(rs, REPLICASET_API_VERSION, REPLICASET_KIND);
    const { claimed, errors } = await claimObjects(rs, selector, candidates, {
      canAdopt: async () => {
        const live = await d.getLive(ns, rs.metadata.name ?? '');
        if (!live || live.metadata.uid !== rs.metadata.uid) throw new Error(`original ReplicaSet ${key} is gone: got uid ${live?.metadata.uid ?? '<none>'}, wanted ${rs.metadata.uid}`);
        if (live.metadata.deletionTimestamp) throw new Error(`ReplicaSet ${key} has just been deleted at ${live.metadata.deletionTimestamp}`);
      },
      adopt: (pod) => d.podControl.patchPod(ns, pod.metadata.name ?? '', adoptPatch(ref, pod.metadata.uid ?? '')),
      release: (pod) => d.podControl.patchPod(ns, pod.metadata.name ?? '', releasePatch(rs.metadata.uid ?? '', pod.metadata.uid ?? '')),
    });
    if (errors.length) throw new Error(`Cannot claim pods for ReplicaSet ${key}: ${errors.map((e) => e.message).join('; ')}`, { cause: errors[0] });

    let manageErr: ManageReplicasError | undefined;
    let counted = claimed;
    if (needsSync && !rs.metadata.deletionTimestamp) {
      const deleted = new Set<Pod>();
      try {
        await this.manageReplicas(key, rs, claimed, deleted);
      } catch (err) {
        manageErr = err instanceof ManageReplicasError ? err : new ManageReplicasError('FailedCreate', err as Error);
      }
      // Deleted pods are gone (or terminating, which does not count either): reporting them
      // until their events arrive would let a Deployment scale old pods down twice.
      if (deleted.size) counted = claimed.filter((p) => !deleted.has(p));
    }

    const manageError: ManageError | undefined = manageErr && { reason: manageErr.reason, message: manageErr.message };
    const status = calculateStatus(rs, counted, manageError, d.clock.now());
    let written = rs;
    if (statusNeedsUpdate(rs, status)) {
      // The generation acted on, so that a retry against a newer object does not claim to have seen it.
      status.observedGeneration = rs.metadata.generation ?? 0;
      written = await d.updateStatus(rs, status);
    }
    const replicas = written.spec.replicas ?? 1;
    const minReady = written.spec.minReadySeconds ?? 0;
    const st = written.status ?? { replicas: 0 };
    if (!manageErr && minReady > 0 && (st.readyReplicas ?? 0) === replicas && (st.availableReplicas ?? 0) !== replicas) {
      // A last line of defence against clock skew: look again once minReadySeconds have passed.
      d.enqueueAfter(key, minReady * 1000);
    }
    if (manageErr) throw manageErr;
  }

  /** manageReplicas: one step towards spec.replicas; records into deleted the pods it deleted. */
  private async manageReplicas(key: string, rs: ReplicaSet, pods: Pod[], deleted: Set<Pod>): Promise<void> {
    const d = this.deps;
    const ns = rs.metadata.namespace ?? '';
    const diff = pods.length - (rs.spec.replicas ?? 1);
    if (diff < 0) {
      const n = Math.min(-diff, this.burst);
      const template = rs.spec.template;
      if (!template) throw new ManageReplicasError('FailedCreate', new Error(`ReplicaSet ${key} has no pod template`));
      // Expect before issuing: a watch event may arrive before the create call returns.
      d.expectations.expectCreations(key, n);
      this.log.v(2).info('too few replicas; creating', { replicaSet: key, need: rs.spec.replicas ?? 1, have: pods.length, creating: n });
      const ref = newControllerRef(rs, REPLICASET_API_VERSION, REPLICASET_KIND);
      const name = rs.metadata.name ?? '';
      const { successes, error } = await slowStartBatch(n, SLOW_START_INITIAL_BATCH_SIZE, async () => {
        try {
          const pod = await d.podControl.createPod(ns, podFromTemplate(template, name, ref));
          d.recorder.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`);
        } catch (err) {
          // A terminating namespace refuses every create; nothing to report or retry.
          if (hasNamespaceTerminatingCause(err)) return;
          d.recorder.event(rs, 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`);
          throw err;
        }
      });
      // Creates that failed or were never issued will never be observed.
      for (let i = successes; i < n; i++) d.expectations.creationObserved(key);
      if (error) throw new ManageReplicasError('FailedCreate', error);
      return;
    }
    if (diff > 0) {
      const n = Math.min(diff, this.burst);
      const victims = podsToDelete(pods, this.relatedPods(rs), n);
      d.expectations.expectDeletions(key, victims.map(podKey));
      this.log.v(2).info('too many replicas; deleting', { replicaSet: key, need: rs.spec.replicas ?? 1, have: pods.length, deleting: n });
      const results = await Promise.allSettled(
        victims.map(async (pod) => {
          const name = pod.metadata.name ?? '';
          try {
            await d.podControl.deletePod(ns, name);
            deleted.add(pod);
            d.recorder.event(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
          } catch (err) {
            // The delete will not be observed as one we issued: stop waiting for it.
            d.expectations.deletionObserved(key, podKey(pod));
            if (isNotFound(err)) {
              deleted.add(pod);
              return;
            }
            d.recorder.event(rs, 'Warning', 'FailedDelete', `Error deleting: ${(err as Error).message}`);
            throw err;
          }
        }),
      );
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw new ManageReplicasError('FailedDelete', failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason)));
    }
  }

  /**
   * getIndirectlyRelatedPods: the pods of every ReplicaSet with the same controller as rs (the
   * Deployment's old and new ReplicaSets), for spreading what survives a scale-down.
   */
  private relatedPods(rs: ReplicaSet): Pod[] {
    const owner = getControllerOf(rs);
    const siblings = owner ? this.deps.replicaSets.byIndex(CONTROLLER_INDEX, owner.uid) : [rs];
    const out: Pod[] = [];
    for (const s of siblings.length ? siblings : [rs]) out.push(...this.deps.pods.byIndex(CONTROLLER_INDEX, s.metadata.uid ?? ''));
    return out;
  }
}
