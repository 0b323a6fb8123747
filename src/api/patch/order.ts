/**
 * List ordering for strategic merge patch, ported from the Go implementation
 * (normalizeElementOrder, mergeSortedSlice, partition*ByPresentInList) so that merged lists come
 * out in the same order as on a real API server. The precedence is: $setElementOrder, then the
 * order of items in the patch, then the order of the live list for items only the server has.
 *
 * Items are identified by their merge key for lists of objects, by value for lists of scalars.
 */
import { isObject } from './json.js';

/** Returns what identifies a list item: its merge key value, or the item itself for scalars. */
export type ItemIdentity = (item: unknown) => unknown;

export function identityFor(mergeKey: string | undefined): ItemIdentity {
  return mergeKey ? (item) => (isObject(item) ? item[mergeKey] : undefined) : (item) => item;
}

/** Splits items into those whose identity occurs in `by` and those whose identity does not. */
export function partitionByPresence(items: readonly unknown[], by: readonly unknown[], id: ItemIdentity): [present: unknown[], absent: unknown[]] {
  const wanted = new Set(by.map(id));
  const present: unknown[] = [];
  const absent: unknown[] = [];
  for (const item of items) (wanted.has(id(item)) ? present : absent).push(item);
  return [present, absent];
}

/**
 * Orders the items a patch mentions by `patchOrder` and the server-only items by `serverOrder`,
 * then interleaves the two so that each keeps its relative order and server-only items stay
 * near their old neighbours.
 */
export function normalizeElementOrder(
  patchItems: readonly unknown[],
  serverOnly: readonly unknown[],
  patchOrder: readonly unknown[],
  serverOrder: readonly unknown[],
  id: ItemIdentity,
): unknown[] {
  return mergeSorted(sortByOrder(serverOnly, serverOrder, id), sortByOrder(patchItems, patchOrder, id), serverOrder, id);
}

/** A stable sort of items by the first position of their identity in `order`; unknown ones last. */
function sortByOrder(items: readonly unknown[], order: readonly unknown[], id: ItemIdentity): unknown[] {
  const position = firstPositions(order, id);
  const rank = (item: unknown): number => position.get(id(item)) ?? Number.POSITIVE_INFINITY;
  return items
    .map((item, i) => ({ item, i, r: rank(item) }))
    .sort((a, b) => (a.r === b.r ? a.i - b.i : a.r < b.r ? -1 : 1))
    .map((x) => x.item);
}

/**
 * Go's mergeSortedSlice: walks both lists, taking the server-only item (left) first only when
 * both items appear in the live list and the server-only one came earlier there; otherwise the
 * patch item (right) goes first. So items new to the list sort before server-only items that
 * follow them, as kubectl users see on a real cluster.
 */
function mergeSorted(left: readonly unknown[], right: readonly unknown[], serverOrder: readonly unknown[], id: ItemIdentity): unknown[] {
  const position = firstPositions(serverOrder, id);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = position.get(id(left[i]));
      const ri = position.get(id(right[j]));
      if (li !== undefined && ri !== undefined && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

function firstPositions(order: readonly unknown[], id: ItemIdentity): Map<unknown, number> {
  const position = new Map<unknown, number>();
  order.forEach((item, i) => {
    const key = id(item);
    if (!position.has(key)) position.set(key, i);
  });
  return position;
}
