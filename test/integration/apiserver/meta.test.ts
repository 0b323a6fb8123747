import test from 'ava';
import { http, testApiServer } from '../../helpers/apiserver.js';

test('/version, /healthz, /livez and /readyz answer as kube-apiserver does', async (t) => {
  const s = await testApiServer(t);
  const v = await http(s.url, 'GET', '/version');
  t.like(v.body, { major: '1', minor: '32' });
  for (const p of ['/healthz', '/livez', '/readyz']) {
    const h = await http(s.url, 'GET', p);
    t.is(h.status, 200);
    t.is(h.text, 'ok');
  }
  t.regex((await http(s.url, 'GET', '/readyz?verbose')).text, /\[\+\]storage ok/);
});

test('discovery lists every group, version and resource, legacy and aggregated', async (t) => {
  const s = await testApiServer(t);
  const api = await http(s.url, 'GET', '/api');
  t.deepEqual(api.body.versions, ['v1']);
  const v1 = await http(s.url, 'GET', '/api/v1');
  const core = v1.body.resources.map((r: { name: string }) => r.name);
  for (const r of ['pods', 'pods/status', 'pods/binding', 'pods/log', 'nodes', 'namespaces', 'services', 'endpoints', 'events', 'configmaps']) t.true(core.includes(r), r);
  const apps = await http(s.url, 'GET', '/apis/apps/v1');
  const scale = apps.body.resources.find((r: { name: string }) => r.name === 'deployments/scale');
  t.like(scale, { kind: 'Scale', group: 'autoscaling', version: 'v1' });
  const groups = await http(s.url, 'GET', '/apis');
  t.deepEqual(groups.body.groups.map((g: { name: string }) => g.name).sort(), ['apps', 'coordination.k8s.io', 'discovery.k8s.io']);
  const discovery = await http(s.url, 'GET', '/apis/discovery.k8s.io/v1');
  t.like(discovery.body.resources.find((r: { name: string }) => r.name === 'endpointslices'), { kind: 'EndpointSlice', namespaced: true, singularName: 'endpointslice' });
  const agg = await http(s.url, 'GET', '/apis', { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' });
  t.is(agg.body.kind, 'APIGroupDiscoveryList');
  t.regex(agg.headers.get('content-type') ?? '', /apidiscovery\.k8s\.io/);
});

test('/openapi/v3 lists a document per group version, and each names fieldValidation', async (t) => {
  const s = await testApiServer(t);
  const root = await http(s.url, 'GET', '/openapi/v3');
  const paths = Object.keys(root.body.paths).sort();
  for (const p of ['api/v1', 'apis/apps/v1', 'apis/coordination.k8s.io/v1', 'apis/discovery.k8s.io/v1']) t.true(paths.includes(p), p);
  const doc = await http(s.url, 'GET', root.body.paths['apis/apps/v1'].serverRelativeURL);
  t.is(doc.status, 200);
  t.true(JSON.stringify(doc.body).includes('fieldValidation'));
});

test('kubectl-style Table responses for get and list', async (t) => {
  const s = await testApiServer(t);
  const accept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
  const list = await http(s.url, 'GET', '/api/v1/namespaces', { accept });
  t.is(list.body.kind, 'Table');
  t.deepEqual(list.body.columnDefinitions.map((c: { name: string }) => c.name), ['Name', 'Status', 'Age']);
  t.true(list.body.rows.some((r: { cells: unknown[] }) => r.cells[0] === 'default'));
  t.is(list.body.rows[0].object.kind, 'PartialObjectMetadata');
  const one = await http(s.url, 'GET', '/api/v1/namespaces/default', { accept });
  t.is(one.body.rows.length, 1);
});

test('/metrics exposes request counts, latency, watchers and storage commit latency', async (t) => {
  const s = await testApiServer(t);
  await http(s.url, 'POST', '/api/v1/namespaces/default/configmaps', { body: { metadata: { name: 'm' } } });
  const m = await http(s.url, 'GET', '/metrics');
  t.regex(m.text, /apiserver_request_total\{verb="create",resource="configmaps",subresource="",code="201"\} 1/);
  t.regex(m.text, /apiserver_request_duration_seconds_bucket\{le="[0-9.]+",verb="create",resource="configmaps"/);
  t.regex(m.text, /apiserver_storage_commit_duration_seconds_count [1-9]/);
  t.regex(m.text, /apiserver_registered_watchers/);
});

test('with a token required, requests without it are 401 and with it succeed', async (t) => {
  const s = await testApiServer(t, { token: 'sekret', requireAuth: true });
  const anon = await http(s.url, 'GET', '/api/v1/namespaces');
  t.is(anon.status, 401);
  t.is(anon.body.reason, 'Unauthorized');
  t.is((await http(s.url, 'GET', '/healthz')).status, 401);
  t.is((await http(s.url, 'GET', '/api/v1/namespaces', { token: 'wrong' })).status, 401);
  t.is((await http(s.url, 'GET', '/api/v1/namespaces', { token: 'sekret' })).status, 200);
});

test('a server listening beyond loopback refuses to start without a token', async (t) => {
  const { startApiServer } = await import('../../../src/control/apiserver/server.js');
  const { tempDir } = await import('../../helpers/tmp.js');
  await t.throwsAsync(startApiServer({ dataDir: tempDir(t), host: '0.0.0.0', port: 0 }), { message: /needs a token/ });
});
