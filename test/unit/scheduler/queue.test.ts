/** The scheduling queue on a FakeClock: order, backoff, unschedulable pods and what moves them. */
import test from 'ava';
import { podInfoOf } from '../../../src/control/scheduler/podinfo.js';
import { SchedulingQueue } from '../../../src/control/scheduler/queue.js';
import { FakeClock } from '../../../src/util/clock.js';
import { pod, type PodSpecInput } from './fixtures.js';

function setup() {
  const clock = new FakeClock();
  const q = new SchedulingQueue({ clock, initialBackoffMs: 1000, maxBackoffMs: 10_000, maxInUnschedulableMs: 300_000 });
  const info = (o: PodSpecInput) => podInfoOf(pod(o));
  return { clock, q, info };
}

function drain(q: SchedulingQueue): string[] {
  const out: string[] = [];
  for (let p = q.pop(); p; p = q.pop()) out.push(p.info.pod.metadata.name!);
  return out;
}

test('pop() takes the highest priority first, then the earliest arrival', (t) => {
  const { clock, q, info } = setup();
  q.add(info({ name: 'low-1' }));
  clock.advance(1);
  q.add(info({ name: 'high', priority: 100 }));
  clock.advance(1);
  q.add(info({ name: 'low-2' }));
  clock.advance(1);
  q.add(info({ name: 'mid', priority: 10 }));
  t.deepEqual(drain(q), ['high', 'mid', 'low-1', 'low-2']);
});

const backoffs: [number, number][] = [
  [1, 1000],
  [2, 2000],
  [3, 4000],
  [4, 8000],
  [5, 10_000],
  [9, 10_000],
];
for (const [attempts, ms] of backoffs) {
  test(`backoffDuration(${attempts}) is ${ms} ms`, (t) => t.is(setup().q.backoffDuration(attempts), ms));
}

test('a pod that failed with an error waits out its backoff in backoffQ', (t) => {
  const { clock, q, info } = setup();
  q.add(info({ name: 'x' }));
  let p = q.pop()!;
  q.addUnschedulableIfNotPresent(p, q.schedulingCycle(), false);
  t.deepEqual(q.counts(), { active: 0, backoff: 1, unschedulable: 0 });
  clock.advance(999);
  q.flushBackoffCompleted();
  t.is(q.counts().backoff, 1);
  clock.advance(1);
  q.flushBackoffCompleted();
  t.deepEqual(q.counts(), { active: 1, backoff: 0, unschedulable: 0 });
  // Second failure: two seconds.
  p = q.pop()!;
  t.is(p.attempts, 2);
  q.addUnschedulableIfNotPresent(p, q.schedulingCycle(), false);
  clock.advance(1999);
  q.flushBackoffCompleted();
  t.is(q.counts().backoff, 1);
  clock.advance(1);
  q.flushBackoffCompleted();
  t.is(q.counts().active, 1);
});

test('an unschedulable pod waits for a cluster event; one still backing off goes to backoffQ', (t) => {
  const { clock, q, info } = setup();
  q.add(info({ name: 'x' }));
  const p = q.pop()!;
  q.addUnschedulableIfNotPresent(p, q.schedulingCycle(), true);
  t.deepEqual(q.counts(), { active: 0, backoff: 0, unschedulable: 1 });
  clock.advance(60_000);
  q.flushBackoffCompleted();
  t.is(q.counts().unschedulable, 1, 'backoff flushes do not touch unschedulable pods');
  t.is(q.moveAllToActiveOrBackoff(), 1);
  t.deepEqual(q.counts(), { active: 1, backoff: 0, unschedulable: 0 });

  const p2 = q.pop()!;
  q.addUnschedulableIfNotPresent(p2, q.schedulingCycle(), true);
  clock.advance(100); // attempt 2: 2 s of backoff, 100 ms passed
  q.moveAllToActiveOrBackoff();
  t.deepEqual(q.counts(), { active: 0, backoff: 1, unschedulable: 0 });
});

test('moveAllToActiveOrBackoff() with a pre-check moves only the pods it accepts', (t) => {
  const { clock, q, info } = setup();
  for (const name of ['a', 'b', 'c']) q.add(info({ name, cpu: name === 'b' ? '8' : '1' }));
  for (let p = q.pop(); p; p = q.pop()) q.addUnschedulableIfNotPresent(p, q.schedulingCycle(), true);
  clock.advance(5000);
  const moved = q.moveAllToActiveOrBackoff((i) => i.request.milliCPU <= 1000);
  t.is(moved, 2);
  t.deepEqual(drain(q).sort(), ['a', 'c']);
  t.is(q.counts().unschedulable, 1);
});

test('a pod whose attempt overlapped a move request goes to backoffQ, not unschedulable', (t) => {
  const { q, info } = setup();
  q.add(info({ name: 'x' }));
  const p = q.pop()!;
  const cycle = q.schedulingCycle();
  q.moveAllToActiveOrBackoff(); // e.g. a node was added while x was being tried
  q.addUnschedulableIfNotPresent(p, cycle, true);
  t.deepEqual(q.counts(), { active: 0, backoff: 1, unschedulable: 0 });
});

test('the periodic flush retries pods unschedulable for longer than the limit', (t) => {
  const { clock, q, info } = setup();
  q.add(info({ name: 'old' }));
  q.addUnschedulableIfNotPresent(q.pop()!, q.schedulingCycle(), true);
  clock.advance(200_000);
  q.add(info({ name: 'new' }));
  q.addUnschedulableIfNotPresent(q.pop()!, q.schedulingCycle(), true);
  clock.advance(100_001);
  q.flushUnschedulableLeftover();
  t.deepEqual(q.counts(), { active: 1, backoff: 0, unschedulable: 1 });
  t.deepEqual(drain(q), ['old']);
});

test('run() flushes on the clock: backoff every second, unschedulable every 30 s', (t) => {
  const clock = new FakeClock();
  const q = new SchedulingQueue({ clock, maxInUnschedulableMs: 0 });
  const ac = new AbortController();
  t.teardown(() => ac.abort());
  q.run(ac.signal);
  q.add(podInfoOf(pod({ name: 'err' })));
  q.addUnschedulableIfNotPresent(q.pop()!, q.schedulingCycle(), false);
  q.add(podInfoOf(pod({ name: 'nofit' })));
  q.addUnschedulableIfNotPresent(q.pop()!, q.schedulingCycle(), true);
  clock.advance(1000);
  t.deepEqual(q.counts(), { active: 1, backoff: 0, unschedulable: 1 });
  clock.advance(29_000);
  t.deepEqual(q.counts(), { active: 2, backoff: 0, unschedulable: 0 });
  ac.abort();
  t.is(clock.pending(), 0, 'no timers left after abort');
});

test('update() moves an unschedulable pod only when its spec or labels changed', (t) => {
  const { clock, q } = setup();
  const p = pod({ name: 'x', cpu: '8' });
  q.add(podInfoOf(p));
  q.addUnschedulableIfNotPresent(q.pop()!, q.schedulingCycle(), true);
  clock.advance(5000);
  const statusOnly = structuredClone(p);
  statusOnly.status = { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] };
  statusOnly.metadata.resourceVersion = '42';
  q.update(podInfoOf(statusOnly));
  t.is(q.counts().unschedulable, 1);
  const tolerating = structuredClone(statusOnly);
  tolerating.spec.tolerations = [{ operator: 'Exists' }];
  q.update(podInfoOf(tolerating));
  t.deepEqual(q.counts(), { active: 1, backoff: 0, unschedulable: 0 });
  t.deepEqual(q.pop()!.info.tolerations, [{ operator: 'Exists' }]);
});

test('add() of a queued pod replaces it, keeping its history; delete() removes it from any queue', (t) => {
  const { q, info } = setup();
  q.add(info({ name: 'x' }));
  const first = q.pop()!;
  q.addUnschedulableIfNotPresent(first, q.schedulingCycle(), false);
  q.add(info({ name: 'x', cpu: '1' }));
  t.deepEqual(q.counts(), { active: 1, backoff: 0, unschedulable: 0 });
  const again = q.pop()!;
  t.is(again.attempts, 2);
  t.is(again.initialAttemptTimestamp, first.initialAttemptTimestamp);
  q.addUnschedulableIfNotPresent(again, q.schedulingCycle(), true);
  q.delete('default/x');
  t.deepEqual(q.counts(), { active: 0, backoff: 0, unschedulable: 0 });
});

test('addUnschedulableIfNotPresent() leaves a pod alone that was queued again meanwhile', (t) => {
  const { q, info } = setup();
  q.add(info({ name: 'x' }));
  const p = q.pop()!;
  q.add(info({ name: 'x' })); // a newer version arrived while it was tried
  q.addUnschedulableIfNotPresent(p, q.schedulingCycle(), true);
  t.deepEqual(q.counts(), { active: 1, backoff: 0, unschedulable: 0 });
});

test('waitForPod() resolves when a pod arrives', async (t) => {
  const { q, info } = setup();
  let woke = false;
  const waiting = q.waitForPod().then(() => (woke = true));
  await Promise.resolve();
  t.false(woke);
  q.add(info({ name: 'x' }));
  await waiting;
  t.true(woke);
});
