import test from 'ava';
import { errors, StatusError } from '../../../src/api/errors.js';
import type { Event, KObject } from '../../../src/api/types.js';
import { EventRecorder, type EventSink } from '../../../src/client/events.js';
import { FakeClock } from '../../../src/util/clock.js';
import { createLogger } from '../../../src/util/log.js';

const pod: KObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'prod', uid: 'u-1', resourceVersion: '42' } };
const node: KObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'w1', uid: 'u-n' } };

/** A sink that stores Events by ns/name and applies merge patches; fail() scripts errors. */
class FakeSink implements EventSink {
  readonly events = new Map<string, Event>();
  readonly calls: string[] = [];
  failures: unknown[] = [];
  release: (() => void) | undefined;
  private gate: Promise<void> | undefined;
  hold() {
    this.gate = new Promise((r) => (this.release = r));
  }
  async create(ns: string, ev: Event): Promise<Event> {
    if (this.gate) await this.gate;
    this.calls.push(`create ${ns}/${ev.metadata.name}`);
    if (this.failures.length) throw this.failures.shift();
    if (this.events.has(`${ns}/${ev.metadata.name}`)) throw errors.alreadyExists({ group: '', resource: 'events' }, ev.metadata.name!);
    this.events.set(`${ns}/${ev.metadata.name}`, structuredClone(ev));
    return ev;
  }
  async patch(ns: string, name: string, patch: unknown): Promise<Event> {
    this.calls.push(`patch ${ns}/${name}`);
    if (this.failures.length) throw this.failures.shift();
    const ev = this.events.get(`${ns}/${name}`);
    if (!ev) throw errors.notFound({ group: '', resource: 'events' }, name);
    Object.assign(ev, patch);
    return ev;
  }
  single(): Event {
    if (this.events.size !== 1) throw new Error(`expected one event, have ${this.events.size}`);
    return [...this.events.values()][0]!;
  }
}

function setup(o: { maxPending?: number; aggregationWindowMs?: number } = {}) {
  const clock = new FakeClock(Date.parse('2026-03-01T10:00:00Z'));
  const sink = new FakeSink();
  const lines: string[] = [];
  const rec = new EventRecorder({ sink, component: 'kubelet', host: 'w1', clock, log: createLogger({ component: 'ev', write: (l) => lines.push(l) }), ...o });
  return { clock, sink, rec, lines };
}

test('EventRecorder creates an Event the way client-go does', async (t) => {
  const { sink, rec, clock } = setup();
  rec.event(pod, 'Warning', 'BackOff', 'Back-off restarting failed container');
  await rec.flush();
  const ev = sink.single();
  t.is(ev.metadata.namespace, 'prod');
  t.is(ev.metadata.name, `web-1.${(BigInt(clock.now()) * 1_000_000n).toString(16)}`);
  t.deepEqual(ev.involvedObject, { kind: 'Pod', namespace: 'prod', name: 'web-1', uid: 'u-1', apiVersion: 'v1', resourceVersion: '42' });
  t.like(ev, {
    apiVersion: 'v1',
    kind: 'Event',
    type: 'Warning',
    reason: 'BackOff',
    message: 'Back-off restarting failed container',
    source: { component: 'kubelet', host: 'w1' },
    reportingComponent: 'kubelet',
    reportingInstance: 'w1',
    firstTimestamp: '2026-03-01T10:00:00Z',
    lastTimestamp: '2026-03-01T10:00:00Z',
    count: 1,
  });
});

test('events about cluster-scoped objects go to the default namespace', async (t) => {
  const { sink, rec } = setup();
  rec.event(node, 'Normal', 'NodeReady', 'Node w1 status is now: NodeReady');
  await rec.flush();
  t.is(sink.single().metadata.namespace, 'default');
  t.is(sink.single().involvedObject.namespace, undefined);
});

test('repeats within the window patch count and lastTimestamp of one Event', async (t) => {
  const { sink, rec, clock } = setup();
  rec.event(pod, 'Warning', 'BackOff', 'restarting');
  await rec.flush();
  clock.advance(30_000);
  rec.event({ ...pod, metadata: { ...pod.metadata, resourceVersion: '43' } }, 'Warning', 'BackOff', 'restarting');
  await rec.flush();
  clock.advance(30_000);
  rec.event(pod, 'Warning', 'BackOff', 'restarting');
  await rec.flush();
  const ev = sink.single();
  t.is(ev.count, 3);
  t.is(ev.firstTimestamp, '2026-03-01T10:00:00Z');
  t.is(ev.lastTimestamp, '2026-03-01T10:01:00Z');
  t.deepEqual(sink.calls.map((c) => c.split(' ')[0]), ['create', 'patch', 'patch']);
});

test('different reasons, messages, types or objects make separate Events', async (t) => {
  const { sink, rec } = setup();
  rec.event(pod, 'Warning', 'BackOff', 'restarting');
  rec.event(pod, 'Warning', 'BackOff', 'other message');
  rec.event(pod, 'Normal', 'BackOff', 'restarting');
  rec.event(pod, 'Warning', 'Failed', 'restarting');
  rec.event(node, 'Warning', 'BackOff', 'restarting');
  await rec.flush();
  t.is(sink.events.size, 5);
  t.is(new Set([...sink.events.keys()]).size, 5, 'names never collide');
});

test('a fieldPath names the part of the object, and events about two parts stay apart', async (t) => {
  const { sink, rec } = setup();
  rec.event(pod, 'Normal', 'Pulling', 'Pulling image "busybox"', 'spec.containers{a}');
  rec.event(pod, 'Normal', 'Pulling', 'Pulling image "busybox"', 'spec.containers{b}');
  rec.event(pod, 'Normal', 'Pulling', 'Pulling image "busybox"', 'spec.containers{a}');
  rec.event(pod, 'Normal', 'Scheduled', 'assigned');
  await rec.flush();
  const byPath = new Map([...sink.events.values()].map((e) => [e.involvedObject.fieldPath ?? '', e]));
  t.deepEqual([...byPath.keys()].sort(), ['', 'spec.containers{a}', 'spec.containers{b}']);
  t.is(byPath.get('spec.containers{a}')!.count, 2);
  t.is(byPath.get('spec.containers{b}')!.count, 1);
  t.like(byPath.get('spec.containers{b}')!.involvedObject, { kind: 'Pod', name: 'web-1', uid: 'u-1' });
});

test('a repeat after the window creates a new Event', async (t) => {
  const { sink, rec, clock } = setup({ aggregationWindowMs: 60_000 });
  rec.event(pod, 'Normal', 'Pulled', 'image pulled');
  await rec.flush();
  clock.advance(60_001);
  rec.event(pod, 'Normal', 'Pulled', 'image pulled');
  await rec.flush();
  t.is(sink.events.size, 2);
  t.deepEqual([...sink.events.values()].map((e) => e.count), [1, 1]);
});

test('repeats waiting to be written are merged into one write', async (t) => {
  const { sink, rec } = setup();
  sink.hold();
  rec.event(pod, 'Warning', 'BackOff', 'restarting'); // in flight
  for (let i = 0; i < 500; i++) rec.event(pod, 'Warning', 'BackOff', 'restarting');
  sink.release!();
  await rec.flush();
  t.deepEqual(sink.calls.map((c) => c.split(' ')[0]), ['create', 'patch']);
  t.is(sink.single().count, 501);
});

test('a burst beyond maxPending distinct events is dropped, counted and logged, not queued', async (t) => {
  const { sink, rec, lines } = setup({ maxPending: 10 });
  sink.hold();
  rec.event(pod, 'Normal', 'First', 'in flight');
  for (let i = 0; i < 100; i++) rec.event(pod, 'Normal', 'Burst', `message ${i}`);
  t.is(rec.dropped(), 90);
  sink.release!();
  await rec.flush();
  t.is(sink.events.size, 11);
  t.is(lines.filter((l) => l.includes('dropping events: 10 are waiting')).length, 1, 'one line when dropping starts');
  t.true(lines.some((l) => l.includes('dropped 90 events while the queue was full')));
});

test('EventRecorder never throws into the caller: bad objects and sink failures are logged', async (t) => {
  const { sink, rec, lines } = setup();
  t.notThrows(() => rec.event({ metadata: {} } as KObject, 'Normal', 'X', 'y'));
  t.true(lines.some((l) => l.includes('cannot record event') && l.includes('needs kind and metadata.name')));
  sink.failures.push(new StatusError({ code: 500, reason: 'InternalError', message: 'db down' }));
  rec.event(pod, 'Normal', 'A', 'b');
  rec.event(pod, 'Normal', 'C', 'd');
  await rec.flush();
  t.true(lines.some((l) => l.includes('cannot write event') && l.includes('db down')));
  t.is(sink.events.size, 1, 'the next event is still written');
});

test('an Event deleted on the server is created again, keeping its count', async (t) => {
  const { sink, rec } = setup();
  rec.event(pod, 'Warning', 'BackOff', 'restarting');
  await rec.flush();
  const name = sink.single().metadata.name;
  sink.events.clear();
  rec.event(pod, 'Warning', 'BackOff', 'restarting');
  await rec.flush();
  t.deepEqual(sink.calls.map((c) => c.split(' ')[0]), ['create', 'patch', 'create']);
  t.is(sink.single().metadata.name, name);
  t.is(sink.single().count, 2);
});

test('eventf formats its message', async (t) => {
  const { sink, rec } = setup();
  rec.eventf(pod, 'Normal', 'Scheduled', 'Successfully assigned %s/%s to %s', 'prod', 'web-1', 'w1');
  await rec.flush();
  t.is(sink.single().message, 'Successfully assigned prod/web-1 to w1');
});
