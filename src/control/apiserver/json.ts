/**
 * JSON text of API objects, computed once per object version. Objects in the watch cache are
 * never changed in place, so their text can be memoised by identity and shared by every GET,
 * LIST and watcher that sends them.
 */
import type { KObject } from '../../api/types.js';

const memo = new WeakMap<object, string>();

export function jsonOf(obj: KObject): string {
  let s = memo.get(obj);
  if (s === undefined) {
    s = JSON.stringify(obj);
    memo.set(obj, s);
  }
  return s;
}

/** A List response built from the objects' memoised text. */
export function listJson(apiVersion: string, listKind: string, meta: { resourceVersion: string; continue?: string; remainingItemCount?: number }, items: KObject[]): string {
  return `{"kind":${JSON.stringify(listKind)},"apiVersion":${JSON.stringify(apiVersion)},"metadata":${JSON.stringify(meta)},"items":[${items.map(jsonOf).join(',')}]}`;
}
