/** EventRecorder against the real API server: Events are created, then aggregated by patches. */
import test from 'ava';
import type { Event, Node, Pod } from '../../../src/api/types.js';
import { EventRecorder } from '../../../src/client/events.js';
import { Client } from '../../../src/client/rest.js';
import { FakeClock } from '../../../src/util/clock.js';
import { testApiServer } from '../../helpers/apiserver.js';

async function setup(t: Parameters<typeof testApiServer>[0]) {
  const server = await testApiServer(t);
  const client = new Client({ server: server.url });
  t.teardown(() => client.close());
  // The server expires Events by lastTimestamp on its own clock: start the fake one at real time.
  const clock = new FakeClock(Math.floor(Date.now() / 1000) * 1000);
  const events = client.resource<Event>('Event');
  const rec = new EventRecorder({ sink: events, component: 'kubelet', host: 'w1', clock, aggregationWindowMs: 600_000 });
  const pod = await client.resource<Pod>('Pod').create('default', { metadata: { name: 'web-1' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
  return { client, clock, events, rec, pod };
}

test('EventRecorder aggregates repeats into one Event whose count and lastTimestamp grow', async (t) => {
  const { clock, events, rec, pod } = await setup(t);
  const start = clock.now();
  for (let i = 0; i < 3; i++) rec.event(pod, 'Warning', 'BackOff', 'Back-off restarting failed container');
  await rec.flush();
  clock.advance(90_000);
  rec.event(pod, 'Warning', 'BackOff', 'Back-off restarting failed container');
  rec.event(pod, 'Warning', 'BackOff', 'Back-off restarting failed container');
  await rec.flush();
  const list = await events.list('default', { fieldSelector: 'involvedObject.name=web-1' });
  t.is(list.items.length, 1);
  const ev = list.items[0]!;
  t.is(ev.count, 5);
  t.is(ev.firstTimestamp, new Date(start).toISOString().replace('.000Z', 'Z'));
  t.is(ev.lastTimestamp, new Date(start + 90_000).toISOString().replace('.000Z', 'Z'));
  t.like(ev, { type: 'Warning', reason: 'BackOff', source: { component: 'kubelet', host: 'w1' }, reportingComponent: 'kubelet' });
  t.like(ev.involvedObject, { kind: 'Pod', apiVersion: 'v1', namespace: 'default', name: 'web-1', uid: pod.metadata.uid });
  t.regex(ev.metadata.name!, /^web-1\.[0-9a-f]+$/);
});

test('EventRecorder creates a new Event for a repeat after the window, and for other reasons', async (t) => {
  const { clock, events, rec, pod } = await setup(t);
  rec.event(pod, 'Normal', 'Pulled', 'Container image "busybox" already present on machine');
  rec.event(pod, 'Normal', 'Started', 'Started container c');
  await rec.flush();
  clock.advance(600_001);
  rec.event(pod, 'Normal', 'Pulled', 'Container image "busybox" already present on machine');
  await rec.flush();
  const list = await events.list('default');
  t.deepEqual(list.items.map((e) => `${e.reason} ${e.count}`).sort(), ['Pulled 1', 'Pulled 1', 'Started 1']);
});

test('EventRecorder puts Events about cluster-scoped objects in the default namespace', async (t) => {
  const { client, events, rec } = await setup(t);
  const node = await client.resource<Node>('Node').create('', { metadata: { name: 'w1' }, spec: {} });
  rec.event(node, 'Normal', 'NodeReady', 'Node w1 status is now: NodeReady');
  await rec.flush();
  const [ev] = (await events.list('default', { fieldSelector: 'involvedObject.kind=Node' })).items;
  t.like(ev!.involvedObject, { kind: 'Node', name: 'w1', uid: node.metadata.uid });
  t.is(ev!.involvedObject.namespace, undefined);
});
