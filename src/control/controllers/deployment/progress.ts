/**
 * A Deployment's status from its ReplicaSets, and the Progressing condition of a rollout, as
 * Kubernetes' sync.go (calculateStatus) and progress.go (syncRolloutStatus,
 * requeueStuckDeployment) compute them. Pure: the clock's now is a parameter.
 *
 * Progressing is the rollout's clock: NewReplicaSetCreated / FoundNewReplicaSet when the new
 * ReplicaSet appears, ReplicaSetUpdated (lastUpdateTime refreshed) whenever the rollout moves,
 * NewReplicaSetAvailable when it is complete, and ProgressDeadlineExceeded (status False) once
 * progressDeadlineSeconds pass without any movement.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Condition, Deployment, DeploymentStatus, ReplicaSet } from '../../../api/types.js';
import { parseTime } from '../../../util/clock.js';
import {
  AVAILABLE,
  MINIMUM_REPLICAS_AVAILABLE,
  MINIMUM_REPLICAS_UNAVAILABLE,
  NEW_RS_AVAILABLE_REASON,
  PROGRESSING,
  REPLICA_FAILURE,
  REPLICASET_UPDATED_REASON,
  TIMED_OUT_REASON,
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  getCondition,
  hasProgressDeadline,
  newCondition,
  removeCondition,
  setCondition,
} from './conditions.js';
import { maxUnavailable, replicasOf } from './fenceposts.js';
import { actualReplicas, availableReplicas, readyReplicas, specReplicas } from './replicasets.js';

/** calculateStatus: counters from the ReplicaSets, the Available condition, other conditions kept. */
export function calculateStatus(allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined, d: Deployment, now: number): DeploymentStatus {
  const available = availableReplicas(allRSs);
  const total = specReplicas(allRSs);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata.generation ?? 0,
    replicas: actualReplicas(allRSs),
    updatedReplicas: actualReplicas([newRS]),
    readyReplicas: readyReplicas(allRSs),
    availableReplicas: available,
    // More available than desired (while scaling down) is not negative unavailability.
    unavailableReplicas: Math.max(0, total - available),
  };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  if (d.status?.conditions?.length) status.conditions = d.status.conditions.map((c) => ({ ...c }));
  if (available >= replicasOf(d) - maxUnavailable(d)) {
    setCondition(status, newCondition(AVAILABLE, 'True', MINIMUM_REPLICAS_AVAILABLE, 'Deployment has minimum availability.', now));
  } else {
    setCondition(status, newCondition(AVAILABLE, 'False', MINIMUM_REPLICAS_UNAVAILABLE, 'Deployment does not have minimum availability.', now));
  }
  return status;
}

/** ReplicaSetToDeploymentCondition. */
function fromReplicaSetCondition(c: Condition): Condition {
  return { type: c.type, status: c.status, lastUpdateTime: c.lastTransitionTime, lastTransitionTime: c.lastTransitionTime, reason: c.reason ?? '', message: c.message ?? '' };
}

/** getReplicaFailures: the new ReplicaSet's ReplicaFailure conditions, else those of the others. */
function replicaFailures(allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): Condition[] {
  const of = (rs: ReplicaSet | undefined) => (rs?.status?.conditions ?? []).filter((c) => c.type === REPLICA_FAILURE).map(fromReplicaSetCondition);
  const fromNew = of(newRS);
  if (fromNew.length) return fromNew;
  return allRSs.flatMap(of);
}

/**
 * syncRolloutStatus' new status: calculateStatus plus Progressing (when the Deployment has a
 * progress deadline and its rollout is not already complete) and ReplicaFailure.
 */
export function rolloutStatus(allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined, d: Deployment, now: number): DeploymentStatus {
  const status = calculateStatus(allRSs, newRS, d, now);
  if (!hasProgressDeadline(d)) removeCondition(status, PROGRESSING);
  const current = getCondition(d.status, PROGRESSING);
  const isCompleteDeployment = status.replicas === status.updatedReplicas && current?.reason === NEW_RS_AVAILABLE_REASON;
  if (hasProgressDeadline(d) && !isCompleteDeployment) {
    const name = d.metadata.name ?? '';
    if (deploymentComplete(d, status)) {
      const msg = newRS ? `ReplicaSet "${newRS.metadata.name}" has successfully progressed.` : `Deployment "${name}" has successfully progressed.`;
      setCondition(status, newCondition(PROGRESSING, 'True', NEW_RS_AVAILABLE_REASON, msg, now));
    } else if (deploymentProgressing(d, status)) {
      const msg = newRS ? `ReplicaSet "${newRS.metadata.name}" is progressing.` : `Deployment "${name}" is progressing.`;
      const cond = newCondition(PROGRESSING, 'True', REPLICASET_UPDATED_REASON, msg, now);
      // Progress refreshes lastUpdateTime even with the same reason (SetDeploymentCondition
      // would keep the old condition), and keeps lastTransitionTime while it stays True.
      if (current) {
        if (current.status === 'True' && current.lastTransitionTime !== undefined) cond.lastTransitionTime = current.lastTransitionTime;
        removeCondition(status, PROGRESSING);
      }
      setCondition(status, cond);
    } else if (deploymentTimedOut(d, status, now)) {
      const msg = newRS ? `ReplicaSet "${newRS.metadata.name}" has timed out progressing.` : `Deployment "${name}" has timed out progressing.`;
      setCondition(status, newCondition(PROGRESSING, 'False', TIMED_OUT_REASON, msg, now));
    }
  }
  const failures = replicaFailures(allRSs, newRS);
  if (failures.length) setCondition(status, failures[0]!);
  else removeCondition(status, REPLICA_FAILURE);
  return status;
}

const COUNTERS = ['observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas'] as const;

/** The status as the API stores it (zero counters omitted), for comparing with a computed one. */
function normalized(s: DeploymentStatus | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of COUNTERS) out[k] = s?.[k] ?? 0;
  if (s?.collisionCount !== undefined && s.collisionCount !== null) out.collisionCount = s.collisionCount;
  out.conditions = (s?.conditions ?? []).map((c) => Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined && v !== '')));
  return out;
}

/** reflect.DeepEqual of two statuses, with the API's omitted zero values read as zeros. */
export function statusEqual(a: DeploymentStatus | undefined, b: DeploymentStatus | undefined): boolean {
  return isDeepStrictEqual(normalized(a), normalized(b));
}

/**
 * requeueStuckDeployment's delay: -1 for no progress check (no deadline, no Progressing
 * condition, complete or already timed out), else the ms until the deadline passes measured
 * from the condition's lastUpdateTime; 0 when less than a second remains.
 */
export function progressCheckDelay(d: Deployment, next: DeploymentStatus, now: number): number {
  const current = getCondition(d.status, PROGRESSING);
  if (!hasProgressDeadline(d) || !current) return -1;
  if (deploymentComplete(d, next) || current.reason === TIMED_OUT_REASON) return -1;
  const after = (parseTime(current.lastUpdateTime) ?? 0) + d.spec.progressDeadlineSeconds! * 1000 - now;
  return after < 1000 ? 0 : after;
}
