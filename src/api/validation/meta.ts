/**
 * ObjectMeta validation (apimachinery pkg/api/validation/objectmeta.go, plus the finalizer
 * check core/validation adds): names, namespace, labels, annotations, owner references and
 * finalizers on create; what may not change on update.
 */
import { fieldError, type FieldError } from '../errors.js';
import type { ObjectMeta } from '../types.js';
import { isDNS1123Label } from './strings.js';
import { child, FIELD_IMMUTABLE, immutable, int, nonNegative, objs, present, qualifiedName, str, validateAnnotations, validateLabels, type NameFn } from './common.js';

export interface MetaOptions {
  /** Whether the kind lives in a namespace (then metadata.namespace is required). */
  namespaced: boolean;
  /** How the kind's names are checked. */
  nameFn: NameFn;
}

/** Finalizers Kubernetes itself defines, the only ones allowed without a domain prefix. */
const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

/** validateKubeFinalizerName: qualified, and unprefixed only for the standard finalizers. */
export function kubeFinalizerName(name: string, path: string): FieldError[] {
  const errs = qualifiedName(name, path);
  if (errs.length) return errs;
  if (!name.includes('/') && !STANDARD_FINALIZERS.has(name)) {
    return [fieldError.invalid(path, name, 'name is neither a standard finalizer name nor is it fully qualified')];
  }
  return [];
}

function validateFinalizers(finalizers: unknown, path: string): FieldError[] {
  const list = Array.isArray(finalizers) ? finalizers.map(str) : [];
  const errs: FieldError[] = [];
  for (const f of list) errs.push(...qualifiedName(f, path));
  if (list.includes('orphan') && list.includes('foregroundDeletion')) {
    errs.push(fieldError.invalid(path, list, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  // core/validation checks each finalizer once more, with its own rule added.
  for (const f of list) errs.push(...kubeFinalizerName(f, path));
  return errs;
}

/** The group and version of an apiVersion string, as schema.ParseGroupVersion reads it. */
function parseApiVersion(apiVersion: string): { group: string; version: string } | undefined {
  if (apiVersion === '') return { group: '', version: '' };
  const parts = apiVersion.split('/');
  if (parts.length === 1) return { group: '', version: parts[0]! };
  if (parts.length === 2) return { group: parts[0]!, version: parts[1]! };
  return undefined;
}

/** ValidateOwnerReferences: errors name the list, not the item, as in Kubernetes. */
function validateOwnerReferences(refs: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let firstController = '';
  for (const ref of objs(refs)) {
    const apiVersion = str(ref.apiVersion);
    const kind = str(ref.kind);
    const gv = parseApiVersion(apiVersion);
    // An apiVersion that does not parse leaves Kubernetes with an empty version and kind.
    if (!gv || gv.version === '') errs.push(fieldError.invalid(child(path, 'apiVersion'), apiVersion, 'version must not be empty'));
    if (!gv || kind === '') errs.push(fieldError.invalid(child(path, 'kind'), kind, 'must not be empty'));
    if (str(ref.name) === '') errs.push(fieldError.invalid(child(path, 'name'), str(ref.name), 'must not be empty'));
    if (str(ref.uid) === '') errs.push(fieldError.invalid(child(path, 'uid'), str(ref.uid), 'must not be empty'));
    if (gv && gv.group === '' && gv.version === 'v1' && kind === 'Event') {
      errs.push(fieldError.invalid(path, ref, '/v1, Kind=Event is disallowed from being an owner'));
    }
    if (ref.controller === true) {
      const current = `${kind}/${str(ref.name)}`;
      if (firstController) {
        errs.push(
          fieldError.invalid(path, refs, `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`),
        );
      } else {
        firstController = current;
      }
    }
  }
  return errs;
}

/** ValidateObjectMeta: the metadata of an object being created. */
export function validateObjectMeta(meta: ObjectMeta | undefined, opts: MetaOptions, path = 'metadata'): FieldError[] {
  const m = meta ?? {};
  const errs: FieldError[] = [];
  const generateName = str(m.generateName);
  if (generateName) {
    errs.push(...opts.nameFn(generateName, true).map((msg) => fieldError.invalid(child(path, 'generateName'), generateName, msg)));
  }
  const name = str(m.name);
  // A name is generated from generateName before validation; neither is a client error.
  if (!name) {
    if (!generateName) errs.push(fieldError.required(child(path, 'name'), 'name or generateName is required'));
  } else {
    errs.push(...opts.nameFn(name, false).map((msg) => fieldError.invalid(child(path, 'name'), name, msg)));
  }
  const namespace = str(m.namespace);
  if (opts.namespaced) {
    if (!namespace) errs.push(fieldError.required(child(path, 'namespace')));
    else errs.push(...validateNamespaceName(namespace).map((msg) => fieldError.invalid(child(path, 'namespace'), namespace, msg)));
  } else if (namespace) {
    errs.push(fieldError.forbidden(child(path, 'namespace'), 'not allowed on this type'));
  }
  errs.push(...nonNegative(int(m.generation, child(path, 'generation'), errs), child(path, 'generation')));
  errs.push(...validateLabels(m.labels, child(path, 'labels')));
  errs.push(...validateAnnotations(m.annotations, child(path, 'annotations')));
  errs.push(...validateOwnerReferences(m.ownerReferences, child(path, 'ownerReferences')));
  errs.push(...validateFinalizers(m.finalizers, child(path, 'finalizers')));
  return errs;
}

/** ValidateNamespaceName: namespaces are DNS-1123 labels. */
export function validateNamespaceName(name: string): string[] {
  return isDNS1123Label(name);
}

/** Go's %#v of a []string, which Kubernetes uses in the finalizer message. */
const goStrings = (list: string[]) => `[]string{${list.map((s) => JSON.stringify(s)).join(', ')}}`;

/**
 * ValidateObjectMetaUpdate: identity fields are immutable, a resourceVersion is required, and
 * an object being deleted may not gain finalizers. Fields left empty in the update (uid,
 * creationTimestamp) count as unchanged, since the API server copies them from the stored
 * object before validating (rest.BeforeUpdate).
 */
export function validateObjectMetaUpdate(next: ObjectMeta | undefined, prev: ObjectMeta | undefined, path = 'metadata'): FieldError[] {
  const m = next ?? {};
  const o = prev ?? {};
  const errs: FieldError[] = [];
  if (present(o.deletionTimestamp)) {
    const old = new Set((o.finalizers ?? []).map(str));
    const added = [...new Set((m.finalizers ?? []).map(str).filter((f) => !old.has(f)))].sort();
    if (added.length) {
      errs.push(fieldError.forbidden(child(path, 'finalizers'), `no new finalizers can be added if the object is being deleted, found new finalizers ${goStrings(added)}`));
    }
  }
  if (!str(m.resourceVersion)) errs.push(fieldError.invalid(child(path, 'resourceVersion'), str(m.resourceVersion), 'must be specified for an update'));
  const gen = int(m.generation, child(path, 'generation'), errs) ?? 0;
  if (gen < (typeof o.generation === 'number' ? o.generation : 0)) errs.push(fieldError.invalid(child(path, 'generation'), gen, 'must not be decremented'));
  errs.push(...immutable(m.name, o.name, child(path, 'name')));
  errs.push(...immutable(m.namespace, o.namespace, child(path, 'namespace')));
  if (str(m.uid) && m.uid !== o.uid) errs.push(fieldError.invalid(child(path, 'uid'), m.uid, FIELD_IMMUTABLE));
  if (str(m.creationTimestamp) && m.creationTimestamp !== o.creationTimestamp) {
    errs.push(fieldError.invalid(child(path, 'creationTimestamp'), m.creationTimestamp, FIELD_IMMUTABLE));
  }
  // An update can neither set nor change a deletion timestamp; only DELETE does.
  if (present(m.deletionTimestamp) && m.deletionTimestamp !== o.deletionTimestamp) {
    errs.push(fieldError.invalid(child(path, 'deletionTimestamp'), m.deletionTimestamp, FIELD_IMMUTABLE));
  }
  if (present(m.deletionGracePeriodSeconds) && m.deletionGracePeriodSeconds !== o.deletionGracePeriodSeconds) {
    errs.push(fieldError.invalid(child(path, 'deletionGracePeriodSeconds'), m.deletionGracePeriodSeconds, FIELD_IMMUTABLE));
  }
  errs.push(...validateLabels(m.labels, child(path, 'labels')));
  errs.push(...validateAnnotations(m.annotations, child(path, 'annotations')));
  errs.push(...validateOwnerReferences(m.ownerReferences, child(path, 'ownerReferences')));
  for (const f of (m.finalizers ?? []).map(str)) errs.push(...kubeFinalizerName(f, child(path, 'finalizers')));
  return errs;
}
