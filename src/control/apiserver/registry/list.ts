/**
 * LIST with label and field selectors and limit/continue pagination. A first page comes from the
 * watch cache; later pages come from the storage at the first page's revision, so the pages of
 * one list are a consistent snapshot (until that revision is compacted: then 410 Expired, as
 * Kubernetes answers).
 */
import { errors } from '../../../api/errors.js';
import type { ResourceInfo } from '../../../api/resources.js';
import {
  checkFieldSelectorSupported,
  fieldsOf,
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
} from '../../../api/selectors.js';
import type { KObject } from '../../../api/types.js';
import { CompactedError } from '../storage/interface.js';
import type { Store } from './store.js';

export interface ListQuery {
  labelSelector?: string | null;
  fieldSelector?: string | null;
  limit?: number;
  continueToken?: string | null;
  resourceVersion?: string | null;
  resourceVersionMatch?: string | null;
}

export interface ListPage {
  items: KObject[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export type Predicate = (obj: KObject) => boolean;

/** The filter for a request's labelSelector and fieldSelector; 400 BadRequest when malformed. */
export function makePredicate(r: ResourceInfo, labelSelector?: string | null, fieldSelector?: string | null): Predicate {
  const ls = labelSelector ? parseLabelSelector(labelSelector) : undefined;
  const fs = fieldSelector ? parseFieldSelector(fieldSelector) : undefined;
  if (fs) checkFieldSelectorSupported(r.kind, fs);
  if (!ls && !fs) return () => true;
  return (obj) => (!ls || matchesLabels(ls, obj.metadata.labels ?? {})) && (!fs || matchesFields(fs, cachedFields(r.kind, obj)));
}

/**
 * The field set of an object, computed once per object version: every watcher with a field
 * selector asks for it on every event, and cached objects never change.
 */
const fieldMemo = new WeakMap<KObject, Record<string, string>>();
function cachedFields(kind: string, obj: KObject): Record<string, string> {
  let f = fieldMemo.get(obj);
  if (!f) fieldMemo.set(obj, (f = fieldsOf(kind, obj)));
  return f;
}

interface ContinueToken {
  v: string;
  rv: number;
  start: string;
}

function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start } satisfies ContinueToken)).toString('base64url');
}

function decodeContinue(token: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as ContinueToken;
    if (t.v !== 'meta.k8s.io/v1' || typeof t.rv !== 'number' || typeof t.start !== 'string') throw new Error('bad fields');
    return t;
  } catch {
    throw errors.badRequest('invalid continue token: not a token this server issued');
  }
}

function parseLimit(limit: number | undefined): number {
  if (limit === undefined || Number.isNaN(limit)) return 0;
  if (!Number.isInteger(limit) || limit < 0) throw errors.badRequest(`invalid limit: "${limit}"`);
  return limit;
}

export async function listObjects(store: Store, r: ResourceInfo, ns: string, q: ListQuery): Promise<ListPage> {
  const match = makePredicate(r, q.labelSelector, q.fieldSelector);
  const limit = parseLimit(q.limit);
  const prefix = store.cache.prefixOf(r, ns);
  const keyOf = (o: KObject) => store.key(r, o.metadata.namespace ?? '', o.metadata.name!);
  const exactRv = q.resourceVersionMatch === 'Exact' && q.resourceVersion ? Number(q.resourceVersion) : undefined;
  if (q.resourceVersion && q.resourceVersion !== '0' && !/^\d+$/.test(q.resourceVersion)) {
    throw errors.badRequest(`invalid resourceVersion: "${q.resourceVersion}"`);
  }
  if (q.continueToken || (exactRv !== undefined && exactRv !== store.cache.revision())) {
    const t = q.continueToken ? decodeContinue(q.continueToken) : { rv: exactRv!, start: '' };
    if (t.rv !== store.cache.revision()) return listFromStorage(store, prefix, t.rv, t.start, limit, match);
    const entries = store.cache.list(r, prefix).filter((e) => e.key > prefix + t.start);
    return pageOf(entries.map((e) => e.obj), store.cache.revision(), prefix, limit, match, keyOf);
  }
  return pageOf(store.cache.list(r, prefix).map((e) => e.obj), store.cache.revision(), prefix, limit, match, keyOf);
}

function pageOf(objs: KObject[], rev: number, prefix: string, limit: number, match: Predicate, keyOf: (o: KObject) => string): ListPage {
  const items: KObject[] = [];
  let i = 0;
  for (; i < objs.length; i++) {
    const o = objs[i]!;
    if (!match(o)) continue;
    if (limit && items.length === limit) break;
    items.push(o);
  }
  const page: ListPage = { items, resourceVersion: String(rev) };
  if (limit && i < objs.length) {
    const rest = objs.slice(i).filter(match).length;
    if (rest > 0) {
      page.continue = encodeContinue(rev, keyOf(items[items.length - 1]!).slice(prefix.length));
      page.remainingItemCount = rest;
    }
  }
  return page;
}

const TOO_OLD =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

async function listFromStorage(store: Store, prefix: string, rev: number, start: string, limit: number, match: Predicate): Promise<ListPage> {
  const items: KObject[] = [];
  let after = start ? prefix + start : undefined;
  let lastReturned: string | undefined;
  try {
    scan: for (;;) {
      const batch = await store.storage.list(prefix, { revision: rev, ...(after ? { startAfter: after } : {}), limit: 500 });
      for (const kv of batch.items) {
        if (limit && items.length === limit) break scan;
        after = kv.key;
        const obj = decodeKv(kv.value, kv.modRevision);
        if (!match(obj)) continue;
        items.push(obj);
        lastReturned = kv.key;
      }
      if (!batch.more) break;
    }
    const page: ListPage = { items, resourceVersion: String(rev) };
    if (limit && items.length === limit && lastReturned) {
      const rest = await store.storage.list(prefix, { revision: rev, startAfter: lastReturned });
      const remaining = rest.items.filter((kv) => match(decodeKv(kv.value, kv.modRevision))).length;
      if (remaining > 0) {
        page.continue = encodeContinue(rev, lastReturned.slice(prefix.length));
        page.remainingItemCount = remaining;
      }
    }
    return page;
  } catch (err) {
    if (err instanceof CompactedError) throw errors.gone(TOO_OLD);
    throw err;
  }
}

function decodeKv(value: string, rev: number): KObject {
  const obj = JSON.parse(value) as KObject;
  obj.metadata.resourceVersion = String(rev);
  return obj;
}
