import test from 'ava';
import { Latency } from '../../../src/bench/stats.js';

test('percentiles are ordered and never above the maximum recorded', (t) => {
  // Values above 2,048 µs fall in HdrHistogram buckets wider than 1 µs, whose top can exceed the maximum.
  let seed = 7;
  const next = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let trial = 0; trial < 200; trial++) {
    const l = new Latency();
    for (let i = 0; i < 20; i++) l.record(0.05 + next() * 20);
    const s = l.summary();
    t.true(s.p50Ms <= s.p90Ms && s.p90Ms <= s.p99Ms && s.p99Ms <= s.maxMs, JSON.stringify(s));
  }
});

test('the summary is in milliseconds with microsecond resolution', (t) => {
  const l = new Latency();
  // Below 2,048 µs every microsecond has its own bucket, so these are exact.
  for (const ms of [0.5, 1, 1.5, 2.001]) l.record(ms);
  const s = l.summary();
  t.is(s.count, 4);
  t.is(s.p50Ms, 1);
  t.is(s.maxMs, 2.001);
  t.is(s.meanMs, 1.25);
});
