/**
 * Validation of the smaller kinds: Node, Namespace, ConfigMap, Endpoints and Event from
 * pkg/apis/core/validation, and Lease from pkg/apis/coordination/validation.
 */
import { fieldError, type FieldError } from '../errors.js';
import type { KObject } from '../types.js';
import {
  asObj,
  child,
  dns1123Label,
  index,
  int,
  key,
  nameIsDNSLabel,
  nameIsDNSSubdomain,
  objs,
  present,
  qualifiedName,
  semanticEqual,
  str,
  tooLong,
  type Obj,
} from './common.js';
import { protocol, resourceQuantity } from './container.js';
import { kubeFinalizerName, validateObjectMeta, validateObjectMetaUpdate, type MetaOptions } from './meta.js';
import { taintEffect, validateConditions } from './pod.js';
import { endpointIP } from './service.js';
import { isConfigMapKey, isDNS1123Subdomain, isQualifiedName, isValidIP, isValidLabelValue, isValidPortNum, INVALID_IP_MESSAGE } from './strings.js';

/** Create, or update when old is given: the metadata half of every validator here. */
function meta(obj: KObject, old: KObject | undefined, opts: MetaOptions): FieldError[] {
  return old ? validateObjectMetaUpdate(obj.metadata, old.metadata) : validateObjectMeta(obj.metadata, opts);
}

const NAMESPACED: MetaOptions = { namespaced: true, nameFn: nameIsDNSSubdomain };
const CLUSTER_SCOPED: MetaOptions = { namespaced: false, nameFn: nameIsDNSSubdomain };

// ---- Node

/** validateNodeTaints: Kubernetes reports them under metadata.taints. */
function validateTaints(taints: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  objs(taints).forEach((t, i) => {
    const ip = index(path, i);
    errs.push(...isQualifiedName(str(t.key)).map((m) => fieldError.invalid(child(ip, 'key'), str(t.key), m)));
    const msgs = isValidLabelValue(str(t.value));
    if (msgs.length) errs.push(fieldError.invalid(child(ip, 'value'), str(t.value), msgs.join(';')));
    errs.push(...taintEffect(t.effect, child(ip, 'effect'), { allowEmpty: false }));
    const id = `${str(t.effect)}\u0000${str(t.key)}`;
    if (seen.has(id)) errs.push({ ...fieldError.duplicate(ip, t), detail: 'taints must be unique by key and effect pair' });
    else seen.add(id);
  });
  return errs;
}

/** ValidateNodeResources: capacity and allocatable hold valid, non-negative quantities. */
function nodeResources(status: Obj): FieldError[] {
  const errs: FieldError[] = [];
  for (const list of ['capacity', 'allocatable']) {
    for (const [name, q] of Object.entries(asObj(status[list]))) errs.push(...resourceQuantity(name, q, `status.${list}.${name}`));
  }
  return errs;
}

/** ValidateNode, or ValidateNodeUpdate: podCIDRs and providerID only go from unset to set. */
export function validateNode(obj: KObject, old?: KObject): FieldError[] {
  const errs = meta(obj, old, CLUSTER_SCOPED);
  const spec = asObj(obj.spec);
  const status = asObj(obj.status);
  if (Array.isArray(spec.taints) && spec.taints.length > 0) errs.push(...validateTaints(spec.taints, 'metadata.taints'));
  errs.push(...nodeResources(status));
  (Array.isArray(spec.podCIDRs) ? spec.podCIDRs.map(str) : []).forEach((cidr, i) => {
    const [ip, bits, ...rest] = cidr.split('/');
    const max = isValidIP(ip ?? '') ? (ip!.includes(':') ? 128 : 32) : -1;
    if (rest.length || max < 0 || !/^\d+$/.test(bits ?? '') || Number(bits) > max) {
      errs.push(fieldError.invalid(index('spec.podCIDRs', i), cidr, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'));
    }
  });
  if (old) {
    const prev = asObj(old.spec);
    const seen = new Set<string>();
    objs(status.addresses).forEach((a, i) => {
      const id = `${str(a.type)}/${str(a.address)}`;
      if (seen.has(id)) errs.push(fieldError.duplicate(index('status.addresses', i), a));
      seen.add(id);
    });
    const before = Array.isArray(prev.podCIDRs) ? prev.podCIDRs : [];
    if (before.length > 0 && !semanticEqual(before, spec.podCIDRs)) {
      errs.push(fieldError.forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'));
    }
    if (str(prev.providerID) && prev.providerID !== spec.providerID) {
      errs.push(fieldError.forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
    }
  }
  return errs;
}

/** Node status writes: the update rules; node conditions are Kubernetes' own or qualified. */
export function validateNodeStatusUpdate(obj: KObject, old: KObject): FieldError[] {
  const errs = validateNode(obj, old);
  const system = new Set(['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure', 'NetworkUnavailable']);
  errs.push(...validateConditions(asObj(obj.status).conditions, 'status.conditions', system));
  objs(asObj(obj.status).addresses).forEach((a, i) => {
    if (!str(a.address)) errs.push(fieldError.required(child(index('status.addresses', i), 'address')));
  });
  return errs;
}

// ---- Namespace

/** ValidateNamespace: names are DNS-1123 labels; spec.finalizers are finalizer names. */
export function validateNamespace(obj: KObject, old?: KObject): FieldError[] {
  const errs = meta(obj, old, { namespaced: false, nameFn: nameIsDNSLabel });
  if (!old) {
    for (const f of (Array.isArray(asObj(obj.spec).finalizers) ? (asObj(obj.spec).finalizers as unknown[]) : []).map(str)) {
      errs.push(...qualifiedName(f, 'spec.finalizers'), ...kubeFinalizerName(f, 'spec.finalizers'));
    }
  }
  return errs;
}

/** ValidateNamespaceStatusUpdate: Active until deletion starts, Terminating after. */
export function validateNamespaceStatusUpdate(obj: KObject, old: KObject): FieldError[] {
  const errs = validateObjectMetaUpdate(obj.metadata, old.metadata);
  const phase = asObj(obj.status).phase;
  if (!present(obj.metadata?.deletionTimestamp)) {
    if (phase !== 'Active') errs.push(fieldError.invalid('status.Phase', phase ?? '', "may only be 'Active' if `deletionTimestamp` is empty"));
  } else if (phase !== 'Terminating') {
    errs.push(fieldError.invalid('status.Phase', phase ?? '', "may only be 'Terminating' if `deletionTimestamp` is not empty"));
  }
  errs.push(...validateConditions(asObj(obj.status).conditions, 'status.conditions', new Set()));
  return errs;
}

// ---- ConfigMap

/** A ConfigMap holds at most 1 MiB of data (core.MaxSecretSize). */
export const MAX_CONFIGMAP_SIZE = 1024 * 1024;

/** ValidateConfigMap, or ValidateConfigMapUpdate: an immutable ConfigMap stays as it is. */
export function validateConfigMap(obj: KObject, old?: KObject): FieldError[] {
  const errs = meta(obj, old, NAMESPACED);
  if (old && old.immutable === true) {
    const frozen = 'field is immutable when `immutable` is set';
    if (obj.immutable !== true) errs.push(fieldError.forbidden('immutable', frozen));
    if (!semanticEqual(obj.data, old.data)) errs.push(fieldError.forbidden('data', frozen));
    if (!semanticEqual(obj.binaryData, old.binaryData)) errs.push(fieldError.forbidden('binaryData', frozen));
  }
  const data = asObj(obj.data);
  const binary = asObj(obj.binaryData);
  let size = 0;
  for (const [k, v] of Object.entries(data)) {
    errs.push(...isConfigMapKey(k).map((m) => fieldError.invalid(key('data', k), k, m)));
    if (k in binary) errs.push(fieldError.invalid(key('data', k), k, 'duplicate of key present in binaryData'));
    size += Buffer.byteLength(str(v));
  }
  for (const [k, v] of Object.entries(binary)) {
    errs.push(...isConfigMapKey(k).map((m) => fieldError.invalid(key('binaryData', k), k, m)));
    if (k in data) errs.push(fieldError.invalid(key('binaryData', k), k, 'duplicate of key present in data'));
    // binaryData travels as base64; its size is that of the decoded bytes.
    size += Buffer.from(str(v), 'base64').length;
  }
  // The empty path: the error is about the object as a whole.
  if (size > MAX_CONFIGMAP_SIZE) errs.push(tooLong('', MAX_CONFIGMAP_SIZE));
  return errs;
}

// ---- Endpoints

function endpointAddress(a: Obj, path: string, allowLoopback: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const ip = str(a.ip);
  if (!isValidIP(ip)) errs.push(fieldError.invalid(child(path, 'ip'), ip, INVALID_IP_MESSAGE));
  if (str(a.hostname)) errs.push(...dns1123Label(str(a.hostname), child(path, 'hostname')));
  if (present(a.nodeName)) errs.push(...isDNS1123Subdomain(str(a.nodeName)).map((m) => fieldError.invalid(child(path, 'nodeName'), str(a.nodeName), m)));
  if (isValidIP(ip)) errs.push(...endpointIP(ip, child(path, 'ip')).filter((e) => !(allowLoopback && /loopback/.test(e.detail ?? ''))));
  return errs;
}

/** ValidateEndpoints: each subset has addresses with valid IPs, and valid ports. */
export function validateEndpoints(obj: KObject, old?: KObject, allowLoopback = false): FieldError[] {
  const errs = meta(obj, old, NAMESPACED);
  objs(obj.subsets).forEach((ss, i) => {
    const ip = index('subsets', i);
    const addresses = objs(ss.addresses);
    const notReady = objs(ss.notReadyAddresses);
    if (addresses.length === 0 && notReady.length === 0) errs.push(fieldError.required(ip, 'must specify `addresses` or `notReadyAddresses`'));
    addresses.forEach((a, j) => errs.push(...endpointAddress(a, index(child(ip, 'addresses'), j), allowLoopback)));
    notReady.forEach((a, j) => errs.push(...endpointAddress(a, index(child(ip, 'notReadyAddresses'), j), allowLoopback)));
    const ports = objs(ss.ports);
    ports.forEach((p, j) => {
      const pp = index(child(ip, 'ports'), j);
      const name = str(p.name);
      if (ports.length > 1 && !name) errs.push(fieldError.required(child(pp, 'name')));
      else if (name) errs.push(...dns1123Label(name, child(pp, 'name')));
      const port = int(p.port, child(pp, 'port'), errs) ?? 0;
      errs.push(...isValidPortNum(port).map((m) => fieldError.invalid(child(pp, 'port'), port, m)));
      errs.push(...protocol(p.protocol, child(pp, 'protocol')));
      if (present(p.appProtocol)) errs.push(...qualifiedName(str(p.appProtocol), child(pp, 'appProtocol')));
    });
  });
  return errs;
}

// ---- Event

/**
 * legacyValidateEvent: an event lives in its object's namespace (or "default" for cluster
 * objects); events with an eventTime also name their reporter and action.
 */
export function validateEvent(obj: KObject, old?: KObject): FieldError[] {
  const errs = meta(obj, old, NAMESPACED);
  const namespace = str(obj.metadata?.namespace);
  const involvedNs = str(asObj(obj.involvedObject).namespace);
  const mismatch = fieldError.invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace');
  if (!present(obj.eventTime)) {
    if (involvedNs === '' ? namespace !== '' && namespace !== 'default' : namespace !== involvedNs) errs.push(mismatch);
  } else {
    if (involvedNs === '' && namespace !== 'default' && namespace !== 'kube-system') errs.push(mismatch);
    const controller = str(obj.reportingComponent);
    if (!controller) errs.push(fieldError.required('reportingComponent'));
    errs.push(...qualifiedName(controller, 'reportingComponent'));
    const instance = str(obj.reportingInstance);
    if (!instance) errs.push(fieldError.required('reportingInstance'));
    if (instance.length > 128) errs.push(fieldError.invalid('reportingInstance', '', 'can have at most 128 characters'));
    const action = str(obj.action);
    if (!action) errs.push(fieldError.required('action'));
    if (action.length > 128) errs.push(fieldError.invalid('action', '', 'can have at most 128 characters'));
  }
  return errs;
}

// ---- Lease

/** ValidateLease: a positive duration and non-negative transitions when given. */
export function validateLease(obj: KObject, old?: KObject): FieldError[] {
  const errs = meta(obj, old, NAMESPACED);
  const spec = asObj(obj.spec);
  const duration = int(spec.leaseDurationSeconds, 'spec.leaseDurationSeconds', errs);
  if (duration !== undefined && duration <= 0) errs.push(fieldError.invalid('spec.leaseDurationSeconds', duration, 'must be greater than 0'));
  const transitions = int(spec.leaseTransitions, 'spec.leaseTransitions', errs);
  if (transitions !== undefined && transitions < 0) errs.push(fieldError.invalid('spec.leaseTransitions', transitions, 'must be greater than or equal to 0'));
  return errs;
}

