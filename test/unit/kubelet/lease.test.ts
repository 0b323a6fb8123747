/** Lease timing: the lease object, renew and retry intervals, and the spread scheduler on a FakeClock. */
import test from 'ava';
import { FakeClock } from '../../../src/util/clock.js';
import { nullLogger } from '../../../src/util/log.js';
import { defaultRenewIntervalMs, leaseFor, leaseRetryDelayMs, leaseValid } from '../../../src/worker/kubelet/node/lease.js';
import { SpreadScheduler, spreadOffset } from '../../../src/worker/kubelet/node/spread.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');

test("leaseFor: holder the node, duration, renewTime in MicroTime, owned by the Node", (t) => {
  t.deepEqual(leaseFor('w1', { durationSeconds: 40, now: T0 + 123, ownerUid: 'node-uid' }), {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'w1', namespace: 'kube-node-lease', ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'w1', uid: 'node-uid' }] },
    spec: { holderIdentity: 'w1', leaseDurationSeconds: 40, renewTime: '2026-01-01T00:00:00.123000Z' },
  });
});

test('leaseFor: a renewal keeps what the last lease had (resourceVersion, other fields)', (t) => {
  const base = leaseFor('w1', { durationSeconds: 40, now: T0 });
  base.metadata.resourceVersion = '42';
  base.spec!.leaseTransitions = 3;
  const next = leaseFor('w1', { durationSeconds: 40, now: T0 + 10_000, base });
  t.is(next.metadata.resourceVersion, '42');
  t.is(next.spec?.leaseTransitions, 3);
  t.is(next.spec?.renewTime, '2026-01-01T00:00:10.000000Z');
});

test('the renew interval is a quarter of the lease duration; failed renewals retry from 200 ms to 7 s', (t) => {
  t.is(defaultRenewIntervalMs(40), 10_000);
  t.deepEqual([1, 2, 3, 4, 5, 6, 7, 20].map(leaseRetryDelayMs), [200, 400, 800, 1600, 3200, 6400, 7000, 7000]);
});

test('leaseValid: renewed within its duration', (t) => {
  const lease = leaseFor('w1', { durationSeconds: 40, now: T0 });
  t.true(leaseValid(lease, T0 + 39_999));
  t.false(leaseValid(lease, T0 + 40_000));
  t.false(leaseValid(undefined, T0));
});

test('spreadOffset puts the first keys in distinct slots across the whole interval', (t) => {
  const offsets = Array.from({ length: 100 }, (_, i) => spreadOffset(i, 10_000));
  t.true(offsets.every((o) => o >= 0 && o < 10_000));
  t.is(new Set(offsets).size, 100);
  // Every tenth of the interval gets some of the first 100 keys: no burst, no gap.
  const buckets = new Array(10).fill(0);
  for (const o of offsets) buckets[Math.floor(o / 1000)]++;
  t.true(buckets.every((b) => b >= 8 && b <= 12), JSON.stringify(buckets));
});

function scheduler(clock: FakeClock, runs: string[], o: { retry?: (k: string) => number | void; concurrency?: number } = {}) {
  return new SpreadScheduler<string>({
    intervalMs: 1000,
    clock,
    log: nullLogger,
    ...(o.concurrency ? { concurrency: o.concurrency } : {}),
    run: async (k) => {
      runs.push(`${clock.monotonic()} ${k}`);
      return o.retry?.(k);
    },
  });
}

/** Advances the clock by ms in 1 ms steps, letting the promise jobs of each run settle. */
async function advance(clock: FakeClock, ms: number): Promise<void> {
  for (let i = 0; i < ms; i++) {
    clock.advance(1);
    for (let j = 0; j < 5; j++) await Promise.resolve();
  }
}

test('a key runs first after its offset, then every interval, keeping its phase', async (t) => {
  const clock = new FakeClock();
  const runs: string[] = [];
  const s = scheduler(clock, runs);
  s.add('a', 100);
  s.add('b', 600);
  await advance(clock, 2700);
  t.deepEqual(runs, ['100 a', '600 b', '1100 a', '1600 b', '2100 a', '2600 b']);
  s.stop();
});

test('a run can ask for an early retry; removing a key stops it', async (t) => {
  const clock = new FakeClock();
  const runs: string[] = [];
  let fail = 2;
  const s = scheduler(clock, runs, { retry: (k) => (k === 'a' && fail-- > 0 ? 50 : undefined) });
  s.add('a', 0);
  s.add('b', 500);
  await advance(clock, 1200);
  // Retries count from when the failed run ended (1 ms after it was due: the clock's step here).
  t.deepEqual(runs.filter((r) => r.endsWith('a')), ['0 a', '51 a', '101 a', '1101 a']);
  s.remove('b');
  t.false(s.has('b'));
  await advance(clock, 1000);
  t.deepEqual(runs.filter((r) => r.endsWith('b')), ['500 b']);
  s.stop();
});

test('at most `concurrency` runs are in flight; the rest wait their turn', async (t) => {
  const clock = new FakeClock();
  let inFlight = 0;
  let most = 0;
  const release: (() => void)[] = [];
  const s = new SpreadScheduler<number>({
    intervalMs: 10_000,
    clock,
    log: nullLogger,
    concurrency: 2,
    run: () =>
      new Promise<void>((resolve) => {
        inFlight++;
        most = Math.max(most, inFlight);
        release.push(() => {
          inFlight--;
          resolve();
        });
      }),
  });
  for (let i = 0; i < 5; i++) s.add(i, 0);
  await advance(clock, 1);
  t.is(inFlight, 2);
  while (release.length) {
    release.shift()!();
    await advance(clock, 1);
  }
  t.is(most, 2);
  t.is(inFlight, 0);
  s.stop();
});
