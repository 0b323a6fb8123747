import test from 'ava';
import { StatusError } from '../../../src/api/errors.js';
import type { KObject } from '../../../src/api/types.js';
import { Informer, type InformerOptions } from '../../../src/client/informer.js';
import { FakeClock } from '../../../src/util/clock.js';
import { createLogger } from '../../../src/util/log.js';
import { eventually } from '../../helpers/eventually.js';
import { FakeApi } from './fake-api.js';

/** An informer on a FakeApi, recording handler calls as "add a", "update a 3->4", "delete a". */
function setup(t: { teardown(fn: () => void): void }, o: InformerOptions = {}) {
  const api = new FakeApi();
  const lines: string[] = [];
  const log = createLogger({ component: 'inf', verbosity: 0, write: (l) => lines.push(l) });
  const inf = new Informer<KObject>(api, { name: 'pods', backoff: { initialMs: 1, maxMs: 4 }, minWatchMs: 0, log, ...o });
  const calls: string[] = [];
  inf.addEventHandler({
    onAdd: (o) => calls.push(`add ${o.metadata.name}`),
    onUpdate: (a, b) => calls.push(`update ${b.metadata.name} ${a.metadata.resourceVersion}->${b.metadata.resourceVersion}`),
    onDelete: (o) => calls.push(`delete ${o.metadata.name}`),
  });
  const ac = new AbortController();
  t.teardown(() => ac.abort());
  const start = () => inf.run(ac.signal);
  return { api, inf, calls, lines, ac, start };
}

test('informer lists, syncs, then follows adds, updates and deletes in order', async (t) => {
  const { api, inf, calls, ac, start } = setup(t);
  api.create('a');
  api.create('b');
  const running = start();
  t.true(await inf.waitForCacheSync(ac.signal));
  t.true(inf.hasSynced());
  t.deepEqual(calls.sort(), ['add a', 'add b']);
  calls.length = 0;
  await eventually(() => api.openWatches() === 1);
  t.is(api.watchCalls[0]!.resourceVersion, '12', 'the watch starts at the list resourceVersion');
  t.true(api.watchCalls[0]!.allowWatchBookmarks);
  api.update('a', { v: '2' });
  api.create('c');
  api.remove('b');
  await eventually(() => calls.length === 3);
  t.deepEqual(calls, ['update a 11->13', 'add c', 'delete b']);
  t.deepEqual(inf.list().map((o) => o.metadata.name).sort(), ['a', 'c']);
  t.is(inf.get('default/a')!.metadata.labels!.v, '2');
  t.is(inf.getByNamespaceName('default', 'c')!.metadata.name, 'c');
  t.is(inf.get('default/b'), undefined);
  t.is(inf.lastResourceVersion(), '15');
  ac.abort();
  await running;
});

test('informer indexes follow updates and deletes', async (t) => {
  const { api, inf, calls, ac, start } = setup(t);
  api.create('a', { app: 'web' });
  api.create('b', { app: 'web' });
  inf.addIndexer('app', (o) => (o.metadata.labels?.app ? [o.metadata.labels.app] : []));
  void start();
  await inf.waitForCacheSync(ac.signal);
  const names = (v: string) => inf.byIndex('app', v).map((o) => o.metadata.name).sort();
  t.deepEqual(names('web'), ['a', 'b']);
  await eventually(() => api.openWatches() === 1);
  api.update('a', { app: 'db' });
  api.remove('b');
  api.create('c', { app: 'db' });
  await eventually(() => calls.length === 5);
  t.deepEqual(names('web'), []);
  t.deepEqual(names('db'), ['a', 'c']);
  inf.addIndexer('ns', (o) => [o.metadata.namespace ?? '']);
  t.deepEqual(inf.byIndex('ns', 'default').length, 2, 'an indexer added late indexes the cached objects');
  t.throws(() => inf.byIndex('nope', 'x'), { message: /index "nope" does not exist/ });
});

test('informer resumes from the last resourceVersion, bookmarks included, when a watch ends', async (t) => {
  const { api, inf, calls, ac, start } = setup(t);
  api.create('a');
  void start();
  await inf.waitForCacheSync(ac.signal);
  await eventually(() => api.openWatches() === 1);
  api.create('b');
  api.advance(5); // writes to other kinds move the revision on
  api.bookmark();
  await eventually(() => inf.lastResourceVersion() === '17');
  api.endWatches();
  await eventually(() => api.watchCalls.length === 2 && api.openWatches() === 1);
  t.is(api.watchCalls[1]!.resourceVersion, '17');
  t.is(api.listCalls, 1, 'a normal end does not relist');
  api.create('c');
  await eventually(() => calls.includes('add c'));
  t.deepEqual(calls, ['add a', 'add b', 'add c'], 'nothing is delivered twice');
});

test('an ERROR 410 event makes the informer relist and deliver only the differences', async (t) => {
  const { api, inf, calls, lines, ac, start } = setup(t);
  api.create('a');
  api.create('b');
  api.create('keep');
  void start();
  await inf.waitForCacheSync(ac.signal);
  await eventually(() => api.openWatches() === 1);
  calls.length = 0;
  // Disconnect, change things while away, and compact the history the informer would resume from.
  const release = api.holdWatches();
  api.endWatches();
  await eventually(() => api.watchCalls.length === 2);
  api.update('a', { v: '2' });
  api.remove('b');
  api.create('d');
  api.create('gone-again');
  api.remove('gone-again');
  api.compact();
  release();
  await eventually(() => api.listCalls === 2 && api.openWatches() === 1);
  t.deepEqual(calls.sort(), ['add d', 'delete b', 'update a 11->14'].sort());
  t.true(lines.some((l) => l.includes('ERROR pods: resourceVersion 13 is too old (410); relisting')));
  t.deepEqual(inf.list().map((o) => o.metadata.name).sort(), ['a', 'd', 'keep']);
  t.is(api.watchCalls[2]!.resourceVersion, String(api.rev), 'the new watch starts at the relist');
  calls.length = 0;
  api.update('keep', { v: '3' });
  await eventually(() => calls.length === 1);
  t.deepEqual(calls, ['update keep 13->19']);
});

test('a 410 answer to the watch request also makes the informer relist', async (t) => {
  const { api, inf, ac, start } = setup(t);
  api.create('a');
  void start();
  await inf.waitForCacheSync(ac.signal);
  await eventually(() => api.openWatches() === 1);
  api.watchFailures.push(new StatusError({ code: 410, reason: 'Expired', message: 'too old resource version' }));
  api.breakWatches();
  await eventually(() => api.listCalls === 2 && api.openWatches() === 1);
  t.pass();
});

test('repeated 410s back off instead of relisting in a tight loop', async (t) => {
  const { api, inf, lines, ac, start } = setup(t);
  void start();
  await inf.waitForCacheSync(ac.signal);
  await eventually(() => api.openWatches() === 1);
  const gone = () => new StatusError({ code: 410, reason: 'Expired', message: 'too old' });
  api.watchFailures.push(gone(), gone());
  api.breakWatches();
  await eventually(() => api.listCalls === 3 && api.openWatches() === 1);
  t.true(lines.some((l) => l.includes('relisting')));
  t.true(lines.some((l) => /ERROR pods: watch failed; retrying in \d+ ms .*too old/.test(l)), 'the second 410 in a row backs off');
});

test('informer logs every failure at level 0 and keeps retrying list and watch', async (t) => {
  const { api, inf, lines, calls, ac, start } = setup(t);
  api.create('a');
  api.listFailures.push(new Error('connect ECONNREFUSED'), new Error('connect ECONNREFUSED'));
  void start();
  t.true(await inf.waitForCacheSync(ac.signal));
  t.is(api.listCalls, 3);
  t.is(lines.filter((l) => /ERROR pods: list failed; retrying in \d+ ms/.test(l)).length, 2);
  await eventually(() => api.openWatches() === 1);
  api.watchFailures.push(new Error('socket hang up'), new Error('socket hang up'), new Error('socket hang up'));
  api.breakWatches(new Error('connection reset'));
  await eventually(() => api.watchCalls.length === 5 && api.openWatches() === 1);
  t.is(lines.filter((l) => /ERROR pods: watch failed; retrying/.test(l)).length, 4);
  t.is(api.listCalls, 3, 'network errors resume the watch, they do not relist');
  api.create('b');
  await eventually(() => calls.includes('add b'));
});

test('a watch that ends at once without events counts as a failure and backs off', async (t) => {
  const { api, inf, lines, ac, start } = setup(t, { minWatchMs: 1000 });
  void start();
  await inf.waitForCacheSync(ac.signal);
  await eventually(() => api.openWatches() === 1);
  api.endWatches();
  await eventually(() => lines.some((l) => /ended after \d+ ms without any event/.test(l)));
  t.pass();
});

test('a throwing handler is logged and neither stops the informer nor other handlers', async (t) => {
  const { api, inf, calls, lines, ac, start } = setup(t);
  inf.addEventHandler({
    onAdd: () => {
      throw new Error('handler bug');
    },
  });
  void start();
  await inf.waitForCacheSync(ac.signal);
  await eventually(() => api.openWatches() === 1);
  api.create('a');
  api.create('b');
  await eventually(() => calls.length === 2);
  t.is(lines.filter((l) => l.includes('ERROR pods: add handler failed') && l.includes('handler bug')).length, 2);
});

test('a handler added after sync gets the cached objects as adds, and can unregister', async (t) => {
  const { api, inf, ac, start } = setup(t);
  api.create('a');
  api.create('b');
  void start();
  await inf.waitForCacheSync(ac.signal);
  const late: string[] = [];
  const remove = inf.addEventHandler({ onAdd: (o) => late.push(o.metadata.name!) });
  t.deepEqual(late.sort(), ['a', 'b']);
  remove();
  await eventually(() => api.openWatches() === 1);
  api.create('c');
  await eventually(() => inf.get('default/c'));
  t.deepEqual(late.sort(), ['a', 'b']);
});

test('periodic resync re-delivers every object as an update to itself', async (t) => {
  const clock = new FakeClock();
  const { api, inf, calls, ac, start } = setup(t, { resyncPeriodMs: 60_000, clock });
  api.create('a');
  void start();
  await inf.waitForCacheSync(ac.signal);
  calls.length = 0;
  clock.advance(59_999);
  await new Promise((r) => setImmediate(r));
  t.deepEqual(calls, []);
  clock.advance(1);
  await eventually(() => calls.length === 1);
  t.deepEqual(calls, ['update a 11->11']);
});

test('run resolves when aborted, even while retrying; waitForCacheSync then says false', async (t) => {
  const { api, inf, ac, start } = setup(t);
  for (let i = 0; i < 1000; i++) api.listFailures.push(new Error('down'));
  const running = start();
  await eventually(() => api.listCalls >= 3);
  ac.abort();
  await running;
  t.false(await inf.waitForCacheSync(ac.signal));
  await t.throwsAsync(() => inf.run(new AbortController().signal), { message: /already called/ });
});
