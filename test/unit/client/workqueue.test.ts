import test from 'ava';
import { ItemRateLimiter } from '../../../src/client/rate-limiter.js';
import { runWorkers } from '../../../src/client/workers.js';
import { errors } from '../../../src/api/errors.js';
import { WorkQueue, type WorkQueueMetrics } from '../../../src/client/workqueue.js';
import { FakeClock } from '../../../src/util/clock.js';
import { createLogger } from '../../../src/util/log.js';

/** Lets every already-resolved promise callback run, so "has not resolved" is a fact, not a race. */
const settle = () => new Promise<void>((r) => setImmediate(r));

function tracked<T>(p: Promise<T>) {
  const s = { done: false, value: undefined as T | undefined };
  void p.then((v) => {
    s.done = true;
    s.value = v;
  });
  return s;
}

test('WorkQueue deduplicates keys that are queued', async (t) => {
  const q = new WorkQueue({ clock: new FakeClock() });
  q.add('a');
  q.add('b');
  q.add('a');
  t.is(q.len(), 2);
  t.is(await q.get(), 'a');
  t.is(await q.get(), 'b');
  t.is(q.len(), 0);
});

test('WorkQueue never hands a key being processed to a second worker', async (t) => {
  const q = new WorkQueue({ clock: new FakeClock() });
  q.add('a');
  t.is(await q.get(), 'a');
  q.add('a');
  t.is(q.len(), 0, 'a key added while processing is not queued');
  const second = tracked(q.get());
  await settle();
  t.false(second.done, 'a second worker waits instead of getting the same key');
  q.done('a');
  await settle();
  t.true(second.done);
  t.is(second.value, 'a', 'the key comes back once the first worker is done');
});

test('WorkQueue re-queues a key added during processing only once, on done', async (t) => {
  const q = new WorkQueue({ clock: new FakeClock() });
  q.add('a');
  await q.get();
  q.add('a');
  q.add('a');
  q.add('b');
  q.done('a');
  t.is(q.len(), 2);
  t.is(await q.get(), 'b', 'the re-queued key goes to the back');
  t.is(await q.get(), 'a');
  q.done('a');
  t.is(q.len(), 0, 'done without a new add does not re-queue');
});

test('WorkQueue hands a key to a waiting getter in FIFO order of getters', async (t) => {
  const q = new WorkQueue({ clock: new FakeClock() });
  const g1 = q.get();
  const g2 = q.get();
  q.add('x');
  q.add('y');
  t.deepEqual(await Promise.all([g1, g2]), ['x', 'y']);
});

test('addAfter adds keys when their time comes, earliest first', async (t) => {
  const clock = new FakeClock();
  const q = new WorkQueue({ clock });
  q.addAfter('late', 30);
  q.addAfter('soon', 10);
  q.addAfter('now', 0);
  t.is(q.len(), 1);
  t.is(await q.get(), 'now');
  clock.advance(9);
  t.is(q.len(), 0);
  clock.advance(1);
  t.is(q.len(), 1);
  t.is(await q.get(), 'soon');
  clock.advance(19);
  t.is(q.len(), 0);
  clock.advance(1);
  t.is(await q.get(), 'late');
});

test('addAfter keeps the earlier of two requests for one key', async (t) => {
  const clock = new FakeClock();
  const q = new WorkQueue({ clock });
  q.addAfter('k', 100);
  q.addAfter('k', 10);
  q.addAfter('k', 50);
  t.is(clock.pending(), 1, 'one timer per waiting key');
  clock.advance(10);
  t.is(await q.get(), 'k');
  q.done('k');
  clock.advance(200);
  t.is(q.len(), 0, 'the later requests were merged into the earlier one');
});

test('addRateLimited backs off exponentially per key, up to the cap, until forgotten', async (t) => {
  const clock = new FakeClock();
  const q = new WorkQueue({ clock, baseDelayMs: 5, maxDelayMs: 40 });
  const delays: number[] = [];
  for (let i = 0; i < 6; i++) {
    q.addRateLimited('k');
    let waited = 0;
    while (q.len() === 0) {
      clock.advance(1);
      waited++;
    }
    delays.push(waited);
    await q.get();
    q.done('k');
  }
  t.deepEqual(delays, [5, 10, 20, 40, 40, 40]);
  t.is(q.numRequeues('k'), 6);
  t.is(q.numRequeues('other'), 0, 'backoff is per key');
  q.forget('k');
  t.is(q.numRequeues('k'), 0);
  q.addRateLimited('k');
  clock.advance(5);
  t.is(q.len(), 1, 'after forget the delay starts from the base again');
});

test('the default rate limiter goes from 5 ms to 1000 s like client-go', (t) => {
  const rl = new ItemRateLimiter<string>({}, new FakeClock());
  const delays = Array.from({ length: 30 }, () => rl.when('k'));
  t.is(delays[0], 5);
  t.is(delays[1], 10);
  t.is(delays[17], 655_360);
  t.is(delays[18], 1_000_000);
  t.is(delays[29], 1_000_000);
});

test('the optional token bucket bounds retries of all keys together', (t) => {
  const clock = new FakeClock();
  const rl = new ItemRateLimiter<string>({ baseDelayMs: 5, bucket: { qps: 1, burst: 2 } }, clock);
  t.deepEqual(['a', 'b', 'c', 'd'].map((k) => rl.when(k)), [5, 5, 1000, 2000]);
  clock.advance(10_000);
  t.is(rl.when('e'), 5, 'the bucket refills with time');
});

test('rate limiter options are validated', (t) => {
  t.throws(() => new WorkQueue({ baseDelayMs: 0 }), { instanceOf: RangeError, message: /baseDelayMs/ });
  t.throws(() => new WorkQueue({ baseDelayMs: 10, maxDelayMs: 5 }), { instanceOf: RangeError, message: /maxDelayMs/ });
});

test('shutDown wakes waiting getters with undefined and ignores later adds', async (t) => {
  const clock = new FakeClock();
  const q = new WorkQueue({ clock });
  const waiting = tracked(q.get());
  q.addAfter('later', 50);
  q.shutDown();
  await settle();
  t.true(waiting.done);
  t.is(waiting.value, undefined);
  t.is(clock.pending(), 0, 'pending addAfter timers are dropped');
  q.add('x');
  t.is(q.len(), 0);
  t.is(await q.get(), undefined);
});

test('after shutDown, get still returns the keys already queued, then undefined', async (t) => {
  const q = new WorkQueue({ clock: new FakeClock() });
  q.add('a');
  q.add('b');
  q.shutDown();
  t.is(await q.get(), 'a');
  t.is(await q.get(), 'b');
  t.is(await q.get(), undefined);
});

test('shutDownWithDrain waits until every queued and in-flight key is done', async (t) => {
  const q = new WorkQueue({ clock: new FakeClock() });
  q.add('a');
  q.add('b');
  const a = await q.get();
  const drained = tracked(q.shutDownWithDrain());
  await settle();
  t.false(drained.done, 'a is still being processed and b is queued');
  q.done(a!);
  await settle();
  t.false(drained.done, 'b is still queued');
  const b = await q.get();
  await settle();
  t.false(drained.done, 'b is being processed');
  q.done(b!);
  await settle();
  t.true(drained.done);
});

test('shutDownWithDrain resolves at once when nothing is pending, and gives up on abort', async (t) => {
  const q = new WorkQueue({ clock: new FakeClock() });
  await q.shutDownWithDrain();
  const q2 = new WorkQueue({ clock: new FakeClock() });
  q2.add('stuck');
  const ac = new AbortController();
  const drained = tracked(q2.shutDownWithDrain(ac.signal));
  await settle();
  t.false(drained.done);
  ac.abort();
  await settle();
  t.true(drained.done);
});

test('get(signal) resolves undefined on abort without taking a later key', async (t) => {
  const q = new WorkQueue({ clock: new FakeClock() });
  const ac = new AbortController();
  const g = q.get(ac.signal);
  ac.abort();
  t.is(await g, undefined);
  q.add('k');
  t.is(q.len(), 1, 'the aborted getter did not receive the key');
});

test('metrics hooks observe depth, adds, queue latency and work duration', async (t) => {
  const clock = new FakeClock();
  const seen = { depth: [] as number[], adds: 0, latency: [] as number[], work: [] as number[], retries: 0 };
  const metrics: WorkQueueMetrics = {
    depth: (n) => seen.depth.push(n),
    add: () => seen.adds++,
    queueLatency: (s) => seen.latency.push(s),
    workDuration: (s) => seen.work.push(s),
    retry: () => seen.retries++,
  };
  const q = new WorkQueue({ clock, metrics, baseDelayMs: 5 });
  q.add('a');
  q.add('a');
  q.add('b');
  clock.advance(250);
  const k = await q.get();
  clock.advance(1500);
  q.done(k!);
  q.addRateLimited('c');
  t.is(seen.adds, 2, 'a duplicate add is not counted');
  t.deepEqual(seen.depth, [1, 2, 1]);
  t.deepEqual(seen.latency, [0.25]);
  t.deepEqual(seen.work, [1.5]);
  t.is(seen.retries, 1);
});

test('runWorkers forgets keys that sync, retries failures with backoff, and logs them', async (t) => {
  const clock = new FakeClock();
  const q = new WorkQueue({ clock, baseDelayMs: 10 });
  const lines: string[] = [];
  const log = createLogger({ component: 'test', write: (l) => lines.push(l), clock });
  const attempts = new Map<string, number>();
  const ac = new AbortController();
  const synced: string[] = [];
  const workers = runWorkers(
    q,
    2,
    async (key) => {
      const n = (attempts.get(key) ?? 0) + 1;
      attempts.set(key, n);
      if (key === 'flaky' && n < 3) throw new Error(`attempt ${n} failed`);
      synced.push(key);
    },
    { signal: ac.signal, log, name: 'ctl' },
  );
  q.add('ok');
  q.add('flaky');
  await settle();
  t.deepEqual(synced, ['ok']);
  t.is(q.numRequeues('flaky'), 1);
  clock.advance(10);
  await settle();
  t.is(q.numRequeues('flaky'), 2, 'the second failure backs off again');
  clock.advance(19);
  await settle();
  t.deepEqual(synced, ['ok'], 'the second retry waits 20 ms');
  clock.advance(1);
  await settle();
  t.deepEqual(synced, ['ok', 'flaky']);
  t.is(q.numRequeues('flaky'), 0, 'success forgets the failures');
  t.is(lines.filter((l) => l.includes('ERROR ctl: sync of flaky failed')).length, 2);
  t.true(lines.some((l) => l.includes('attempt 1 failed')));
  ac.abort();
  await workers;
});

test('runWorkers retries a conflict without logging it as an error', async (t) => {
  const clock = new FakeClock();
  const q = new WorkQueue({ clock, baseDelayMs: 10 });
  const lines: string[] = [];
  const log = createLogger({ component: 'test', write: (l) => lines.push(l), clock, verbosity: 2 });
  const ac = new AbortController();
  let n = 0;
  const workers = runWorkers(
    q,
    1,
    async () => {
      if (++n === 1) throw errors.conflict({ group: 'apps', resource: 'replicasets' }, 'web', 'the object has been modified; please apply your changes to the latest version and try again');
    },
    { signal: ac.signal, log, name: 'ctl' },
  );
  q.add('default/web');
  await settle();
  clock.advance(10);
  await settle();
  t.is(n, 2, 'retried');
  t.false(lines.some((l) => l.includes('ERROR')), lines.join('\n'));
  t.true(lines.some((l) => l.includes('ctl: default/web changed meanwhile (conflict); retrying')));
  ac.abort();
  await workers;
});

test('runWorkers never runs one key in two workers at once', async (t) => {
  const q = new WorkQueue<string>();
  const ac = new AbortController();
  const running = new Map<string, number>();
  let maxConcurrent = 0;
  let syncs = 0;
  const workers = runWorkers(
    q,
    8,
    async (key) => {
      const n = (running.get(key) ?? 0) + 1;
      running.set(key, n);
      maxConcurrent = Math.max(maxConcurrent, n);
      await settle();
      // Re-adding while processing must not let another worker take the key.
      if (syncs++ < 300) q.add(key);
      running.set(key, running.get(key)! - 1);
    },
    { signal: ac.signal },
  );
  for (const k of ['a', 'b', 'c']) q.add(k);
  while (syncs < 300) await settle();
  ac.abort();
  await workers;
  t.is(maxConcurrent, 1);
  t.true(syncs >= 300);
});

test('runWorkers drops a key after maxRetries failures', async (t) => {
  const clock = new FakeClock();
  const q = new WorkQueue({ clock, baseDelayMs: 1, maxDelayMs: 1 });
  const lines: string[] = [];
  const ac = new AbortController();
  let calls = 0;
  const workers = runWorkers(
    q,
    1,
    async () => {
      calls++;
      throw new Error('always');
    },
    { signal: ac.signal, maxRetries: 2, log: createLogger({ component: 't', write: (l) => lines.push(l) }) },
  );
  q.add('bad');
  for (let i = 0; i < 5; i++) {
    await settle();
    clock.advance(1);
  }
  await settle();
  t.is(calls, 3, 'the first attempt and two retries');
  t.true(lines.some((l) => l.includes('dropping bad after 2 retries')));
  t.is(q.numRequeues('bad'), 0);
  ac.abort();
  await workers;
});

test('runWorkers ends when the queue shuts down, after the queued keys', async (t) => {
  const q = new WorkQueue({ clock: new FakeClock() });
  const done: string[] = [];
  q.add('a');
  q.add('b');
  q.shutDown();
  await runWorkers(q, 3, async (k) => void done.push(k), { signal: new AbortController().signal });
  t.deepEqual(done.sort(), ['a', 'b']);
});
