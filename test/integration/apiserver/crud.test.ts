import test from 'ava';
import { http, testApiServer } from '../../helpers/apiserver.js';

const deployment = (name: string, replicas = 2, image = 'nginx:1.27') => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, labels: { app: name } },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image }] } },
  },
});

const DEPLOYS = '/apis/apps/v1/namespaces/default/deployments';

test('create sets uid, creationTimestamp, generation 1, resourceVersion and Kubernetes defaults', async (t) => {
  const s = await testApiServer(t);
  const res = await http(s.url, 'POST', DEPLOYS, { body: deployment('web') });
  t.is(res.status, 201);
  const m = res.body.metadata;
  t.regex(m.uid, /^[0-9a-f-]{36}$/);
  t.regex(m.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  t.is(m.generation, 1);
  t.regex(m.resourceVersion, /^\d+$/);
  t.is(m.namespace, 'default');
  const spec = res.body.spec;
  t.is(spec.strategy.type, 'RollingUpdate');
  t.deepEqual(spec.strategy.rollingUpdate, { maxSurge: '25%', maxUnavailable: '25%' });
  t.is(spec.revisionHistoryLimit, 10);
  t.is(spec.progressDeadlineSeconds, 600);
  t.is(spec.template.spec.restartPolicy, 'Always');
  t.is(spec.template.spec.terminationGracePeriodSeconds, 30);
  t.deepEqual(res.body.status, {});
  const got = await http(s.url, 'GET', `${DEPLOYS}/web`);
  t.is(got.status, 200);
  t.is(got.body.metadata.resourceVersion, m.resourceVersion);
});

test('generateName gives each create a fresh name', async (t) => {
  const s = await testApiServer(t);
  const body = { metadata: { generateName: 'job-' }, data: {} };
  const a = await http(s.url, 'POST', '/api/v1/namespaces/default/configmaps', { body });
  const b = await http(s.url, 'POST', '/api/v1/namespaces/default/configmaps', { body });
  t.is(a.status, 201);
  t.regex(a.body.metadata.name, /^job-[a-z0-9]{5}$/);
  t.not(a.body.metadata.name, b.body.metadata.name);
});

test('create of an existing name is 409 AlreadyExists; get of a missing one is 404 NotFound', async (t) => {
  const s = await testApiServer(t);
  await http(s.url, 'POST', DEPLOYS, { body: deployment('web') });
  const again = await http(s.url, 'POST', DEPLOYS, { body: deployment('web') });
  t.is(again.status, 409);
  t.like(again.body, { kind: 'Status', status: 'Failure', reason: 'AlreadyExists', code: 409, message: 'deployments.apps "web" already exists' });
  t.like(again.body.details, { name: 'web', group: 'apps', kind: 'deployments' });
  const missing = await http(s.url, 'GET', `${DEPLOYS}/nope`);
  t.is(missing.status, 404);
  t.like(missing.body, { reason: 'NotFound', message: 'deployments.apps "nope" not found' });
});

test('an update with a stale resourceVersion is 409 Conflict and changes nothing', async (t) => {
  const s = await testApiServer(t);
  const created = (await http(s.url, 'POST', DEPLOYS, { body: deployment('web') })).body;
  const first = await http(s.url, 'PUT', `${DEPLOYS}/web`, { body: { ...created, spec: { ...created.spec, replicas: 3 } } });
  t.is(first.status, 200);
  t.is(first.body.spec.replicas, 3);
  t.is(first.body.metadata.generation, 2, 'a spec change bumps generation');
  const stale = await http(s.url, 'PUT', `${DEPLOYS}/web`, { body: { ...created, spec: { ...created.spec, replicas: 7 } } });
  t.is(stale.status, 409);
  t.like(stale.body, { reason: 'Conflict' });
  t.regex(stale.body.message, /the object has been modified; please apply your changes to the latest version and try again/);
  t.is((await http(s.url, 'GET', `${DEPLOYS}/web`)).body.spec.replicas, 3);
});

test('metadata-only changes keep generation; the status subresource changes only status', async (t) => {
  const s = await testApiServer(t);
  const created = (await http(s.url, 'POST', DEPLOYS, { body: deployment('web') })).body;
  const labelled = await http(s.url, 'PATCH', `${DEPLOYS}/web`, { body: { metadata: { labels: { tier: 'front' } } }, contentType: 'application/merge-patch+json' });
  t.is(labelled.body.metadata.generation, 1);
  const viaMain = await http(s.url, 'PUT', `${DEPLOYS}/web`, { body: { ...labelled.body, status: { replicas: 9 } } });
  t.deepEqual(viaMain.body.status, {}, 'status written through the main resource is ignored');
  const viaStatus = await http(s.url, 'PUT', `${DEPLOYS}/web/status`, {
    body: { ...viaMain.body, spec: { ...created.spec, replicas: 99 }, status: { replicas: 2, observedGeneration: 1 } },
  });
  t.is(viaStatus.status, 200);
  t.is(viaStatus.body.status.replicas, 2);
  t.is(viaStatus.body.spec.replicas, 2, 'spec written through /status is ignored');
});

test('a namespaced create in a missing namespace is 404; cluster-scoped objects have no namespace', async (t) => {
  const s = await testApiServer(t);
  const res = await http(s.url, 'POST', '/api/v1/namespaces/nowhere/configmaps', { body: { metadata: { name: 'x' } } });
  t.is(res.status, 404);
  t.is(res.body.message, 'namespaces "nowhere" not found');
  const ns = await http(s.url, 'POST', '/api/v1/namespaces', { body: { metadata: { name: 'team-a' } } });
  t.is(ns.status, 201);
  t.is(ns.body.status.phase, 'Active');
  t.is(ns.body.metadata.namespace, undefined);
  for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    t.is((await http(s.url, 'GET', `/api/v1/namespaces/${name}`)).status, 200, `${name} exists`);
  }
});

test('delete with the default policy removes the object; with finalizers it waits for them', async (t) => {
  const s = await testApiServer(t);
  await http(s.url, 'POST', '/api/v1/namespaces/default/configmaps', { body: { metadata: { name: 'a' } } });
  const del = await http(s.url, 'DELETE', '/api/v1/namespaces/default/configmaps/a');
  t.is(del.status, 200);
  t.like(del.body, { kind: 'Status', status: 'Success', details: { name: 'a', kind: 'configmaps' } });
  t.is((await http(s.url, 'GET', '/api/v1/namespaces/default/configmaps/a')).status, 404);

  await http(s.url, 'POST', '/api/v1/namespaces/default/configmaps', { body: { metadata: { name: 'b', finalizers: ['example.com/hold'] } } });
  const marked = await http(s.url, 'DELETE', '/api/v1/namespaces/default/configmaps/b');
  t.is(marked.status, 200);
  t.truthy(marked.body.metadata.deletionTimestamp);
  t.is((await http(s.url, 'GET', '/api/v1/namespaces/default/configmaps/b')).status, 200);
  const released = await http(s.url, 'PATCH', '/api/v1/namespaces/default/configmaps/b', {
    body: { metadata: { finalizers: null } },
    contentType: 'application/merge-patch+json',
  });
  t.is(released.status, 200);
  t.is((await http(s.url, 'GET', '/api/v1/namespaces/default/configmaps/b')).status, 404, 'removing the last finalizer deletes');
});

test('Foreground and Orphan propagation mark the owner with the matching finalizer', async (t) => {
  const s = await testApiServer(t);
  await http(s.url, 'POST', DEPLOYS, { body: deployment('fg') });
  await http(s.url, 'POST', DEPLOYS, { body: deployment('or') });
  const fg = await http(s.url, 'DELETE', `${DEPLOYS}/fg`, { body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Foreground' } });
  t.deepEqual(fg.body.metadata.finalizers, ['foregroundDeletion']);
  const or = await http(s.url, 'DELETE', `${DEPLOYS}/or?propagationPolicy=Orphan`);
  t.deepEqual(or.body.metadata.finalizers, ['orphan']);
});

test('a pod bound to a node is deleted gracefully; an unbound one at once', async (t) => {
  const s = await testApiServer(t);
  const pod = (name: string) => ({ metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
  await http(s.url, 'POST', '/api/v1/namespaces/default/pods', { body: pod('unbound') });
  const gone = await http(s.url, 'DELETE', '/api/v1/namespaces/default/pods/unbound');
  t.is(gone.status, 200);
  t.is((await http(s.url, 'GET', '/api/v1/namespaces/default/pods/unbound')).status, 404);

  await http(s.url, 'POST', '/api/v1/namespaces/default/pods', { body: pod('bound') });
  const bind = await http(s.url, 'POST', '/api/v1/namespaces/default/pods/bound/binding', {
    body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'bound' }, target: { kind: 'Node', name: 'n1' } },
  });
  t.is(bind.status, 201);
  const bound = (await http(s.url, 'GET', '/api/v1/namespaces/default/pods/bound')).body;
  t.is(bound.spec.nodeName, 'n1');
  t.like(bound.status.conditions.find((c: { type: string }) => c.type === 'PodScheduled'), { status: 'True' });
  const rebind = await http(s.url, 'POST', '/api/v1/namespaces/default/pods/bound/binding', { body: { target: { name: 'n2' } } });
  t.is(rebind.status, 409);
  t.regex(rebind.body.message, /already assigned to node "n1"/);
  const graceful = await http(s.url, 'DELETE', '/api/v1/namespaces/default/pods/bound');
  t.is(graceful.body.metadata.deletionGracePeriodSeconds, 30);
  t.truthy(graceful.body.metadata.deletionTimestamp);
  t.is((await http(s.url, 'GET', '/api/v1/namespaces/default/pods/bound')).status, 200);
  const forced = await http(s.url, 'DELETE', '/api/v1/namespaces/default/pods/bound?gracePeriodSeconds=0');
  t.is(forced.status, 200);
  t.is((await http(s.url, 'GET', '/api/v1/namespaces/default/pods/bound')).status, 404);
});

test('pods get Pending status, the QoS class and the default not-ready/unreachable tolerations', async (t) => {
  const s = await testApiServer(t, { defaultTolerationSeconds: 7 });
  const res = await http(s.url, 'POST', '/api/v1/namespaces/default/pods', {
    body: { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: '100m' } } }] } },
  });
  t.is(res.status, 201);
  t.is(res.body.status.phase, 'Pending');
  t.is(res.body.status.qosClass, 'Burstable');
  t.deepEqual(
    res.body.spec.tolerations.map((x: { key: string; tolerationSeconds: number }) => [x.key, x.tolerationSeconds]),
    [
      ['node.kubernetes.io/not-ready', 7],
      ['node.kubernetes.io/unreachable', 7],
    ],
  );
});

test('services get a cluster IP from the range and NodePort services a node port', async (t) => {
  const s = await testApiServer(t, { serviceCIDR: '10.100.0.0/24', nodePortRange: [30000, 30010] });
  const svc = (name: string, type = 'ClusterIP') => ({ metadata: { name }, spec: { type, selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }] } });
  const a = await http(s.url, 'POST', '/api/v1/namespaces/default/services', { body: svc('a') });
  t.is(a.status, 201);
  t.regex(a.body.spec.clusterIP, /^10\.100\.0\.\d+$/);
  t.deepEqual(a.body.spec.clusterIPs, [a.body.spec.clusterIP]);
  t.is(a.body.spec.ports[0].protocol, 'TCP');
  const b = await http(s.url, 'POST', '/api/v1/namespaces/default/services', { body: svc('b', 'NodePort') });
  t.not(b.body.spec.clusterIP, a.body.spec.clusterIP);
  t.true(b.body.spec.ports[0].nodePort >= 30000 && b.body.spec.ports[0].nodePort <= 30010);
  const clash = await http(s.url, 'POST', '/api/v1/namespaces/default/services', {
    body: { ...svc('c'), spec: { ...svc('c').spec, clusterIP: a.body.spec.clusterIP } },
  });
  t.is(clash.status, 422);
  t.regex(clash.body.message, /provided IP is already allocated/);
  const applied = await http(s.url, 'PUT', '/api/v1/namespaces/default/services/a', { body: svc('a') });
  t.is(applied.body.spec.clusterIP, a.body.spec.clusterIP, 'an update without clusterIP keeps the allocated one');
});

test('a uid in an update or patch body is a precondition: a different uid is 409 Conflict', async (t) => {
  const s = await testApiServer(t);
  await http(s.url, 'POST', '/api/v1/namespaces/default/configmaps', { body: { metadata: { name: 'u' } } });
  const patch = await http(s.url, 'PATCH', '/api/v1/namespaces/default/configmaps/u', {
    body: { metadata: { uid: '00000000-0000-0000-0000-000000000000', labels: { a: 'b' } } },
    contentType: 'application/merge-patch+json',
  });
  t.is(patch.status, 409);
  t.regex(patch.body.message, /Precondition failed: UID in precondition/);
  t.is((await http(s.url, 'GET', '/api/v1/namespaces/default/configmaps/u')).body.metadata.labels, undefined);
});

test('a patch without a resourceVersion is re-applied to the newest object, not refused', async (t) => {
  const s = await testApiServer(t);
  await http(s.url, 'POST', '/api/v1/namespaces/default/configmaps', { body: { metadata: { name: 'race' } } });
  const patches = Array.from({ length: 20 }, (_, i) =>
    http(s.url, 'PATCH', '/api/v1/namespaces/default/configmaps/race', { body: { data: { [`k${i}`]: 'v' } }, contentType: 'application/merge-patch+json' }),
  );
  const results = await Promise.all(patches);
  t.deepEqual(results.map((r) => r.status), results.map(() => 200));
  t.is(Object.keys((await http(s.url, 'GET', '/api/v1/namespaces/default/configmaps/race')).body.data).length, 20);
  const stale = await http(s.url, 'PATCH', '/api/v1/namespaces/default/configmaps/race', {
    body: { metadata: { resourceVersion: '1' }, data: { x: 'y' } },
    contentType: 'application/merge-patch+json',
  });
  t.is(stale.status, 409, 'a resourceVersion the patch sets is a precondition');
});

test('status writes keep annotations they change, but not a Deployment\'s labels', async (t) => {
  const s = await testApiServer(t);
  const d = {
    metadata: { name: 'st', labels: { app: 'st' } },
    spec: { selector: { matchLabels: { app: 'st' } }, template: { metadata: { labels: { app: 'st' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
  };
  const created = (await http(s.url, 'POST', '/apis/apps/v1/namespaces/default/deployments', { body: d })).body;
  const res = await http(s.url, 'PUT', '/apis/apps/v1/namespaces/default/deployments/st/status', {
    body: { ...created, metadata: { ...created.metadata, labels: { app: 'changed' }, annotations: { 'deployment.kubernetes.io/revision': '1' } }, status: { replicas: 1 } },
  });
  t.is(res.status, 200);
  t.is(res.body.metadata.annotations['deployment.kubernetes.io/revision'], '1');
  t.is(res.body.metadata.labels.app, 'st');
  t.is(res.body.status.replicas, 1);
});

test('creating in a terminating namespace is 403 with the NamespaceTerminating cause', async (t) => {
  const s = await testApiServer(t);
  await http(s.url, 'POST', '/api/v1/namespaces', { body: { metadata: { name: 'going' } } });
  await http(s.url, 'DELETE', '/api/v1/namespaces/going');
  const res = await http(s.url, 'POST', '/api/v1/namespaces/going/configmaps', { body: { metadata: { name: 'x' } } });
  t.is(res.status, 403);
  t.is(res.body.details.causes[0].reason, 'NamespaceTerminating');
});
