/**
 * Informer indexes the workload controllers look objects up by, so a sync costs the size of
 * its own ReplicaSet, not of the namespace: objects by controller UID, orphans (no controller)
 * by namespace, and everything by namespace (client-go's controller-UID and namespace indexers).
 */
import type { KObject } from '../../../api/types.js';
import type { IndexFunc } from '../../../client/store.js';
import { NAMESPACE_INDEX } from '../shared.js';
import { getControllerOf } from './owners.js';

/** Index of objects by their controller's UID, orphans under orphanKey(namespace). */
export const CONTROLLER_INDEX = 'kubelab.controllerUID';
/**
 * Index of objects by namespace: the name and function of the manager's shared byNamespace
 * (../shared.ts), so the shared informers keep one such index whoever adds it first.
 */
export { NAMESPACE_INDEX };

/** The CONTROLLER_INDEX value of the orphans of a namespace (no UID looks like it). */
export function orphanKey(namespace: string): string {
  return `orphan:${namespace}`;
}

export const controllerIndexFunc: IndexFunc<KObject> = (obj) => {
  const ref = getControllerOf(obj);
  return [ref ? ref.uid : orphanKey(obj.metadata.namespace ?? '')];
};

export const namespaceIndexFunc: IndexFunc<KObject> = (obj) => [obj.metadata.namespace ?? ''];

/** What a sync reads from a cache: an Informer or an IndexedStore. */
export interface Lister<T> {
  get(key: string): T | undefined;
  byIndex(name: string, value: string): T[];
}

/** Something indexes can be added to: an Informer or an IndexedStore. */
export interface Indexable<T> {
  addIndexer(name: string, fn: IndexFunc<T>): void;
  byIndex(name: string, value: string): T[];
}

/**
 * Adds the workload indexes to a (shared) informer or store unless present: the ReplicaSet and
 * Deployment controllers share the pod and ReplicaSet informers and add the same indexes.
 */
export function ensureWorkloadIndexes<T extends KObject>(target: Indexable<T>): void {
  for (const [name, fn] of [
    [CONTROLLER_INDEX, controllerIndexFunc],
    [NAMESPACE_INDEX, namespaceIndexFunc],
  ] as const) {
    try {
      target.byIndex(name, '');
    } catch {
      target.addIndexer(name, fn as IndexFunc<T>);
    }
  }
}
