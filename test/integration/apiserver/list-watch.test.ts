import test from 'ava';
import { collectWatch, http, testApiServer } from '../../helpers/apiserver.js';

const CMS = '/api/v1/namespaces/default/configmaps';

async function cm(url: string, name: string, labels: Record<string, string> = {}, ns = 'default') {
  const res = await http(url, 'POST', `/api/v1/namespaces/${ns}/configmaps`, { body: { metadata: { name, labels } } });
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  return res.body;
}

const names = (list: { items: { metadata: { name: string } }[] }) => list.items.map((i) => i.metadata.name);

test('label selectors: =, ==, !=, in, notin, exists, !exists', async (t) => {
  const s = await testApiServer(t);
  await cm(s.url, 'a', { app: 'web', tier: 'front' });
  await cm(s.url, 'b', { app: 'web' });
  await cm(s.url, 'c', { app: 'db', tier: 'back' });
  await cm(s.url, 'd', {});
  const q = async (sel: string) => names((await http(s.url, 'GET', `${CMS}?labelSelector=${encodeURIComponent(sel)}`)).body);
  t.deepEqual(await q('app=web'), ['a', 'b']);
  t.deepEqual(await q('app==web'), ['a', 'b']);
  t.deepEqual(await q('app!=web'), ['c', 'd']);
  t.deepEqual(await q('tier in (front,back)'), ['a', 'c']);
  t.deepEqual(await q('app notin (web)'), ['c', 'd']);
  t.deepEqual(await q('tier'), ['a', 'c']);
  t.deepEqual(await q('!tier'), ['b', 'd']);
  t.deepEqual(await q('app=web,tier=front'), ['a']);
});

test('field selectors on metadata.name, metadata.namespace, spec.nodeName and status.phase', async (t) => {
  const s = await testApiServer(t);
  await http(s.url, 'POST', '/api/v1/namespaces', { body: { metadata: { name: 'other' } } });
  await cm(s.url, 'x');
  await cm(s.url, 'x', {}, 'other');
  t.deepEqual(names((await http(s.url, 'GET', '/api/v1/configmaps?fieldSelector=metadata.namespace%3Dother')).body), ['x']);
  t.deepEqual(names((await http(s.url, 'GET', '/api/v1/configmaps?fieldSelector=metadata.name%3Dx')).body).length, 2);
  const pod = (name: string) => ({ metadata: { name }, spec: { containers: [{ name: 'c', image: 'i' }] } });
  await http(s.url, 'POST', '/api/v1/namespaces/default/pods', { body: pod('p1') });
  await http(s.url, 'POST', '/api/v1/namespaces/default/pods', { body: pod('p2') });
  await http(s.url, 'POST', '/api/v1/namespaces/default/pods/p1/binding', { body: { target: { name: 'n1' } } });
  const onN1 = await http(s.url, 'GET', '/api/v1/pods?fieldSelector=spec.nodeName%3Dn1');
  t.deepEqual(names(onN1.body), ['p1']);
  const unbound = await http(s.url, 'GET', '/api/v1/pods?fieldSelector=spec.nodeName%3D');
  t.deepEqual(names(unbound.body), ['p2']);
  const pending = await http(s.url, 'GET', '/api/v1/namespaces/default/pods?fieldSelector=status.phase%3DPending,metadata.name!%3Dp2');
  t.deepEqual(names(pending.body), ['p1']);
});

test('lists across all namespaces, in key order', async (t) => {
  const s = await testApiServer(t);
  await http(s.url, 'POST', '/api/v1/namespaces', { body: { metadata: { name: 'aaa' } } });
  await cm(s.url, 'z');
  await cm(s.url, 'y', {}, 'aaa');
  const all = (await http(s.url, 'GET', '/api/v1/configmaps')).body;
  t.is(all.kind, 'ConfigMapList');
  t.deepEqual(all.items.map((i: any) => `${i.metadata.namespace}/${i.metadata.name}`), ['aaa/y', 'default/z']);
});

test('limit and continue page through a consistent snapshot', async (t) => {
  const s = await testApiServer(t);
  for (let i = 0; i < 7; i++) await cm(s.url, `c${i}`, { n: String(i % 2) });
  const first = (await http(s.url, 'GET', `${CMS}?limit=3`)).body;
  t.deepEqual(names(first), ['c0', 'c1', 'c2']);
  t.is(first.metadata.remainingItemCount, 4);
  t.truthy(first.metadata.continue);
  await cm(s.url, 'c3a'); // written between pages: not part of the snapshot
  const second = (await http(s.url, 'GET', `${CMS}?limit=3&continue=${first.metadata.continue}`)).body;
  t.deepEqual(names(second), ['c3', 'c4', 'c5']);
  t.is(second.metadata.resourceVersion, first.metadata.resourceVersion);
  const third = (await http(s.url, 'GET', `${CMS}?limit=3&continue=${second.metadata.continue}`)).body;
  t.deepEqual(names(third), ['c6']);
  t.falsy(third.metadata.continue);
  const filtered = (await http(s.url, 'GET', `${CMS}?limit=2&labelSelector=n%3D1`)).body;
  t.deepEqual(names(filtered), ['c1', 'c3']);
  const rest = (await http(s.url, 'GET', `${CMS}?limit=2&labelSelector=n%3D1&continue=${filtered.metadata.continue}`)).body;
  t.deepEqual(names(rest), ['c5']);
});

test('watch from a resourceVersion sends ADDED, MODIFIED and DELETED in order', async (t) => {
  const s = await testApiServer(t);
  const rv = (await http(s.url, 'GET', CMS)).body.metadata.resourceVersion;
  const events = await collectWatch(s.url, `${CMS}?watch=1&resourceVersion=${rv}`, (e) => e.length >= 3, {
    onOpen: async () => {
      await cm(s.url, 'w');
      await http(s.url, 'PATCH', `${CMS}/w`, { body: { data: { k: 'v' } }, contentType: 'application/merge-patch+json' });
      await http(s.url, 'DELETE', `${CMS}/w`);
    },
  });
  t.deepEqual(events.map((e) => e.type), ['ADDED', 'MODIFIED', 'DELETED']);
  const rvs = events.map((e) => Number(e.object.metadata.resourceVersion));
  t.true(rvs[0]! < rvs[1]! && rvs[1]! < rvs[2]!);
  t.is(events[1]!.object.data.k, 'v');
});

test('a watcher that reconnects from its last resourceVersion misses nothing and sees nothing twice', async (t) => {
  const s = await testApiServer(t);
  const rv0 = (await http(s.url, 'GET', CMS)).body.metadata.resourceVersion;
  for (let i = 0; i < 5; i++) await cm(s.url, `r${i}`);
  const part1 = await collectWatch(s.url, `${CMS}?watch=1&resourceVersion=${rv0}`, (e) => e.length >= 2);
  const last = part1[part1.length - 1]!.object.metadata.resourceVersion;
  for (let i = 5; i < 8; i++) await cm(s.url, `r${i}`);
  const part2 = await collectWatch(s.url, `${CMS}?watch=1&resourceVersion=${last}`, (e) => e.length >= 8 - part1.length);
  const seen = [...part1, ...part2].map((e) => e.object.metadata.name);
  t.deepEqual(seen, ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7']);
});

test('a watch with no resourceVersion starts with the current objects as ADDED', async (t) => {
  const s = await testApiServer(t);
  await cm(s.url, 'one', { app: 'x' });
  await cm(s.url, 'two', { app: 'y' });
  const events = await collectWatch(s.url, `${CMS}?watch=true&labelSelector=app%3Dx`, (e) => e.length >= 1);
  t.deepEqual(events.map((e) => [e.type, e.object.metadata.name]), [['ADDED', 'one']]);
});

test('a label change that leaves the selector arrives as DELETED, one that enters it as ADDED', async (t) => {
  const s = await testApiServer(t);
  await cm(s.url, 'm', { app: 'x' });
  const rv = (await http(s.url, 'GET', CMS)).body.metadata.resourceVersion;
  const events = await collectWatch(s.url, `${CMS}?watch=1&resourceVersion=${rv}&labelSelector=app%3Dx`, (e) => e.length >= 2, {
    onOpen: async () => {
      await http(s.url, 'PATCH', `${CMS}/m`, { body: { metadata: { labels: { app: 'y' } } }, contentType: 'application/merge-patch+json' });
      await http(s.url, 'PATCH', `${CMS}/m`, { body: { metadata: { labels: { app: 'x' } } }, contentType: 'application/merge-patch+json' });
    },
  });
  t.deepEqual(events.map((e) => e.type), ['DELETED', 'ADDED']);
});

test('a resourceVersion older than the watch cache gets an ERROR event with 410 Expired', async (t) => {
  const s = await testApiServer(t, { watchCacheSize: 10 });
  const rv = (await http(s.url, 'GET', CMS)).body.metadata.resourceVersion;
  for (let i = 0; i < 20; i++) await cm(s.url, `old${i}`);
  const events = await collectWatch(s.url, `${CMS}?watch=1&resourceVersion=${rv}`, (e) => e.length >= 1);
  t.is(events[0]!.type, 'ERROR');
  t.like(events[0]!.object, { kind: 'Status', code: 410, reason: 'Expired' });
  t.regex(events[0]!.object.message, /too old resource version/);
});

test('watchers resume across an API server restart from their last resourceVersion', async (t) => {
  const first = await testApiServer(t);
  await cm(first.url, 'before');
  const rv = (await http(first.url, 'GET', CMS)).body.metadata.resourceVersion;
  await cm(first.url, 'missed-1');
  await first.close();
  const second = await testApiServer(t, { dataDir: first.dataDir });
  await cm(second.url, 'missed-2');
  const events = await collectWatch(second.url, `${CMS}?watch=1&resourceVersion=${rv}`, (e) => e.length >= 2);
  t.deepEqual(events.map((e) => [e.type, e.object.metadata.name]), [
    ['ADDED', 'missed-1'],
    ['ADDED', 'missed-2'],
  ]);
});

test('BOOKMARK events carry the current resourceVersion when asked for', async (t) => {
  const s = await testApiServer(t, { bookmarkIntervalMs: 50 });
  await cm(s.url, 'b');
  const rv = (await http(s.url, 'GET', CMS)).body.metadata.resourceVersion;
  const events = await collectWatch(s.url, `${CMS}?watch=1&resourceVersion=${rv}&allowWatchBookmarks=true`, (e) => e.some((x) => x.type === 'BOOKMARK'));
  const bm = events.find((e) => e.type === 'BOOKMARK')!;
  t.is(bm.object.kind, 'ConfigMap');
  t.true(Number(bm.object.metadata.resourceVersion) >= Number(rv));
});

test('watch with timeoutSeconds ends by itself', async (t) => {
  const s = await testApiServer(t);
  const started = Date.now();
  const events = await collectWatch(s.url, `${CMS}?watch=1&timeoutSeconds=1`, () => false, { timeoutMs: 10_000 });
  t.true(Date.now() - started >= 900);
  t.deepEqual(events, []);
});
