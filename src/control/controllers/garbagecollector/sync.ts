/**
 * The decisions of the garbage collector (pkg/controller/garbagecollector), as pure functions of
 * an object, the state of its owners and its place in the graph:
 *
 * - classifyOwner: an owner reference is dangling (the owner is gone, or a different object now
 *   has its name), waiting (the owner is being deleted in the foreground, waiting for its
 *   dependents) or solid;
 * - attemptToDelete: an object with a solid owner keeps living (dangling and waiting references
 *   are removed from it); one whose owners are all gone is deleted (with the propagation its own
 *   finalizers ask for), and one whose owner waits on it is deleted in the foreground when it has
 *   dependents of its own, so the wait covers the whole tree;
 * - deletingDependents: a foreground deletion is done, and its finalizer can go, when no
 *   dependent with blockOwnerDeletion is left;
 * - the patches: dropping owner references by uid (strategic merge "$patch: delete", as
 *   Kubernetes sends), unblocking references, removing a finalizer.
 */
import type { DeleteOptions, KObject, OwnerReference } from '../../../api/types.js';
import { FINALIZER_FOREGROUND, FINALIZER_ORPHAN } from './graph.js';

export type OwnerState = 'solid' | 'dangling' | 'waiting';

/**
 * The state of the owner ref points to, given what a lookup found (undefined: not found).
 * A different uid under the same name is another object: the real owner is gone.
 */
export function classifyOwner(ref: OwnerReference, owner: KObject | undefined): OwnerState {
  if (!owner || owner.metadata.uid !== ref.uid) return 'dangling';
  if (owner.metadata.deletionTimestamp && owner.metadata.finalizers?.includes(FINALIZER_FOREGROUND)) return 'waiting';
  return 'solid';
}

export type DeleteDecision =
  | { type: 'none'; reason: string }
  /** Keep the object; drop these owner references (its solid owners keep it alive). */
  | { type: 'removeOwnerReferences'; uids: string[] }
  /** Delete the object with this propagation; unblock first to break a foreground cycle. */
  | { type: 'delete'; policy: NonNullable<DeleteOptions['propagationPolicy']>; unblock: boolean };

/**
 * attemptToDeleteItem's decision for latest (the live object), given the state of each of its
 * owner references, whether it has dependents, and whether one of them is itself waiting for its
 * dependents (a cycle the foreground deletion would never finish).
 */
export function decideAttemptToDelete(latest: KObject, owners: readonly { ref: OwnerReference; state: OwnerState }[], hasDependents: boolean, dependentDeletingDependents: boolean): DeleteDecision {
  if (owners.length === 0) return { type: 'none', reason: 'no owner references' };
  const solid = owners.filter((o) => o.state === 'solid');
  const dangling = owners.filter((o) => o.state === 'dangling');
  const waiting = owners.filter((o) => o.state === 'waiting');
  if (solid.length) {
    if (!dangling.length && !waiting.length) return { type: 'none', reason: 'has a solid owner' };
    return { type: 'removeOwnerReferences', uids: [...dangling, ...waiting].map((o) => o.ref.uid) };
  }
  if (waiting.length && hasDependents) return { type: 'delete', policy: 'Foreground', unblock: dependentDeletingDependents };
  const f = latest.metadata.finalizers ?? [];
  const policy = f.includes(FINALIZER_ORPHAN) ? 'Orphan' : f.includes(FINALIZER_FOREGROUND) ? 'Foreground' : 'Background';
  return { type: 'delete', policy, unblock: false };
}

/** The strategic merge patch that removes the owner references with these uids from the object with itemUid. */
export function deleteOwnerRefsPatch(itemUid: string, ownerUids: readonly string[]): unknown {
  return { metadata: { ownerReferences: ownerUids.map((uid) => ({ $patch: 'delete', uid })), uid: itemUid } };
}

/** The strategic merge patch that sets blockOwnerDeletion=false on every blocking reference; undefined when none blocks. */
export function unblockOwnerRefsPatch(obj: KObject): unknown {
  const refs = (obj.metadata.ownerReferences ?? []).filter((r) => r.blockOwnerDeletion);
  if (!refs.length) return undefined;
  return { metadata: { ownerReferences: refs.map((r) => ({ uid: r.uid, blockOwnerDeletion: false })), uid: obj.metadata.uid } };
}

/** The finalizers of obj without f, or undefined when obj does not have f. */
export function withoutFinalizer(obj: KObject, f: string): string[] | undefined {
  const list = obj.metadata.finalizers ?? [];
  if (!list.includes(f)) return undefined;
  return list.filter((x) => x !== f);
}

/**
 * processDeletingDependentsItem: an owner waiting for its dependents is done when no blocking
 * dependent is left; otherwise the blocking dependents not yet deleting their own are looked at.
 */
export function deletingDependentsDecision(blocking: readonly { uid: string; deletingDependents: boolean }[]): { done: true } | { done: false; attemptToDelete: string[] } {
  if (blocking.length === 0) return { done: true };
  return { done: false, attemptToDelete: blocking.filter((d) => !d.deletingDependents).map((d) => d.uid) };
}
