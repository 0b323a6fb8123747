/**
 * apps/v1 validation (pkg/apis/apps/validation): Deployments and ReplicaSets, their specs,
 * update rules (the selector is immutable in apps/v1) and status writes.
 */
import { fieldError, type FieldError } from '../errors.js';
import { isEmptySelector, matchesLabels, selectorFromLabelSelector, type LabelSelectorParsed } from '../selectors.js';
import type { KObject, LabelSelector } from '../types.js';
import { asObj, child, immutable, int, isObj, nameIsDNSSubdomain, nonNegative, strMap, validateLabelSelector, type Obj } from './common.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { validateConditions, validatePodTemplateSpec } from './pod.js';
import { isValidPercent } from './strings.js';

/** The selector as a matcher, or undefined when metav1.LabelSelectorAsSelector would fail. */
function asSelector(sel: unknown): LabelSelectorParsed | undefined {
  try {
    return selectorFromLabelSelector(isObj(sel) ? (sel as LabelSelector) : undefined);
  } catch {
    return undefined;
  }
}

/** The selector rules shared by Deployments and ReplicaSets, then the template against it. */
function validateSelectorAndTemplate(spec: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const sp = child(path, 'selector');
  if (!isObj(spec.selector)) {
    errs.push(fieldError.required(sp));
  } else {
    errs.push(...validateLabelSelector(spec.selector, sp));
    const sel = spec.selector;
    const n = Object.keys(asObj(sel.matchLabels)).length + (Array.isArray(sel.matchExpressions) ? sel.matchExpressions.length : 0);
    // Kubernetes says "deployment" for ReplicaSets too.
    if (n === 0) errs.push(fieldError.invalid(sp, sel, 'empty selector is invalid for deployment'));
  }
  const selector = asSelector(spec.selector);
  if (!selector) {
    errs.push(fieldError.invalid(sp, spec.selector, 'invalid label selector'));
    return errs;
  }
  const tp = child(path, 'template');
  if (!isObj(spec.template)) {
    errs.push(fieldError.required(tp));
    return errs;
  }
  const template = spec.template;
  const labels = strMap(asObj(template.metadata).labels);
  // A missing selector selects nothing, so it matches no template either (as in Kubernetes).
  if (!isEmptySelector(selector) && !matchesLabels(selector, labels)) {
    errs.push(fieldError.invalid(child(child(tp, 'metadata'), 'labels'), labels, '`selector` does not match template `labels`'));
  }
  errs.push(...validatePodTemplateSpec(template, tp));
  const podSpec = asObj(template.spec);
  if (podSpec.restartPolicy !== 'Always') {
    errs.push(fieldError.notSupported(child(child(tp, 'spec'), 'restartPolicy'), podSpec.restartPolicy ?? '', ['Always']));
  }
  if (podSpec.activeDeadlineSeconds !== undefined && podSpec.activeDeadlineSeconds !== null) {
    errs.push(fieldError.invalid(child(child(tp, 'spec'), 'activeDeadlineSeconds'), podSpec.activeDeadlineSeconds, 'activeDeadlineSeconds in ReplicaSet is not Supported'));
  }
  return errs;
}

/** An IntOrString's percent value, when it is a valid percent string. */
function percent(v: unknown): number | undefined {
  return typeof v === 'string' && isValidPercent(v).length === 0 ? Number(v.slice(0, -1)) : undefined;
}

/** ValidatePositiveIntOrPercent */
function positiveIntOrPercent(v: unknown, path: string): FieldError[] {
  if (typeof v === 'string') return isValidPercent(v).map((m) => fieldError.invalid(path, v, m));
  if (typeof v === 'number' && Number.isInteger(v)) return nonNegative(v, path);
  return [fieldError.invalid(path, v ?? null, "must be an integer or percentage (e.g '5%')")];
}

/** ValidateDeploymentStrategy */
function validateStrategy(strategy: unknown, path: string): FieldError[] {
  const s = asObj(strategy);
  switch (s.type) {
    case 'Recreate':
      return isObj(s.rollingUpdate) ? [fieldError.forbidden(child(path, 'rollingUpdate'), "may not be specified when strategy `type` is 'Recreate'")] : [];
    case 'RollingUpdate': {
      const rp = child(path, 'rollingUpdate');
      if (!isObj(s.rollingUpdate)) return [fieldError.required(rp, 'this should be defaulted and never be nil')];
      const { maxUnavailable, maxSurge } = s.rollingUpdate;
      const up = child(rp, 'maxUnavailable');
      const errs = [...positiveIntOrPercent(maxUnavailable, up), ...positiveIntOrPercent(maxSurge, child(rp, 'maxSurge'))];
      const value = (v: unknown) => percent(v) ?? (typeof v === 'number' ? v : 0);
      if (value(maxUnavailable) === 0 && value(maxSurge) === 0) errs.push(fieldError.invalid(up, maxUnavailable ?? 0, 'may not be 0 when `maxSurge` is 0'));
      const p = percent(maxUnavailable);
      if (p !== undefined && p > 100) errs.push(fieldError.invalid(up, maxUnavailable, 'must not be greater than 100%'));
      return errs;
    }
    default:
      return [fieldError.notSupported(path, strategy ?? null, ['Recreate', 'RollingUpdate'])];
  }
}

/** ValidateDeploymentSpec */
function validateDeploymentSpec(specValue: unknown): FieldError[] {
  const errs: FieldError[] = [];
  const spec = asObj(specValue);
  const replicas = int(spec.replicas, 'spec.replicas', errs);
  errs.push(...nonNegative(replicas, 'spec.replicas'));
  errs.push(...validateSelectorAndTemplate(spec, 'spec'));
  errs.push(...validateStrategy(spec.strategy, 'spec.strategy'));
  const minReady = int(spec.minReadySeconds, 'spec.minReadySeconds', errs) ?? 0;
  errs.push(...nonNegative(minReady, 'spec.minReadySeconds'));
  errs.push(...nonNegative(int(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit', errs), 'spec.revisionHistoryLimit'));
  const deadline = int(spec.progressDeadlineSeconds, 'spec.progressDeadlineSeconds', errs);
  if (deadline !== undefined) {
    errs.push(...nonNegative(deadline, 'spec.progressDeadlineSeconds'));
    if (deadline <= minReady) errs.push(fieldError.invalid('spec.progressDeadlineSeconds', deadline, 'must be greater than minReadySeconds'));
  }
  return errs;
}

/** ValidateReplicaSetSpec */
function validateReplicaSetSpec(specValue: unknown): FieldError[] {
  const errs: FieldError[] = [];
  const spec = asObj(specValue);
  const replicas = int(spec.replicas, 'spec.replicas', errs);
  errs.push(...nonNegative(replicas, 'spec.replicas'));
  errs.push(...nonNegative(int(spec.minReadySeconds, 'spec.minReadySeconds', errs), 'spec.minReadySeconds'));
  errs.push(...validateSelectorAndTemplate(spec, 'spec'));
  return errs;
}

/** ValidateDeployment (create) or ValidateDeploymentUpdate plus the apps/v1 selector rule. */
export function validateDeployment(obj: KObject, old?: KObject): FieldError[] {
  const errs = old ? validateObjectMetaUpdate(obj.metadata, old.metadata) : validateObjectMeta(obj.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain });
  errs.push(...validateDeploymentSpec(obj.spec));
  if (old) errs.push(...immutable(asObj(obj.spec).selector, asObj(old.spec).selector, 'spec.selector'));
  return errs;
}

/** ValidateReplicaSet (create) or ValidateReplicaSetUpdate plus the apps/v1 selector rule. */
export function validateReplicaSet(obj: KObject, old?: KObject): FieldError[] {
  const errs = old ? validateObjectMetaUpdate(obj.metadata, old.metadata) : validateObjectMeta(obj.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain });
  errs.push(...validateReplicaSetSpec(obj.spec));
  if (old) errs.push(...immutable(asObj(obj.spec).selector, asObj(old.spec).selector, 'spec.selector'));
  return errs;
}

/** Counters that may not exceed status.replicas, and available may not exceed ready. */
function replicaCounters(status: Obj, counters: string[], errs: FieldError[]): void {
  const values = new Map<string, number>();
  for (const f of ['replicas', ...counters, 'observedGeneration']) values.set(f, int(status[f], `status.${f}`, errs) ?? 0);
  const value = (f: string) => values.get(f)!;
  const replicas = value('replicas');
  for (const f of ['replicas', ...counters, 'observedGeneration']) errs.push(...nonNegative(value(f), `status.${f}`));
  for (const f of counters) {
    if (value(f) > replicas) errs.push(fieldError.invalid(`status.${f}`, value(f), 'cannot be greater than status.replicas'));
  }
  if (value('availableReplicas') > value('readyReplicas')) {
    errs.push(fieldError.invalid('status.availableReplicas', value('availableReplicas'), 'cannot be greater than readyReplicas'));
  }
}

/** ValidateDeploymentStatusUpdate */
export function validateDeploymentStatusUpdate(obj: KObject, old: KObject): FieldError[] {
  const errs = validateObjectMetaUpdate(obj.metadata, old.metadata);
  const status = asObj(obj.status);
  replicaCounters(status, ['updatedReplicas', 'readyReplicas', 'availableReplicas'], errs);
  errs.push(...nonNegative(int(status.unavailableReplicas, 'status.unavailableReplicas', errs), 'status.unavailableReplicas'));
  const collisions = int(status.collisionCount, 'status.collisionCount', errs);
  errs.push(...nonNegative(collisions, 'status.collisionCount'));
  const before = asObj(old.status).collisionCount;
  if (typeof before === 'number' && (collisions ?? 0) < before) errs.push(fieldError.invalid('status.collisionCount', collisions ?? 0, 'cannot be decremented'));
  errs.push(...validateConditions(status.conditions, 'status.conditions', new Set(['Available', 'Progressing', 'ReplicaFailure'])));
  return errs;
}

/** ValidateReplicaSetStatusUpdate */
export function validateReplicaSetStatusUpdate(obj: KObject, old: KObject): FieldError[] {
  const errs = validateObjectMetaUpdate(obj.metadata, old.metadata);
  const status = asObj(obj.status);
  replicaCounters(status, ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas'], errs);
  errs.push(...validateConditions(status.conditions, 'status.conditions', new Set(['ReplicaFailure'])));
  return errs;
}
