/**
 * The garbage collector's dependency graph (pkg/controller/garbagecollector's GraphBuilder):
 * every object the informers see, by uid, with its owner references and the objects that
 * reference it. An owner referenced before (or without) being seen is a "virtual" node until an
 * informer shows it or a lookup finds it gone.
 *
 * apply() takes one informer event, updates the graph and says which nodes to look at: the
 * dependents of an object that went away, the owner of a dependent that left a foreground
 * deletion, an object whose deletion started with the orphan or foregroundDeletion finalizer,
 * and virtual owners to verify. It does no I/O; the controller acts on what it returns.
 */
import type { KObject, OwnerReference } from '../../../api/types.js';
import { resourceByKind } from '../../../api/resources.js';

export const FINALIZER_ORPHAN = 'orphan';
export const FINALIZER_FOREGROUND = 'foregroundDeletion';

/** Who an object is: enough to GET it. */
export interface Identity {
  apiVersion: string;
  kind: string;
  /** '' for cluster-scoped objects. */
  namespace: string;
  name: string;
  uid: string;
}

export interface GraphNode {
  identity: Identity;
  /** The owner references of the object as last seen. */
  owners: OwnerReference[];
  /** uids of the objects that reference this one. */
  dependents: Set<string>;
  /** Known only from references: not (yet) seen by an informer. */
  virtual: boolean;
  /** Has a deletionTimestamp. */
  beingDeleted: boolean;
  /** Being deleted with the foregroundDeletion finalizer: waits for its dependents. */
  deletingDependents: boolean;
}

/** What the controller should look at after an event. */
export interface GraphWork {
  /** uids for attemptToDelete. */
  attemptToDelete: string[];
  /** uids for attemptToOrphan. */
  attemptToOrphan: string[];
}

export type GraphEvent = { type: 'add' | 'update'; obj: KObject; old?: KObject } | { type: 'delete'; obj: KObject };

function hasFinalizer(obj: KObject, f: string): boolean {
  return obj.metadata.finalizers?.includes(f) ?? false;
}

function beingDeleted(obj: KObject | undefined): boolean {
  return !!obj?.metadata.deletionTimestamp;
}

/** deletionStartsWithFinalizer: obj is being deleted with f, and old was not (or lacked f). */
export function deletionStartsWithFinalizer(old: KObject | undefined, obj: KObject, f: string): boolean {
  if (!beingDeleted(obj) || !hasFinalizer(obj, f)) return false;
  if (!old) return true;
  return !beingDeleted(old) || !hasFinalizer(old, f);
}

/** Whether kind is namespaced; unknown kinds are taken as namespaced (the common case). */
export function isNamespacedKind(kind: string): boolean {
  return resourceByKind(kind)?.namespaced ?? true;
}

/** The identity of the owner a reference of a dependent points to. */
export function ownerIdentity(ref: OwnerReference, dependentNamespace: string): Identity {
  return { apiVersion: ref.apiVersion, kind: ref.kind, namespace: isNamespacedKind(ref.kind) ? dependentNamespace : '', name: ref.name, uid: ref.uid };
}

export function identityOf(obj: KObject): Identity {
  return { apiVersion: obj.apiVersion ?? '', kind: obj.kind ?? '', namespace: obj.metadata.namespace ?? '', name: obj.metadata.name ?? '', uid: obj.metadata.uid ?? '' };
}

export class Graph {
  private readonly nodes = new Map<string, GraphNode>();

  get(uid: string): GraphNode | undefined {
    return this.nodes.get(uid);
  }

  get size(): number {
    return this.nodes.size;
  }

  /** The dependents of node whose reference to it has blockOwnerDeletion. */
  blockingDependents(node: GraphNode): GraphNode[] {
    const out: GraphNode[] = [];
    for (const uid of node.dependents) {
      const dep = this.nodes.get(uid);
      if (dep?.owners.some((r) => r.uid === node.identity.uid && r.blockOwnerDeletion)) out.push(dep);
    }
    return out;
  }

  /** The dependents of node. */
  dependentsOf(node: GraphNode): GraphNode[] {
    return [...node.dependents].map((u) => this.nodes.get(u)).filter((n): n is GraphNode => !!n);
  }

  /** Applies one informer event. */
  apply(ev: GraphEvent): GraphWork {
    const work: GraphWork = { attemptToDelete: [], attemptToOrphan: [] };
    const obj = ev.obj;
    const uid = obj.metadata.uid;
    if (!uid) return work;
    const existing = this.nodes.get(uid);
    if (ev.type === 'delete') {
      if (!existing) return work;
      this.removeNode(existing);
      work.attemptToDelete.push(...existing.dependents);
      // A dependent of a foreground deletion is gone: its owner may be done waiting.
      for (const ref of existing.owners) {
        const owner = this.nodes.get(ref.uid);
        if (owner?.deletingDependents) work.attemptToDelete.push(owner.identity.uid);
      }
      return work;
    }
    const owners = obj.metadata.ownerReferences ?? [];
    let node: GraphNode;
    if (!existing) {
      node = { identity: identityOf(obj), owners: [...owners], dependents: new Set(), virtual: false, beingDeleted: beingDeleted(obj), deletingDependents: false };
      this.nodes.set(uid, node);
      this.addToOwners(node, owners, work);
    } else {
      node = existing;
      if (node.virtual) {
        // Seen at last: the informer's identity is the truth.
        node.virtual = false;
        node.identity = identityOf(obj);
      }
      const before = new Map(node.owners.map((r) => [r.uid, r]));
      const after = new Map(owners.map((r) => [r.uid, r]));
      const added = owners.filter((r) => !before.has(r.uid));
      const removed = node.owners.filter((r) => !after.has(r.uid));
      // An owner waiting for its blocking dependents stops waiting for one that no longer blocks.
      const unblocked = [
        ...removed.filter((r) => r.blockOwnerDeletion),
        ...owners.filter((r) => before.get(r.uid)?.blockOwnerDeletion && !r.blockOwnerDeletion),
      ];
      for (const r of unblocked) {
        const owner = this.nodes.get(r.uid);
        if (owner?.deletingDependents) work.attemptToDelete.push(owner.identity.uid);
      }
      node.owners = [...owners];
      this.addToOwners(node, added, work);
      for (const r of removed) this.nodes.get(r.uid)?.dependents.delete(uid);
      if (beingDeleted(obj)) node.beingDeleted = true;
    }
    const old = ev.type === 'update' ? ev.old : undefined;
    if (deletionStartsWithFinalizer(old, obj, FINALIZER_ORPHAN)) work.attemptToOrphan.push(uid);
    if (deletionStartsWithFinalizer(old, obj, FINALIZER_FOREGROUND)) {
      node.deletingDependents = true;
      node.beingDeleted = true;
      work.attemptToDelete.push(...node.dependents, uid);
    } else if (beingDeleted(obj) && hasFinalizer(obj, FINALIZER_FOREGROUND)) {
      node.deletingDependents = true;
    } else {
      node.deletingDependents = false;
    }
    return work;
  }

  /**
   * A virtual node, or a node whose object a lookup found gone before the informer did
   * (enqueueVirtualDeleteEvent): removes it and returns its dependents to look at.
   */
  removeAbsent(uid: string): GraphWork {
    const work: GraphWork = { attemptToDelete: [], attemptToOrphan: [] };
    const node = this.nodes.get(uid);
    if (!node) return work;
    this.removeNode(node);
    work.attemptToDelete.push(...node.dependents);
    for (const ref of node.owners) {
      const owner = this.nodes.get(ref.uid);
      if (owner?.deletingDependents) work.attemptToDelete.push(owner.identity.uid);
    }
    return work;
  }

  private addToOwners(node: GraphNode, refs: readonly OwnerReference[], work: GraphWork): void {
    for (const ref of refs) {
      let owner = this.nodes.get(ref.uid);
      if (!owner) {
        // Referenced but not seen: verify that it exists (it may be gone, or in another informer's backlog).
        owner = { identity: ownerIdentity(ref, node.identity.namespace), owners: [], dependents: new Set(), virtual: true, beingDeleted: false, deletingDependents: false };
        this.nodes.set(ref.uid, owner);
        work.attemptToDelete.push(ref.uid);
      }
      owner.dependents.add(node.identity.uid);
    }
  }

  private removeNode(node: GraphNode): void {
    const uid = node.identity.uid;
    this.nodes.delete(uid);
    // Dependents keep their (now dangling) reference; the caller queues them, and a lookup tells.
    for (const ref of node.owners) this.nodes.get(ref.uid)?.dependents.delete(uid);
  }
}
