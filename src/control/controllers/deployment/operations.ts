/**
 * The steps every Deployment sync is made of, as Kubernetes' pkg/controller/deployment/sync.go
 * has them: find or create the new ReplicaSet and keep revisions in order
 * (getAllReplicaSetsAndSyncRevision, getNewReplicaSet), scale ReplicaSets with the annotations
 * and events that go with it (scale, scaleReplicaSet), delete history beyond
 * revisionHistoryLimit (cleanupDeployment) and write the status (syncDeploymentStatus,
 * syncRolloutStatus). Writes go through DeploymentControl, so tests use a fake.
 */
import type { Deployment, LabelSelector, Pod, ReplicaSet } from '../../../api/types.js';
import { isAlreadyExists, isNotFound } from '../../../client/errors.js';
import type { EventRecorder } from '../../../client/events.js';
import { keyOf } from '../../../client/store.js';
import type { Clock } from '../../../util/clock.js';
import { nullLogger, type Logger } from '../../../util/log.js';
import { hasNamespaceTerminatingCause } from '../replicaset/errors.js';
import type { Lister } from '../replicaset/indexes.js';
import { getControllerOf, newControllerRef } from '../replicaset/owners.js';
import { REVISION_ANNOTATION, maxRevision, replicasAnnotationsNeedUpdate, setDeploymentRevision, setNewReplicaSetAnnotations, setReplicasAnnotations } from './annotations.js';
import {
  FAILED_RS_CREATE_REASON,
  FOUND_NEW_RS_REASON,
  NEW_REPLICASET_REASON,
  PAUSED_DEPLOY_REASON,
  PROGRESSING,
  RESUMED_DEPLOY_REASON,
  TIMED_OUT_REASON,
  getCondition,
  hasProgressDeadline,
  hasRevisionHistoryLimit,
  newCondition,
  setCondition,
} from './conditions.js';
import { isRollingUpdate, maxSurge, replicasOf } from './fenceposts.js';
import { POD_TEMPLATE_HASH_LABEL, computeHash } from './hash.js';
import { calculateStatus, progressCheckDelay, rolloutStatus, statusEqual } from './progress.js';
import {
  byRevision,
  bySizeNewer,
  bySizeOlder,
  equalIgnoreHash,
  filterActive,
  findActiveOrLatest,
  findNewReplicaSet,
  findOldReplicaSets,
  getProportion,
  isSaturated,
  isScalingEvent,
  newRSNewReplicas,
  rsReplicas,
  specReplicas,
} from './replicasets.js';

export const DEPLOYMENT_API_VERSION = 'apps/v1';
export const DEPLOYMENT_KIND = 'Deployment';

/** The writes of the Deployment controller. */
export interface DeploymentControl {
  /** Creates rs; rejects with AlreadyExists when the name is taken. */
  createReplicaSet(namespace: string, rs: ReplicaSet): Promise<ReplicaSet>;
  /** Replaces rs (optimistic: Conflict when its resourceVersion is stale); resolves with it as stored. */
  updateReplicaSet(rs: ReplicaSet): Promise<ReplicaSet>;
  /** Deletes a ReplicaSet; NotFound when already gone. */
  deleteReplicaSet(namespace: string, name: string): Promise<void>;
  /** Strategic merge patch of a ReplicaSet (ownerReferences for adoption and release). */
  patchReplicaSet(namespace: string, name: string, patch: unknown): Promise<void>;
  /**
   * Writes d's status and its revision annotation (Kubernetes' UpdateStatus persists
   * annotations too); resolves with the Deployment as stored.
   */
  updateDeploymentStatus(d: Deployment): Promise<Deployment>;
  /** The Deployment as the API server has it now, undefined when it is gone. */
  getDeployment(namespace: string, name: string): Promise<Deployment | undefined>;
}

/** Everything a Deployment sync reads and writes. */
export interface DeploymentSyncDeps {
  deployments: Lister<Deployment>;
  /** ReplicaSets indexed by CONTROLLER_INDEX. */
  replicaSets: Lister<ReplicaSet>;
  /** Pods indexed by CONTROLLER_INDEX. */
  pods: Lister<Pod>;
  control: DeploymentControl;
  recorder: Pick<EventRecorder, 'event'>;
  clock: Clock;
  /** Syncs key again after ms. */
  enqueueAfter(key: string, ms: number): void;
  /** Syncs key again after its rate-limited backoff. */
  enqueueRateLimited(key: string): void;
  log?: Logger;
}

/** The new ReplicaSet (if any) and all the others. */
export interface ReplicaSetsOfDeployment {
  newRS: ReplicaSet | undefined;
  oldRSs: ReplicaSet[];
}

function cloneSelectorAndAddLabel(sel: LabelSelector, key: string, value: string): LabelSelector {
  const out = structuredClone(sel);
  out.matchLabels = { ...(out.matchLabels ?? {}), [key]: value };
  return out;
}

/** The sync steps, over a working copy of one Deployment. */
export class DeploymentOperations {
  readonly log: Logger;

  constructor(readonly deps: DeploymentSyncDeps) {
    this.log = deps.log ?? nullLogger;
  }

  now(): number {
    return this.deps.clock.now();
  }

  /** Writes d's status; keeps d's resourceVersion current so later writes of this sync do not conflict. */
  async writeStatus(d: Deployment): Promise<void> {
    const written = await this.deps.control.updateDeploymentStatus(d);
    if (written.metadata.resourceVersion) d.metadata.resourceVersion = written.metadata.resourceVersion;
  }

  /**
   * getAllReplicaSetsAndSyncRevision: the new ReplicaSet (created when create and missing) and
   * the old ones, with the new one's revision raised above every old one.
   */
  async getAllReplicaSetsAndSyncRevision(d: Deployment, rsList: ReplicaSet[], create: boolean): Promise<ReplicaSetsOfDeployment> {
    const oldRSs = findOldReplicaSets(d, rsList);
    const newRS = await this.getNewReplicaSet(d, rsList, oldRSs, create);
    return { newRS, oldRSs };
  }

  /**
   * getNewReplicaSet: the ReplicaSet whose template is the Deployment's. An existing one gets the
   * Deployment's annotations, the next revision when it is behind (a rollback) and
   * minReadySeconds; the Deployment gets its revision. A missing one is created (when create)
   * as "<deployment>-<hash>", with the hash in its selector, labels and template, and sized by
   * newRSNewReplicas. A name taken by another template is a hash collision: collisionCount goes
   * up and the next sync hashes differently.
   */
  async getNewReplicaSet(d: Deployment, rsList: ReplicaSet[], oldRSs: readonly ReplicaSet[], create: boolean): Promise<ReplicaSet | undefined> {
    const { control } = this.deps;
    const existing = findNewReplicaSet(d, rsList);
    const newRevision = String(maxRevision(oldRSs) + 1);
    const ns = d.metadata.namespace ?? '';

    if (existing) {
      const copy = structuredClone(existing);
      const annotationsUpdated = setNewReplicaSetAnnotations(d, copy, newRevision, true);
      const minReady = d.spec.minReadySeconds ?? 0;
      if (annotationsUpdated || (copy.spec.minReadySeconds ?? 0) !== minReady) {
        copy.spec.minReadySeconds = minReady;
        const updated = await control.updateReplicaSet(copy);
        // Later steps of this sync read rsList again; let them see what was just written.
        const i = rsList.indexOf(existing);
        if (i >= 0) rsList[i] = updated;
        return updated;
      }
      // The revision the ReplicaSet carries is the reliable one: the Deployment's write may have failed.
      let needsUpdate = setDeploymentRevision(d, copy.metadata.annotations?.[REVISION_ANNOTATION] ?? '');
      if (hasProgressDeadline(d) && !getCondition(d.status, PROGRESSING)) {
        setCondition((d.status ??= {}), newCondition(PROGRESSING, 'True', FOUND_NEW_RS_REASON, `Found new replica set "${copy.metadata.name}"`, this.now()));
        needsUpdate = true;
      }
      if (needsUpdate) await this.writeStatus(d);
      return copy;
    }
    if (!create) return undefined;

    const template = structuredClone(d.spec.template);
    const hash = computeHash(template, d.status?.collisionCount);
    template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash } };
    const newRS: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        // Deterministic, so that a retried create cannot make a second one.
        name: `${d.metadata.name}-${hash}`,
        namespace: ns,
        ownerReferences: [newControllerRef(d, DEPLOYMENT_API_VERSION, DEPLOYMENT_KIND)],
        labels: { ...template.metadata.labels },
      },
      spec: { replicas: 0, minReadySeconds: d.spec.minReadySeconds ?? 0, selector: cloneSelectorAndAddLabel(d.spec.selector, POD_TEMPLATE_HASH_LABEL, hash), template },
    };
    const newReplicas = newRSNewReplicas(d, [...oldRSs, newRS], newRS);
    newRS.spec.replicas = newReplicas;
    setNewReplicaSetAnnotations(d, newRS, newRevision, false);

    let created: ReplicaSet;
    let alreadyExists = false;
    try {
      created = await control.createReplicaSet(ns, newRS);
    } catch (err) {
      if (isAlreadyExists(err)) {
        alreadyExists = true;
        const rs = this.deps.replicaSets.get(keyOf(newRS));
        if (!rs) throw err; // not in the cache yet: the next sync will see it
        const ref = getControllerOf(rs);
        if (ref?.uid === d.metadata.uid && equalIgnoreHash(d.spec.template, rs.spec.template)) {
          created = rs;
        } else {
          const before = d.status?.collisionCount ?? 0;
          (d.status ??= {}).collisionCount = before + 1;
          try {
            await this.writeStatus(d);
            this.log.v(2).info('hash collision; bumping collisionCount', { deployment: keyOf(d), oldCollisionCount: before, newCollisionCount: before + 1 });
          } catch {
            // The collision is reported by the error below; the count is written on a retry.
          }
          throw err;
        }
      } else if (hasNamespaceTerminatingCause(err)) {
        throw err;
      } else {
        const msg = `Failed to create new replica set "${newRS.metadata.name}": ${(err as Error).message}`;
        if (hasProgressDeadline(d)) {
          setCondition((d.status ??= {}), newCondition(PROGRESSING, 'False', FAILED_RS_CREATE_REASON, msg, this.now()));
          // The create failure is the bigger problem to report; a failed status write adds nothing.
          await this.writeStatus(d).catch(() => undefined);
        }
        this.deps.recorder.event(d, 'Warning', FAILED_RS_CREATE_REASON, msg);
        throw err;
      }
    }
    if (!alreadyExists && newReplicas > 0) {
      this.deps.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata.name} from 0 to ${newReplicas}`);
    }
    let needsUpdate = setDeploymentRevision(d, newRevision);
    if (!alreadyExists && hasProgressDeadline(d)) {
      setCondition((d.status ??= {}), newCondition(PROGRESSING, 'True', NEW_REPLICASET_REASON, `Created new replica set "${created.metadata.name}"`, this.now()));
      needsUpdate = true;
    }
    if (needsUpdate) await this.writeStatus(d);
    return created;
  }

  /**
   * scale: brings the ReplicaSets to spec.replicas outside a rollout step (a scaling event, a
   * paused Deployment). One active ReplicaSet (or none: the newest) takes it all; a saturated
   * new one leaves the old ones at 0; otherwise, for RollingUpdate, the difference to
   * replicas + maxSurge is spread over the active ReplicaSets in proportion to their sizes,
   * larger first (newer first up, older first down), leftovers to the first.
   */
  async scale(d: Deployment, newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): Promise<void> {
    const replicas = replicasOf(d);
    const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
    if (activeOrLatest) {
      if (rsReplicas(activeOrLatest) === replicas) return;
      await this.scaleReplicaSetAndRecordEvent(activeOrLatest, replicas, d);
      return;
    }
    if (isSaturated(d, newRS)) {
      for (const old of filterActive(oldRSs)) await this.scaleReplicaSetAndRecordEvent(old, 0, d);
      return;
    }
    if (!isRollingUpdate(d)) return;
    const all = filterActive([...oldRSs, newRS]);
    const allowed = replicas > 0 ? replicas + maxSurge(d) : 0;
    const toAdd = allowed - specReplicas(all);
    let operation = '';
    if (toAdd > 0) {
      all.sort(bySizeNewer);
      operation = 'up';
    } else if (toAdd < 0) {
      all.sort(bySizeOlder);
      operation = 'down';
    }
    let added = 0;
    const sizes = all.map((rs) => {
      if (toAdd === 0) return rsReplicas(rs);
      const p = getProportion(rs, d, toAdd, added);
      added += p;
      return rsReplicas(rs) + p;
    });
    if (toAdd !== 0 && sizes.length) sizes[0] = Math.max(0, sizes[0]! + toAdd - added);
    for (let i = 0; i < all.length; i++) await this.scaleReplicaSet(all[i]!, sizes[i]!, d, operation);
  }

  /** scaleReplicaSetAndRecordEvent: scales rs to newScale unless it has that size already. */
  async scaleReplicaSetAndRecordEvent(rs: ReplicaSet, newScale: number, d: Deployment): Promise<{ scaled: boolean; rs: ReplicaSet }> {
    if (rsReplicas(rs) === newScale) return { scaled: false, rs };
    return this.scaleReplicaSet(rs, newScale, d, rsReplicas(rs) < newScale ? 'up' : 'down');
  }

  /**
   * scaleReplicaSet: writes the size and the replicas annotations when either changed; a size
   * change is announced as "Scaled up replica set web-7d4b9c to 3 from 0".
   */
  async scaleReplicaSet(rs: ReplicaSet, newScale: number, d: Deployment, operation: string): Promise<{ scaled: boolean; rs: ReplicaSet }> {
    const replicas = replicasOf(d);
    const max = replicas + maxSurge(d);
    const sizeChanged = rsReplicas(rs) !== newScale;
    if (!sizeChanged && !replicasAnnotationsNeedUpdate(rs, replicas, max)) return { scaled: false, rs };
    const oldScale = rsReplicas(rs);
    const copy = structuredClone(rs);
    copy.spec.replicas = newScale;
    setReplicasAnnotations(copy, replicas, max);
    const updated = await this.deps.control.updateReplicaSet(copy);
    if (sizeChanged) this.deps.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled ${operation} replica set ${rs.metadata.name} to ${newScale} from ${oldScale}`);
    return { scaled: sizeChanged, rs: updated };
  }

  /**
   * cleanupDeployment: deletes the lowest revisions beyond revisionHistoryLimit, but only
   * ReplicaSets that are at 0 (spec and status), fully observed and not being deleted already.
   */
  async cleanupDeployment(oldRSs: readonly ReplicaSet[], d: Deployment): Promise<void> {
    if (!hasRevisionHistoryLimit(d)) return;
    const cleanable = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
    const diff = cleanable.length - d.spec.revisionHistoryLimit!;
    if (diff <= 0) return;
    cleanable.sort(byRevision);
    for (const rs of cleanable.slice(0, diff)) {
      if ((rs.status?.replicas ?? 0) !== 0 || rsReplicas(rs) !== 0 || (rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0) || rs.metadata.deletionTimestamp) continue;
      this.log.v(4).info('cleaning up old replica set', { replicaSet: keyOf(rs), deployment: keyOf(d) });
      try {
        await this.deps.control.deleteReplicaSet(rs.metadata.namespace ?? '', rs.metadata.name ?? '');
      } catch (err) {
        // One failure ends the round rather than pressing on against a struggling API server.
        if (!isNotFound(err)) throw err;
      }
    }
  }

  /** syncDeploymentStatus: writes calculateStatus when it differs. */
  async syncDeploymentStatus(allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined, d: Deployment): Promise<void> {
    const next = calculateStatus(allRSs, newRS, d, this.now());
    if (statusEqual(d.status, next)) return;
    d.status = next;
    await this.writeStatus(d);
  }

  /**
   * syncRolloutStatus: writes the rollout status (with Progressing) when it differs; when it
   * does not, schedules the check that will notice the progress deadline passing.
   */
  async syncRolloutStatus(allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined, d: Deployment): Promise<void> {
    const now = this.now();
    const next = rolloutStatus(allRSs, newRS, d, now);
    if (statusEqual(d.status, next)) {
      const delay = progressCheckDelay(d, next, now);
      // Under a second left: check now, rate-limited; else a second after the deadline, to be past it.
      if (delay === 0) this.deps.enqueueRateLimited(keyOf(d));
      else if (delay > 0) this.deps.enqueueAfter(keyOf(d), delay + 1000);
      return;
    }
    d.status = next;
    await this.writeStatus(d);
  }

  /** sync: scaling events and paused Deployments: scale, clean up when paused, write status. */
  async sync(d: Deployment, rsList: ReplicaSet[]): Promise<void> {
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(d, rsList, false);
    await this.scale(d, newRS, oldRSs);
    if (d.spec.paused) await this.cleanupDeployment(oldRSs, d);
    await this.syncDeploymentStatus([...oldRSs, newRS], newRS, d);
  }

  /** syncStatusOnly: for a Deployment being deleted. */
  async syncStatusOnly(d: Deployment, rsList: ReplicaSet[]): Promise<void> {
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(d, rsList, false);
    await this.syncDeploymentStatus([...oldRSs, newRS], newRS, d);
  }

  /**
   * checkPausedConditions: Progressing becomes DeploymentPaused (Unknown) on pause and
   * DeploymentResumed on resume, so that time spent paused never counts against the progress
   * deadline; a ProgressDeadlineExceeded is kept.
   */
  async checkPausedConditions(d: Deployment): Promise<void> {
    if (!hasProgressDeadline(d)) return;
    const cond = getCondition(d.status, PROGRESSING);
    if (cond?.reason === TIMED_OUT_REASON) return;
    const pausedCond = cond?.reason === PAUSED_DEPLOY_REASON;
    if (d.spec.paused && !pausedCond) {
      setCondition((d.status ??= {}), newCondition(PROGRESSING, 'Unknown', PAUSED_DEPLOY_REASON, 'Deployment is paused', this.now()));
    } else if (!d.spec.paused && pausedCond) {
      setCondition((d.status ??= {}), newCondition(PROGRESSING, 'Unknown', RESUMED_DEPLOY_REASON, 'Deployment is resumed', this.now()));
    } else {
      return;
    }
    await this.writeStatus(d);
  }

  /** isScalingEvent: an active ReplicaSet was sized for another spec.replicas. */
  async isScalingEvent(d: Deployment, rsList: ReplicaSet[]): Promise<boolean> {
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(d, rsList, false);
    return isScalingEvent(d, [...oldRSs, newRS]);
  }
}
