/** Informers against the real API server: sync, events, indexes, restarts, 410 relists, sharing. */
import test, { type ExecutionContext } from 'ava';
import type { ConfigMap, KObject, Pod } from '../../../src/api/types.js';
import { Informer, type InformerOptions } from '../../../src/client/informer.js';
import { InformerFactory } from '../../../src/client/informer-factory.js';
import { Client } from '../../../src/client/rest.js';
import { startApiServer, type ApiServer } from '../../../src/control/apiserver/server.js';
import { createLogger } from '../../../src/util/log.js';
import { testApiServer } from '../../helpers/apiserver.js';
import { eventually } from '../../helpers/eventually.js';
import { tempDir } from '../../helpers/tmp.js';
import { GatedListerWatcher } from './gated.js';

/** Handler calls as "add a", "update a", "delete a" (with the data value when there is one). */
function recorder<T extends KObject>() {
  const calls: string[] = [];
  const v = (o: T) => {
    const data = (o as { data?: { v?: string } }).data;
    return data?.v ? `=${data.v}` : '';
  };
  return {
    calls,
    handler: {
      onAdd: (o: T) => calls.push(`add ${o.metadata.name}${v(o)}`),
      onUpdate: (_old: T, o: T) => calls.push(`update ${o.metadata.name}${v(o)}`),
      onDelete: (o: T) => calls.push(`delete ${o.metadata.name}`),
    },
  };
}

function logCapture() {
  const lines: string[] = [];
  return { lines, log: createLogger({ component: 'test', verbosity: 0, write: (l) => lines.push(l) }) };
}

function informer<T extends KObject>(t: ExecutionContext, lw: ConstructorParameters<typeof Informer<T>>[0], o: InformerOptions) {
  const inf = new Informer<T>(lw, o);
  const ac = new AbortController();
  let running: Promise<void> | undefined;
  t.teardown(async () => {
    ac.abort();
    await running;
  });
  return { inf, ac, start: () => (running = inf.run(ac.signal)) };
}

const pod = (name: string): Pod => ({ metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });

test('an informer syncs, then sees adds, updates and deletes, and keeps its index right', async (t) => {
  const server = await testApiServer(t);
  const client = new Client({ server: server.url });
  t.teardown(() => client.close());
  const pods = client.resource<Pod>('Pod');
  await pods.create('default', pod('p1'));
  await pods.create('default', pod('p2'));
  const { inf, ac, start } = informer<Pod>(t, pods, { name: 'pods' });
  inf.addIndexer('node', (p) => (p.spec.nodeName ? [p.spec.nodeName] : []));
  const rec = recorder<Pod>();
  inf.addEventHandler(rec.handler);
  start();
  t.true(await inf.waitForCacheSync(ac.signal));
  t.deepEqual(rec.calls, ['add p1', 'add p2']);
  t.deepEqual(inf.byIndex('node', 'n1'), []);

  await pods.create('default', pod('p3'));
  await pods.createSubresource('default', 'p1', 'binding', { target: { name: 'n1' } });
  await pods.createSubresource('default', 'p3', 'binding', { target: { name: 'n1' } });
  await pods.delete('default', 'p2');
  await eventually(() => rec.calls.length === 6, { message: 'four more events' });
  t.deepEqual(rec.calls.slice(2), ['add p3', 'update p1', 'update p3', 'delete p2']);
  t.deepEqual(inf.byIndex('node', 'n1').map((p) => p.metadata.name).sort(), ['p1', 'p3']);
  t.is(inf.getByNamespaceName('default', 'p2'), undefined);
  t.is(inf.get('default/p1')!.spec.nodeName, 'n1');
  const rv = Number(inf.lastResourceVersion());
  t.is(rv, Number((await pods.list('default')).metadata.resourceVersion));
});

test('an informer survives an API server restart on the same data dir and catches up exactly', async (t) => {
  const dataDir = tempDir(t);
  let server: ApiServer = await startApiServer({ dataDir, port: 0 });
  t.teardown(() => server.close());
  const port = server.port;
  const client = new Client({ server: server.url });
  t.teardown(() => client.close());
  const cms = client.resource<ConfigMap>('ConfigMap');
  await cms.create('default', { metadata: { name: 'a' }, data: { v: '1' } });
  await cms.create('default', { metadata: { name: 'b' } });

  const lw = new GatedListerWatcher(cms);
  const { lines, log } = logCapture();
  const { inf, ac, start } = informer<ConfigMap>(t, lw, { name: 'configmaps', namespace: 'default', log, backoff: { initialMs: 20, maxMs: 200 } });
  const rec = recorder<ConfigMap>();
  inf.addEventHandler(rec.handler);
  start();
  await inf.waitForCacheSync(ac.signal);
  await eventually(() => lw.open === 1);
  await cms.patch('default', 'a', { data: { v: '2' } }, 'merge');
  await eventually(() => rec.calls.includes('update a=2'));

  await server.close();
  await eventually(() => lines.filter((l) => l.includes('ERROR configmaps: watch failed')).length >= 3, { message: 'the informer retries against the stopped server, logging each failure' });
  // Hold the informer off until the server is back and has changed, so it must catch up.
  const release = lw.hold();
  server = await startApiServer({ dataDir, port });
  await cms.patch('default', 'a', { data: { v: '3' } }, 'merge');
  await cms.delete('default', 'b');
  await cms.create('default', { metadata: { name: 'c' } });
  release();
  await eventually(() => rec.calls.includes('add c'), { message: 'the changes made while away' });
  await cms.create('default', { metadata: { name: 'd' } });
  await eventually(() => rec.calls.includes('add d'), { message: 'a change after the reconnection' });
  t.deepEqual(rec.calls, ['add a=1', 'add b', 'update a=2', 'update a=3', 'delete b', 'add c', 'add d'], 'nothing missed, nothing twice');
  t.is(lw.lists, 1, 'it resumed the watch from its resourceVersion instead of relisting');
  t.deepEqual(inf.list().map((o) => o.metadata.name).sort(), ['a', 'c', 'd']);
  t.true(lines.every((l) => !l.includes('relisting')));
});

test('an informer whose resourceVersion left the watch cache relists on 410 and delivers the differences', async (t) => {
  const server = await testApiServer(t, { watchCacheSize: 50 });
  const client = new Client({ server: server.url });
  t.teardown(() => client.close());
  const cms = client.resource<ConfigMap>('ConfigMap');
  for (const name of ['a', 'b', 'keep']) await cms.create('default', { metadata: { name }, data: { v: '1' } });

  const lw = new GatedListerWatcher(cms);
  const { lines, log } = logCapture();
  const { inf, ac, start } = informer<ConfigMap>(t, lw, { name: 'configmaps', namespace: 'default', log, backoff: { initialMs: 10, maxMs: 50 } });
  const rec = recorder<ConfigMap>();
  inf.addEventHandler(rec.handler);
  start();
  await inf.waitForCacheSync(ac.signal);
  await eventually(() => lw.open === 1);
  const rvBefore = inf.lastResourceVersion();

  // Stop the informer's watch and keep it from reconnecting while the cluster moves on.
  const release = lw.hold();
  const watchesBefore = lw.watches.length;
  lw.cutWatches();
  await eventually(() => lw.watches.length > watchesBefore && lw.open === 0, { message: 'the next watch waits at the gate' });
  await cms.patch('default', 'a', { data: { v: '2' } }, 'merge');
  await cms.delete('default', 'b');
  await cms.create('default', { metadata: { name: 'd' } });
  await cms.create('default', { metadata: { name: 'transient' } });
  await cms.delete('default', 'transient');
  // Push the informer's resourceVersion out of the 50-event watch cache with writes elsewhere.
  for (let i = 0; i < 60; i++) await cms.create('kube-system', { metadata: { name: `filler-${i}` } });
  release();

  await eventually(() => lw.lists === 2 && lw.open === 1, { message: 'relist and a new watch' });
  t.true(lines.some((l) => l.includes(`ERROR configmaps: resourceVersion ${rvBefore} is too old (410); relisting`)));
  t.deepEqual(rec.calls.slice(3), ['update a=2', 'add d', 'delete b'], 'only the differences; the transient object never shows');
  t.deepEqual(inf.list().map((o) => o.metadata.name).sort(), ['a', 'd', 'keep']);
  await cms.patch('default', 'keep', { data: { v: '2' } }, 'merge');
  await eventually(() => rec.calls.includes('update keep=2'), { message: 'the watch after the relist' });
  t.is(rec.calls.length, 7);
});

test('an informer resumes after the server ends its watch, from the newest bookmark, without relisting', async (t) => {
  const server = await testApiServer(t, { bookmarkIntervalMs: 100 });
  const client = new Client({ server: server.url });
  t.teardown(() => client.close());
  const cms = client.resource<ConfigMap>('ConfigMap');
  await cms.create('default', { metadata: { name: 'a' } });
  const lw = new GatedListerWatcher(cms);
  const { inf, ac, start } = informer<ConfigMap>(t, lw, { name: 'configmaps', namespace: 'default', watchTimeoutSeconds: 1 });
  const rec = recorder<ConfigMap>();
  inf.addEventHandler(rec.handler);
  start();
  await inf.waitForCacheSync(ac.signal);
  const listedRv = Number(inf.lastResourceVersion());
  // Writes the informer does not watch move the revision on; bookmarks carry it to the informer.
  const other = await client.resource('ConfigMap').create('kube-system', { metadata: { name: 'elsewhere' } });
  await eventually(() => Number(inf.lastResourceVersion()) >= Number(other.metadata.resourceVersion), { message: 'a bookmark past the unwatched write' });
  t.true(Number(inf.lastResourceVersion()) > listedRv);
  await eventually(() => lw.watches.length >= 2, { timeoutMs: 5000, message: 'the server ends the 1 s watch and the informer watches again' });
  t.true(Number(lw.watches[1]!.resourceVersion) >= Number(other.metadata.resourceVersion), 'the new watch starts at the bookmark');
  await cms.create('default', { metadata: { name: 'b' } });
  await eventually(() => rec.calls.includes('add b'));
  t.deepEqual(rec.calls, ['add a', 'add b']);
  t.is(lw.lists, 1);
});

test('an InformerFactory shares one informer and one watch per kind and selection', async (t) => {
  const server = await testApiServer(t);
  const client = new Client({ server: server.url });
  t.teardown(() => client.close());
  await client.resource('Namespace').create('', { metadata: { name: 'x' } });
  const factory = new InformerFactory(client);
  const first = factory.informerFor<ConfigMap>('ConfigMap');
  const second = factory.informerFor<ConfigMap>('ConfigMap');
  const inX = factory.informerFor<ConfigMap>('ConfigMap', { namespace: 'x' });
  t.is(first, second);
  t.not(first, inX);
  const a = recorder<ConfigMap>();
  const b = recorder<ConfigMap>();
  first.addEventHandler(a.handler);
  second.addEventHandler(b.handler);
  const ac = new AbortController();
  factory.startAll(ac.signal);
  t.teardown(async () => {
    ac.abort();
    await factory.stopped();
  });
  t.true(await factory.waitForCacheSync(ac.signal));
  const watchers = async () => (await server.metrics.watchers.get()).values.find((v) => v.labels.resource === 'configmaps')?.value;
  await eventually(async () => (await watchers()) === 2, { message: 'one watch for all namespaces, one for x' });
  await client.resource('ConfigMap').create('x', { metadata: { name: 'shared' } });
  await eventually(() => a.calls.length === 1 && b.calls.length === 1 && inX.list().length === 1);
  t.deepEqual(a.calls, ['add shared']);
  t.deepEqual(b.calls, ['add shared']);
  const late = factory.informerFor('Pod');
  t.false(late.hasSynced());
  factory.startAll(ac.signal);
  t.true(await factory.waitForCacheSync(ac.signal), 'startAll starts informers created later');
});

test('an InformerFactory scoped to a namespace still serves cluster-scoped kinds, and refuses a namespace for them', async (t) => {
  const server = await testApiServer(t);
  const client = new Client({ server: server.url });
  t.teardown(() => client.close());
  const factory = new InformerFactory(client, { namespace: 'default' });
  const namespaces = factory.informerFor('Namespace');
  t.throws(() => factory.informerFor('Node', { namespace: 'default' }), { instanceOf: TypeError, message: /Node is cluster-scoped/ });
  const ac = new AbortController();
  factory.startAll(ac.signal);
  t.teardown(async () => {
    ac.abort();
    await factory.stopped();
  });
  t.true(await factory.waitForCacheSync(ac.signal));
  t.truthy(namespaces.get('kube-system'));
});
