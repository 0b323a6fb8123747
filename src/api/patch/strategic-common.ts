/**
 * Pieces of the strategic merge patch engine shared by the map and list halves: directive
 * names, field paths for messages, errors, and `fresh`, which turns a patch value that has
 * nothing to merge into (a new field, a new list item, a replaced list) into plain data.
 */
import { PatchError } from './errors.js';
import { hasOwn, isObject, jsonType, setKey, type JsonObject } from './json.js';

export const DIRECTIVE = '$patch';
export const RETAIN_KEYS = '$retainKeys';
export const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';
export const SET_ELEMENT_ORDER = '$setElementOrder';

/** Keys that only steer the merge; they never reach the stored object. */
export function isDirectiveKey(key: string): boolean {
  return key === DIRECTIVE || key === RETAIN_KEYS || key.startsWith(DELETE_FROM_PRIMITIVE_LIST) || key.startsWith(SET_ELEMENT_ORDER);
}

/** The field a "$setElementOrder/<field>" or "$deleteFromPrimitiveList/<field>" key is about. */
export function directiveField(key: string, prefix: string, path: string): string {
  const field = key.startsWith(`${prefix}/`) ? key.slice(prefix.length + 1) : '';
  if (field === '') throw malformed(at(path, key), `a ${prefix} directive must be written "${prefix}/<field>"`);
  return field;
}

/** The path of a field below `path`, as messages print it: spec.containers, metadata.annotations["a/b"]. */
export function at(path: string, key: string): string {
  if (!/^[A-Za-z_][\w-]*$/.test(key)) return `${path}[${JSON.stringify(key)}]`;
  return path === '' ? key : `${path}.${key}`;
}

export function item(path: string, index: number): string {
  return `${path}[${index}]`;
}

export function malformed(path: string, what: string): PatchError {
  return new PatchError('malformed', `Invalid strategic merge patch at ${where(path)}: ${what}`, { path });
}

export function conflict(path: string, what: string): PatchError {
  return new PatchError('conflict', `Cannot apply strategic merge patch at ${where(path)}: ${what}`, { path });
}

function where(path: string): string {
  return path === '' ? 'the top level' : `"${path}"`;
}

/** Checks a $patch value; "merge" is the default made explicit (Go rejects it; we accept it). */
export function checkDirective(value: unknown, path: string): 'replace' | 'merge' | 'delete' {
  if (value === 'replace' || value === 'merge' || value === 'delete') return value;
  throw malformed(at(path, DIRECTIVE), `"$patch" must be "replace", "merge" or "delete", not ${JSON.stringify(value)}`);
}

/** Marks a value that must not be stored at all (a "$patch" map with nothing to apply it to). */
export const DROP: unique symbol = Symbol('drop');

/**
 * A patch value with no counterpart in the original, made into plain data the way the Go
 * implementation does (removeDirectives + discardNullValuesFromPatch) and the typed round trip
 * after it finishes: nulls and directive keys vanish, list items that carry "$patch" are
 * markers and vanish, and a map marked "$patch: delete" is dropped. A map marked replace or
 * merge keeps its content (there is nothing else it could mean; Go drops it, which loses data).
 */
export function fresh(value: unknown, path: string): unknown {
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    value.forEach((v, i) => {
      if (isObject(v) && hasOwn(v, DIRECTIVE)) {
        checkDirective(v[DIRECTIVE], item(path, i));
        return;
      }
      out.push(fresh(v, item(path, i)));
    });
    return out;
  }
  if (!isObject(value)) return value;
  if (hasOwn(value, DIRECTIVE) && checkDirective(value[DIRECTIVE], path) === 'delete') return DROP;
  return freshFields(value, path);
}

/** The fields of a patch map as plain data, ignoring any "$patch" on the map itself. */
export function freshFields(value: JsonObject, path: string): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === null || isDirectiveKey(k)) continue;
    const f = fresh(v, at(path, k));
    if (f !== DROP) setKey(out, k, f);
  }
  return out;
}

/**
 * The JSON type all items of the given lists share. Go refuses lists that mix types and lists of
 * lists; a mix inside the patch is the patch's fault, a mix with the original a conflict.
 */
export function elementType(original: readonly unknown[], patch: readonly unknown[], path: string): string | undefined {
  const of = (list: readonly unknown[], blame: (what: string) => PatchError): string | undefined => {
    let type: string | undefined;
    for (const v of list) {
      const t = jsonType(v);
      if (t === 'array') throw blame('lists of lists are not supported');
      if (type !== undefined && t !== type) throw blame(`the list mixes ${type} and ${t} items`);
      type = t;
    }
    return type;
  };
  const p = of(patch, (what) => malformed(path, what));
  const o = of(original, (what) => conflict(path, `the existing list is invalid: ${what}`));
  if (p !== undefined && o !== undefined && p !== o) {
    throw conflict(path, `the patch has ${p} items but the existing list has ${o} items`);
  }
  return p ?? o;
}

/** Requires every item to be an object carrying the merge key, as Go's merge does. */
export function requireMergeKey(items: readonly unknown[], mergeKey: string, path: string, blame: typeof malformed): void {
  items.forEach((v, i) => {
    if (!isObject(v) || !hasOwn(v, mergeKey)) {
      throw blame(item(path, i), `list item does not contain declared merge key "${mergeKey}"`);
    }
  });
}
