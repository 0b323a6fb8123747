/**
 * Controller references and claiming, as Kubernetes' metav1 (GetControllerOf, NewControllerRef)
 * and pkg/controller/controller_ref_manager.go (ClaimObject) define them: a controller owns the
 * objects whose controller ownerReference carries its UID; it adopts orphans its selector
 * matches and releases owned objects its selector no longer matches. Shared by the ReplicaSet
 * controller (pods) and the Deployment controller (ReplicaSets).
 */
import { matchesLabels, type LabelSelectorParsed } from '../../../api/selectors.js';
import type { KObject, OwnerReference } from '../../../api/types.js';
import { isNotFound } from '../../../client/errors.js';

/** The ownerReference with controller: true, if any (metav1.GetControllerOf). */
export function getControllerOf(obj: Pick<KObject, 'metadata'>): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller === true);
}

/** Whether owner's UID is obj's controller (metav1.IsControlledBy). */
export function isControlledBy(obj: Pick<KObject, 'metadata'>, owner: Pick<KObject, 'metadata'>): boolean {
  const ref = getControllerOf(obj);
  return ref !== undefined && ref.uid === owner.metadata.uid;
}

/** metav1.NewControllerRef: a controller reference that also blocks the owner's foreground deletion. */
export function newControllerRef(owner: KObject, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: owner.metadata.name ?? '', uid: owner.metadata.uid ?? '', controller: true, blockOwnerDeletion: true };
}

/** The strategic merge patch that makes ref the controller of the object with uid (adoption). */
export function adoptPatch(ref: OwnerReference, uid: string): unknown {
  return { metadata: { ownerReferences: [ref], uid } };
}

/** The strategic merge patch that removes ownerUid's reference from the object with uid (release). */
export function releasePatch(ownerUid: string, uid: string): unknown {
  return { metadata: { ownerReferences: [{ $patch: 'delete', uid: ownerUid }], uid } };
}

/** How claimObjects changes ownership. */
export interface ClaimActions<T> {
  /**
   * Checks, once and before the first adoption, that the owner still exists with the same UID
   * and is not being deleted (RecheckDeletionTimestamp): throws otherwise, so a controller
   * acting on a stale cache never adopts for an owner that is gone.
   */
  canAdopt(): Promise<void>;
  /** Makes the owner obj's controller. */
  adopt(obj: T): Promise<void>;
  /** Removes the owner's reference from obj. */
  release(obj: T): Promise<void>;
}

/** What the owner claims of the candidates: the objects it now controls, and the adoptions or releases that failed. */
export interface ClaimResult<T> {
  claimed: T[];
  errors: Error[];
}

/** The pure half of claiming: what happens to one candidate. */
export type ClaimDecision = 'own' | 'adopt' | 'release' | 'ignore';

/**
 * ClaimObject's decision for obj: 'own' when the owner controls it and the selector matches,
 * 'release' when it controls it but the selector no longer matches (unless the owner is being
 * deleted), 'adopt' for a matching orphan of the owner's namespace that is not being deleted,
 * 'ignore' otherwise (someone else's, or not a match).
 */
export function claimDecision(owner: KObject, selector: LabelSelectorParsed, obj: KObject): ClaimDecision {
  const ref = getControllerOf(obj);
  const ownerDeleting = !!owner.metadata.deletionTimestamp;
  const match = matchesLabels(selector, obj.metadata.labels);
  if (ref) {
    if (ref.uid !== owner.metadata.uid) return 'ignore';
    if (match) return 'own';
    return ownerDeleting ? 'ignore' : 'release';
  }
  if (ownerDeleting || !match || obj.metadata.deletionTimestamp) return 'ignore';
  if (owner.metadata.namespace && owner.metadata.namespace !== obj.metadata.namespace) return 'ignore';
  return 'adopt';
}

/**
 * ClaimPods / ClaimReplicaSets: decides every candidate, adopts and releases as decided, and
 * returns what the owner controls afterwards. An object that vanished meanwhile (NotFound) is
 * simply not claimed; other failures are collected and the rest still processed.
 */
export async function claimObjects<T extends KObject>(owner: KObject, selector: LabelSelectorParsed, candidates: readonly T[], actions: ClaimActions<T>): Promise<ClaimResult<T>> {
  const claimed: T[] = [];
  const errors: Error[] = [];
  let adoptable: Promise<void> | undefined;
  for (const obj of candidates) {
    const decision = claimDecision(owner, selector, obj);
    try {
      if (decision === 'own') claimed.push(obj);
      else if (decision === 'release') await actions.release(obj);
      else if (decision === 'adopt') {
        adoptable ??= actions.canAdopt();
        await adoptable;
        await actions.adopt(obj);
        claimed.push(obj);
      }
    } catch (err) {
      if (isNotFound(err)) continue;
      errors.push(err instanceof Error ? err : new Error(String(err)));
    }
  }
  return { claimed, errors };
}
