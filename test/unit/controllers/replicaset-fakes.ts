/**
 * A ReplicaSetSyncer over seeded caches (IndexedStores with the workload indexes) and a fake
 * pod control that records creates, deletes and patches. Writes do not reach the caches unless
 * observe() is called, just as a real controller's writes reach its cache only through the
 * watch, later.
 */
import type { Pod, PodPhase, ReplicaSet, ReplicaSetStatus } from '../../../src/api/types.js';
import { StatusError } from '../../../src/api/errors.js';
import { IndexedStore, keyOf } from '../../../src/client/store.js';
import { Expectations } from '../../../src/control/controllers/replicaset/expectations.js';
import { ensureWorkloadIndexes } from '../../../src/control/controllers/replicaset/indexes.js';
import { ReplicaSetSyncer, type PodControl } from '../../../src/control/controllers/replicaset/sync.js';
import { FakeClock, rfc3339 } from '../../../src/util/clock.js';

export const T0 = Date.parse('2026-01-01T00:00:00Z');

let uidSeq = 0;
/** A fresh UID. */
export const uid = (prefix = 'uid') => `${prefix}-${++uidSeq}`;

export function replicaSet(name: string, replicas: number, o: { labels?: Record<string, string>; minReadySeconds?: number; generation?: number; status?: ReplicaSetStatus; uid?: string } = {}): ReplicaSet {
  const labels = o.labels ?? { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: 'default', uid: o.uid ?? uid('rs'), resourceVersion: '1', generation: o.generation ?? 1, creationTimestamp: rfc3339(T0) },
    spec: {
      replicas,
      ...(o.minReadySeconds !== undefined ? { minReadySeconds: o.minReadySeconds } : {}),
      selector: { matchLabels: labels },
      template: { metadata: { labels: { ...labels } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
    },
    ...(o.status ? { status: o.status } : {}),
  };
}

export interface PodOpts {
  owner?: ReplicaSet;
  labels?: Record<string, string>;
  node?: string;
  phase?: PodPhase;
  /** Ready since this time (ms); undefined: not ready. */
  readySince?: number;
  created?: number;
  deleting?: boolean;
  restarts?: number;
  annotations?: Record<string, string>;
}

export function pod(name: string, o: PodOpts = {}): Pod {
  const p: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: uid('pod'),
      resourceVersion: '1',
      labels: o.labels ?? (o.owner ? { ...o.owner.spec.selector.matchLabels } : {}),
      creationTimestamp: rfc3339(o.created ?? T0),
      ...(o.annotations ? { annotations: o.annotations } : {}),
      ...(o.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: o.owner.metadata.name!, uid: o.owner.metadata.uid!, controller: true, blockOwnerDeletion: true }] } : {}),
      ...(o.deleting ? { deletionTimestamp: rfc3339(T0) } : {}),
    },
    spec: { containers: [{ name: 'c', image: 'nginx' }], ...(o.node ? { nodeName: o.node } : {}) },
    status: {
      phase: o.phase ?? (o.readySince !== undefined ? 'Running' : 'Pending'),
      ...(o.readySince !== undefined ? { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: rfc3339(o.readySince) }] } : {}),
      ...(o.restarts ? { containerStatuses: [{ name: 'c', ready: true, restartCount: o.restarts, image: 'nginx', imageID: '' }] } : {}),
    },
  };
  return p;
}

export interface RsHarnessOptions {
  replicaSets?: ReplicaSet[];
  pods?: Pod[];
  /** Called for each create (1-based count); a returned error fails that create. */
  failCreate?: (n: number) => Error | undefined;
  burstReplicas?: number;
  /** Called for each delete; a returned error fails it. */
  failDelete?: (name: string) => Error | undefined;
  /** What the API server answers for a ReplicaSet (default: the cached one). */
  live?: (name: string) => ReplicaSet | undefined;
}

export function rsHarness(o: RsHarnessOptions = {}) {
  const clock = new FakeClock(T0);
  const rsStore = new IndexedStore<ReplicaSet>();
  const podStore = new IndexedStore<Pod>();
  ensureWorkloadIndexes(rsStore);
  ensureWorkloadIndexes(podStore);
  for (const rs of o.replicaSets ?? []) rsStore.set(keyOf(rs), rs);
  for (const p of o.pods ?? []) podStore.set(keyOf(p), p);
  const created: Pod[] = [];
  const deleted: string[] = [];
  const patches: { name: string; patch: any }[] = [];
  const statuses: ReplicaSetStatus[] = [];
  const events: string[] = [];
  const requeues: { key: string; ms: number }[] = [];
  let createCalls = 0;
  let seq = 0;
  const podControl: PodControl = {
    async createPod(ns, p) {
      const n = ++createCalls;
      const err = o.failCreate?.(n);
      if (err) throw err;
      const made: Pod = structuredClone(p);
      made.metadata.name = `${p.metadata.generateName}${String(++seq).padStart(5, '0')}`;
      made.metadata.namespace = ns;
      made.metadata.uid = uid('pod');
      made.metadata.creationTimestamp = rfc3339(clock.now());
      created.push(made);
      return made;
    },
    async deletePod(_ns, name) {
      const err = o.failDelete?.(name);
      if (err) throw err;
      deleted.push(name);
    },
    async patchPod(_ns, name, patch) {
      patches.push({ name, patch });
    },
  };
  const expectations = new Expectations(clock);
  const syncer = new ReplicaSetSyncer({
    replicaSets: rsStore,
    pods: podStore,
    podControl,
    updateStatus: async (rs, status) => {
      statuses.push(status);
      const next = { ...rs, metadata: { ...rs.metadata, resourceVersion: String(Number(rs.metadata.resourceVersion ?? '0') + 1) }, status };
      rsStore.set(keyOf(next), next);
      return next;
    },
    getLive: async (_ns, name) => (o.live ? o.live(name) : rsStore.get(`default/${name}`)),
    expectations,
    recorder: { event: (_obj, type, reason, message) => events.push(`${type} ${reason} ${message}`) },
    clock,
    enqueueAfter: (key, ms) => requeues.push({ key, ms }),
    ...(o.burstReplicas ? { burstReplicas: o.burstReplicas } : {}),
  });
  return {
    clock,
    rsStore,
    podStore,
    created,
    deleted,
    patches,
    statuses,
    events,
    requeues,
    expectations,
    syncer,
    createCalls: () => createCalls,
    sync: (name: string) => syncer.sync(`default/${name}`),
    /** Delivers the pods created so far to the cache, as the watch would, and tells the expectations. */
    observeCreates(rs: ReplicaSet) {
      for (const p of created.splice(0)) {
        podStore.set(keyOf(p), p);
        expectations.creationObserved(keyOf(rs));
      }
    },
    lastStatus: () => statuses[statuses.length - 1],
  };
}

export const notFound = (name: string) => new StatusError({ code: 404, reason: 'NotFound', message: `pods "${name}" not found` });
export const forbidden = () => new StatusError({ code: 403, reason: 'Forbidden', message: 'pods "web-" is forbidden: exceeded quota: compute-resources' });
