/**
 * apps/v1 Deployment and ReplicaSet, autoscaling/v1 Scale (the scale subresource), policy/v1
 * Eviction (the eviction subresource) and coordination.k8s.io/v1 Lease. Field lists follow the
 * k8s.io/api types.go of each group.
 */
import type { TypeSet } from '../dsl.js';

export const APPS: TypeSet = {
  package: 'apps',
  types: {
    Deployment: {
      apiVersion: 'string', kind: 'string', metadata: 'meta.ObjectMeta', spec: 'DeploymentSpec',
      status: 'DeploymentStatus',
    },
    ReplicaSet: {
      apiVersion: 'string', kind: 'string', metadata: 'meta.ObjectMeta', spec: 'ReplicaSetSpec',
      status: 'ReplicaSetStatus',
    },
    DeploymentSpec: {
      minReadySeconds: 'integer', paused: 'boolean', progressDeadlineSeconds: 'integer', replicas: 'integer',
      revisionHistoryLimit: 'integer', selector: 'meta.LabelSelector',
      strategy: 'DeploymentStrategy patch=retainKeys', template: 'core.PodTemplateSpec',
    },
    DeploymentStatus: {
      availableReplicas: 'integer', collisionCount: 'integer',
      conditions: '[]DeploymentCondition patch=merge key=type', observedGeneration: 'int64',
      readyReplicas: 'integer', replicas: 'integer', terminatingReplicas: 'integer',
      unavailableReplicas: 'integer', updatedReplicas: 'integer',
    },
    ReplicaSetSpec: {
      minReadySeconds: 'integer', replicas: 'integer', selector: 'meta.LabelSelector',
      template: 'core.PodTemplateSpec',
    },
    ReplicaSetStatus: {
      availableReplicas: 'integer', conditions: '[]ReplicaSetCondition patch=merge key=type',
      fullyLabeledReplicas: 'integer', observedGeneration: 'int64', readyReplicas: 'integer',
      replicas: 'integer', terminatingReplicas: 'integer',
    },
    DeploymentStrategy: {
      rollingUpdate: 'RollingUpdateDeployment', type: 'string',
    },
    DeploymentCondition: {
      lastTransitionTime: 'Time', lastUpdateTime: 'Time', message: 'string', reason: 'string', status: 'string',
      type: 'string',
    },
    ReplicaSetCondition: {
      lastTransitionTime: 'Time', message: 'string', reason: 'string', status: 'string', type: 'string',
    },
    RollingUpdateDeployment: {
      maxSurge: 'IntOrString', maxUnavailable: 'IntOrString',
    },
  },
};

export const AUTOSCALING: TypeSet = {
  package: 'autoscaling',
  types: {
    Scale: {
      apiVersion: 'string', kind: 'string', metadata: 'meta.ObjectMeta', spec: 'ScaleSpec',
      status: 'ScaleStatus',
    },
    ScaleSpec: {
      replicas: 'integer',
    },
    ScaleStatus: {
      replicas: 'integer', selector: 'string',
    },
  },
};

export const POLICY: TypeSet = {
  package: 'policy',
  types: {
    Eviction: {
      apiVersion: 'string', deleteOptions: 'meta.DeleteOptions', kind: 'string', metadata: 'meta.ObjectMeta',
    },
  },
};

export const COORDINATION: TypeSet = {
  package: 'coordination',
  types: {
    Lease: {
      apiVersion: 'string', kind: 'string', metadata: 'meta.ObjectMeta', spec: 'LeaseSpec',
    },
    LeaseSpec: {
      acquireTime: 'MicroTime', holderIdentity: 'string', leaseDurationSeconds: 'integer',
      leaseTransitions: 'integer', preferredHolder: 'string', renewTime: 'MicroTime', strategy: 'string',
    },
  },
};
