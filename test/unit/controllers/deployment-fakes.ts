/**
 * A small in-memory world for DeploymentSyncer: caches (IndexedStores with the workload
 * indexes), a fake DeploymentControl that stores writes with resourceVersion checks and
 * generations as the API server does, and a stand-in for the ReplicaSet controller that
 * brings each ReplicaSet's pods and status to its spec, with pods becoming available a few at
 * a time. Writes reach the caches at once (a perfectly fast watch).
 */
import type { Deployment, Pod, ReplicaSet } from '../../../src/api/types.js';
import { StatusError } from '../../../src/api/errors.js';
import { IndexedStore, keyOf } from '../../../src/client/store.js';
import { DeploymentSyncer, type DeploymentControl } from '../../../src/control/controllers/deployment/sync.js';
import { ensureWorkloadIndexes, CONTROLLER_INDEX } from '../../../src/control/controllers/replicaset/indexes.js';
import { getControllerOf } from '../../../src/control/controllers/replicaset/owners.js';
import { FakeClock, rfc3339 } from '../../../src/util/clock.js';

export const T0 = Date.parse('2026-01-01T00:00:00Z');
const NS = 'default';

let seq = 0;

const specOf = (o: { spec?: unknown }) => JSON.stringify(o.spec);

export function deployment(name: string, replicas: number, image: string, extra: Partial<Deployment['spec']> = {}): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NS },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image }] } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      ...extra,
    },
  };
}

export class DeploymentWorld {
  readonly clock = new FakeClock(T0);
  readonly deployments = new IndexedStore<Deployment>();
  readonly rss = new IndexedStore<ReplicaSet>();
  readonly pods = new IndexedStore<Pod>();
  readonly events: string[] = [];
  readonly requeues: { key: string; ms: number }[] = [];
  readonly rateLimited: string[] = [];
  readonly deletedRSs: string[] = [];
  /** Status writes of the Deployment, in order. */
  readonly statusWrites: Deployment[] = [];
  readonly syncer: DeploymentSyncer;
  private rv = 1;

  constructor() {
    for (const s of [this.deployments, this.rss, this.pods]) ensureWorkloadIndexes(s as IndexedStore<any>);
    const control: DeploymentControl = {
      createReplicaSet: async (_ns, rs) => {
        if (this.rss.get(keyOf(rs))) throw new StatusError({ code: 409, reason: 'AlreadyExists', message: `replicasets.apps "${rs.metadata.name}" already exists` });
        const made: ReplicaSet = structuredClone(rs);
        made.metadata = { ...made.metadata, uid: `rs-uid-${++seq}`, resourceVersion: this.nextRv(), generation: 1, creationTimestamp: rfc3339(this.clock.now() + seq) };
        made.status = { replicas: 0 };
        this.rss.set(keyOf(made), made);
        return structuredClone(made);
      },
      updateReplicaSet: async (rs) => {
        const cur = this.rss.get(keyOf(rs));
        if (!cur) throw new StatusError({ code: 404, reason: 'NotFound', message: 'not found' });
        if (cur.metadata.resourceVersion !== rs.metadata.resourceVersion) throw new StatusError({ code: 409, reason: 'Conflict', message: 'the object has been modified' });
        const next: ReplicaSet = structuredClone({ ...rs, status: cur.status });
        next.metadata.resourceVersion = this.nextRv();
        next.metadata.generation = (cur.metadata.generation ?? 1) + (specOf(cur) !== specOf(rs) ? 1 : 0);
        this.rss.set(keyOf(next), next);
        return structuredClone(next);
      },
      deleteReplicaSet: async (_ns, name) => {
        this.deletedRSs.push(name);
        this.rss.delete(`${NS}/${name}`);
      },
      patchReplicaSet: async (_ns, name, patch: any) => {
        const cur = structuredClone(this.rss.get(`${NS}/${name}`)!);
        const refs = patch.metadata.ownerReferences as any[];
        if (refs[0].$patch === 'delete') cur.metadata.ownerReferences = (cur.metadata.ownerReferences ?? []).filter((r) => r.uid !== refs[0].uid);
        else cur.metadata.ownerReferences = [...(cur.metadata.ownerReferences ?? []), ...refs];
        cur.metadata.resourceVersion = this.nextRv();
        this.rss.set(keyOf(cur), cur);
      },
      updateDeploymentStatus: async (d) => {
        const cur = this.deployments.get(keyOf(d))!;
        if (cur.metadata.resourceVersion !== d.metadata.resourceVersion) throw new StatusError({ code: 409, reason: 'Conflict', message: 'the object has been modified' });
        const next = structuredClone({ ...cur, status: d.status, metadata: { ...cur.metadata, annotations: d.metadata.annotations, resourceVersion: this.nextRv() } });
        this.deployments.set(keyOf(next), next);
        this.statusWrites.push(structuredClone(next));
        return structuredClone(next);
      },
      getDeployment: async (_ns, name) => this.deployments.get(`${NS}/${name}`),
    };
    this.syncer = new DeploymentSyncer({
      deployments: this.deployments,
      replicaSets: this.rss,
      pods: this.pods,
      control,
      recorder: { event: (_o, type, reason, message) => this.events.push(`${type} ${reason} ${message}`) },
      clock: this.clock,
      enqueueAfter: (key, ms) => this.requeues.push({ key, ms }),
      enqueueRateLimited: (key) => this.rateLimited.push(key),
    });
  }

  private nextRv(): string {
    return String(++this.rv);
  }

  /** Stores d as the API would on create (uid, generation 1). */
  create(d: Deployment): Deployment {
    const made = structuredClone(d);
    made.metadata = { ...made.metadata, uid: `d-uid-${++seq}`, resourceVersion: this.nextRv(), generation: 1, creationTimestamp: rfc3339(this.clock.now()) };
    this.deployments.set(keyOf(made), made);
    return made;
  }

  /** Changes the Deployment as a user would (generation bumped when the spec changes). */
  update(name: string, change: (d: Deployment) => void): Deployment {
    const cur = this.deployment(name);
    const next = structuredClone(cur);
    change(next);
    next.metadata.resourceVersion = this.nextRv();
    next.metadata.generation = (cur.metadata.generation ?? 1) + (specOf(cur) !== specOf(next) ? 1 : 0);
    this.deployments.set(keyOf(next), next);
    return next;
  }

  deployment(name = 'web'): Deployment {
    return this.deployments.get(`${NS}/${name}`)!;
  }

  sync(name = 'web'): Promise<void> {
    return this.syncer.sync(`${NS}/${name}`);
  }

  /** The Deployment's ReplicaSets, oldest first. */
  replicaSets(name = 'web'): ReplicaSet[] {
    const d = this.deployment(name);
    return this.rss.byIndex(CONTROLLER_INDEX, d.metadata.uid!).sort((a, b) => Date.parse(a.metadata.creationTimestamp!) - Date.parse(b.metadata.creationTimestamp!));
  }

  /**
   * The ReplicaSet controller's part, for every ReplicaSet: pods follow spec.replicas (a scale
   * down removes unavailable pods first, as the ReplicaSet controller does), then up to
   * readyPerStep more pods become available.
   */
  stepReplicaSets(readyPerStep = Infinity): void {
    for (const rs of this.rss.list()) {
      const spec = rs.spec.replicas ?? 1;
      const available = Math.min(rs.status?.availableReplicas ?? 0, spec);
      const nowAvailable = Math.min(spec, available + readyPerStep);
      const next = structuredClone(rs);
      next.status = { replicas: spec, fullyLabeledReplicas: spec, readyReplicas: nowAvailable, availableReplicas: nowAvailable, observedGeneration: rs.metadata.generation ?? 1 };
      next.metadata.resourceVersion = this.nextRv();
      this.rss.set(keyOf(next), next);
      this.syncPods(next);
    }
  }

  /** Keeps spec.replicas Running pods per ReplicaSet in the pod cache. */
  private syncPods(rs: ReplicaSet): void {
    const owned = this.pods.byIndex(CONTROLLER_INDEX, rs.metadata.uid!);
    const spec = rs.spec.replicas ?? 1;
    for (const p of owned.slice(spec)) this.pods.delete(keyOf(p));
    for (let i = owned.length; i < spec; i++) this.addPod(rs, `${rs.metadata.name}-${++seq}`);
  }

  /** Adds a pod of rs (e.g. one still terminating). */
  addPod(rs: ReplicaSet, name: string, o: { deleting?: boolean } = {}): Pod {
    const p: Pod = {
      metadata: {
        name,
        namespace: NS,
        uid: `pod-uid-${++seq}`,
        labels: { ...rs.spec.template!.metadata!.labels },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.metadata.name!, uid: rs.metadata.uid!, controller: true }],
        ...(o.deleting ? { deletionTimestamp: rfc3339(this.clock.now()) } : {}),
      },
      spec: { containers: [] },
      status: { phase: 'Running' },
    };
    this.pods.set(keyOf(p), p);
    return p;
  }

  /**
   * Syncs until a sync writes nothing, as the watch events of the controller's own writes would
   * make it (a status write is what lets the next sync see a complete rollout).
   */
  async settle(maxSyncs = 10): Promise<void> {
    for (let i = 0; i < maxSyncs; i++) {
      const before = this.rv;
      await this.sync();
      if (this.rv === before) return;
    }
    throw new Error(`the Deployment did not settle in ${maxSyncs} syncs`);
  }

  /** Syncs and steps the ReplicaSets until the rollout is complete or steps run out; calls check after every sync and step. */
  async rollOut(o: { readyPerStep?: number; maxSteps?: number; check?: () => void } = {}): Promise<number> {
    for (let step = 1; step <= (o.maxSteps ?? 100); step++) {
      await this.sync();
      // Checked before pods become ready too: a scale-down must not dip below the bound even
      // for the moment before the new pods' readiness arrives.
      o.check?.();
      this.stepReplicaSets(o.readyPerStep);
      o.check?.();
      const d = this.deployment();
      const rss = this.replicaSets();
      const newest = rss.find((rs) => getControllerOf(rs) && JSON.stringify(rs.spec.template!.spec) === JSON.stringify(d.spec.template.spec));
      const complete = newest && rss.every((rs) => (rs === newest ? rs.status?.availableReplicas === d.spec.replicas : (rs.spec.replicas ?? 0) === 0));
      if (complete) {
        await this.settle();
        return step;
      }
    }
    throw new Error(`the rollout did not complete in ${o.maxSteps ?? 100} steps: ${JSON.stringify(this.replicaSets().map((rs) => [rs.metadata.name, rs.spec.replicas, rs.status]))}`);
  }
}
