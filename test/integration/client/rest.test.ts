/** The REST client against the real API server, started in this process on a temporary store. */
import test from 'ava';
import { join } from 'node:path';
import type { ConfigMap, Deployment, KObject, Node, Pod, Status, WatchEvent } from '../../../src/api/types.js';
import type { StatusError } from '../../../src/api/errors.js';
import { writeKubeconfig } from '../../../src/bootstrap/kubeconfig.js';
import { isAlreadyExists, isConflict, isGone, isInvalid, isNotFound } from '../../../src/client/errors.js';
import { Client } from '../../../src/client/rest.js';
import { testApiServer } from '../../helpers/apiserver.js';
import { tempDir } from '../../helpers/tmp.js';

async function setup(t: Parameters<typeof testApiServer>[0], o: Parameters<typeof testApiServer>[1] = {}) {
  const server = await testApiServer(t, o);
  const client = new Client({ server: server.url });
  t.teardown(() => client.close());
  return { server, client };
}

const pod = (name: string, labels: Record<string, string> = {}): Pod => ({
  metadata: { name, labels },
  spec: { containers: [{ name: 'c', image: 'busybox' }] },
});

const deployment = (name: string, replicas: number): Deployment => ({
  metadata: { name },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
  },
});

test('create, get, update, patch and delete a ConfigMap', async (t) => {
  const { client } = await setup(t);
  const cms = client.resource<ConfigMap>('ConfigMap');
  const created = await cms.create('default', { metadata: { name: 'cfg' }, data: { a: '1' } });
  t.truthy(created.metadata.uid);
  t.regex(created.metadata.resourceVersion!, /^\d+$/);
  const got = await cms.get('default', 'cfg');
  t.deepEqual(got.data, { a: '1' });
  const updated = await cms.update({ ...got, data: { a: '2' } });
  t.not(updated.metadata.resourceVersion, got.metadata.resourceVersion);
  const merged = await cms.patch('default', 'cfg', { data: { b: '3' } }, 'merge');
  t.deepEqual(merged.data, { a: '2', b: '3' });
  const jsonPatched = await cms.patch('default', 'cfg', [{ op: 'remove', path: '/data/a' }], 'json');
  t.deepEqual(jsonPatched.data, { b: '3' });
  const status = (await cms.delete('default', 'cfg')) as Status;
  t.is(status.status, 'Success');
  const err = await t.throwsAsync(() => cms.get('default', 'cfg'));
  t.true(isNotFound(err));
  t.is(err.message, 'configmaps "cfg" not found');
});

test('API errors arrive as StatusErrors: 404, 409 Conflict, 409 AlreadyExists, 422 Invalid', async (t) => {
  const { client } = await setup(t);
  const cms = client.resource<ConfigMap>('ConfigMap');
  const v1 = await cms.create('default', { metadata: { name: 'cfg' }, data: { a: '1' } });
  const dup = await t.throwsAsync(() => cms.create('default', { metadata: { name: 'cfg' } }));
  t.true(isAlreadyExists(dup));
  t.is(dup.message, 'configmaps "cfg" already exists');
  await cms.update({ ...v1, data: { a: '2' } });
  const stale = await t.throwsAsync(() => cms.update({ ...v1, data: { a: 'stale' } }));
  t.true(isConflict(stale));
  t.regex(stale.message, /^Operation cannot be fulfilled on configmaps "cfg": /);
  t.deepEqual((await cms.get('default', 'cfg')).data, { a: '2' }, 'the stale write changed nothing');
  const missing = await t.throwsAsync(() => cms.patch('default', 'nope', { data: {} }, 'merge'));
  t.true(isNotFound(missing));
  const deps = client.resource<Deployment>('Deployment');
  await deps.create('default', deployment('web', 1));
  const invalid = await t.throwsAsync(() => deps.updateScale('default', 'web', { metadata: { name: 'web' }, spec: { replicas: -1 } }));
  t.true(isInvalid(invalid));
  t.is((invalid as StatusError).code, 422);
  t.regex(invalid.message, /spec\.replicas/);
});

test('strategic merge patch merges containers by name; updateStatus and status patches change only status', async (t) => {
  const { client } = await setup(t);
  const pods = client.resource<Pod>('Pod');
  await pods.create('default', { metadata: { name: 'p' }, spec: { containers: [{ name: 'a', image: 'one' }, { name: 'b', image: 'two' }] } });
  const patched = await pods.patch('default', 'p', { spec: { containers: [{ name: 'b', image: 'three' }] } }, 'strategic');
  t.deepEqual(patched.spec.containers.map((c) => `${c.name}=${c.image}`), ['a=one', 'b=three']);
  const withStatus = await pods.updateStatus({ ...patched, status: { ...patched.status, phase: 'Running', podIP: '10.0.0.9' } });
  t.is(withStatus.status!.phase, 'Running');
  const viaPatch = await pods.patch('default', 'p', { status: { message: 'hello' } }, 'merge', { subresource: 'status' });
  t.is(viaPatch.status!.message, 'hello');
  t.is(viaPatch.status!.podIP, '10.0.0.9');
});

test('binding and eviction subresources, and scale get/update', async (t) => {
  const { client } = await setup(t);
  const pods = client.resource<Pod>('Pod');
  await pods.create('default', pod('p1'));
  const bound = await pods.createSubresource<Status>('default', 'p1', 'binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p1' }, target: { kind: 'Node', name: 'n1' } });
  t.is(bound.status, 'Success');
  t.is((await pods.get('default', 'p1')).spec.nodeName, 'n1');
  const again = await t.throwsAsync(() => pods.createSubresource('default', 'p1', 'binding', { target: { name: 'n2' } }));
  t.true(isConflict(again));
  await pods.create('default', pod('p2'));
  await pods.createSubresource('default', 'p2', 'eviction', { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'p2', namespace: 'default' } });
  t.true(isNotFound(await t.throwsAsync(() => pods.get('default', 'p2'))), 'an unbound pod is evicted at once');
  const deps = client.resource<Deployment>('Deployment');
  await deps.create('default', deployment('web', 2));
  const scale = await deps.getScale('default', 'web');
  t.like(scale, { kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 2 }, status: { selector: 'app=web' } });
  const scaled = await deps.updateScale('default', 'web', { ...scale, spec: { replicas: 5 } });
  t.is(scaled.spec.replicas, 5);
  t.is((await deps.get('default', 'web')).spec.replicas, 5);
});

test('cluster-scoped kinds take no namespace', async (t) => {
  const { client } = await setup(t);
  const nodes = client.resource<Node>('Node');
  const n = await nodes.create('', { metadata: { name: 'w1', labels: { role: 'worker' } }, spec: {} });
  t.is(n.metadata.namespace, undefined);
  t.is((await nodes.get('', 'w1')).metadata.name, 'w1');
  const names = (await client.resource('Namespace').list('')).items.map((i) => i.metadata.name);
  t.true(names.includes('kube-system'));
});

test('list filters by label and field selectors, across namespaces or in one', async (t) => {
  const { client } = await setup(t);
  await client.resource('Namespace').create('', { metadata: { name: 'other' } });
  const cms = client.resource<ConfigMap>('ConfigMap');
  await cms.create('default', { metadata: { name: 'a', labels: { app: 'web' } } });
  await cms.create('default', { metadata: { name: 'b', labels: { app: 'db' } } });
  await cms.create('other', { metadata: { name: 'c', labels: { app: 'web' } } });
  const names = (l: { items: KObject[] }) => l.items.map((i) => `${i.metadata.namespace}/${i.metadata.name}`);
  t.deepEqual(names(await cms.list('', { labelSelector: 'app=web' })), ['default/a', 'other/c']);
  t.deepEqual(names(await cms.list('default', { labelSelector: 'app in (web,db)' })), ['default/a', 'default/b']);
  t.deepEqual(names(await cms.list('', { fieldSelector: 'metadata.namespace=other' })), ['other/c']);
  const list = await cms.list('default');
  t.is(list.kind, 'ConfigMapList');
  t.regex(list.metadata.resourceVersion!, /^\d+$/);
  t.true(list.items.every((i) => i.kind === 'ConfigMap' && i.apiVersion === 'v1'), 'items carry their kind');
});

test('listAll follows continue tokens through every page of one snapshot', async (t) => {
  const { client } = await setup(t);
  const cms = client.resource<ConfigMap>('ConfigMap');
  for (let i = 0; i < 7; i++) await cms.create('default', { metadata: { name: `cm-${i}`, labels: { even: String(i % 2 === 0) } } });
  const page = await cms.list('default', { limit: 3 });
  t.is(page.items.length, 3);
  t.truthy(page.metadata.continue, 'the server pages at limit 3');
  const rvBefore = page.metadata.resourceVersion;
  await cms.create('default', { metadata: { name: 'cm-late' } });
  const all = await cms.listAll('default', { limit: 3 });
  t.deepEqual(all.items.map((i) => i.metadata.name), ['cm-0', 'cm-1', 'cm-2', 'cm-3', 'cm-4', 'cm-5', 'cm-6', 'cm-late']);
  t.is(all.metadata.continue, undefined);
  t.not(all.metadata.resourceVersion, rvBefore);
  const evens = await cms.listAll('default', { limit: 2, labelSelector: 'even=true' });
  t.deepEqual(evens.items.map((i) => i.metadata.name), ['cm-0', 'cm-2', 'cm-4', 'cm-6']);
});

async function take<T>(it: AsyncIterator<WatchEvent<T>>, n: number): Promise<WatchEvent<T>[]> {
  const out: WatchEvent<T>[] = [];
  while (out.length < n) {
    const r = await it.next();
    if (r.done) break;
    out.push(r.value);
  }
  return out;
}

test('watch delivers ADDED, MODIFIED and DELETED in order from a resourceVersion', async (t) => {
  const { client } = await setup(t);
  const cms = client.resource<ConfigMap>('ConfigMap');
  await cms.create('default', { metadata: { name: 'before' } });
  const list = await cms.list('default');
  const ac = new AbortController();
  t.teardown(() => ac.abort());
  const it = cms.watch('default', { resourceVersion: list.metadata.resourceVersion!, signal: ac.signal, timeoutSeconds: 60 })[Symbol.asyncIterator]();
  const first = take(it, 4);
  const a = await cms.create('default', { metadata: { name: 'a' }, data: { v: '1' } });
  await cms.update({ ...a, data: { v: '2' } });
  await cms.create('default', { metadata: { name: 'b' } });
  await cms.delete('default', 'a');
  const events = await first;
  t.deepEqual(
    events.map((e) => `${e.type} ${e.object.metadata.name} ${e.object.data?.v ?? ''}`.trim()),
    ['ADDED a 1', 'MODIFIED a 2', 'ADDED b', 'DELETED a 2'],
  );
  const rvs = events.map((e) => Number(e.object.metadata.resourceVersion));
  t.deepEqual([...rvs].sort((x, y) => x - y), rvs, 'resourceVersions increase');
});

test('watch without a resourceVersion starts with the current objects; a label selector filters', async (t) => {
  const { client } = await setup(t);
  const cms = client.resource<ConfigMap>('ConfigMap');
  await cms.create('default', { metadata: { name: 'web-1', labels: { app: 'web' } } });
  await cms.create('default', { metadata: { name: 'db-1', labels: { app: 'db' } } });
  const ac = new AbortController();
  t.teardown(() => ac.abort());
  const it = cms.watch('default', { labelSelector: 'app=web', signal: ac.signal })[Symbol.asyncIterator]();
  const firstTwo = take(it, 2);
  await cms.create('default', { metadata: { name: 'db-2', labels: { app: 'db' } } });
  await cms.create('default', { metadata: { name: 'web-2', labels: { app: 'web' } } });
  t.deepEqual((await firstTwo).map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED web-1', 'ADDED web-2']);
});

test('a watch from a resourceVersion older than the watch cache gets an ERROR event with a 410 Status', async (t) => {
  const { client } = await setup(t, { watchCacheSize: 50 });
  const cms = client.resource<ConfigMap>('ConfigMap');
  const first = await cms.create('default', { metadata: { name: 'c0' } });
  for (let i = 1; i <= 60; i++) await cms.create('default', { metadata: { name: `c${i}` } });
  const events: WatchEvent<ConfigMap>[] = [];
  for await (const ev of cms.watch('default', { resourceVersion: first.metadata.resourceVersion! })) events.push(ev);
  t.is(events.length, 1);
  t.is(events[0]!.type, 'ERROR');
  const status = events[0]!.object as unknown as Status;
  t.like(status, { kind: 'Status', code: 410, reason: 'Expired' });
  t.regex(status.message!, /too old resource version/);
  t.false(isGone(status), 'the Status itself is data; the informer turns it into an error');
});

test('aborting a watch against the server ends it with the signal reason', async (t) => {
  const { client } = await setup(t);
  const cms = client.resource<ConfigMap>('ConfigMap');
  const ac = new AbortController();
  const reason = new Error('shutdown');
  const it = cms.watch('default', { signal: ac.signal })[Symbol.asyncIterator]();
  const next = it.next();
  await cms.create('default', { metadata: { name: 'x' } });
  t.is((await next).value?.type, 'ADDED');
  ac.abort(reason);
  t.is(await t.throwsAsync(() => it.next()), reason);
});

test('a server that requires a token refuses a client without one; fromKubeconfig supplies it', async (t) => {
  const { server } = await setup(t, { token: 'secret-token', requireAuth: true });
  const anonymous = new Client({ server: server.url });
  t.teardown(() => anonymous.close());
  const err = await t.throwsAsync(() => anonymous.resource('ConfigMap').list('default'));
  t.is((err as { code?: number }).code, 401);
  const path = join(tempDir(t), 'kubeconfig');
  writeKubeconfig(path, { cluster: 'test', server: server.url, token: 'secret-token' });
  const c = Client.fromKubeconfig(path);
  t.teardown(() => c.close());
  t.deepEqual((await c.resource('ConfigMap').list('default')).items, []);
});

test('requests to a closed server fail with an Error naming the request', async (t) => {
  const { client, server } = await setup(t);
  await client.resource('ConfigMap').list('default');
  await server.close();
  const err = await t.throwsAsync(() => client.resource('ConfigMap').get('default', 'x'));
  t.regex(err.message, new RegExp(`^GET ${server.url}/api/v1/namespaces/default/configmaps/x failed: `));
});
