import test from 'ava';
import type { KObject, OwnerReference } from '../../../src/api/types.js';
import { Graph } from '../../../src/control/controllers/garbagecollector/graph.js';
import { classifyOwner, decideAttemptToDelete, deleteOwnerRefsPatch, deletingDependentsDecision, unblockOwnerRefsPatch, withoutFinalizer, type OwnerState } from '../../../src/control/controllers/garbagecollector/sync.js';
import { applyPatch } from '../../../src/api/patch/index.js';

function obj(kind: string, name: string, uid: string, o: { owners?: OwnerReference[]; deleting?: boolean; finalizers?: string[] } = {}): KObject {
  return {
    apiVersion: kind === 'Pod' ? 'v1' : 'apps/v1',
    kind,
    metadata: {
      name,
      namespace: 'default',
      uid,
      ...(o.owners ? { ownerReferences: o.owners } : {}),
      ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
      ...(o.finalizers ? { finalizers: o.finalizers } : {}),
    },
  };
}

const ref = (kind: string, name: string, uid: string, block = true): OwnerReference => ({ apiVersion: kind === 'Pod' ? 'v1' : 'apps/v1', kind, name, uid, controller: true, blockOwnerDeletion: block });

test('classifyOwner() tells solid, dangling and waiting owners apart', (t) => {
  const r = ref('ReplicaSet', 'rs', 'rs-1');
  t.is(classifyOwner(r, undefined), 'dangling');
  t.is(classifyOwner(r, obj('ReplicaSet', 'rs', 'rs-2')), 'dangling', 'another object under the same name');
  t.is(classifyOwner(r, obj('ReplicaSet', 'rs', 'rs-1')), 'solid');
  t.is(classifyOwner(r, obj('ReplicaSet', 'rs', 'rs-1', { deleting: true })), 'solid', 'deleting in the background still owns');
  t.is(classifyOwner(r, obj('ReplicaSet', 'rs', 'rs-1', { deleting: true, finalizers: ['foregroundDeletion'] })), 'waiting');
});

test('decideAttemptToDelete() follows attemptToDeleteItem', (t) => {
  const r1 = ref('ReplicaSet', 'a', 'o1');
  const r2 = ref('ReplicaSet', 'b', 'o2');
  const o = (...states: OwnerState[]) => states.map((state, i) => ({ ref: i === 0 ? r1 : r2, state }));
  const plain = obj('Pod', 'p', 'p1');
  const cases: { name: string; latest: KObject; owners: ReturnType<typeof o>; deps?: boolean; cycle?: boolean; want: ReturnType<typeof decideAttemptToDelete> }[] = [
    { name: 'no owners', latest: plain, owners: [], want: { type: 'none', reason: 'no owner references' } },
    { name: 'solid owner', latest: plain, owners: o('solid'), want: { type: 'none', reason: 'has a solid owner' } },
    { name: 'solid and dangling: drop the dangling reference', latest: plain, owners: o('solid', 'dangling'), want: { type: 'removeOwnerReferences', uids: ['o2'] } },
    { name: 'dangling: background', latest: plain, owners: o('dangling'), want: { type: 'delete', policy: 'Background', unblock: false } },
    { name: 'all dangling, own orphan finalizer', latest: obj('Pod', 'p', 'p1', { finalizers: ['orphan'] }), owners: o('dangling', 'dangling'), want: { type: 'delete', policy: 'Orphan', unblock: false } },
    { name: 'waiting owner, no dependents: background', latest: plain, owners: o('waiting'), want: { type: 'delete', policy: 'Background', unblock: false } },
    { name: 'waiting owner, has dependents: foreground', latest: plain, owners: o('waiting'), deps: true, want: { type: 'delete', policy: 'Foreground', unblock: false } },
    { name: 'waiting owner and a dependent waiting on it: unblock first', latest: plain, owners: o('waiting'), deps: true, cycle: true, want: { type: 'delete', policy: 'Foreground', unblock: true } },
    { name: 'solid and waiting: drop the waiting reference', latest: plain, owners: o('solid', 'waiting'), want: { type: 'removeOwnerReferences', uids: ['o2'] } },
  ];
  for (const c of cases) t.deepEqual(decideAttemptToDelete(c.latest, c.owners, c.deps ?? false, c.cycle ?? false), c.want, c.name);
});

test('deleteOwnerRefsPatch() removes exactly the named references through the strategic merge patch engine', (t) => {
  const pod = obj('Pod', 'p', 'p1', { owners: [ref('ReplicaSet', 'a', 'o1'), ref('ReplicaSet', 'b', 'o2')] });
  const patched = applyPatch('application/strategic-merge-patch+json', pod, deleteOwnerRefsPatch('p1', ['o1']), 'v1', 'Pod') as KObject;
  t.deepEqual(patched.metadata.ownerReferences, [ref('ReplicaSet', 'b', 'o2')]);
  const unblocked = applyPatch('application/strategic-merge-patch+json', pod, unblockOwnerRefsPatch(pod), 'v1', 'Pod') as KObject;
  t.deepEqual(unblocked.metadata.ownerReferences!.map((r) => r.blockOwnerDeletion), [false, false]);
  t.is(unblockOwnerRefsPatch(obj('Pod', 'q', 'q1', { owners: [ref('ReplicaSet', 'a', 'o1', false)] })), undefined);
});

test('withoutFinalizer() and deletingDependentsDecision()', (t) => {
  t.deepEqual(withoutFinalizer(obj('Deployment', 'd', 'd1', { finalizers: ['a', 'foregroundDeletion'] }), 'foregroundDeletion'), ['a']);
  t.is(withoutFinalizer(obj('Deployment', 'd', 'd1'), 'orphan'), undefined);
  t.deepEqual(deletingDependentsDecision([]), { done: true });
  t.deepEqual(deletingDependentsDecision([{ uid: 'a', deletingDependents: false }, { uid: 'b', deletingDependents: true }]), { done: false, attemptToDelete: ['a'] });
});

test('Graph links dependents to owners, verifies unseen owners and queues dependents of deleted owners', (t) => {
  const g = new Graph();
  const pod = obj('Pod', 'p', 'p1', { owners: [ref('ReplicaSet', 'rs', 'rs1')] });
  let w = g.apply({ type: 'add', obj: pod });
  t.deepEqual(w.attemptToDelete, ['rs1'], 'an owner not seen yet is looked up');
  t.true(g.get('rs1')!.virtual);
  t.deepEqual(g.get('rs1')!.identity, { apiVersion: 'apps/v1', kind: 'ReplicaSet', namespace: 'default', name: 'rs', uid: 'rs1' });
  const rs = obj('ReplicaSet', 'rs', 'rs1', { owners: [ref('Deployment', 'web', 'd1')] });
  w = g.apply({ type: 'add', obj: rs });
  t.false(g.get('rs1')!.virtual, 'seen at last');
  t.deepEqual([...g.get('rs1')!.dependents], ['p1']);
  g.apply({ type: 'add', obj: obj('Deployment', 'web', 'd1') });
  w = g.apply({ type: 'delete', obj: obj('Deployment', 'web', 'd1') });
  t.deepEqual(w.attemptToDelete, ['rs1'], 'the dependents of a deleted owner are looked at');
  t.is(g.get('d1'), undefined);
  w = g.removeAbsent('rs1');
  t.deepEqual(w.attemptToDelete, ['p1']);
});

test('Graph starts foreground and orphan processing when a deletion begins with their finalizers', (t) => {
  const g = new Graph();
  const d = obj('Deployment', 'web', 'd1');
  g.apply({ type: 'add', obj: d });
  g.apply({ type: 'add', obj: obj('ReplicaSet', 'rs', 'rs1', { owners: [ref('Deployment', 'web', 'd1')] }) });
  const fg = obj('Deployment', 'web', 'd1', { deleting: true, finalizers: ['foregroundDeletion'] });
  let w = g.apply({ type: 'update', obj: fg, old: d });
  t.deepEqual(w.attemptToDelete.sort(), ['d1', 'rs1']);
  t.true(g.get('d1')!.deletingDependents);
  t.deepEqual(g.blockingDependents(g.get('d1')!).map((n) => n.identity.uid), ['rs1']);
  // The same state again (a relist) does not start it again.
  w = g.apply({ type: 'update', obj: fg, old: fg });
  t.deepEqual(w.attemptToDelete, []);
  // A dependent leaving a foreground deletion wakes its owner.
  w = g.apply({ type: 'delete', obj: obj('ReplicaSet', 'rs', 'rs1', { owners: [ref('Deployment', 'web', 'd1')] }) });
  t.deepEqual(w.attemptToDelete, ['d1']);

  const g2 = new Graph();
  const d2 = obj('Deployment', 'api', 'd2');
  g2.apply({ type: 'add', obj: d2 });
  w = g2.apply({ type: 'update', obj: obj('Deployment', 'api', 'd2', { deleting: true, finalizers: ['orphan'] }), old: d2 });
  t.deepEqual(w.attemptToOrphan, ['d2']);
});

test('Graph wakes a foreground owner when a dependent stops blocking it', (t) => {
  const g = new Graph();
  g.apply({ type: 'add', obj: obj('Deployment', 'web', 'd1', { deleting: true, finalizers: ['foregroundDeletion'] }) });
  const rs = obj('ReplicaSet', 'rs', 'rs1', { owners: [ref('Deployment', 'web', 'd1')] });
  g.apply({ type: 'add', obj: rs });
  const w = g.apply({ type: 'update', obj: obj('ReplicaSet', 'rs', 'rs1', { owners: [ref('Deployment', 'web', 'd1', false)] }), old: rs });
  t.deepEqual(w.attemptToDelete, ['d1']);
  t.deepEqual(g.blockingDependents(g.get('d1')!), []);
  const w2 = g.apply({ type: 'update', obj: obj('ReplicaSet', 'rs', 'rs1'), old: rs });
  t.deepEqual(g.get('d1')!.dependents.size, 0, 'a removed reference unlinks the dependent');
  t.deepEqual(w2.attemptToDelete, []);
});
