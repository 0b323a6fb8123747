/**
 * Kubernetes strategic merge patch (application/strategic-merge-patch+json), the apply side of
 * k8s.io/apimachinery/pkg/util/strategicpatch: what `kubectl apply`, `kubectl edit` and
 * `kubectl patch` send by default for built-in kinds.
 *
 * Like a JSON merge patch, maps merge and null deletes a field; unlike it, lists whose field is
 * tagged patchStrategy "merge" are merged (objects by their patchMergeKey, scalars as a set)
 * instead of replaced, and the patch may carry directives: "$patch" (replace, merge, delete)
 * on maps and list items, "$retainKeys", "$deleteFromPrimitiveList/<field>" and
 * "$setElementOrder/<field>". Field metadata comes from patchMetaFor (meta.ts).
 *
 * Deliberate differences from Go, all for input kubectl never sends: "$patch: merge" is accepted
 * as the explicit default on maps and as a list item (Go rejects it); a "$patch: replace" map
 * with no original keeps its content (Go drops it); "$deleteFromPrimitiveList" must hold a list
 * of scalars (Go deletes the whole field when it is null). Go leaves "$retainKeys" and nulls in
 * new values for its typed round trip to drop; we store plain JSON, so we drop them here.
 */
import { PatchError } from './errors.js';
import { deepClone, hasOwn, isObject, jsonType, setKey, type JsonObject } from './json.js';
import { fieldMeta, isMergeList, isReplaceMap, type PatchMeta } from './meta.js';
import {
  DELETE_FROM_PRIMITIVE_LIST,
  DIRECTIVE,
  DROP,
  RETAIN_KEYS,
  SET_ELEMENT_ORDER,
  at,
  checkDirective,
  fresh,
  freshFields,
  malformed,
} from './strategic-common.js';
import { applySetElementOrder, deleteFromPrimitiveList, mergeList } from './strategic-lists.js';

export { hasPatchMeta, patchMetaFor, type PatchMeta, type PatchStrategy } from './meta.js';

/**
 * Applies a strategic merge patch to an object and returns the patched copy; neither input is
 * mutated and the result shares no objects with them. `meta` is the kind's metadata, usually
 * patchMetaFor(apiVersion, kind). Throws PatchError 'malformed' for an invalid patch (a bad
 * "$patch" value, a list item without its merge key, ...) and 'conflict' when the patch does not
 * fit the object (e.g. the live list holds items of another type); messages name the field path.
 */
export function applyStrategicMergePatch(original: unknown, patch: unknown, meta: PatchMeta): JsonObject {
  if (!isObject(patch)) {
    throw new PatchError('malformed', `Invalid strategic merge patch: it must be a JSON object, not ${jsonType(patch)}`, { path: '' });
  }
  if (original !== undefined && original !== null && !isObject(original)) {
    throw new PatchError('conflict', `Cannot apply a strategic merge patch to ${jsonType(original)}: the document must be a JSON object`, { path: '' });
  }
  // Work on copies: the merge edits the original in place, as the Go implementation does.
  return mergeMap(isObject(original) ? deepClone(original) : {}, patch, meta, '');
}

/** Merges a patch map into `original` (owned by the caller and edited in place) and returns it. */
function mergeMap(original: JsonObject, patch: JsonObject, meta: PatchMeta, path: string): JsonObject {
  if (hasOwn(patch, DIRECTIVE)) {
    const directive = checkDirective(patch[DIRECTIVE], path);
    if (directive === 'delete') return {};
    if (directive === 'replace') return freshFields(patch, path);
  }
  applyRetainKeys(original, patch, path);
  const ordered = applySetElementOrder(original, patch, meta, path, mergeMap);
  for (const [key, value] of Object.entries(patch)) {
    if (key === DIRECTIVE || key === RETAIN_KEYS || key.startsWith(SET_ELEMENT_ORDER) || ordered.has(key)) continue;
    if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) deleteFromPrimitiveList(original, key, value, path);
    else mergeField(original, key, value, fieldMeta(meta, key), at(path, key));
  }
  return original;
}

function mergeField(original: JsonObject, key: string, value: unknown, meta: PatchMeta, path: string): void {
  if (value === null) {
    delete original[key];
    return;
  }
  const current = hasOwn(original, key) ? original[key] : undefined;
  if (current === undefined || jsonType(current) !== jsonType(value)) {
    // Nothing to merge with (a new field, or one whose type changes): take the patch value.
    const v = fresh(value, path);
    if (v === DROP) delete original[key];
    else setKey(original, key, v);
  } else if (isObject(current)) {
    setKey(original, key, isReplaceMap(meta) ? freshFields(value as JsonObject, path) : mergeMap(current, value as JsonObject, meta, path));
  } else if (Array.isArray(current)) {
    // Lists without patchStrategy "merge" are atomic: the patch list replaces the live one.
    setKey(original, key, isMergeList(meta) ? mergeList(current, value as unknown[], meta, path, mergeMap).merged : fresh(value, path));
  } else {
    setKey(original, key, value);
  }
}

/**
 * "$retainKeys": the fields of this map that survive. Every other field of the original is
 * cleared, which is how kubectl apply empties the other members of a union such as
 * Deployment.spec.strategy or a Volume's source. Each field the patch sets must be listed.
 */
function applyRetainKeys(original: JsonObject, patch: JsonObject, path: string): void {
  if (!hasOwn(patch, RETAIN_KEYS)) return;
  const list = patch[RETAIN_KEYS];
  if (!Array.isArray(list)) throw malformed(at(path, RETAIN_KEYS), 'must be a list of field names');
  const retained = new Set(list);
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || key === RETAIN_KEYS || key === DIRECTIVE || key.startsWith(DELETE_FROM_PRIMITIVE_LIST) || key.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!retained.has(key)) throw malformed(at(path, RETAIN_KEYS), `the patch sets "${key}", which is not listed in $retainKeys`);
  }
  for (const key of Object.keys(original)) {
    if (!retained.has(key)) delete original[key];
  }
}
