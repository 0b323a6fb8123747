/** The probe worker's state machine and loop on a FakeClock: thresholds, holds, startup gating, delays, jitter. */
import test from 'ava';
import type { Container, Pod, PodStatus, Probe } from '../../../src/api/types.js';
import { FakeClock, rfc3339 } from '../../../src/util/clock.js';
import { nullLogger } from '../../../src/util/log.js';
import { ProbeResults } from '../../../src/worker/kubelet/prober/results.js';
import type { ProbeResult, ProbeType } from '../../../src/worker/kubelet/prober/types.js';
import { initialResult, ProbeWorker } from '../../../src/worker/kubelet/prober/worker.js';
import { eventually } from '../../helpers/eventually.js';

type Answer = 'success' | 'failure' | Error;

interface Setup {
  worker: ProbeWorker;
  clock: FakeClock;
  results: ProbeResults;
  /** Result changes reported, as "<containerId>=<result>". */
  changes: string[];
  /** Probe calls made, by container ID. */
  calls: string[];
  answers: Answer[];
  setStatus(s: PodStatus | undefined): void;
  pod: Pod;
}

function running(id: string, o: { started?: boolean; startedAt?: number } = {}): PodStatus {
  return {
    phase: 'Running',
    podIP: '127.77.0.2',
    containerStatuses: [
      {
        name: 'web',
        containerID: `fake://${id}`,
        state: { running: { startedAt: rfc3339(o.startedAt ?? Date.parse('2025-12-31T23:00:00Z')) } },
        ready: false,
        restartCount: 0,
        image: 'x',
        imageID: '',
        started: o.started ?? true,
      },
    ],
  };
}

function setup(type: ProbeType, spec: Probe, o: { status?: PodStatus; restartPolicy?: Pod['spec']['restartPolicy']; random?: number; managerStartAgoMs?: number } = {}): Setup {
  const clock = new FakeClock();
  const changes: string[] = [];
  const calls: string[] = [];
  const answers: Answer[] = [];
  const results = new ProbeResults((_uid, id, r) => changes.push(`${id}=${r}`));
  let status: PodStatus | undefined = o.status ?? running('c1');
  const container: Container = { name: 'web', image: 'x' };
  const pod: Pod = { metadata: { name: 'p', namespace: 'default', uid: 'u1' }, spec: { containers: [container], restartPolicy: o.restartPolicy ?? 'Always' } };
  const worker = new ProbeWorker({
    type,
    pod: () => pod,
    container,
    spec: { periodSeconds: 10, successThreshold: 1, failureThreshold: 3, ...spec },
    status: () => status,
    probe: async (_s, id) => {
      calls.push(id);
      const a = answers.shift() ?? 'success';
      if (a instanceof Error) throw a;
      return a;
    },
    results,
    clock,
    log: nullLogger,
    managerStart: clock.monotonic() - (o.managerStartAgoMs ?? 3_600_000),
    random: () => o.random ?? 0,
  });
  return { worker, clock, results, changes, calls, answers, setStatus: (s) => (status = s), pod };
}

async function probeTimes(s: Setup, n: number): Promise<boolean[]> {
  const out: boolean[] = [];
  for (let i = 0; i < n; i++) out.push(await s.worker.doProbe());
  return out;
}

for (const [type, initial] of [['Readiness', 'failure'], ['Liveness', 'success'], ['Startup', 'unknown']] as [ProbeType, ProbeResult][]) {
  test(`a ${type.toLowerCase()} worker starts a new container at ${initial}`, (t) => {
    t.is(initialResult(type), initial);
  });
}

test('readiness changes only after successThreshold successes and failureThreshold failures in a row', async (t) => {
  const s = setup('Readiness', { successThreshold: 2, failureThreshold: 3 });
  s.answers.push('success', 'failure', 'success', 'success', 'failure', 'failure', 'success', 'failure', 'failure', 'failure');
  await probeTimes(s, 1);
  t.deepEqual(s.changes, ['c1=failure'], 'the first sight of a container sets the initial value; one success is not enough');
  await probeTimes(s, 3);
  t.is(s.results.get('c1'), 'success', 'two successes in a row (after a failure broke the first run) make it ready');
  await probeTimes(s, 3);
  t.is(s.results.get('c1'), 'success', 'two failures then a success change nothing');
  await probeTimes(s, 3);
  t.is(s.results.get('c1'), 'failure', 'three failures in a row make it unready');
  t.deepEqual(s.changes, ['c1=failure', 'c1=success', 'c1=failure']);
  t.deepEqual(s.calls, Array(10).fill('c1'));
});

test('a liveness failure holds the worker until the container is replaced, then it starts over at success', async (t) => {
  const s = setup('Liveness', { failureThreshold: 2 });
  s.answers.push('failure', 'failure');
  await probeTimes(s, 2);
  t.is(s.results.get('c1'), 'failure');
  t.true(s.worker.isOnHold);
  await probeTimes(s, 3);
  t.is(s.calls.length, 2, 'no probe of a container that is being killed');
  s.setStatus(running('c2'));
  s.answers.push('failure');
  await probeTimes(s, 1);
  t.false(s.worker.isOnHold);
  t.is(s.results.get('c1'), undefined, "the old container's result is dropped");
  t.is(s.results.get('c2'), 'success', 'one failure of the new container is below the threshold');
  t.deepEqual(s.calls, ['c1', 'c1', 'c2']);
});

test('a probe that could not run is thrown away: no count, no change', async (t) => {
  const s = setup('Readiness', { failureThreshold: 1 });
  s.answers.push(new Error('no such port'), new Error('no such port'), 'success');
  t.deepEqual(await probeTimes(s, 3), [true, true, true]);
  t.deepEqual(s.changes, ['c1=failure', 'c1=success']);
});

test('until the startup probe has passed only it runs; after that only the others do', async (t) => {
  const liveness = setup('Liveness', { failureThreshold: 1 }, { status: running('c1', { started: false }) });
  liveness.answers.push('failure');
  await probeTimes(liveness, 2);
  t.deepEqual(liveness.calls, [], 'liveness waits for the container to have started');
  t.is(liveness.results.get('c1'), 'success');
  liveness.setStatus(running('c1', { started: true }));
  await probeTimes(liveness, 1);
  t.deepEqual(liveness.calls, ['c1']);
  t.is(liveness.results.get('c1'), 'failure');

  const startup = setup('Startup', { failureThreshold: 30 }, { status: running('c1', { started: false }) });
  startup.answers.push('failure', 'success');
  await probeTimes(startup, 2);
  t.is(startup.results.get('c1'), 'success');
  startup.setStatus(running('c1', { started: true }));
  await probeTimes(startup, 2);
  t.is(startup.calls.length, 2, 'a started container is not probed for startup again');
});

test('a startup probe that keeps failing reaches failure and holds, like liveness', async (t) => {
  const s = setup('Startup', { failureThreshold: 2 }, { status: running('c1', { started: false }) });
  s.answers.push('failure', 'failure');
  await probeTimes(s, 3);
  t.deepEqual(s.changes, ['c1=unknown', 'c1=failure']);
  t.true(s.worker.isOnHold);
  t.is(s.calls.length, 2);
});

test('initialDelaySeconds counts from the container start', async (t) => {
  const clock0 = Date.parse('2026-01-01T00:00:00Z');
  const s = setup('Readiness', { initialDelaySeconds: 5, failureThreshold: 1 }, { status: running('c1', { startedAt: clock0 }) });
  await probeTimes(s, 1);
  t.is(s.calls.length, 0);
  s.clock.advance(4_999);
  await probeTimes(s, 1);
  t.is(s.calls.length, 0);
  s.clock.advance(1);
  await probeTimes(s, 1);
  t.is(s.calls.length, 1);
});

test('a container that is not running counts as failing; the worker ends when it will not run again', async (t) => {
  const exited: PodStatus = {
    phase: 'Running',
    containerStatuses: [{ name: 'web', containerID: 'fake://c1', state: { terminated: { exitCode: 1 } }, ready: false, restartCount: 0, image: 'x', imageID: '' }],
  };
  const always = setup('Liveness', {}, { status: exited });
  t.true(await always.worker.doProbe(), 'it will be restarted: keep going');
  t.is(always.results.get('c1'), 'failure');
  const never = setup('Liveness', {}, { status: exited, restartPolicy: 'Never' });
  t.false(await never.worker.doProbe());
  const finished = setup('Readiness', {}, { status: { ...running('c1'), phase: 'Succeeded' } });
  t.false(await finished.worker.doProbe(), 'a finished pod ends its workers');
  const noStatus = setup('Readiness', {});
  noStatus.setStatus(undefined);
  t.true(await noStatus.worker.doProbe(), 'no status yet: wait');
  t.is(noStatus.calls.length + always.calls.length + never.calls.length + finished.calls.length, 0);
});

test('a pod being deleted stops liveness with success, but keeps probing readiness', async (t) => {
  const live = setup('Liveness', { failureThreshold: 1 });
  live.pod.metadata.deletionTimestamp = rfc3339(live.clock.now());
  t.false(await live.worker.doProbe());
  t.is(live.results.get('c1'), 'success');
  t.is(live.calls.length, 0);
  const ready = setup('Readiness', { failureThreshold: 1 });
  ready.pod.metadata.deletionTimestamp = rfc3339(ready.clock.now());
  t.true(await ready.worker.doProbe());
  t.is(ready.calls.length, 1);
});

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

test('a worker of a kubelet that just started waits a random part of the period, then probes every period', async (t) => {
  const s = setup('Readiness', { periodSeconds: 10 }, { random: 0.5, managerStartAgoMs: 0 });
  s.worker.start();
  t.teardown(() => s.worker.stop());
  s.clock.advance(4_999);
  await flush();
  t.is(s.calls.length, 0, 'not before 0.5 x 10 s');
  s.clock.advance(1);
  await eventually(() => s.calls.length === 1, { message: 'first probe after the spread' });
  s.clock.advance(9_999);
  await flush();
  t.is(s.calls.length, 1);
  s.clock.advance(1);
  await eventually(() => s.calls.length === 2, { message: 'second probe one period later' });
});

test('a trigger probes at once; stop ends the loop and drops the cached result', async (t) => {
  const s = setup('Readiness', { periodSeconds: 10 });
  s.worker.start();
  await eventually(() => s.calls.length === 1, { message: 'first probe at once (the kubelet started long ago)' });
  s.worker.trigger();
  await eventually(() => s.calls.length === 2, { message: 'triggered probe' });
  t.is(s.results.get('c1'), 'success');
  await s.worker.stop();
  t.is(s.results.get('c1'), undefined);
  s.clock.advance(60_000);
  await flush();
  t.is(s.calls.length, 2);
  t.is(s.clock.pending(), 0, 'no timer left behind');
});
