import test from 'ava';
import type { Condition, KObject, Namespace, Pod } from '../../../src/api/types.js';
import { deletionConditions, finalizedSpec, needsDeletion, requeueSeconds, statusWithConditions, summarizeRemaining } from '../../../src/control/controllers/namespace/sync.js';
import { FakeClock, rfc3339 } from '../../../src/util/clock.js';

function ns(o: { deleting?: boolean; finalizers?: string[]; conditions?: Condition[] } = {}): Namespace {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'team-a', uid: 'n1', ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    spec: { finalizers: o.finalizers ?? ['kubernetes'] },
    status: { phase: o.deleting ? 'Terminating' : 'Active', ...(o.conditions ? { conditions: o.conditions } : {}) },
  };
}

const cm = (name: string, finalizers?: string[]): KObject => ({ metadata: { name, namespace: 'team-a', ...(finalizers ? { finalizers } : {}) } });
const pod = (name: string, grace?: number, phase?: 'Running' | 'Succeeded'): Pod => ({
  metadata: { name, namespace: 'team-a', deletionTimestamp: '2026-01-01T00:00:30Z' },
  spec: { containers: [], ...(grace !== undefined ? { terminationGracePeriodSeconds: grace } : {}) },
  status: { phase: phase ?? 'Running' },
});

test('needsDeletion() and finalizedSpec() pick out namespaces still holding the kubernetes finalizer', (t) => {
  t.false(needsDeletion(ns()));
  t.true(needsDeletion(ns({ deleting: true })));
  t.false(needsDeletion(ns({ deleting: true, finalizers: [] })));
  t.deepEqual(finalizedSpec(ns({ deleting: true, finalizers: ['kubernetes', 'example.com/x'] })), { finalizers: ['example.com/x'] });
  t.is(finalizedSpec(ns({ deleting: true, finalizers: ['example.com/x'] })), undefined);
});

test('summarizeRemaining() estimates the wait as the namespace deleter does', (t) => {
  const cases: { name: string; left: Parameters<typeof summarizeRemaining>[0]; estimate: number; unexpected: string[]; finalizers: [string, number][] }[] = [
    { name: 'empty', left: [{ resource: 'pods', items: [] }, { resource: 'configmaps', items: [] }], estimate: 0, unexpected: [], finalizers: [] },
    { name: 'pods shutting down: their grace period', left: [{ resource: 'pods', items: [pod('a', 10), pod('b', 45), pod('c', 90, 'Succeeded')] }], estimate: 45, unexpected: [], finalizers: [] },
    { name: 'held by finalizers: 15 s', left: [{ resource: 'configmaps', items: [cm('x', ['example.com/hold']), cm('y', ['example.com/hold'])] }], estimate: 15, unexpected: [], finalizers: [['example.com/hold', 2]] },
    { name: 'left without reason', left: [{ resource: 'configmaps', items: [cm('x')] }], estimate: 0, unexpected: ['configmaps'], finalizers: [] },
  ];
  for (const c of cases) {
    const s = summarizeRemaining(c.left);
    t.is(s.estimateSeconds, c.estimate, c.name);
    t.deepEqual(s.unexpected, c.unexpected, c.name);
    t.deepEqual([...s.finalizers], c.finalizers, c.name);
  }
  t.is(requeueSeconds(45), 23);
  t.is(requeueSeconds(15), 8);
});

test('deletionConditions() reports what remains the way kubectl describe shows it', (t) => {
  const s = summarizeRemaining([
    { resource: 'pods', items: [pod('a', 30)] },
    { resource: 'deployments.apps', items: [cm('d', ['foregroundDeletion'])] },
  ]);
  const conds = deletionConditions(s, []);
  t.deepEqual(conds.find((c) => c.type === 'NamespaceContentRemaining'), {
    type: 'NamespaceContentRemaining',
    status: 'True',
    reason: 'SomeResourcesRemain',
    message: 'Some resources are remaining: deployments.apps has 1 resource instances, pods has 1 resource instances',
  });
  t.like(conds.find((c) => c.type === 'NamespaceFinalizersRemaining'), { status: 'True', message: 'Some content in the namespace has finalizers remaining: foregroundDeletion in 1 resource instances' });
  t.like(conds.find((c) => c.type === 'NamespaceDeletionContentFailure'), { status: 'False', reason: 'ContentDeleted' });
  const failed = deletionConditions(summarizeRemaining([]), ['pods: boom']);
  t.like(failed.find((c) => c.type === 'NamespaceDeletionContentFailure'), { status: 'True', reason: 'ContentDeletionFailed', message: 'Failed to delete all resource types, 1 remaining: pods: boom' });
  t.like(failed.find((c) => c.type === 'NamespaceContentRemaining'), { status: 'False', reason: 'ContentRemoved' });
});

test('statusWithConditions() keeps transition times of unchanged conditions and writes nothing when nothing changed', (t) => {
  const clock = new FakeClock();
  const first = statusWithConditions(ns({ deleting: true }), deletionConditions(summarizeRemaining([]), []), clock.now());
  t.truthy(first);
  t.is(first!.phase, 'Terminating');
  t.true(first!.conditions!.every((c) => c.lastTransitionTime === rfc3339(clock.now())));
  clock.advance(60_000);
  const same = statusWithConditions({ ...ns({ deleting: true }), status: first! }, deletionConditions(summarizeRemaining([]), []), clock.now());
  t.is(same, undefined);
  const changed = statusWithConditions({ ...ns({ deleting: true }), status: first! }, deletionConditions(summarizeRemaining([{ resource: 'pods', items: [pod('a')] }]), []), clock.now())!;
  const remaining = changed.conditions!.find((c) => c.type === 'NamespaceContentRemaining')!;
  t.is(remaining.lastTransitionTime, rfc3339(clock.now()));
  t.is(changed.conditions!.find((c) => c.type === 'NamespaceDeletionDiscoveryFailure')!.lastTransitionTime, rfc3339(clock.now() - 60_000));
});
