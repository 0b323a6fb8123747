/** CRI events from the docker events stream: mapping, and a stream that reconnects without losing or repeating events. */
import test from 'ava';
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { systemClock } from '../../../src/util/clock.js';
import { nullLogger } from '../../../src/util/log.js';
import type { ContainerEvent } from '../../../src/worker/kubelet/runtime.js';
import { containerEventOf, dockerContainerEvents, type DockerEventMessage, type EventsSource } from '../../../src/worker/kubelet/runtimes/docker/events.js';

const attrs = {
  'io.kubernetes.docker.type': 'container',
  'io.kubernetes.sandbox.id': 'sb1',
  'io.kubernetes.pod.uid': 'u1',
  'io.kubernetes.pod.name': 'web',
  'io.kubernetes.pod.namespace': 'default',
  'io.kubernetes.container.name': 'app',
};
const BASE = 1_700_000_000_000_000_000;
function msg(id: string, action: string, nanoOffset: number, a: Record<string, string> = attrs): DockerEventMessage {
  return { Type: 'container', Action: action, Actor: { ID: id, Attributes: a }, time: Math.floor((BASE + nanoOffset) / 1e9), timeNano: BASE + nanoOffset };
}

test('containerEventOf() maps create/start/die/destroy and drops everything else', (t) => {
  t.deepEqual(containerEventOf(msg('c1', 'die', 5e6)), { type: 'stopped', containerId: 'c1', sandboxId: 'sb1', pod: { uid: 'u1', name: 'web', namespace: 'default' }, containerName: 'app', time: Math.floor((BASE + 5e6) / 1e6) });
  t.is(containerEventOf(msg('c1', 'create', 0))?.type, 'created');
  t.is(containerEventOf(msg('c1', 'start', 0))?.type, 'started');
  t.is(containerEventOf(msg('c1', 'destroy', 0))?.type, 'deleted');
  t.is(containerEventOf(msg('c1', 'exec_die', 0)), undefined);
  t.is(containerEventOf(msg('c1', 'oom', 0)), undefined);
  t.is(containerEventOf(msg('sb1', 'die', 0, { ...attrs, 'io.kubernetes.docker.type': 'podsandbox' })), undefined, 'sandboxes are not container events');
  t.is(containerEventOf({ ...msg('n', 'create', 0), Type: 'network' }), undefined);
});

/** A fake daemon: each getEvents call gets the next scripted stream (or error), and its options are recorded. */
function fakeSource(script: ((s: PassThrough) => void | Error)[]): EventsSource & { calls: Record<string, unknown>[] } {
  const calls: Record<string, unknown>[] = [];
  return {
    calls,
    getEvents: (async (opts: Record<string, unknown>) => {
      calls.push({ ...opts });
      const step = script[calls.length - 1];
      const s = new PassThrough();
      if (!step) return s; // stays open until aborted
      const r = step(s);
      if (r instanceof Error) throw r;
      return s;
    }) as unknown as Docker['getEvents'],
  };
}
const line = (m: DockerEventMessage) => JSON.stringify(m) + '\n';

test('the stream reconnects from the last event, drops the replayed ones, and ends on abort', async (t) => {
  const source = fakeSource([
    (s) => {
      // A message cut in two chunks, then the daemon goes away.
      const two = line(msg('c1', 'start', 2000));
      s.write(line(msg('c1', 'create', 1000)) + two.slice(0, 10));
      s.end(two.slice(10));
    },
    () => new Error('connect ECONNREFUSED'),
    (s) => {
      s.write(line(msg('c1', 'start', 2000)));
      s.write(line(msg('c1', 'die', 3000)));
    },
  ]);
  const ac = new AbortController();
  const got: ContainerEvent[] = [];
  for await (const e of dockerContainerEvents(source, { node: 'n1', lab: 'l' }, { signal: ac.signal, clock: systemClock, log: nullLogger, backoff: { initialMs: 1, maxMs: 2 }, sinceMs: 1_700_000_000_000 })) {
    got.push(e);
    if (got.length === 3) ac.abort();
  }
  t.deepEqual(
    got.map((e) => e.type),
    ['created', 'started', 'stopped'],
  );
  t.is(source.calls.length, 3);
  t.is(source.calls[0]!.since, '1699999999.999999000', 'from the time events() was called');
  t.regex(String(source.calls[2]!.since), /^1700000000\.0000/, 'from the last event seen');
  const filters = JSON.parse(String(source.calls[0]!.filters)) as { label: string[]; type: string[] };
  t.deepEqual(filters.type, ['container']);
  t.true(filters.label.includes('io.kubelab.node=n1') && filters.label.includes('io.kubelab.lab=l'), "only this node's containers");
});

test('an abort while waiting for events ends the iteration', async (t) => {
  const source = fakeSource([]);
  const ac = new AbortController();
  const it = dockerContainerEvents(source, { node: 'n1', lab: 'l' }, { signal: ac.signal, clock: systemClock, log: nullLogger })[Symbol.asyncIterator]();
  const next = it.next();
  await new Promise<void>((resolve) => setImmediate(resolve));
  ac.abort();
  t.deepEqual(await next, { value: undefined, done: true });
});
