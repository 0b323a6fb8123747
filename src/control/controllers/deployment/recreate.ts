/**
 * The Recreate strategy, as Kubernetes' pkg/controller/deployment/recreate.go: scale every old
 * ReplicaSet to 0, wait until none of their pods is left running (not even terminating), and
 * only then create or scale up the new ReplicaSet, so old and new pods never run together.
 */
import type { Deployment, Pod, ReplicaSet } from '../../../api/types.js';
import { deploymentComplete } from './conditions.js';
import { replicasOf } from './fenceposts.js';
import type { DeploymentOperations } from './operations.js';
import { actualReplicas, filterActive, rsReplicas } from './replicasets.js';

/** Pods of each of the Deployment's ReplicaSets, by ReplicaSet UID (getPodMapForDeployment). */
export type PodMap = Map<string, Pod[]>;

/**
 * oldPodsRunning: an old ReplicaSet still reports pods, or a pod of one is in any phase but
 * Succeeded or Failed (Unknown counts: it may still run).
 */
export function oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[], podMap: PodMap): boolean {
  if (actualReplicas(oldRSs) > 0) return true;
  for (const [uid, pods] of podMap) {
    if (newRS && newRS.metadata.uid === uid) continue;
    for (const pod of pods) {
      const phase = pod.status?.phase;
      if (phase !== 'Succeeded' && phase !== 'Failed') return true;
    }
  }
  return false;
}

/** rolloutRecreate: one step of a Recreate rollout, then the rollout status. */
export async function rolloutRecreate(ops: DeploymentOperations, d: Deployment, rsList: ReplicaSet[], podMap: PodMap): Promise<void> {
  // Do not create the new ReplicaSet yet: nothing may scale up before the old pods are gone.
  let { newRS, oldRSs } = await ops.getAllReplicaSetsAndSyncRevision(d, rsList, false);
  let all = [...oldRSs, newRS];

  let scaledDown = false;
  for (const rs of filterActive(oldRSs)) {
    if ((await ops.scaleReplicaSetAndRecordEvent(rs, 0, d)).scaled) scaledDown = true;
  }
  if (scaledDown) return ops.syncRolloutStatus(all, newRS, d);
  if (oldPodsRunning(newRS, oldRSs, podMap)) return ops.syncRolloutStatus(all, newRS, d);

  if (!newRS) {
    ({ newRS, oldRSs } = await ops.getAllReplicaSetsAndSyncRevision(d, rsList, true));
    all = [...oldRSs, newRS];
  }
  if (newRS && rsReplicas(newRS) !== replicasOf(d)) await ops.scaleReplicaSetAndRecordEvent(newRS, replicasOf(d), d);
  if (d.status && deploymentComplete(d, d.status)) await ops.cleanupDeployment(oldRSs, d);
  return ops.syncRolloutStatus(all, newRS, d);
}
