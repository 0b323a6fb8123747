/**
 * meta/v1 types shared by every kind: ObjectMeta, ListMeta, LabelSelector, Status, DeleteOptions,
 * WatchEvent. Field lists follow k8s.io/apimachinery/pkg/apis/meta/v1/types.go.
 */
import type { TypeSet } from '../dsl.js';

export const META: TypeSet = {
  package: 'meta',
  types: {
    Status: {
      apiVersion: 'string', code: 'integer', details: 'StatusDetails', kind: 'string', message: 'string',
      metadata: 'ListMeta', reason: 'string', status: 'string',
    },
    DeleteOptions: {
      apiVersion: 'string', dryRun: '[]string', gracePeriodSeconds: 'int64',
      ignoreStoreReadErrorWithClusterBreakingPotential: 'boolean', kind: 'string', orphanDependents: 'boolean',
      preconditions: 'Preconditions', propagationPolicy: 'string',
    },
    WatchEvent: {
      object: 'RawExtension', type: 'string',
    },
    ObjectMeta: {
      annotations: 'map[string]', creationTimestamp: 'Time', deletionGracePeriodSeconds: 'int64',
      deletionTimestamp: 'Time', finalizers: '[]string patch=merge list=set', generateName: 'string',
      generation: 'int64', labels: 'map[string]', managedFields: '[]ManagedFieldsEntry', name: 'string',
      namespace: 'string', ownerReferences: '[]OwnerReference patch=merge key=uid list=map(uid)',
      resourceVersion: 'string', selfLink: 'string', uid: 'string',
    },
    StatusDetails: {
      causes: '[]StatusCause', group: 'string', kind: 'string', name: 'string', retryAfterSeconds: 'integer',
      uid: 'string',
    },
    ListMeta: {
      continue: 'string', remainingItemCount: 'int64', resourceVersion: 'string', selfLink: 'string',
      shardInfo: 'ShardInfo',
    },
    Preconditions: {
      resourceVersion: 'string', uid: 'string',
    },
    ManagedFieldsEntry: {
      apiVersion: 'string', fieldsType: 'string', fieldsV1: 'FieldsV1', manager: 'string', operation: 'string',
      subresource: 'string', time: 'Time',
    },
    OwnerReference: {
      apiVersion: 'string', blockOwnerDeletion: 'boolean', controller: 'boolean', kind: 'string',
      name: 'string', uid: 'string',
    },
    Condition: {
      lastTransitionTime: 'Time', message: 'string', observedGeneration: 'int64', reason: 'string',
      status: 'string', type: 'string',
    },
    LabelSelector: {
      matchExpressions: '[]LabelSelectorRequirement', matchLabels: 'map[string]',
    },
    StatusCause: {
      field: 'string', message: 'string', reason: 'string',
    },
    ShardInfo: {
      selector: 'string',
    },
    LabelSelectorRequirement: {
      key: 'string', operator: 'string', values: '[]string',
    },
  },
};
