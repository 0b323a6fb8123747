/**
 * The PATCH engines: pure functions that turn (object, patch) into the patched object, one per
 * patch content type kubectl sends. No I/O; the API server decodes the body, calls applyPatch,
 * then validates and stores the result like an update, and maps a PatchError to a Status by kind.
 */
import { PatchError } from './errors.js';
import { isObject } from './json.js';
import { applyJsonPatch } from './jsonpatch.js';
import { applyMergePatch } from './mergepatch.js';
import { patchMetaFor } from './meta.js';
import { applyStrategicMergePatch } from './strategic.js';

export { PatchError, isPatchError, type PatchErrorKind } from './errors.js';
export { applyJsonPatch, parseJsonPatch, type JsonPatchOperation } from './jsonpatch.js';
export { applyMergePatch } from './mergepatch.js';
export { hasPatchMeta, patchMetaFor, type PatchMeta, type PatchStrategy } from './meta.js';
export { applyStrategicMergePatch } from './strategic.js';

/** The patch media types, as they appear in a PATCH request's Content-Type. */
export const PatchContentType = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

/** The content types applyPatch accepts, for 415 messages and the Accept-Patch header. */
export const SUPPORTED_PATCH_TYPES: readonly string[] = [PatchContentType.json, PatchContentType.merge, PatchContentType.strategic];

/**
 * Applies a decoded patch body to an object according to the request's Content-Type (media type
 * parameters such as "; charset=utf-8" are ignored). `apiVersion` and `kind` select the strategic
 * merge patch metadata. Returns a new object; the inputs are not mutated.
 *
 * Throws PatchError: 'unsupported' for server-side apply and unknown content types, 'malformed'
 * for a patch that is not valid for its type (including a merge or strategic patch that is not
 * a JSON object), 'conflict' for a patch that does not apply to this object.
 */
export function applyPatch(contentType: string, original: unknown, patch: unknown, apiVersion: string, kind: string): unknown {
  const mediaType = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  switch (mediaType) {
    case PatchContentType.json:
      return applyJsonPatch(original, patch);
    case PatchContentType.merge:
      // RFC 7386 lets a non-object patch replace the whole document; for an API object that can
      // only destroy it, so Kubernetes (evanphx/json-patch) refuses it and so do we.
      if (!isObject(patch)) throw new PatchError('malformed', 'Invalid JSON merge patch: it must be a JSON object', { path: '' });
      return applyMergePatch(original, patch);
    case PatchContentType.strategic:
      return applyStrategicMergePatch(original, patch, patchMetaFor(apiVersion, kind));
    default:
      if (mediaType.startsWith('application/apply-patch')) {
        throw new PatchError(
          'unsupported',
          `Server-side apply ("${mediaType}") is not supported by this API server: use client-side "kubectl apply" (without --server-side)`,
        );
      }
      throw new PatchError('unsupported', `Unsupported patch content type "${contentType}": supported types are ${SUPPORTED_PATCH_TYPES.map((t) => `"${t}"`).join(', ')}`);
  }
}
