/**
 * The scheduling loop with fake side effects: bindings that the test completes or fails, and
 * recorded conditions and Events. Informer handlers are called directly.
 */
import test from 'ava';
import type { Condition, KObject, Node, Pod } from '../../../src/api/types.js';
import { statusErrorOf } from '../../../src/client/errors.js';
import { SchedulerCache } from '../../../src/control/scheduler/cache.js';
import type { Binder, ConditionWriter, Recorder } from '../../../src/control/scheduler/io.js';
import { SchedulingQueue } from '../../../src/control/scheduler/queue.js';
import { Scheduler, type BoundEvent } from '../../../src/control/scheduler/scheduler.js';
import { FakeClock } from '../../../src/util/clock.js';
import { node, pod } from './fixtures.js';

interface PendingBind {
  pod: Pod;
  node: string;
  resolve(): void;
  reject(err: Error): void;
}

function setup() {
  const clock = new FakeClock();
  const cache = new SchedulerCache({ clock });
  const queue = new SchedulingQueue({ clock });
  const binds: PendingBind[] = [];
  const binder: Binder = {
    bind: (p, n) => new Promise<void>((resolve, reject) => binds.push({ pod: p, node: n, resolve, reject })),
  };
  const conditions: { pod: string; cond: Condition }[] = [];
  const writer: ConditionWriter = { write: (p, cond) => conditions.push({ pod: p.metadata.name!, cond }) };
  const events: { obj: string; type: string; reason: string; message: string }[] = [];
  const recorder: Recorder = { event: (obj: KObject, type, reason, message) => events.push({ obj: obj.metadata.name!, type, reason, message }) };
  const bound: BoundEvent[] = [];
  const s = new Scheduler({ cache, queue, binder, conditions: writer, recorder, clock }, { onBound: (e) => bound.push(e), random: () => 0 });
  /** Runs scheduling cycles until the active queue is empty. */
  const cycle = () => {
    for (let q = queue.pop(); q; q = queue.pop()) s.scheduleOne(q);
  };
  const settle = () => new Promise((r) => setImmediate(r));
  return { clock, cache, queue, binds, conditions, events, bound, s, cycle, settle };
}

function notFound(): Error {
  return statusErrorOf({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 404, reason: 'NotFound', message: 'pods "x" not found' });
}

test('no node is over-committed while bindings are in flight', (t) => {
  const { s, cycle, binds, cache, queue } = setup();
  s.onNodeAdd(node({ name: 'a', cpu: '10' }));
  s.onNodeAdd(node({ name: 'b', cpu: '10' }));
  for (let i = 0; i < 21; i++) s.onPodAdd(pod({ name: `p${i}`, cpu: '1' }));
  cycle();
  t.is(binds.length, 20, 'twenty fit, none is bound yet');
  t.is(cache.getNode('a')!.requested.milliCPU, 10_000);
  t.is(cache.getNode('b')!.requested.milliCPU, 10_000);
  t.is(queue.counts().unschedulable, 1);
});

test('a successful binding confirms the pod, records Scheduled and calls onBound', async (t) => {
  const { s, cycle, binds, cache, events, bound, settle, clock } = setup();
  s.onNodeAdd(node({ name: 'a' }));
  s.onPodAdd(pod({ name: 'web-1', cpu: '1' }));
  clock.advance(250);
  cycle();
  binds[0]!.resolve();
  await settle();
  t.deepEqual(events, [{ obj: 'web-1', type: 'Normal', reason: 'Scheduled', message: 'Successfully assigned default/web-1 to a' }]);
  t.like(bound[0], { namespace: 'default', name: 'web-1', node: 'a', attempts: 1, latencyMs: 250 });
  t.true(cache.isAssumed('uid-web-1'));
  s.onPodUpdate(pod({ name: 'web-1', cpu: '1' }), pod({ name: 'web-1', cpu: '1', nodeName: 'a' }));
  t.false(cache.isAssumed('uid-web-1'));
  t.is(cache.getNode('a')!.requested.milliCPU, 1000);
});

test('a failed binding forgets the assumption, frees the node and sends the pod to backoff', async (t) => {
  const { s, cycle, binds, cache, queue, events, conditions, settle, clock } = setup();
  s.onNodeAdd(node({ name: 'a', cpu: '1' }));
  s.onPodAdd(pod({ name: 'x', cpu: '1' }));
  s.onPodAdd(pod({ name: 'y', cpu: '1' }));
  cycle();
  t.is(binds.length, 1);
  t.is(queue.counts().unschedulable, 1, 'y waits: x took the node');
  clock.advance(1000); // y's first backoff is over by the time x's binding fails
  binds[0]!.reject(Object.assign(new Error('etcdserver: request timed out'), { code: 500 }));
  await settle();
  t.is(cache.getNode('a')!.requested.milliCPU, 0);
  t.false(cache.has(`uid-${binds[0]!.pod.metadata.name}`));
  // y was moved back by the freed room; x waits out its backoff.
  t.deepEqual(queue.counts(), { active: 1, backoff: 1, unschedulable: 0 });
  t.true(events.some((e) => e.obj === 'x' && e.reason === 'FailedScheduling' && e.message === 'binding rejected: etcdserver: request timed out'));
  t.like(conditions.find((c) => c.pod === 'x')!.cond, { status: 'False', reason: 'SchedulerError' });
  cycle();
  t.is(binds.length, 2);
  t.is(binds[1]!.pod.metadata.name, 'y');
  clock.advance(1000);
  queue.flushBackoffCompleted();
  t.is(queue.counts().active, 1, 'x is back after one second');
});

test('a binding that fails because the pod was deleted is not retried', async (t) => {
  const { s, cycle, binds, queue, settle } = setup();
  s.onNodeAdd(node({ name: 'a' }));
  s.onPodAdd(pod({ name: 'x' }));
  cycle();
  binds[0]!.reject(notFound());
  await settle();
  t.deepEqual(queue.counts(), { active: 0, backoff: 0, unschedulable: 0 });
});

test('an unschedulable pod gets FailedScheduling and PodScheduled=False once per distinct message', (t) => {
  const { s, cycle, events, conditions, queue, clock } = setup();
  s.onNodeAdd(node({ name: 'a', cpu: '1' }));
  s.onNodeAdd(node({ name: 'cp', taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] }));
  const p = pod({ name: 'big', cpu: '2' });
  s.onPodAdd(p);
  cycle();
  const msg = '0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }.';
  t.deepEqual(events, [{ obj: 'big', type: 'Warning', reason: 'FailedScheduling', message: msg }]);
  t.is(conditions.length, 1);
  t.like(conditions[0]!.cond, { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: msg });
  // The status write comes back through the informer; a retry with the same message writes nothing.
  const withCondition = structuredClone(p);
  withCondition.status = { phase: 'Pending', conditions: [conditions[0]!.cond] };
  s.onPodUpdate(p, withCondition);
  t.is(queue.counts().unschedulable, 1, 'a status change does not retry it');
  clock.advance(1000);
  queue.moveAllToActiveOrBackoff();
  cycle();
  t.is(events.length, 2, 'the Event is recorded again (the recorder aggregates repeats)');
  t.is(conditions.length, 1, 'the identical condition is not written again');
});

test('a node that fits is what moves an unschedulable pod; a heartbeat is not', (t) => {
  const { s, cycle, queue, binds, clock } = setup();
  const small: Node = node({ name: 'a', cpu: '1' });
  s.onNodeAdd(small);
  s.onPodAdd(pod({ name: 'big', cpu: '2' }));
  cycle();
  t.is(queue.counts().unschedulable, 1);
  const heartbeat = structuredClone(small);
  heartbeat.status!.conditions![0]!.lastHeartbeatTime = '2026-01-01T00:00:10Z';
  s.onNodeUpdate(small, heartbeat);
  s.onNodeAdd(node({ name: 'tiny', cpu: '500m' }));
  t.is(queue.counts().unschedulable, 1, 'neither a heartbeat nor a node without room helps');
  const bigger = structuredClone(heartbeat);
  bigger.status!.allocatable!.cpu = '4';
  s.onNodeUpdate(heartbeat, bigger);
  t.deepEqual(queue.counts(), { active: 0, backoff: 1, unschedulable: 0 }, 'moved, but still within its one-second backoff');
  clock.advance(1000);
  queue.flushBackoffCompleted();
  cycle();
  t.deepEqual(
    binds.map((b) => `${b.pod.metadata.name} -> ${b.node}`),
    ['big -> a'],
  );
});

test('deleting a bound pod frees room and retries unschedulable pods', (t) => {
  const { s, cycle, queue } = setup();
  s.onNodeAdd(node({ name: 'a', cpu: '1' }));
  const running = pod({ name: 'old', cpu: '1', nodeName: 'a' });
  s.onPodAdd(running);
  s.onPodAdd(pod({ name: 'new', cpu: '1' }));
  cycle();
  t.is(queue.counts().unschedulable, 1);
  s.onPodDelete(running);
  t.is(queue.counts().unschedulable, 0);
});

test('pods of another scheduler, bound pods and finished pods are not queued', (t) => {
  const { s, queue } = setup();
  s.onPodAdd(pod({ name: 'other', schedulerName: 'my-scheduler' }));
  s.onPodAdd(pod({ name: 'bound', nodeName: 'a' }));
  const done = pod({ name: 'done' });
  done.status = { phase: 'Succeeded' };
  s.onPodAdd(done);
  const unset = pod({ name: 'unset' });
  delete unset.spec.schedulerName;
  s.onPodAdd(unset);
  t.deepEqual(queue.counts(), { active: 1, backoff: 0, unschedulable: 0 });
  t.is(queue.pop()!.info.pod.metadata.name, 'unset');
});
