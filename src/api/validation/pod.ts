/**
 * Pod validation (pkg/apis/core/validation): the pod spec shared with pod templates, pod
 * create and update (the spec is immutable but for images, activeDeadlineSeconds and added
 * tolerations), pod status writes, and pod templates.
 */
import { fieldError, type FieldError } from '../errors.js';
import type { KObject } from '../types.js';
import {
  asObj,
  child,
  dns1123Label,
  index,
  int,
  isObj,
  nameIsDNSSubdomain,
  nonNegative,
  objs,
  present,
  semanticEqual,
  str,
  validateAnnotations,
  validateLabels,
  type Obj,
} from './common.js';
import { validateContainerCommon, validateRegularContainer, validateProbe } from './container.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { inclusiveRangeError, isDNS1123Subdomain, isQualifiedName, isValidIP, isValidLabelValue, INVALID_IP_MESSAGE } from './strings.js';

const MAX_INT32 = 2147483647;
const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

/** ValidateVolumes: unique DNS-label names, one source each. Returns the valid volume names. */
function validateVolumes(volumes: unknown, path: string, errs: FieldError[]): Set<string> {
  const names = new Set<string>();
  objs(volumes).forEach((v, i) => {
    const ip = index(path, i);
    const el: FieldError[] = [];
    // Every field of a Volume but its name is a volume source.
    const sources = Object.keys(v).filter((k) => k !== 'name' && present(v[k]));
    if (sources.length === 0) el.push(fieldError.required(ip, 'must specify a volume type'));
    for (const extra of sources.slice(1)) el.push(fieldError.forbidden(child(ip, extra), 'may not specify more than 1 volume type'));
    if (isObj(v.hostPath) && !str(v.hostPath.path)) el.push(fieldError.required(child(child(ip, 'hostPath'), 'path')));
    if (isObj(v.configMap)) {
      const cmName = str(v.configMap.name);
      if (!cmName) el.push(fieldError.required(child(child(ip, 'configMap'), 'name')));
      else el.push(...isDNS1123Subdomain(cmName).map((m) => fieldError.invalid(child(child(ip, 'configMap'), 'name'), cmName, m)));
    }
    const name = str(v.name);
    if (!name) el.push(fieldError.required(child(ip, 'name')));
    else el.push(...dns1123Label(name, child(ip, 'name')));
    if (names.has(name)) el.push(fieldError.duplicate(child(ip, 'name'), name));
    if (el.length === 0) names.add(name);
    else errs.push(...el);
  });
  return names;
}

/** validateTaintEffect; an empty effect is allowed in tolerations (it matches every effect). */
export function taintEffect(effect: unknown, path: string, opts: { allowEmpty: boolean }): FieldError[] {
  if (!opts.allowEmpty && !str(effect)) return [fieldError.required(path)];
  return TAINT_EFFECTS.includes(str(effect)) ? [] : [fieldError.notSupported(path, effect ?? '', TAINT_EFFECTS)];
}

/** ValidateTolerations */
export function validateTolerations(tolerations: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  objs(tolerations).forEach((t, i) => {
    const ip = index(path, i);
    const k = str(t.key);
    const op = str(t.operator);
    if (k) errs.push(...isQualifiedName(k).map((m) => fieldError.invalid(child(ip, 'key'), k, m)));
    if (!k && op !== 'Exists') {
      errs.push(fieldError.invalid(child(ip, 'operator'), op, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (present(t.tolerationSeconds) && t.effect !== 'NoExecute') {
      errs.push(fieldError.invalid(child(ip, 'effect'), str(t.effect), "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (op === 'Equal' || op === '') {
      const msgs = isValidLabelValue(str(t.value));
      if (msgs.length) errs.push(fieldError.invalid(child(ip, 'operator'), str(t.value), msgs.join(';')));
    } else if (op === 'Exists') {
      if (str(t.value)) errs.push(fieldError.invalid(child(ip, 'operator'), t, "value must be empty when `operator` is 'Exists'"));
    } else {
      errs.push(fieldError.notSupported(child(ip, 'operator'), op, ['Equal', 'Exists']));
    }
    if (str(t.effect)) errs.push(...taintEffect(t.effect, child(ip, 'effect'), { allowEmpty: true }));
  });
  return errs;
}

/** ValidateNodeSelectorRequirement, for node affinity terms. */
function nodeSelectorRequirement(rq: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const n = Array.isArray(rq.values) ? rq.values.length : 0;
  switch (rq.operator) {
    case 'In':
    case 'NotIn':
      if (n === 0) errs.push(fieldError.required(child(path, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (n > 0) errs.push(fieldError.forbidden(child(path, 'values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    case 'Gt':
    case 'Lt':
      if (n !== 1) errs.push(fieldError.required(child(path, 'values'), "must be specified single value when `operator` is 'Lt' or 'Gt'"));
      break;
    default:
      errs.push(fieldError.invalid(child(path, 'operator'), rq.operator ?? '', 'not a valid selector operator'));
  }
  errs.push(...isQualifiedName(str(rq.key)).map((m) => fieldError.invalid(child(path, 'key'), str(rq.key), m)));
  return errs;
}

function nodeSelectorTerm(term: Obj, path: string): FieldError[] {
  return objs(term.matchExpressions).flatMap((rq, j) => nodeSelectorRequirement(rq, index(child(path, 'matchExpressions'), j)));
}

/** The node affinity part of validateAffinity (pod affinity is not modelled). */
function validateAffinity(affinity: unknown, path: string): FieldError[] {
  const na = asObj(asObj(affinity).nodeAffinity);
  const errs: FieldError[] = [];
  const nap = child(path, 'nodeAffinity');
  const required = na.requiredDuringSchedulingIgnoredDuringExecution;
  if (isObj(required)) {
    const rp = child(nap, 'requiredDuringSchedulingIgnoredDuringExecution');
    const terms = objs(required.nodeSelectorTerms);
    if (terms.length === 0) errs.push(fieldError.required(child(rp, 'nodeSelectorTerms'), 'must have at least one node selector term'));
    terms.forEach((t, i) => errs.push(...nodeSelectorTerm(t, index(child(rp, 'nodeSelectorTerms'), i))));
  }
  objs(na.preferredDuringSchedulingIgnoredDuringExecution).forEach((p, i) => {
    const pp = index(child(nap, 'preferredDuringSchedulingIgnoredDuringExecution'), i);
    const weight = p.weight;
    if (typeof weight !== 'number' || weight < 1 || weight > 100) errs.push(fieldError.invalid(child(pp, 'weight'), weight ?? 0, 'must be in the range 1-100'));
    errs.push(...nodeSelectorTerm(asObj(p.preference), child(pp, 'preference')));
  });
  return errs;
}

/** Init containers: the common rules; probes and hooks only for restartable (sidecar) ones. */
function validateInitContainers(list: unknown, regular: Set<string>, volumes: Set<string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set(regular);
  objs(list).forEach((c, i) => {
    const ip = index(path, i);
    errs.push(...validateContainerCommon(c, ip, volumes));
    const name = str(c.name);
    if (names.has(name)) errs.push(fieldError.duplicate(child(ip, 'name'), name));
    else names.add(name);
    if (present(c.restartPolicy)) {
      if (c.restartPolicy !== 'Always') errs.push(fieldError.notSupported(child(ip, 'restartPolicy'), c.restartPolicy, ['Always']));
      else {
        errs.push(...validateProbe(c.livenessProbe, child(ip, 'livenessProbe'), 'liveness'));
        errs.push(...validateProbe(c.readinessProbe, child(ip, 'readinessProbe'), 'readiness'));
        errs.push(...validateProbe(c.startupProbe, child(ip, 'startupProbe'), 'startup'));
      }
    } else {
      for (const f of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe']) {
        if (present(c[f])) errs.push(fieldError.forbidden(child(ip, f), 'may not be set for init containers without restartPolicy=Always'));
      }
    }
  });
  return errs;
}

/** AccumulateUniqueHostPorts: two containers may not take the same host ip/protocol/port. */
function hostPortConflicts(containers: Obj[], path: string): FieldError[] {
  const seen = new Set<string>();
  const errs: FieldError[] = [];
  containers.forEach((c, ci) => {
    objs(c.ports).forEach((p, pi) => {
      if (!p.hostPort) return;
      const id = `${str(p.hostIP)}/${str(p.protocol)}/${String(p.hostPort)}`;
      if (seen.has(id)) errs.push(fieldError.duplicate(child(index(child(index(path, ci), 'ports'), pi), 'hostPort'), id));
      else seen.add(id);
    });
  });
  return errs;
}

/** ValidatePodSpec: the spec of a pod, or of a pod template (then at spec.template.spec). */
export function validatePodSpec(specValue: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const spec = asObj(specValue);
  const volumes = validateVolumes(spec.volumes, child(path, 'volumes'), errs);

  const cp = child(path, 'containers');
  const containers = objs(spec.containers);
  const names = new Set<string>();
  if (containers.length === 0) errs.push(fieldError.required(cp));
  containers.forEach((c, i) => {
    const ip = index(cp, i);
    errs.push(...validateContainerCommon(c, ip, volumes));
    const name = str(c.name);
    if (names.has(name)) errs.push(fieldError.duplicate(child(ip, 'name'), name));
    else names.add(name);
    errs.push(...validateRegularContainer(c, ip));
  });
  errs.push(...hostPortConflicts(containers, cp));
  errs.push(...validateInitContainers(spec.initContainers, names, volumes, child(path, 'initContainers')));

  if (spec.hostNetwork === true) {
    // A host-network pod listens on the node: a host port, when given, is the container port.
    containers.forEach((c, i) => {
      objs(c.ports).forEach((p, j) => {
        if (p.hostPort && p.hostPort !== p.containerPort) {
          errs.push(fieldError.invalid(child(index(child(index(cp, i), 'ports'), j), 'hostPort'), p.hostPort, 'must match `containerPort` when `hostNetwork` is true'));
        }
      });
    });
  }

  const restartPolicy = spec.restartPolicy;
  if (!str(restartPolicy)) errs.push(fieldError.required(child(path, 'restartPolicy')));
  else if (!RESTART_POLICIES.includes(str(restartPolicy))) errs.push(fieldError.notSupported(child(path, 'restartPolicy'), restartPolicy, RESTART_POLICIES));

  const dnsPolicy = spec.dnsPolicy;
  if (!str(dnsPolicy)) errs.push(fieldError.required(child(path, 'dnsPolicy')));
  else if (!DNS_POLICIES.includes(str(dnsPolicy))) errs.push(fieldError.notSupported(child(path, 'dnsPolicy'), dnsPolicy, DNS_POLICIES));
  else if (dnsPolicy === 'None' && !isObj(spec.dnsConfig)) {
    errs.push(fieldError.required(child(path, 'dnsConfig'), 'must provide `dnsConfig` when `dnsPolicy` is None'));
  }

  errs.push(...validateLabels(spec.nodeSelector, child(path, 'nodeSelector')));
  for (const f of ['serviceAccountName', 'nodeName']) {
    const v = str(spec[f]);
    if (v) errs.push(...isDNS1123Subdomain(v).map((m) => fieldError.invalid(child(path, f), v, m)));
  }
  const deadline = int(spec.activeDeadlineSeconds, child(path, 'activeDeadlineSeconds'), errs);
  if (deadline !== undefined && (deadline < 1 || deadline > MAX_INT32)) {
    errs.push(fieldError.invalid(child(path, 'activeDeadlineSeconds'), deadline, inclusiveRangeError(1, MAX_INT32)));
  }
  const grace = int(spec.terminationGracePeriodSeconds, child(path, 'terminationGracePeriodSeconds'), errs);
  errs.push(...nonNegative(grace, child(path, 'terminationGracePeriodSeconds')));
  for (const f of ['hostname', 'subdomain']) {
    const v = str(spec[f]);
    if (v) errs.push(...dns1123Label(v, child(path, f)));
  }
  errs.push(...validateTolerations(spec.tolerations, child(path, 'tolerations')));
  errs.push(...validateAffinity(spec.affinity, child(path, 'affinity')));
  return errs;
}

/** ValidatePodTemplateSpec: labels are reported at <path>.labels, as Kubernetes does. */
export function validatePodTemplateSpec(template: unknown, path: string): FieldError[] {
  const t = asObj(template);
  const meta = asObj(t.metadata);
  const errs = validateLabels(meta.labels, child(path, 'labels'));
  errs.push(...validateAnnotations(meta.annotations, child(path, 'annotations')));
  errs.push(...validatePodSpec(t.spec, child(path, 'spec')));
  if (Array.isArray(asObj(t.spec).ephemeralContainers) && (asObj(t.spec).ephemeralContainers as unknown[]).length > 0) {
    errs.push(fieldError.forbidden(child(child(path, 'spec'), 'ephemeralContainers'), 'ephemeral containers not allowed in pod template'));
  }
  return errs;
}

/** Images given with surrounding whitespace are refused for pods (not for templates). */
function imagesTrimmed(spec: Obj, errs: FieldError[]): void {
  for (const list of ['containers', 'initContainers']) {
    objs(spec[list]).forEach((c, i) => {
      const image = str(c.image);
      if (image && image.trim() !== image) errs.push(fieldError.invalid(child(index(`spec.${list}`, i), 'image'), image, 'must not have leading or trailing whitespace'));
    });
  }
}

/** ValidatePodCreate */
export function validatePod(pod: KObject): FieldError[] {
  const errs = validateObjectMeta(pod.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain });
  errs.push(...validatePodSpec(pod.spec, 'spec'));
  imagesTrimmed(asObj(pod.spec), errs);
  const spec = asObj(pod.spec);
  if (Array.isArray(spec.ephemeralContainers) && spec.ephemeralContainers.length > 0) {
    errs.push(fieldError.forbidden('spec.ephemeralContainers', 'cannot be set on create'));
  }
  return errs;
}

const POD_UPDATE_MESSAGE =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

/** validateOnlyAddedTolerations: existing tolerations stay, but for their tolerationSeconds. */
function onlyAddedTolerations(next: unknown, prev: unknown, path: string): FieldError[] {
  const added = objs(next);
  for (const old of objs(prev)) {
    const kept = added.some((t) => semanticEqual({ ...old, tolerationSeconds: t.tolerationSeconds }, t));
    if (!kept) return [fieldError.forbidden(path, 'existing toleration can not be modified except its tolerationSeconds')];
  }
  return validateTolerations(next, path);
}

/** ContainerUpdates: the same containers, each still with an image. */
function containerUpdates(next: unknown, prev: unknown, path: string): { errs: FieldError[]; stop: boolean } {
  const a = objs(next);
  if (a.length !== objs(prev).length) return { errs: [fieldError.forbidden(path, 'pod updates may not add or remove containers')], stop: true };
  const errs: FieldError[] = [];
  a.forEach((c, i) => {
    const image = str(c.image);
    if (!image) errs.push(fieldError.required(child(index(path, i), 'image')));
    if (image.trim() !== image) errs.push(fieldError.invalid(child(index(path, i), 'image'), image, 'must not have leading or trailing whitespace'));
  });
  return { errs, stop: false };
}

/**
 * ValidatePodUpdate: the spec is immutable but for container images, activeDeadlineSeconds
 * (set, or lowered), additions to tolerations, and terminationGracePeriodSeconds going from a
 * negative value to 1. spec.nodeName is set through the binding subresource only.
 */
export function validatePodUpdate(pod: KObject, old: KObject): FieldError[] {
  const errs = validateObjectMetaUpdate(pod.metadata, old.metadata);
  errs.push(...validatePodSpec(pod.spec, 'spec'));
  const spec = asObj(pod.spec);
  const prev = asObj(old.spec);
  for (const list of ['containers', 'initContainers']) {
    const r = containerUpdates(spec[list], prev[list], `spec.${list}`);
    errs.push(...r.errs);
    if (r.stop) return errs;
  }
  const deadline = spec.activeDeadlineSeconds;
  if (present(deadline)) {
    if (typeof deadline !== 'number' || deadline < 0 || deadline > MAX_INT32) {
      errs.push(fieldError.invalid('spec.activeDeadlineSeconds', deadline, inclusiveRangeError(0, MAX_INT32)));
      return errs;
    }
    if (typeof prev.activeDeadlineSeconds === 'number' && prev.activeDeadlineSeconds < deadline) {
      errs.push(fieldError.invalid('spec.activeDeadlineSeconds', deadline, 'must be less than or equal to previous value'));
      return errs;
    }
  } else if (present(prev.activeDeadlineSeconds)) {
    errs.push(fieldError.invalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'));
  }
  errs.push(...onlyAddedTolerations(spec.tolerations, prev.tolerations, 'spec.tolerations'));
  if (semanticEqual(spec, prev)) return errs;

  // Put back what may change, then anything still different is a forbidden change.
  const munged: Obj = structuredClone(spec);
  for (const list of ['containers', 'initContainers']) {
    const before = objs(prev[list]);
    if (Array.isArray(munged[list])) munged[list] = objs(munged[list]).map((c, i) => ({ ...c, image: before[i]?.image }));
  }
  munged.activeDeadlineSeconds = prev.activeDeadlineSeconds;
  munged.tolerations = prev.tolerations;
  if (typeof prev.terminationGracePeriodSeconds === 'number' && prev.terminationGracePeriodSeconds < 0 && munged.terminationGracePeriodSeconds === 1) {
    munged.terminationGracePeriodSeconds = prev.terminationGracePeriodSeconds;
  }
  if (!semanticEqual(munged, prev)) errs.push(fieldError.forbidden('spec', POD_UPDATE_MESSAGE));
  return errs;
}

const POD_PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'];
const POD_SYSTEM_CONDITIONS = new Set(['PodScheduled', 'Ready', 'Initialized', 'ContainersReady']);
const CONDITION_STATUSES = ['True', 'False', 'Unknown'];

/** Conditions: a type (qualified unless one of Kubernetes' own) and a True/False/Unknown status. */
export function validateConditions(conditions: unknown, path: string, systemTypes: ReadonlySet<string> = new Set()): FieldError[] {
  const errs: FieldError[] = [];
  objs(conditions).forEach((c, i) => {
    const ip = index(path, i);
    const type = str(c.type);
    if (!type) errs.push(fieldError.required(child(ip, 'type')));
    else if (!systemTypes.has(type)) errs.push(...isQualifiedName(type).map((m) => fieldError.invalid(child(ip, 'type'), type, m)));
    if (!CONDITION_STATUSES.includes(str(c.status))) errs.push(fieldError.notSupported(child(ip, 'status'), c.status ?? '', CONDITION_STATUSES));
  });
  return errs;
}

/** ValidateContainerStateTransition: a container that finished for good may not run again. */
function containerStateTransitions(next: unknown, prev: unknown, restartPolicy: string, path: string): FieldError[] {
  if (restartPolicy === 'Always') return [];
  const errs: FieldError[] = [];
  objs(prev).forEach((old, i) => {
    const terminated = asObj(asObj(old.state).terminated);
    if (!isObj(asObj(old.state).terminated)) return;
    if (terminated.exitCode !== 0 && restartPolicy === 'OnFailure') return;
    for (const s of objs(next)) {
      if (s.name === old.name && !isObj(asObj(s.state).terminated)) {
        errs.push(fieldError.forbidden(child(index(path, i), 'state'), 'may not be transitioned to non-terminated state'));
      }
    }
  });
  return errs;
}

/** ValidatePodStatusUpdate, for the fields kubelab models. */
export function validatePodStatusUpdate(pod: KObject, old: KObject): FieldError[] {
  const errs = validateObjectMetaUpdate(pod.metadata, old.metadata);
  const status = asObj(pod.status);
  const prevStatus = asObj(old.status);
  if (str(asObj(pod.spec).nodeName) !== str(asObj(old.spec).nodeName)) errs.push(fieldError.forbidden('status.nodeName', 'may not be changed directly'));
  if (present(status.phase) && !POD_PHASES.includes(str(status.phase))) errs.push(fieldError.notSupported('status.phase', status.phase, POD_PHASES));
  errs.push(...validateConditions(status.conditions, 'status.conditions', POD_SYSTEM_CONDITIONS));
  const nominated = str(status.nominatedNodeName);
  if (nominated && nominated !== str(prevStatus.nominatedNodeName)) {
    errs.push(...isDNS1123Subdomain(nominated).map((m) => fieldError.invalid('status.nominatedNodeName', nominated, m)));
  }
  const restartPolicy = str(asObj(old.spec).restartPolicy);
  errs.push(...containerStateTransitions(status.containerStatuses, prevStatus.containerStatuses, restartPolicy, 'status.containerStatuses'));
  errs.push(...containerStateTransitions(status.initContainerStatuses, prevStatus.initContainerStatuses, restartPolicy, 'status.initContainerStatuses'));
  // The QoS class is fixed at creation. A report that leaves it out keeps it.
  if (str(status.qosClass) && str(prevStatus.qosClass) && status.qosClass !== prevStatus.qosClass) {
    errs.push(fieldError.invalid('status.qosClass', status.qosClass, 'field is immutable'));
  }
  for (const f of ['podIP', 'hostIP']) {
    const ip = str(status[f]);
    if (ip && !isValidIP(ip)) errs.push(fieldError.invalid(`status.${f}`, ip, INVALID_IP_MESSAGE));
  }
  for (const f of ['podIPs', 'hostIPs']) {
    objs(status[f]).forEach((entry, i) => {
      const ip = str(entry.ip);
      if (!isValidIP(ip)) errs.push(fieldError.invalid(index(`status.${f}`, i), ip, INVALID_IP_MESSAGE));
    });
  }
  return errs;
}
