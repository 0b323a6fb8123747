/** One worker per pod: no overlap, coalescing, delayed and retried syncs, pause. */
import test from 'ava';
import { FakeClock } from '../../../src/util/clock.js';
import { nullLogger } from '../../../src/util/log.js';
import { PodWorkers } from '../../../src/worker/kubelet/pod-workers.js';

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

function gated() {
  const log: string[] = [];
  const gates: (() => void)[] = [];
  let active = 0;
  let overlap = false;
  const sync = async (uid: string) => {
    if (++active > 1 && uid === 'a') overlap = true;
    log.push(`start ${uid}`);
    await new Promise<void>((r) => gates.push(r));
    log.push(`end ${uid}`);
    active--;
  };
  return { log, gates, sync, overlap: () => overlap };
}

test("a pod's syncs never overlap; requests during one are coalesced into one more", async (t) => {
  const g = gated();
  const w = new PodWorkers({ sync: g.sync, clock: new FakeClock(), log: nullLogger });
  w.enqueue('a');
  w.enqueue('a');
  w.enqueue('a');
  await settle();
  t.deepEqual(g.log, ['start a']);
  g.gates.shift()!();
  await settle();
  t.deepEqual(g.log, ['start a', 'end a', 'start a']);
  g.gates.shift()!();
  await w.idle();
  t.deepEqual(g.log, ['start a', 'end a', 'start a', 'end a']);
  t.false(g.overlap());
  t.is(w.size, 0);
});

test('different pods sync concurrently', async (t) => {
  const g = gated();
  const w = new PodWorkers({ sync: g.sync, clock: new FakeClock(), log: nullLogger });
  w.enqueue('a');
  w.enqueue('b');
  await settle();
  t.deepEqual(g.log, ['start a', 'start b']);
  for (const r of g.gates.splice(0)) r();
  await w.idle();
});

test('a sync that asks to be run again later is, and a failed sync is retried with a growing delay', async (t) => {
  const clock = new FakeClock();
  const runs: number[] = [];
  let fail = 2;
  const w = new PodWorkers({
    clock,
    log: nullLogger,
    retryInitialMs: 100,
    sync: async () => {
      runs.push(clock.monotonic());
      if (fail-- > 0) throw new Error('API down');
      return runs.length === 3 ? 1000 : undefined;
    },
  });
  w.enqueue('a');
  await settle();
  for (let i = 0; i < 1400; i += 10) {
    clock.advance(10);
    await settle();
  }
  t.deepEqual(runs, [0, 100, 300, 1300]);
});

test('pause drops work and timers and aborts syncs in flight; resume accepts work again', async (t) => {
  const clock = new FakeClock();
  let seen: AbortSignal | undefined;
  let count = 0;
  const w = new PodWorkers({
    clock,
    log: nullLogger,
    sync: async (_uid, signal) => {
      count++;
      seen = signal;
      return 500;
    },
  });
  w.enqueue('a');
  await w.idle();
  w.pause();
  t.true(seen!.aborted);
  w.enqueue('a');
  clock.advance(1000);
  await settle();
  t.is(count, 1, 'nothing ran while paused, not even the timer');
  w.resume();
  w.enqueue('a');
  await w.idle();
  t.is(count, 2);
  t.false(seen!.aborted);
  await w.close();
});
