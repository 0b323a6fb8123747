/** The CrashLoopBackOff schedule on a FakeClock: immediate first restart, doubling to the cap, reset after a long run. */
import test from 'ava';
import type { Pod } from '../../../src/api/types.js';
import { FakeClock } from '../../../src/util/clock.js';
import { formatGoDuration, RestartBackoff } from '../../../src/worker/kubelet/backoff.js';
import { crashLoopMessage, gracePeriodOf } from '../../../src/worker/kubelet/pod-syncer.js';

const K8S = { initialMs: 10_000, maxMs: 300_000 };

/**
 * A container that crashes right after every start: returns the waits the kubelet imposes before
 * each restart, as doBackOff decides them (in back-off since the exit -> wait; else next() and go).
 */
function crashLoop(restarts: number): number[] {
  const clock = new FakeClock();
  const b = new RestartBackoff(K8S, clock);
  const waits: number[] = [];
  for (let i = 0; i < restarts; i++) {
    const finishedAt = clock.now();
    const wait = b.isInBackOffSince('c', finishedAt) ? b.remaining('c', finishedAt) : 0;
    waits.push(wait);
    clock.advance(wait);
    assertNotInBackoff(b, finishedAt);
    b.next('c', finishedAt);
  }
  return waits;
}

function assertNotInBackoff(b: RestartBackoff, finishedAt: number): void {
  if (b.isInBackOffSince('c', finishedAt)) throw new Error('still in back-off after waiting it out');
}

test('a crash loop restarts at once, then after 10 s doubling to the 5 min cap', (t) => {
  t.deepEqual(crashLoop(9), [0, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
});

test('the back-off says how long it is while waiting, and is over exactly when it ends', (t) => {
  const clock = new FakeClock();
  const b = new RestartBackoff(K8S, clock);
  b.next('c', clock.now()); // first exit: restarted at once
  const exit2 = clock.now();
  t.true(b.isInBackOffSince('c', exit2));
  t.is(b.get('c'), 10_000);
  clock.advance(9_999);
  t.true(b.isInBackOffSince('c', exit2));
  t.is(b.remaining('c', exit2), 1);
  clock.advance(1);
  t.false(b.isInBackOffSince('c', exit2));
});

test('a container that ran for more than 10 minutes starts over from the initial back-off', (t) => {
  const clock = new FakeClock();
  const b = new RestartBackoff(K8S, clock);
  for (let i = 0; i < 4; i++) b.next('c', clock.now());
  t.is(b.get('c'), 80_000);
  clock.advance(600_001); // it ran 10 min and 1 ms, then exited
  const exit = clock.now();
  t.false(b.isInBackOffSince('c', exit), 'the stale entry has expired');
  b.next('c', exit);
  t.is(b.get('c'), 10_000);
});

test('lab-fast policies follow the same schedule; keys are independent and can be reset', (t) => {
  const clock = new FakeClock();
  const b = new RestartBackoff({ initialMs: 100, maxMs: 350 }, clock);
  const delays: number[] = [];
  for (let i = 0; i < 4; i++) {
    b.next('a', clock.now());
    delays.push(b.get('a'));
  }
  t.deepEqual(delays, [100, 200, 350, 350]);
  t.is(b.get('b'), 0);
  b.next('u1/x', clock.now());
  b.next('u2/x', clock.now());
  b.resetPrefix('u1/');
  t.is(b.get('u1/x'), 0);
  t.is(b.get('u2/x'), 100);
  clock.advance(701);
  b.gc();
  t.is(b.size, 0);
});

test('image pulls use the time since the last failure (IsInBackOffSinceUpdate)', (t) => {
  const clock = new FakeClock();
  const b = new RestartBackoff(K8S, clock);
  b.next('img', clock.now());
  clock.advance(5000);
  t.true(b.isInBackOffSinceUpdate('img', clock.now()));
  t.is(b.remainingSinceUpdate('img'), 5000);
  clock.advance(5000);
  t.false(b.isInBackOffSinceUpdate('img', clock.now()));
});

test('the back-off refuses a cap below its start', (t) => {
  t.throws(() => new RestartBackoff({ initialMs: 10, maxMs: 5 }, new FakeClock()), { instanceOf: RangeError });
  t.throws(() => new RestartBackoff({ initialMs: 0, maxMs: 5 }, new FakeClock()), { instanceOf: RangeError });
});

for (const [ms, text] of [
  [0, '0s'],
  [300, '300ms'],
  [10_000, '10s'],
  [1_500, '1.5s'],
  [80_000, '1m20s'],
  [300_000, '5m0s'],
  [3_600_000, '1h0m0s'],
] as const) {
  test(`formatGoDuration(${ms}) is "${text}" as Go prints it`, (t) => {
    t.is(formatGoDuration(ms), text);
  });
}

test("crashLoopMessage is Kubernetes' message", (t) => {
  const pod = { metadata: { name: 'web-1', namespace: 'default', uid: '1234' }, spec: { containers: [] } } as Pod;
  t.is(crashLoopMessage(10_000, 'web', pod), 'back-off 10s restarting failed container=web pod=web-1_default(1234)');
  t.is(crashLoopMessage(160_000, 'web', pod), 'back-off 2m40s restarting failed container=web pod=web-1_default(1234)');
});

test('the grace period comes from the deletion, else the spec, and is never below 2 s', (t) => {
  const pod = (meta: object, spec: object) => ({ metadata: { name: 'p', ...meta }, spec: { containers: [], ...spec } }) as Pod;
  t.is(gracePeriodOf(pod({ deletionGracePeriodSeconds: 7 }, { terminationGracePeriodSeconds: 30 })), 7);
  t.is(gracePeriodOf(pod({}, { terminationGracePeriodSeconds: 30 })), 30);
  t.is(gracePeriodOf(pod({ deletionGracePeriodSeconds: 0 }, {})), 2);
  t.is(gracePeriodOf(undefined), 2);
});
