/**
 * A ReplicaSet's status from its pods, as Kubernetes' replica_set_utils.go computes it
 * (calculateStatus, updateReplicaSetStatus): replicas, fullyLabeledReplicas, readyReplicas,
 * availableReplicas, and the ReplicaFailure condition while creates or deletes fail.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Condition, Pod, ReplicaSet, ReplicaSetStatus } from '../../../api/types.js';
import { rfc3339 } from '../../../util/clock.js';
import { isPodAvailable, isPodReady } from './pods.js';

export const REPLICA_FAILURE = 'ReplicaFailure';

/** What went wrong in manageReplicas, for the ReplicaFailure condition. */
export interface ManageError {
  /** "FailedCreate" or "FailedDelete". */
  reason: string;
  message: string;
}

function templateLabelsMatch(rs: ReplicaSet, pod: Pod): boolean {
  const want = rs.spec.template?.metadata?.labels ?? {};
  const have = pod.metadata.labels ?? {};
  for (const k in want) if (have[k] !== want[k]) return false;
  return true;
}

/**
 * calculateStatus: counts over the active pods the ReplicaSet owns. The ReplicaFailure
 * condition is added when manageReplicas failed and none is set, removed when it succeeded,
 * and otherwise kept as it is (so its lastTransitionTime stays that of the first failure).
 * observedGeneration is left as it was: updateReplicaSetStatus sets it when it writes.
 */
export function calculateStatus(rs: ReplicaSet, pods: readonly Pod[], manageError: ManageError | undefined, now: number): ReplicaSetStatus {
  const status: ReplicaSetStatus = structuredClone(rs.status ?? { replicas: 0 });
  const minReadySeconds = rs.spec.minReadySeconds ?? 0;
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const pod of pods) {
    if (templateLabelsMatch(rs, pod)) fullyLabeled++;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, minReadySeconds, now)) available++;
    }
  }
  const failure = status.conditions?.find((c) => c.type === REPLICA_FAILURE);
  if (manageError && !failure) {
    const cond: Condition = { type: REPLICA_FAILURE, status: 'True', lastTransitionTime: rfc3339(now), reason: manageError.reason, message: manageError.message };
    status.conditions = [...(status.conditions ?? []), cond];
  } else if (!manageError && failure) {
    status.conditions = status.conditions!.filter((c) => c.type !== REPLICA_FAILURE);
    if (status.conditions.length === 0) delete status.conditions;
  }
  status.replicas = pods.length;
  status.fullyLabeledReplicas = fullyLabeled;
  status.readyReplicas = ready;
  status.availableReplicas = available;
  return status;
}

/**
 * updateReplicaSetStatus' test: the status needs writing unless every counter and the
 * conditions are unchanged and the current generation has already been observed.
 */
export function statusNeedsUpdate(rs: ReplicaSet, next: ReplicaSetStatus): boolean {
  const cur = rs.status ?? { replicas: 0 };
  return (
    (cur.replicas ?? 0) !== next.replicas ||
    (cur.fullyLabeledReplicas ?? 0) !== (next.fullyLabeledReplicas ?? 0) ||
    (cur.readyReplicas ?? 0) !== (next.readyReplicas ?? 0) ||
    (cur.availableReplicas ?? 0) !== (next.availableReplicas ?? 0) ||
    (rs.metadata.generation ?? 0) !== (cur.observedGeneration ?? 0) ||
    !isDeepStrictEqual(cur.conditions ?? [], next.conditions ?? [])
  );
}
