/**
 * Deployment conditions and the rollout predicates built on them, as Kubernetes' deployment
 * util defines them (NewDeploymentCondition, SetDeploymentCondition, DeploymentComplete,
 * DeploymentProgressing, DeploymentTimedOut), with the reasons kubectl and users look for.
 */
import type { Condition, Deployment, DeploymentStatus } from '../../../api/types.js';
import { parseTime, rfc3339 } from '../../../util/clock.js';
import { replicasOf } from './fenceposts.js';

export const PROGRESSING = 'Progressing';
export const AVAILABLE = 'Available';
export const REPLICA_FAILURE = 'ReplicaFailure';

// Progressing reasons.
export const REPLICASET_UPDATED_REASON = 'ReplicaSetUpdated';
export const FAILED_RS_CREATE_REASON = 'ReplicaSetCreateError';
export const NEW_REPLICASET_REASON = 'NewReplicaSetCreated';
export const FOUND_NEW_RS_REASON = 'FoundNewReplicaSet';
export const NEW_RS_AVAILABLE_REASON = 'NewReplicaSetAvailable';
export const TIMED_OUT_REASON = 'ProgressDeadlineExceeded';
export const PAUSED_DEPLOY_REASON = 'DeploymentPaused';
export const RESUMED_DEPLOY_REASON = 'DeploymentResumed';
// Available reasons.
export const MINIMUM_REPLICAS_AVAILABLE = 'MinimumReplicasAvailable';
export const MINIMUM_REPLICAS_UNAVAILABLE = 'MinimumReplicasUnavailable';

/** Go's math.MaxInt32: a progressDeadlineSeconds of it means "no deadline". */
const MAX_INT32 = 2147483647;

/** NewDeploymentCondition: both times now. */
export function newCondition(type: string, status: Condition['status'], reason: string, message: string, now: number): Condition {
  const t = rfc3339(now);
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

/** GetDeploymentCondition. */
export function getCondition(status: DeploymentStatus | undefined, type: string): Condition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/**
 * SetDeploymentCondition: nothing happens when a condition of that type already has the same
 * status and reason; otherwise it replaces it (moved to the end), keeping lastTransitionTime
 * when only the reason changed.
 */
export function setCondition(status: DeploymentStatus, cond: Condition): void {
  const cur = getCondition(status, cond.type);
  if (cur && cur.status === cond.status && cur.reason === cond.reason) return;
  const next = { ...cond };
  if (cur && cur.status === cond.status && cur.lastTransitionTime !== undefined) next.lastTransitionTime = cur.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== cond.type), next];
}

/** RemoveDeploymentCondition. */
export function removeCondition(status: DeploymentStatus, type: string): void {
  if (!status.conditions) return;
  status.conditions = status.conditions.filter((c) => c.type !== type);
  if (status.conditions.length === 0) delete status.conditions;
}

/** HasProgressDeadline: set, and not MaxInt32. */
export function hasProgressDeadline(d: Deployment): boolean {
  const s = d.spec.progressDeadlineSeconds;
  return s !== undefined && s !== null && s !== MAX_INT32;
}

/** HasRevisionHistoryLimit: set, and not MaxInt32. */
export function hasRevisionHistoryLimit(d: Deployment): boolean {
  const s = d.spec.revisionHistoryLimit;
  return s !== undefined && s !== null && s !== MAX_INT32;
}

/** DeploymentComplete: every desired replica updated and available, no old ones, generation observed. */
export function deploymentComplete(d: Deployment, st: DeploymentStatus): boolean {
  const replicas = replicasOf(d);
  return (st.updatedReplicas ?? 0) === replicas && (st.replicas ?? 0) === replicas && (st.availableReplicas ?? 0) === replicas && (st.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
}

/**
 * DeploymentProgressing: the new status shows progress over the Deployment's current one: more
 * updated, fewer old, more ready or more available replicas.
 */
export function deploymentProgressing(d: Deployment, next: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (next.replicas ?? 0) - (next.updatedReplicas ?? 0);
  return (
    (next.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (next.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (next.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

/**
 * DeploymentTimedOut: the Progressing condition of the new status was last updated more than
 * progressDeadlineSeconds before now (or already says ProgressDeadlineExceeded). A completed
 * rollout (NewReplicaSetAvailable) never times out.
 */
export function deploymentTimedOut(d: Deployment, next: DeploymentStatus, now: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const cond = getCondition(next, PROGRESSING);
  if (!cond) return false;
  if (cond.reason === NEW_RS_AVAILABLE_REASON) return false;
  if (cond.reason === TIMED_OUT_REASON) return true;
  // Go's zero time (no lastUpdateTime) is long past: timed out.
  const from = parseTime(cond.lastUpdateTime) ?? 0;
  return from + d.spec.progressDeadlineSeconds! * 1000 < now;
}
