/**
 * The ReplicaSet controller (Kubernetes pkg/controller/replicaset): keeps spec.replicas pods of
 * every ReplicaSet, with expectations, slow-start creates, Kubernetes' deletion ranking,
 * adoption and release, and the status subresource. controller.ts wires it to the shared
 * informers; sync.ts decides. The pod, owner, index and expectation helpers are shared with the
 * Deployment controller.
 */
export { newReplicaSetController, REPLICASET_CONTROLLER_NAME, type ReplicaSetControllerOptions } from './controller.js';
export { ReplicaSetSyncer, BURST_REPLICAS, type PodControl, type ReplicaSetSyncDeps } from './sync.js';
export { Expectations, EXPECTATIONS_TIMEOUT_MS } from './expectations.js';
export { CONTROLLER_INDEX, NAMESPACE_INDEX, ensureWorkloadIndexes, orphanKey, type Lister } from './indexes.js';
export { claimObjects, claimDecision, getControllerOf, isControlledBy, newControllerRef } from './owners.js';
export { filterActivePods, isPodActive, isPodAvailable, isPodReady, podFromTemplate } from './pods.js';
export { podsToDelete } from './ranking.js';
export { slowStartBatch } from './slow-start.js';
export { calculateStatus, statusNeedsUpdate } from './status.js';
