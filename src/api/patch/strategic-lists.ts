/**
 * The list half of strategic merge patch: merging lists by merge key or as sets of scalars,
 * "$patch" markers inside lists, $deleteFromPrimitiveList and $setElementOrder. A port of
 * mergeSlice, mergePatchIntoOriginal and friends in k8s.io/apimachinery strategicpatch/patch.go.
 */
import { hasOwn, isObject, setKey, type JsonObject } from './json.js';
import { isMergeList, fieldMeta, type PatchMeta } from './meta.js';
import { identityFor, normalizeElementOrder, partitionByPresence } from './order.js';
import {
  DELETE_FROM_PRIMITIVE_LIST,
  DIRECTIVE,
  SET_ELEMENT_ORDER,
  at,
  checkDirective,
  conflict,
  directiveField,
  elementType,
  fresh,
  item,
  malformed,
  requireMergeKey,
} from './strategic-common.js';

/** Merges one patch map into one original map (the map half, passed in to avoid an import cycle). */
export type MergeMap = (original: JsonObject, patch: JsonObject, meta: PatchMeta, path: string) => JsonObject;

export interface ListMerge {
  merged: unknown[];
  /**
   * The live list as Go's in-place edits leave it, which $setElementOrder uses to place
   * server-only items. See ServerList.
   */
  serverView: readonly unknown[];
}

/**
 * Merges a patch list into a live list of a field whose strategy is "merge": scalars as a set,
 * objects by merge key (patch items merge into the matching live item or are appended), with
 * "$patch: delete" and "$patch: replace" markers honoured. The result is ordered as Go orders it.
 */
export function mergeList(original: readonly unknown[], patch: readonly unknown[], meta: PatchMeta, path: string, mergeMap: MergeMap): ListMerge {
  if (original.length === 0 && patch.length === 0) return { merged: [], serverView: [] };
  if (elementType(original, patch, path) !== 'object') {
    const merged = [...new Set([...original, ...patch])];
    const id = identityFor(undefined);
    const [inPatch, serverOnly] = partitionByPresence(merged, patch, id);
    return { merged: normalizeElementOrder(inPatch, serverOnly, patch, original, id), serverView: original };
  }
  const mergeKey = meta.mergeKey;
  if (!mergeKey) throw malformed(path, 'cannot merge a list of objects that has no merge key');
  const server = new ServerList(original);
  const { items, replace } = applyMarkers(server, patch, mergeKey, path);
  if (replace) {
    const replaced = fresh(items, path) as unknown[];
    requireMergeKey(replaced, mergeKey, path, malformed);
    return { merged: replaced, serverView: server.view() };
  }
  // Server-only items keep the order they had after deletions, before anything was appended.
  const serverOrder = server.items.slice();
  items.forEach((p, i) => {
    const patchItem = p as JsonObject;
    const key = patchItem[mergeKey];
    const found = server.items.findIndex((v) => isObject(v) && hasOwn(v, mergeKey) && v[mergeKey] === key);
    if (found >= 0) server.items[found] = mergeMap(server.items[found] as JsonObject, patchItem, meta, item(path, i));
    else server.append(fresh(patchItem, item(path, i)));
  });
  requireMergeKey(server.items, mergeKey, path, conflict);
  const id = identityFor(mergeKey);
  const [inPatch, serverOnly] = partitionByPresence(server.items, items, id);
  return { merged: normalizeElementOrder(inPatch, serverOnly, items, serverOrder, id), serverView: server.view() };
}

/**
 * Applies the "$patch" markers of a patch list of objects: {"$patch":"delete", <key>: v} deletes
 * every live item with that key, {"$patch":"replace"} makes the rest of the patch list the
 * whole list. Returns the remaining (ordinary) patch items, each checked for its merge key.
 */
function applyMarkers(server: ServerList, patch: readonly unknown[], mergeKey: string, path: string): { items: unknown[]; replace: boolean } {
  const items: unknown[] = [];
  let replace = false;
  patch.forEach((v, i) => {
    const p = v as JsonObject;
    if (!hasOwn(p, DIRECTIVE)) {
      if (!hasOwn(p, mergeKey)) throw malformed(item(path, i), `list item does not contain declared merge key "${mergeKey}"`);
      items.push(p);
      return;
    }
    const directive = checkDirective(p[DIRECTIVE], item(path, i));
    if (directive === 'replace') replace = true;
    if (directive !== 'delete') return;
    if (!hasOwn(p, mergeKey)) throw malformed(item(path, i), `a "$patch: delete" item must name the item by its merge key "${mergeKey}"`);
    server.deleteWhere((x) => isObject(x) && hasOwn(x, mergeKey) && x[mergeKey] === p[mergeKey]);
  });
  return { items, replace };
}

/**
 * The live list, plus the view of it that Go's in-place slice edits leave behind. Go deletes by
 * shifting later items left inside the same backing array and appends into the freed tail, and
 * $setElementOrder then places server-only items by that array as it was left. The Kubernetes
 * test suite (and so every real API server) depends on it, e.g. "add map and delete map from
 * merging list", so we reproduce it rather than use the list as it was.
 */
class ServerList {
  readonly items: unknown[];
  private readonly backing: unknown[];
  private length: number;

  constructor(original: readonly unknown[]) {
    this.items = original.slice();
    this.backing = original.slice();
    this.length = original.length;
  }

  deleteWhere(matches: (v: unknown) => boolean): void {
    for (let i = this.items.findIndex(matches); i >= 0; i = this.items.findIndex(matches)) {
      this.items.splice(i, 1);
      this.backing.copyWithin(i, i + 1, this.length);
      this.length--;
    }
  }

  append(v: unknown): void {
    this.items.push(v);
    // Past the original capacity Go moves to a new array, which the view never sees.
    if (this.length < this.backing.length) this.backing[this.length++] = v;
  }

  view(): readonly unknown[] {
    return this.backing;
  }
}

/**
 * Applies "$deleteFromPrimitiveList/<field>": removes every occurrence of the listed scalars from
 * the field's list, whatever the field's strategy. A missing or non-list field is left alone
 * (Go used to add the delete list as the value; it no longer does).
 */
export function deleteFromPrimitiveList(original: JsonObject, key: string, values: unknown, path: string): void {
  const field = directiveField(key, DELETE_FROM_PRIMITIVE_LIST, path);
  const directivePath = at(path, key);
  if (!Array.isArray(values)) throw malformed(directivePath, 'must be a list of the values to delete');
  values.forEach((v, i) => {
    if (isObject(v) || Array.isArray(v)) throw malformed(item(directivePath, i), 'only scalars can be deleted from a primitive list');
  });
  const current = hasOwn(original, field) ? original[field] : undefined;
  if (!Array.isArray(current) || values.length === 0) return;
  if (elementType(current, values, at(path, field)) === 'object') {
    throw conflict(at(path, field), `"${key}" applies only to lists of scalars`);
  }
  const doomed = new Set(values);
  setKey(original, field, current.filter((v) => !doomed.has(v)));
}

/**
 * Applies every "$setElementOrder/<field>" of a patch map: merges the field's patch list (if any)
 * into the live list, then orders the result as the directive lists it, keeping server-only
 * items near their neighbours. Returns the fields it handled, which the caller must skip.
 */
export function applySetElementOrder(original: JsonObject, patch: JsonObject, meta: PatchMeta, path: string, mergeMap: MergeMap): Set<string> {
  const handled = new Set<string>();
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    const field = directiveField(key, SET_ELEMENT_ORDER, path);
    const orderPath = at(path, key);
    const fieldPath = at(path, field);
    const order = patch[key];
    if (!Array.isArray(order)) throw malformed(orderPath, 'must be a list');
    const fm = fieldMeta(meta, field);
    const live = hasOwn(original, field) && original[field] !== null ? original[field] : undefined;
    if (live !== undefined && !Array.isArray(live)) throw conflict(fieldPath, `is not a list, so "${key}" cannot order it`);
    const hasPatchList = hasOwn(patch, field);
    const patchList = hasPatchList ? patch[field] : undefined;
    if (hasPatchList && !Array.isArray(patchList)) throw malformed(fieldPath, `must be a list when "${key}" is given`);
    checkOrderMatchesPatch((patchList as unknown[] | undefined) ?? [], order, fm.mergeKey, orderPath);
    handled.add(field);

    let merged: unknown[];
    let serverView: readonly unknown[];
    if (live === undefined && patchList === undefined) continue;
    if (patchList === undefined) {
      merged = live as unknown[];
      serverView = merged;
    } else if (live === undefined) {
      merged = fresh(patchList, fieldPath) as unknown[];
      serverView = [];
    } else if (isMergeList(fm)) {
      ({ merged, serverView } = mergeList(live as unknown[], patchList as unknown[], fm, fieldPath, mergeMap));
    } else {
      merged = fresh(patchList, fieldPath) as unknown[];
      serverView = live as unknown[];
    }
    setKey(original, field, orderAs(merged, order, serverView, fm.mergeKey, fieldPath, orderPath));
  }
  return handled;
}

function orderAs(merged: unknown[], order: unknown[], serverView: readonly unknown[], mergeKey: string | undefined, fieldPath: string, orderPath: string): unknown[] {
  if (merged.length === 0) return merged;
  if (elementType(merged, [], fieldPath) === 'object') {
    if (!mergeKey) throw malformed(orderPath, 'the list has no merge key, so its objects cannot be ordered');
    requireMergeKey(merged, mergeKey, fieldPath, conflict);
    requireMergeKey(order, mergeKey, orderPath, malformed);
  }
  const id = identityFor(mergeKey);
  const [listed, serverOnly] = partitionByPresence(merged, order, id);
  return normalizeElementOrder(listed, serverOnly, order, serverView, id);
}

/**
 * Go's validatePatchWithSetOrderList: the patch list (deletions and markers aside) must appear
 * in $setElementOrder, in the same relative order.
 */
function checkOrderMatchesPatch(patchList: readonly unknown[], order: readonly unknown[], mergeKey: string | undefined, orderPath: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  const items = mergeKey ? patchList.filter((v) => !(isObject(v) && v[DIRECTIVE] === 'delete')) : patchList;
  const same = (pi: number, oi: number): boolean => {
    const a = items[pi];
    const b = order[oi];
    if (!mergeKey) return a === b;
    if (!isObject(a) || !hasOwn(a, mergeKey)) throw malformed(orderPath, `patch list item ${pi} does not contain declared merge key "${mergeKey}"`);
    if (!isObject(b) || !hasOwn(b, mergeKey)) throw malformed(item(orderPath, oi), `does not contain declared merge key "${mergeKey}"`);
    return a[mergeKey] === b[mergeKey];
  };
  let p = 0;
  let o = 0;
  while (p < items.length && o < order.length) {
    if (isObject(items[p]) && hasOwn(items[p] as JsonObject, DIRECTIVE)) {
      p++;
      continue;
    }
    if (same(p, o)) p++;
    o++;
  }
  if (p < items.length) {
    throw malformed(orderPath, `the order of the patch list ${JSON.stringify(items)} does not match ${JSON.stringify(order)}`);
  }
}
