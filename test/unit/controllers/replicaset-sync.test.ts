/** syncReplicaSet against seeded caches and a fake pod control: creates, deletes, expectations, claiming, status. */
import test from 'ava';
import { StatusError } from '../../../src/api/errors.js';
import type { ReplicaSet } from '../../../src/api/types.js';
import { keyOf } from '../../../src/client/store.js';
import { EXPECTATIONS_TIMEOUT_MS } from '../../../src/control/controllers/replicaset/expectations.js';
import { podsToDelete } from '../../../src/control/controllers/replicaset/ranking.js';
import { slowStartBatch } from '../../../src/control/controllers/replicaset/slow-start.js';
import { forbidden, notFound, pod, replicaSet, rsHarness, T0, type PodOpts } from './replicaset-fakes.js';

test('syncReplicaSet() creates the missing pods from the template, owned by the ReplicaSet', async (t) => {
  const rs = replicaSet('web', 3);
  const h = rsHarness({ replicaSets: [rs] });
  await h.sync('web');
  t.is(h.created.length, 3);
  for (const p of h.created) {
    t.is(p.metadata.generateName, 'web-');
    t.deepEqual(p.metadata.labels, { app: 'web' });
    t.deepEqual(p.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: rs.metadata.uid!, controller: true, blockOwnerDeletion: true }]);
    t.deepEqual(p.spec, rs.spec.template!.spec);
  }
  t.deepEqual(h.events, h.created.map((p) => `Normal SuccessfulCreate Created pod: ${p.metadata.name}`));
  t.like(h.lastStatus(), { replicas: 0, observedGeneration: 1 });
});

const countingCases: { title: string; replicas: number; pods: PodOpts[]; creates: number; deletes: number }[] = [
  { title: 'nothing to do at the right count', replicas: 2, pods: [{}, {}], creates: 0, deletes: 0 },
  { title: 'terminal pods do not count', replicas: 2, pods: [{ phase: 'Succeeded' }, { phase: 'Failed' }, { phase: 'Running' }], creates: 1, deletes: 0 },
  { title: 'pods being deleted do not count', replicas: 2, pods: [{ deleting: true }, { deleting: true }, {}], creates: 1, deletes: 0 },
  { title: 'surplus is deleted', replicas: 1, pods: [{}, {}, {}], creates: 0, deletes: 2 },
  { title: 'scale to zero deletes all', replicas: 0, pods: [{}, { phase: 'Running', readySince: T0 }], creates: 0, deletes: 2 },
];
for (const c of countingCases) {
  test(`syncReplicaSet() counts only active owned pods: ${c.title}`, async (t) => {
    const rs = replicaSet('web', c.replicas);
    const h = rsHarness({ replicaSets: [rs], pods: c.pods.map((o, i) => pod(`web-${i}`, { owner: rs, ...o })) });
    await h.sync('web');
    t.is(h.created.length, c.creates);
    t.is(h.deleted.length, c.deletes);
  });
}

test('syncReplicaSet() does not create twice when the watch is late (expectations), and creates again after they expire', async (t) => {
  const rs = replicaSet('web', 3);
  const h = rsHarness({ replicaSets: [rs] });
  await h.sync('web');
  t.is(h.createCalls(), 3);
  // The creates have not reached the cache: a naive controller would create 3 more.
  await h.sync('web');
  await h.sync('web');
  t.is(h.createCalls(), 3);
  t.deepEqual(h.expectations.get('default/web'), { add: 3, del: 0, timestamp: T0 });
  // Two of the three events arrive; still waiting for the third.
  const [a, b] = h.created.splice(0, 2);
  for (const p of [a!, b!]) {
    h.podStore.set(keyOf(p), p);
    h.expectations.creationObserved('default/web');
  }
  await h.sync('web');
  t.is(h.createCalls(), 3);
  // The last event is lost for good: after 5 minutes the expectations expire and the missing pod is made.
  h.clock.advance(EXPECTATIONS_TIMEOUT_MS + 1000);
  await h.sync('web');
  t.is(h.createCalls(), 4);
});

test('syncReplicaSet() acts again once every expected create was observed', async (t) => {
  const rs = replicaSet('web', 2);
  const h = rsHarness({ replicaSets: [rs] });
  await h.sync('web');
  h.observeCreates(rs);
  t.true(h.expectations.satisfied('default/web'));
  await h.sync('web');
  t.is(h.createCalls(), 2);
  t.like(h.lastStatus(), { replicas: 2 });
});

test('syncReplicaSet() waits for the deletions it issued before deleting again', async (t) => {
  const rs = replicaSet('web', 1);
  const pods = [0, 1, 2].map((i) => pod(`web-${i}`, { owner: rs }));
  const h = rsHarness({ replicaSets: [rs], pods });
  await h.sync('web');
  t.is(h.deleted.length, 2);
  await h.sync('web');
  t.is(h.deleted.length, 2, 'the deleted pods are still in the cache, but were not deleted again');
  // The same deletion seen twice (deletionTimestamp, then removal) counts once.
  const gone = pods.find((p) => p.metadata.name === h.deleted[0])!;
  h.expectations.deletionObserved('default/web', keyOf(gone));
  h.expectations.deletionObserved('default/web', keyOf(gone));
  t.false(h.expectations.satisfied('default/web'));
  h.expectations.deletionObserved('default/web', `default/${h.deleted[1]}`);
  t.true(h.expectations.satisfied('default/web'));
});

test('syncReplicaSet() reports deleted pods as gone in the status it writes', async (t) => {
  const rs = replicaSet('web', 1);
  const h = rsHarness({ replicaSets: [rs], pods: [0, 1, 2].map((i) => pod(`web-${i}`, { owner: rs, readySince: T0 })) });
  await h.sync('web');
  t.like(h.lastStatus(), { replicas: 1, readyReplicas: 1, availableReplicas: 1 });
});

test('syncReplicaSet() adopts matching orphans and counts them', async (t) => {
  const rs = replicaSet('web', 3);
  const orphan = pod('stray', { labels: { app: 'web' } });
  const other = pod('someone-elses', { labels: { app: 'web' }, owner: replicaSet('other', 1, { labels: { app: 'web' } }) });
  const deleting = pod('leaving', { labels: { app: 'web' }, deleting: true });
  const unrelated = pod('db', { labels: { app: 'db' } });
  const h = rsHarness({ replicaSets: [rs], pods: [orphan, other, deleting, unrelated] });
  await h.sync('web');
  t.deepEqual(
    h.patches.map((p) => p.name),
    ['stray'],
  );
  t.deepEqual(h.patches[0]!.patch, {
    metadata: { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true }], uid: orphan.metadata.uid },
  });
  t.is(h.created.length, 2, 'the adopted pod counts towards the 3');
});

const goneCases: { title: string; live: (rs: ReplicaSet) => ReplicaSet | undefined; error: RegExp }[] = [
  { title: 'deleted', live: () => undefined, error: /is gone/ },
  { title: 're-created under the same name', live: (rs) => ({ ...rs, metadata: { ...rs.metadata, uid: 'another' } }), error: /is gone/ },
  { title: 'started deleting', live: (rs) => ({ ...rs, metadata: { ...rs.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } }), error: /has just been deleted/ },
];
for (const c of goneCases) {
  test(`syncReplicaSet() does not adopt for a ReplicaSet the API has ${c.title}`, async (t) => {
    const rs = replicaSet('web', 1);
    const h = rsHarness({ replicaSets: [rs], pods: [pod('stray', { labels: { app: 'web' } })], live: () => c.live(rs) });
    await t.throwsAsync(h.sync('web'), { message: c.error });
    t.is(h.patches.length, 0);
    t.is(h.created.length, 0);
  });
}

test('syncReplicaSet() releases owned pods that no longer match its selector and replaces them', async (t) => {
  const rs = replicaSet('web', 2);
  const relabelled = pod('web-debug', { owner: rs, labels: { app: 'debug' } });
  const h = rsHarness({ replicaSets: [rs], pods: [relabelled, pod('web-1', { owner: rs })] });
  await h.sync('web');
  t.deepEqual(h.patches, [{ name: 'web-debug', patch: { metadata: { ownerReferences: [{ $patch: 'delete', uid: rs.metadata.uid }], uid: relabelled.metadata.uid } } }]);
  t.is(h.created.length, 1);
});

test('syncReplicaSet() creates in slow-start batches and stops after a failing batch', async (t) => {
  const rs = replicaSet('web', 10);
  // The 3rd create fails: batch 1 (1 pod) succeeds, batch 2 (2 pods) has a failure, no batch 3.
  const h = rsHarness({ replicaSets: [rs], failCreate: (n) => (n === 3 ? forbidden() : undefined) });
  const err = await t.throwsAsync(h.sync('web'));
  t.regex(err!.message, /exceeded quota/);
  t.is(h.createCalls(), 3);
  t.is(h.created.length, 2);
  // Only the two successes are awaited; the failed and the never-issued ones are not.
  t.like(h.expectations.get('default/web'), { add: 2 });
  t.true(h.events.includes('Warning FailedCreate Error creating: pods "web-" is forbidden: exceeded quota: compute-resources'));
  const cond = h.lastStatus()!.conditions!.find((c) => c.type === 'ReplicaFailure')!;
  t.like(cond, { status: 'True', reason: 'FailedCreate', message: 'pods "web-" is forbidden: exceeded quota: compute-resources' });
});

test('syncReplicaSet() removes ReplicaFailure once creates succeed again', async (t) => {
  const rs = replicaSet('web', 1, {
    status: { replicas: 0, observedGeneration: 1, conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'quota', lastTransitionTime: '2025-12-31T00:00:00Z' }] },
  });
  const h = rsHarness({ replicaSets: [rs] });
  await h.sync('web');
  t.is(h.created.length, 1);
  t.is(h.lastStatus()!.conditions, undefined);
});

test('syncReplicaSet() issues at most burstReplicas creates per sync', async (t) => {
  const rs = replicaSet('web', 12);
  const h = rsHarness({ replicaSets: [rs], burstReplicas: 5 });
  await h.sync('web');
  t.is(h.created.length, 5);
});

test('syncReplicaSet() ignores a failed delete of a pod already gone', async (t) => {
  const rs = replicaSet('web', 0);
  const h = rsHarness({ replicaSets: [rs], pods: [pod('web-0', { owner: rs })], failDelete: notFound });
  await h.sync('web');
  t.like(h.lastStatus(), { replicas: 0 });
  t.true(h.expectations.satisfied('default/web'));
  t.deepEqual(h.events, []);
});

test('syncReplicaSet() reports a failed delete as FailedDelete and stops waiting for it', async (t) => {
  const rs = replicaSet('web', 0);
  const refused = new StatusError({ code: 403, reason: 'Forbidden', message: 'pods "web-0" is forbidden: no' });
  const h = rsHarness({ replicaSets: [rs], pods: [pod('web-0', { owner: rs })], failDelete: () => refused });
  await t.throwsAsync(h.sync('web'), { message: /forbidden/ });
  t.deepEqual(h.events, ['Warning FailedDelete Error deleting: pods "web-0" is forbidden: no']);
  t.true(h.expectations.satisfied('default/web'), 'the failed delete will never be observed');
  t.like(h.lastStatus()!.conditions![0], { type: 'ReplicaFailure', status: 'True', reason: 'FailedDelete' });
  t.like(h.lastStatus(), { replicas: 1 });
});

test('syncReplicaSet() computes ready and available (minReadySeconds) replicas and looks again when they are due', async (t) => {
  const rs = replicaSet('web', 3, { minReadySeconds: 10 });
  const other = { ...rs.spec.selector.matchLabels };
  const h = rsHarness({
    replicaSets: [rs],
    pods: [
      pod('web-old', { owner: rs, readySince: T0 - 60_000 }),
      pod('web-new', { owner: rs, readySince: T0 - 2_000 }),
      pod('web-partial', { owner: rs, readySince: T0 - 60_000, labels: { ...other, extra: 'x' } }),
    ],
  });
  // The template gains a label only two of the pods have.
  const withLabel = structuredClone(rs);
  withLabel.spec.template!.metadata!.labels!.extra = 'x';
  h.rsStore.set(keyOf(withLabel), withLabel);
  await h.sync('web');
  t.like(h.lastStatus(), { replicas: 3, readyReplicas: 3, availableReplicas: 2, fullyLabeledReplicas: 1 });
  t.deepEqual(h.requeues, [{ key: 'default/web', ms: 10_000 }]);
});

test('syncReplicaSet() writes status only when it changed', async (t) => {
  const rs = replicaSet('web', 1, { status: { replicas: 1, fullyLabeledReplicas: 1, readyReplicas: 1, availableReplicas: 1, observedGeneration: 1 } });
  const h = rsHarness({ replicaSets: [rs], pods: [pod('web-0', { owner: rs, readySince: T0 })] });
  await h.sync('web');
  t.is(h.statuses.length, 0);
  // A new generation must be observed even with the same counts.
  h.rsStore.set(keyOf(rs), { ...rs, metadata: { ...rs.metadata, generation: 2 } });
  await h.sync('web');
  t.like(h.lastStatus(), { observedGeneration: 2 });
});

test('syncReplicaSet() forgets the expectations of a ReplicaSet that is gone', async (t) => {
  const h = rsHarness();
  h.expectations.expectCreations('default/web', 3);
  await h.sync('web');
  t.is(h.expectations.get('default/web'), undefined);
});

const rankingCases: { title: string; pods: [string, PodOpts][]; diff: number; want: string[] }[] = [
  {
    title: 'unscheduled, then pending, then not ready, then ready',
    pods: [
      ['ready', { node: 'n1', phase: 'Running', readySince: T0 }],
      ['unready', { node: 'n1', phase: 'Running' }],
      ['pending', { node: 'n1', phase: 'Pending' }],
      ['unscheduled', { phase: 'Pending' }],
    ],
    diff: 3,
    want: ['unscheduled', 'pending', 'unready'],
  },
  {
    title: 'among ready pods the most recently ready first',
    pods: [
      ['long-ready', { node: 'n1', readySince: T0 - 3_600_000 }],
      ['just-ready', { node: 'n2', readySince: T0 - 1_000 }],
      ['ready-a-while', { node: 'n3', readySince: T0 - 60_000 }],
    ],
    diff: 2,
    want: ['just-ready', 'ready-a-while'],
  },
  {
    title: 'newest first when nothing else differs',
    pods: [
      ['oldest', { node: 'n1', created: T0 - 30_000 }],
      ['newest', { node: 'n2', created: T0 }],
      ['middle', { node: 'n3', created: T0 - 10_000 }],
    ],
    diff: 1,
    want: ['newest'],
  },
  {
    title: 'lower pod-deletion-cost first',
    pods: [
      ['cheap', { node: 'n1', created: T0 - 30_000, annotations: { 'controller.kubernetes.io/pod-deletion-cost': '-10' } }],
      ['dear', { node: 'n2', created: T0, annotations: { 'controller.kubernetes.io/pod-deletion-cost': '100' } }],
    ],
    diff: 1,
    want: ['cheap'],
  },
  {
    title: 'pods on crowded nodes before pods alone on theirs',
    pods: [
      ['alone', { node: 'n1', created: T0 }],
      ['crowded-1', { node: 'n2', created: T0 - 60_000 }],
      ['crowded-2', { node: 'n2', created: T0 - 30_000 }],
    ],
    diff: 1,
    want: ['crowded-2'],
  },
  {
    title: 'more restarts first',
    pods: [
      ['stable', { node: 'n1', phase: 'Running' }],
      ['flapping', { node: 'n2', phase: 'Running', restarts: 7 }],
    ],
    diff: 1,
    want: ['flapping'],
  },
];
for (const c of rankingCases) {
  test(`podsToDelete() ranks: ${c.title}`, (t) => {
    const pods = c.pods.map(([name, o]) => pod(name, o));
    t.deepEqual(
      podsToDelete(pods, pods, c.diff).map((p) => p.metadata.name),
      c.want,
    );
  });
}

test('syncReplicaSet() deletes the cheapest pods first', async (t) => {
  const rs = replicaSet('web', 2);
  const h = rsHarness({
    replicaSets: [rs],
    pods: [
      pod('web-ready-old', { owner: rs, node: 'n1', readySince: T0 - 60_000 }),
      pod('web-pending', { owner: rs, node: 'n2' }),
      pod('web-unscheduled', { owner: rs }),
      pod('web-ready-new', { owner: rs, node: 'n3', readySince: T0 - 1_000 }),
    ],
  });
  await h.sync('web');
  t.deepEqual(h.deleted.sort(), ['web-pending', 'web-unscheduled']);
  t.deepEqual(h.events.sort(), ['Normal SuccessfulDelete Deleted pod: web-pending', 'Normal SuccessfulDelete Deleted pod: web-unscheduled']);
});

test('slowStartBatch() runs batches of 1, 2, 4, ... concurrently', async (t) => {
  const batches: number[] = [];
  let running = 0;
  let release: (() => void)[] = [];
  const fn = () =>
    new Promise<void>((resolve) => {
      running++;
      release.push(() => {
        running--;
        resolve();
      });
      // Once the whole batch is in flight, record its size and let it finish.
      queueMicrotask(() => {
        if (release.length === running && running > 0) {
          batches.push(running);
          const r = release;
          release = [];
          r.forEach((f) => f());
        }
      });
    });
  const r = await slowStartBatch(10, 1, fn);
  t.deepEqual(r, { successes: 10 });
  t.deepEqual(batches, [1, 2, 4, 3]);
});
