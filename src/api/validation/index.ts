/**
 * Validation of API objects as kube-apiserver validates them on create, update and status
 * writes, for the kinds and fields kubelab serves. Each function returns field errors (empty
 * when the object is valid); the caller turns them into a 422 Invalid Status with
 * errors.invalid. Validators expect defaults to have been applied (applyDefaults), as
 * Kubernetes defaults an object before validating it.
 */
import type { FieldError } from '../errors.js';
import type { ResourceInfo } from '../resources.js';
import type { KObject } from '../types.js';
import { validateDeployment, validateDeploymentStatusUpdate, validateReplicaSet, validateReplicaSetStatusUpdate } from './apps.js';
import { validateConfigMap, validateEndpoints, validateEvent, validateLease, validateNamespace, validateNamespaceStatusUpdate, validateNode, validateNodeStatusUpdate } from './core.js';
import { validateEndpointSlice } from './discovery.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { nameIsDNSSubdomain } from './common.js';
import { validatePod, validatePodStatusUpdate, validatePodUpdate } from './pod.js';
import { validateService } from './service.js';

/** Where a lab deliberately departs from Kubernetes' rules. */
export interface ValidationOptions {
  /**
   * Accept loopback addresses (127.0.0.0/8) in Endpoints and EndpointSlices. Kubernetes forbids
   * them; the local lab's process runtime gives every pod its own 127.x.y.z address, so its API
   * server allows them.
   */
  allowLoopbackEndpoints?: boolean;
}

type Validator = (obj: KObject, old: KObject | undefined, opts: ValidationOptions) => FieldError[];

const VALIDATORS: Record<string, Validator> = {
  Pod: (obj, old) => (old ? validatePodUpdate(obj, old) : validatePod(obj)),
  Deployment: validateDeployment,
  ReplicaSet: validateReplicaSet,
  Service: validateService,
  Node: validateNode,
  Namespace: validateNamespace,
  ConfigMap: validateConfigMap,
  Endpoints: (obj, old, opts) => validateEndpoints(obj, old, opts.allowLoopbackEndpoints ?? false),
  Event: validateEvent,
  Lease: validateLease,
  EndpointSlice: (obj, old, opts) => validateEndpointSlice(obj, old, opts.allowLoopbackEndpoints ?? false),
};

/** Kinds without rules of their own: metadata only. */
function metadataOnly(obj: KObject, r: ResourceInfo, old?: KObject): FieldError[] {
  return old ? validateObjectMetaUpdate(obj.metadata, old.metadata) : validateObjectMeta(obj.metadata, { namespaced: r.namespaced, nameFn: nameIsDNSSubdomain });
}

/**
 * Validates an object being created (old undefined) or updated (old is the stored object),
 * with Kubernetes' rules and messages: field paths such as "spec.template.spec.containers[0].image".
 */
export function validateObject(obj: KObject, r: ResourceInfo, old?: KObject, opts: ValidationOptions = {}): FieldError[] {
  const v = VALIDATORS[r.kind];
  return v ? v(obj, old, opts) : metadataOnly(obj, r, old);
}

const STATUS_VALIDATORS: Record<string, (obj: KObject, old: KObject) => FieldError[]> = {
  Pod: validatePodStatusUpdate,
  Deployment: validateDeploymentStatusUpdate,
  ReplicaSet: validateReplicaSetStatusUpdate,
  Node: validateNodeStatusUpdate,
  Namespace: validateNamespaceStatusUpdate,
};

/**
 * Validates a write to the status subresource: metadata update rules plus the kind's status
 * rules (pod phase and conditions, replica counters, node resources, namespace phase).
 */
export function validateStatusUpdate(obj: KObject, r: ResourceInfo, old: KObject): FieldError[] {
  const v = STATUS_VALIDATORS[r.kind];
  return v ? v(obj, old) : validateObjectMetaUpdate(obj.metadata, old.metadata);
}
