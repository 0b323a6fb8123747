/**
 * The RollingUpdate strategy, as Kubernetes' pkg/controller/deployment/rolling.go: each sync
 * takes one step. Scale the new ReplicaSet up as far as maxSurge allows; if it could not grow,
 * scale old ReplicaSets down as far as maxUnavailable allows (unhealthy pods first); when
 * neither moves and the rollout is complete, clean up history. Both bounds hold at every step:
 * the ReplicaSets never ask for more than replicas + maxSurge pods, and never scale away pods
 * that would leave fewer than replicas - maxUnavailable available.
 */
import type { Deployment, ReplicaSet } from '../../../api/types.js';
import { deploymentComplete } from './conditions.js';
import { maxUnavailable, replicasOf } from './fenceposts.js';
import type { DeploymentOperations } from './operations.js';
import { byCreationTimestamp, filterActive, newRSNewReplicas, rsReplicas, specReplicas } from './replicasets.js';

/**
 * The pods of rs that can be counted on: status.availableReplicas, but never more than
 * spec.replicas. Deviation from Kubernetes (which reads the status as is): while a ReplicaSet
 * the controller just scaled down still reports its old availability, Kubernetes may scale it
 * down a second time and dip below minAvailable; capping by the size it was given closes that
 * window and changes nothing once the status has caught up.
 */
function availableOf(rs: ReplicaSet): number {
  return Math.min(rs.status?.availableReplicas ?? 0, rsReplicas(rs));
}

/** rolloutRolling: one step of the rollout, then the rollout status. */
export async function rolloutRolling(ops: DeploymentOperations, d: Deployment, rsList: ReplicaSet[]): Promise<void> {
  const { newRS, oldRSs } = await ops.getAllReplicaSetsAndSyncRevision(d, rsList, true);
  // With create set, a missing new ReplicaSet was created or the call threw.
  if (!newRS) return ops.syncRolloutStatus(oldRSs, newRS, d);
  const all = [...oldRSs, newRS];
  if (await reconcileNewReplicaSet(ops, all, newRS, d)) return ops.syncRolloutStatus(all, newRS, d);
  if (await reconcileOldReplicaSets(ops, all, filterActive(oldRSs), newRS, d)) return ops.syncRolloutStatus(all, newRS, d);
  if (d.status && deploymentComplete(d, d.status)) await ops.cleanupDeployment(oldRSs, d);
  return ops.syncRolloutStatus(all, newRS, d);
}

/** reconcileNewReplicaSet: grows (or, if above spec.replicas, shrinks) the new ReplicaSet; true if it scaled. */
export async function reconcileNewReplicaSet(ops: DeploymentOperations, allRSs: ReplicaSet[], newRS: ReplicaSet, d: Deployment): Promise<boolean> {
  const replicas = replicasOf(d);
  if (rsReplicas(newRS) === replicas) return false;
  if (rsReplicas(newRS) > replicas) return (await ops.scaleReplicaSetAndRecordEvent(newRS, replicas, d)).scaled;
  return (await ops.scaleReplicaSetAndRecordEvent(newRS, newRSNewReplicas(d, allRSs, newRS), d)).scaled;
}

/**
 * reconcileOldReplicaSets: shrinks old ReplicaSets by what availability allows:
 * maxScaledDown = all pods - minAvailable - new pods not yet available. Unhealthy old pods go
 * first (they cost no availability), then available ones, oldest ReplicaSet first. True if any
 * ReplicaSet was scaled.
 */
export async function reconcileOldReplicaSets(ops: DeploymentOperations, allRSs: ReplicaSet[], oldRSs: ReplicaSet[], newRS: ReplicaSet, d: Deployment): Promise<boolean> {
  if (specReplicas(oldRSs) === 0) return false;
  const minAvailable = replicasOf(d) - maxUnavailable(d);
  const newUnavailable = rsReplicas(newRS) - availableOf(newRS);
  const maxScaledDown = specReplicas(allRSs) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return false;
  const { oldRSs: cleaned, count: cleanedUp } = await cleanupUnhealthyReplicas(ops, oldRSs, d, maxScaledDown);
  const scaledDown = await scaleDownOldReplicaSetsForRollingUpdate(ops, [...cleaned, newRS], cleaned, d);
  return cleanedUp + scaledDown > 0;
}

/**
 * cleanupUnhealthyReplicas: scales old ReplicaSets down by their unavailable pods, oldest first,
 * at most maxCleanup in all. Returns the ReplicaSets as updated and how many pods went.
 */
export async function cleanupUnhealthyReplicas(ops: DeploymentOperations, oldRSs: ReplicaSet[], d: Deployment, maxCleanup: number): Promise<{ oldRSs: ReplicaSet[]; count: number }> {
  const sorted = [...oldRSs].sort(byCreationTimestamp);
  let total = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (total >= maxCleanup) break;
    const rs = sorted[i]!;
    const size = rsReplicas(rs);
    if (size === 0 || size === availableOf(rs)) continue;
    const down = Math.min(maxCleanup - total, size - availableOf(rs));
    const { rs: updated } = await ops.scaleReplicaSetAndRecordEvent(rs, size - down, d);
    total += down;
    sorted[i] = updated;
  }
  return { oldRSs: sorted, count: total };
}

/**
 * scaleDownOldReplicaSetsForRollingUpdate: scales old ReplicaSets down by the available pods
 * above minAvailable, oldest first. Returns how many pods went.
 */
export async function scaleDownOldReplicaSetsForRollingUpdate(ops: DeploymentOperations, allRSs: ReplicaSet[], oldRSs: ReplicaSet[], d: Deployment): Promise<number> {
  const minAvailable = replicasOf(d) - maxUnavailable(d);
  const available = allRSs.reduce((n, rs) => n + availableOf(rs), 0);
  if (available <= minAvailable) return 0;
  const toScaleDown = available - minAvailable;
  let total = 0;
  for (const rs of [...oldRSs].sort(byCreationTimestamp)) {
    if (total >= toScaleDown) break;
    const size = rsReplicas(rs);
    if (size === 0) continue;
    const down = Math.min(size, toScaleDown - total);
    await ops.scaleReplicaSetAndRecordEvent(rs, size - down, d);
    total += down;
  }
  return total;
}
