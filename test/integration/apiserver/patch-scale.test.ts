import test from 'ava';
import { http, testApiServer } from '../../helpers/apiserver.js';

const DEPLOYS = '/apis/apps/v1/namespaces/default/deployments';
const base = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          { name: 'web', image: 'nginx:1.26', ports: [{ containerPort: 80 }], env: [{ name: 'A', value: '1' }] },
          { name: 'sidecar', image: 'busybox' },
        ],
      },
    },
  },
};

test('strategic merge patch merges containers by name, ports by containerPort and env by name', async (t) => {
  const s = await testApiServer(t);
  await http(s.url, 'POST', DEPLOYS, { body: base });
  const res = await http(s.url, 'PATCH', `${DEPLOYS}/web`, {
    contentType: 'application/strategic-merge-patch+json',
    body: {
      spec: {
        replicas: 4,
        template: {
          spec: {
            $setElementOrder_containers: undefined,
            containers: [{ name: 'web', image: 'nginx:1.27', env: [{ name: 'B', value: '2' }] }, { name: 'sidecar', $patch: 'delete' }],
          },
        },
      },
    },
  });
  t.is(res.status, 200, JSON.stringify(res.body));
  const cs = res.body.spec.template.spec.containers;
  t.deepEqual(cs.map((c: { name: string }) => c.name), ['web']);
  t.is(cs[0].image, 'nginx:1.27');
  t.deepEqual(cs[0].ports.map((p: { containerPort: number }) => p.containerPort), [80], 'ports kept');
  t.deepEqual(cs[0].env.map((e: { name: string }) => e.name).sort(), ['A', 'B']);
  t.is(res.body.spec.replicas, 4);
  t.is(res.body.metadata.generation, 2);
});

test('JSON merge patch replaces lists; JSON patch applies operations and fails cleanly', async (t) => {
  const s = await testApiServer(t);
  await http(s.url, 'POST', DEPLOYS, { body: base });
  const merge = await http(s.url, 'PATCH', `${DEPLOYS}/web`, {
    contentType: 'application/merge-patch+json',
    body: { spec: { template: { spec: { containers: [{ name: 'only', image: 'x' }] } } } },
  });
  t.deepEqual(merge.body.spec.template.spec.containers.map((c: { name: string }) => c.name), ['only']);
  const json = await http(s.url, 'PATCH', `${DEPLOYS}/web`, {
    contentType: 'application/json-patch+json',
    body: [
      { op: 'replace', path: '/spec/replicas', value: 3 },
      { op: 'add', path: '/metadata/labels', value: { patched: 'yes' } },
    ],
  });
  t.is(json.status, 200);
  t.is(json.body.spec.replicas, 3);
  t.is(json.body.metadata.labels.patched, 'yes');
  const before = json.body.metadata.resourceVersion;
  const failing = await http(s.url, 'PATCH', `${DEPLOYS}/web`, {
    contentType: 'application/json-patch+json',
    body: [
      { op: 'replace', path: '/spec/replicas', value: 9 },
      { op: 'test', path: '/spec/replicas', value: 1 },
    ],
  });
  // kube-apiserver's answer (NewGenericServerResponse(422)): reason Invalid, a generic message, no causes.
  t.is(failing.status, 422);
  t.like(failing.body, { kind: 'Status', reason: 'Invalid', message: 'the server rejected our request due to an error in our request', details: {} });
  t.is((await http(s.url, 'GET', `${DEPLOYS}/web`)).body.metadata.resourceVersion, before, 'a failed patch writes nothing');
  const invalid = await http(s.url, 'PATCH', `${DEPLOYS}/web`, { contentType: 'application/merge-patch+json', body: { spec: { replicas: -5 } } });
  t.is(invalid.status, 422);
  t.is(invalid.body.details.causes[0].field, 'spec.replicas');
  // A cause's message leaves its field out, as field.Error.ErrorBody() does: kubectl prints "field: message".
  t.is(invalid.body.details.causes[0].message, 'Invalid value: -5: must be greater than or equal to 0');
  t.is(invalid.body.message, 'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -5: must be greater than or equal to 0');
});

test('the scale subresource reads and writes replicas as autoscaling/v1 Scale', async (t) => {
  const s = await testApiServer(t);
  await http(s.url, 'POST', DEPLOYS, { body: base });
  const got = await http(s.url, 'GET', `${DEPLOYS}/web/scale`);
  t.like(got.body, { kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 2 }, status: { replicas: 0, selector: 'app=web' } });
  const patched = await http(s.url, 'PATCH', `${DEPLOYS}/web/scale`, { contentType: 'application/merge-patch+json', body: { spec: { replicas: 5 } } });
  t.is(patched.status, 200);
  t.is(patched.body.spec.replicas, 5);
  t.is((await http(s.url, 'GET', `${DEPLOYS}/web`)).body.spec.replicas, 5);
  const put = await http(s.url, 'PUT', `${DEPLOYS}/web/scale`, { body: { kind: 'Scale', apiVersion: 'autoscaling/v1', metadata: { name: 'web' }, spec: { replicas: 1 } } });
  t.is(put.body.spec.replicas, 1);
  const negative = await http(s.url, 'PATCH', `${DEPLOYS}/web/scale`, { contentType: 'application/merge-patch+json', body: { spec: { replicas: -1 } } });
  t.is(negative.status, 422);
});

test('server-side apply is refused with 415 and a clear message', async (t) => {
  const s = await testApiServer(t);
  await http(s.url, 'POST', DEPLOYS, { body: base });
  const res = await http(s.url, 'PATCH', `${DEPLOYS}/web?fieldManager=me`, { contentType: 'application/apply-patch+yaml', raw: 'spec:\n  replicas: 3\n' });
  t.is(res.status, 415);
  t.regex(res.body.message, /server-side apply/i);
});
