/**
 * RFC 7386 JSON Merge Patch (application/merge-patch+json): what `kubectl scale`, `kubectl
 * label` and `kubectl annotate` send. Objects merge recursively, null deletes a field, and any
 * other value (arrays included) replaces what was there.
 */
import { deepClone, hasOwn, isObject, setKey, type JsonObject } from './json.js';

/**
 * Applies a merge patch and returns a new document; neither input is mutated and the result
 * shares no objects with them. As RFC 7386 defines it, a patch that is not an object replaces
 * the whole target, and nulls inside objects the target lacks are dropped, not stored.
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return deepClone(patch);
  const base: JsonObject = isObject(target) ? target : {};
  const out: JsonObject = {};
  // Walk the target first so that fields keep their order; each value is copied or merged once.
  for (const [key, value] of Object.entries(base)) {
    if (!hasOwn(patch, key)) setKey(out, key, deepClone(value));
    else if (patch[key] !== null) setKey(out, key, applyMergePatch(value, patch[key]));
  }
  for (const [key, value] of Object.entries(patch)) {
    if (value !== null && !hasOwn(base, key)) setKey(out, key, applyMergePatch(undefined, value));
  }
  return out;
}
