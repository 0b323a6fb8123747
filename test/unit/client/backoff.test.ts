import test from 'ava';
import { Backoff } from '../../../src/client/backoff.js';
import { TokenBucket } from '../../../src/client/token-bucket.js';
import { FakeClock } from '../../../src/util/clock.js';

test('Backoff doubles from 100 ms to a 10 s cap by default, and reset starts over', (t) => {
  const b = new Backoff({ random: () => 0 });
  const seq = Array.from({ length: 10 }, () => b.next());
  t.deepEqual(seq, [100, 200, 400, 800, 1600, 3200, 6400, 10_000, 10_000, 10_000]);
  b.reset();
  t.is(b.next(), 100);
});

test('Backoff jitter only shortens delays, so the cap holds', (t) => {
  const high = new Backoff({ random: () => 0.999999, jitter: 0.5 });
  const seq = Array.from({ length: 10 }, () => high.next());
  t.is(seq[0], 50);
  t.is(seq[9], 5000);
  const real = new Backoff();
  for (let i = 0; i < 200; i++) {
    const d = real.next();
    t.true(d >= 0 && d <= 10_000, `delay ${d} out of bounds`);
  }
});

test('Backoff stays finite after a very long outage', (t) => {
  const b = new Backoff({ initialMs: 0, maxMs: 10, random: () => 0 });
  for (let i = 0; i < 2000; i++) b.next();
  t.is(b.next(), 0);
  const c = new Backoff({ random: () => 0 });
  for (let i = 0; i < 2000; i++) c.next();
  t.is(c.next(), 10_000);
});

test('Backoff validates its options', (t) => {
  t.throws(() => new Backoff({ initialMs: 10, maxMs: 5 }), { instanceOf: RangeError, message: /maxMs/ });
  t.throws(() => new Backoff({ jitter: 2 }), { instanceOf: RangeError, message: /jitter/ });
});

test('TokenBucket lets a burst through, then paces at qps', (t) => {
  const clock = new FakeClock();
  const b = new TokenBucket({ qps: 10, burst: 3, clock });
  t.deepEqual([b.reserve(), b.reserve(), b.reserve()], [0, 0, 0]);
  t.is(b.reserve(), 100);
  t.is(b.reserve(), 200, 'waiters queue behind each other');
  clock.advance(1000);
  // 1 s refills 10 tokens, 2 of which pay the debt; the bucket holds at most burst.
  t.deepEqual([b.reserve(), b.reserve(), b.reserve(), b.reserve()], [0, 0, 0, 100]);
});

test('TokenBucket.wait sleeps on the clock for its reservation', async (t) => {
  const clock = new FakeClock();
  const b = new TokenBucket({ qps: 2, burst: 1, clock });
  await b.wait();
  let done = false;
  const p = b.wait().then(() => (done = true));
  await new Promise((r) => setImmediate(r));
  t.false(done);
  clock.advance(500);
  await p;
  t.true(done);
});

test('TokenBucket validates qps and burst', (t) => {
  t.throws(() => new TokenBucket({ qps: 0 }), { instanceOf: RangeError, message: /qps/ });
  t.throws(() => new TokenBucket({ qps: 5, burst: 0 }), { instanceOf: RangeError, message: /burst/ });
});
