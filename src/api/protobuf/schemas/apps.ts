/**
 * apps/v1 Deployment and ReplicaSet, autoscaling/v1 Scale (the scale subresource), policy/v1
 * Eviction (the eviction subresource) and coordination.k8s.io/v1 Lease. Field numbers follow the
 * generated.proto of each group; * and ! follow their types.go (see ../dsl.ts).
 */
import type { MessageSet } from '../dsl.js';

export const APPS: MessageSet = {
  package: 'apps',
  messages: {
    Deployment: { 1: 'metadata meta.ObjectMeta', 2: 'spec DeploymentSpec', 3: 'status DeploymentStatus' },
    DeploymentSpec: {
      1: 'replicas *int32', 2: 'selector meta.LabelSelector', 3: 'template core.PodTemplateSpec', 4: 'strategy DeploymentStrategy',
      5: 'minReadySeconds int32', 6: 'revisionHistoryLimit *int32', 7: 'paused bool', 9: 'progressDeadlineSeconds *int32',
      10: 'podReplacementPolicy *string',
      // 8 (rollbackTo) exists only in extensions/v1beta1 and apps/v1beta1.
    },
    DeploymentStrategy: { 1: 'type string', 2: 'rollingUpdate RollingUpdateDeployment' },
    RollingUpdateDeployment: { 1: 'maxUnavailable IntOrString', 2: 'maxSurge IntOrString' },
    DeploymentStatus: {
      1: 'observedGeneration int64', 2: 'replicas int32', 3: 'updatedReplicas int32', 7: 'readyReplicas int32',
      4: 'availableReplicas int32', 5: 'unavailableReplicas int32', 9: 'terminatingReplicas *int32',
      6: 'conditions []DeploymentCondition', 8: 'collisionCount *int32',
    },
    DeploymentCondition: {
      1: 'type string!', 2: 'status string!', 6: 'lastUpdateTime Time', 7: 'lastTransitionTime Time', 4: 'reason string',
      5: 'message string',
    },
    ReplicaSet: { 1: 'metadata meta.ObjectMeta', 2: 'spec ReplicaSetSpec', 3: 'status ReplicaSetStatus' },
    ReplicaSetSpec: {
      1: 'replicas *int32', 4: 'minReadySeconds int32', 2: 'selector meta.LabelSelector', 3: 'template core.PodTemplateSpec',
    },
    ReplicaSetStatus: {
      1: 'replicas int32!', 2: 'fullyLabeledReplicas int32', 4: 'readyReplicas int32', 5: 'availableReplicas int32',
      7: 'terminatingReplicas *int32', 3: 'observedGeneration int64', 6: 'conditions []ReplicaSetCondition',
    },
    ReplicaSetCondition: {
      1: 'type string!', 2: 'status string!', 3: 'lastTransitionTime Time', 4: 'reason string', 5: 'message string',
    },
  },
};

export const AUTOSCALING: MessageSet = {
  package: 'autoscaling',
  messages: {
    Scale: { 1: 'metadata meta.ObjectMeta', 2: 'spec ScaleSpec', 3: 'status ScaleStatus' },
    ScaleSpec: { 1: 'replicas int32' },
    ScaleStatus: { 1: 'replicas int32!', 2: 'selector string' },
  },
};

export const POLICY: MessageSet = {
  package: 'policy',
  messages: {
    Eviction: { 1: 'metadata meta.ObjectMeta', 2: 'deleteOptions meta.DeleteOptions' },
  },
};

export const COORDINATION: MessageSet = {
  package: 'coordination',
  messages: {
    Lease: { 1: 'metadata meta.ObjectMeta', 2: 'spec LeaseSpec' },
    LeaseSpec: {
      1: 'holderIdentity *string', 2: 'leaseDurationSeconds *int32', 3: 'acquireTime MicroTime', 4: 'renewTime MicroTime',
      5: 'leaseTransitions *int32', 6: 'strategy *string', 7: 'preferredHolder *string',
    },
  },
};
