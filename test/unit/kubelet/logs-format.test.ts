/** The log server's pieces: query decoding, which container a request means, and how lines are written back. */
import test from 'ava';
import type { ContainerStatus, PodStatus } from '../../../src/api/types.js';
import { logContainerId } from '../../../src/worker/kubelet/logs/container-choice.js';
import { LogWriter, rfc3339Nano, runtimeLogOptions, writeLogs } from '../../../src/worker/kubelet/logs/format.js';
import { LogRequestError, parseLogRequest } from '../../../src/worker/kubelet/logs/options.js';
import type { LogEntry } from '../../../src/worker/kubelet/runtime.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const q = (s: string) => new URLSearchParams(s);

for (const [ms, text] of [
  [T0, '2026-01-01T00:00:00Z'],
  [T0 + 120, '2026-01-01T00:00:00.12Z'],
  [T0 + 1001, '2026-01-01T00:00:01.001Z'],
  [T0 + 0.25, '2026-01-01T00:00:00.00025Z'],
  [T0 + 999.5, '2026-01-01T00:00:00.9995Z'],
] as [number, string][]) {
  test(`rfc3339Nano(${ms - T0} ms) is ${text}, trailing zeros dropped as Go's RFC3339Nano does`, (t) => {
    t.is(rfc3339Nano(ms), text);
  });
}

const entries: LogEntry[] = [
  { time: T0, stream: 'stdout', line: 'one' },
  { time: T0 + 1000, stream: 'stderr', line: 'two' },
  { time: T0 + 2000, stream: 'stdout', line: 'three' },
];

async function render(o: Parameters<typeof writeLogs>[1], list = entries): Promise<string> {
  const chunks: Buffer[] = [];
  async function* source() {
    yield* list;
  }
  await writeLogs(source(), o, (c) => void chunks.push(c));
  return Buffer.concat(chunks).toString('utf8');
}

test('lines are written with a newline; timestamps prefix each with its time; stdout and stderr interleave', async (t) => {
  t.is(await render({ timestamps: false }), 'one\ntwo\nthree\n');
  t.is(await render({ timestamps: true }), '2026-01-01T00:00:00Z one\n2026-01-01T00:00:01Z two\n2026-01-01T00:00:02Z three\n');
});

test('since skips older lines; limitBytes cuts mid-line and stops', async (t) => {
  t.is(await render({ timestamps: false, since: T0 + 1000 }), 'two\nthree\n');
  t.is(await render({ timestamps: false, limitBytes: 6 }), 'one\ntw');
  t.is(await render({ timestamps: true, limitBytes: 22 }), '2026-01-01T00:00:00Z o', 'the prefix counts against the limit');
  const w = new LogWriter({ timestamps: false, limitBytes: 4 });
  t.is(w.format(entries[0]!)?.toString(), 'one\n');
  t.true(w.done);
  t.is(w.format(entries[1]!), undefined);
});

test('the runtime is asked for the tail and since only without a tail, so tail comes before since as in the kubelet', (t) => {
  t.deepEqual(runtimeLogOptions({ follow: true, previous: false, timestamps: false, tailLines: 2, since: T0 }), { follow: true, tailLines: 2 });
  t.deepEqual(runtimeLogOptions({ follow: false, previous: false, timestamps: false, since: T0 }), { follow: false, sinceTime: T0 });
});

test('log queries decode as Kubernetes decodes them', (t) => {
  const now = T0 + 60_000;
  t.deepEqual(parseLogRequest(q(''), now), { follow: false, previous: false, timestamps: false });
  t.deepEqual(parseLogRequest(q('follow=true&previous=1&timestamps=True&tailLines=10&limitBytes=500'), now), { follow: true, previous: true, timestamps: true, tailLines: 10, limitBytes: 500 });
  t.deepEqual(parseLogRequest(q('follow=false&previous=0'), now), { follow: false, previous: false, timestamps: false });
  t.deepEqual(parseLogRequest(q('sinceSeconds=30'), now).since, T0 + 30_000);
  t.deepEqual(parseLogRequest(q('sinceTime=2026-01-01T00:00:10Z'), now).since, T0 + 10_000);
  t.is(parseLogRequest(q('tail=5&tailLines=9'), now).tailLines, 5, 'the older "tail" wins');
  t.false('tailLines' in parseLogRequest(q('tail=all&tailLines=9'), now));
});

for (const [query, message] of [
  ['tailLines=-1', 'invalid tailLines -1: must be greater than or equal to 0'],
  ['limitBytes=0', 'invalid limitBytes 0: must be greater than 0'],
  ['sinceSeconds=0', 'invalid sinceSeconds 0: must be greater than 0'],
  ['sinceSeconds=5&sinceTime=2026-01-01T00:00:00Z', 'at most one of `sinceTime` or `sinceSeconds` may be specified'],
  ['sinceTime=yesterday', 'invalid sinceTime "yesterday": not an RFC 3339 time'],
  ['tailLines=ten', 'invalid tailLines "ten": not an integer'],
]) {
  test(`a log query with ${query} is refused with 400`, (t) => {
    const err = t.throws(() => parseLogRequest(q(query!), T0), { instanceOf: LogRequestError, message });
    t.is(err?.code, 400);
  });
}

function cs(o: Partial<ContainerStatus>): PodStatus {
  return { containerStatuses: [{ name: 'web', ready: false, restartCount: 0, image: 'x', imageID: '', ...o }] };
}
const term = (id: string) => ({ terminated: { exitCode: 1, containerID: `fake://${id}` } });

test('the container of a log request: the current one, the crashed one while it waits, or the previous attempt', (t) => {
  t.is(logContainerId('x', cs({ containerID: 'fake://c2', state: { running: {} }, lastState: term('c1') }), 'web', false), 'c2');
  t.is(logContainerId('x', cs({ containerID: 'fake://c2', state: { running: {} }, lastState: term('c1') }), 'web', true), 'c1');
  t.is(logContainerId('x', cs({ containerID: 'fake://c1', state: term('c1') }), 'web', false), 'c1');
  t.is(logContainerId('x', cs({ state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: term('c3') }), 'web', false), 'c3', 'CrashLoopBackOff shows the run that crashed');
});

for (const [status, previous, message] of [
  [cs({ containerID: 'fake://c1', state: { running: {} } }), true, 'previous terminated container "web" in pod "x" not found'],
  [cs({ state: { waiting: { reason: 'ContainerCreating' } } }), false, 'container "web" in pod "x" is waiting to start: ContainerCreating'],
  [cs({ state: { waiting: { reason: 'ErrImagePull' } } }), false, 'container "web" in pod "x" is waiting to start: image can\'t be pulled'],
  [cs({ state: { waiting: { reason: 'ImagePullBackOff' } } }), false, 'container "web" in pod "x" is waiting to start: trying and failing to pull image'],
  [{}, false, 'container "web" in pod "x" is not available'],
] as [PodStatus, boolean, string][]) {
  test(`no log: ${message}`, (t) => {
    const err = t.throws(() => logContainerId('x', status, 'web', previous), { instanceOf: LogRequestError, message });
    t.is(err?.code, 400);
  });
}
