import test from 'ava';
import { http, testApiServer } from '../../helpers/apiserver.js';

test('the API server creates the system namespaces and the "kubernetes" Service, as kube-apiserver does', async (t) => {
  const s = await testApiServer(t, { serviceCIDR: '10.100.0.0/16', allowLoopbackEndpoints: true });
  const ns = await http(s.url, 'GET', '/api/v1/namespaces');
  t.deepEqual(ns.body.items.map((n: { metadata: { name: string } }) => n.metadata.name).sort(), ['default', 'kube-node-lease', 'kube-public', 'kube-system']);
  const svc = await http(s.url, 'GET', '/api/v1/namespaces/default/services/kubernetes');
  t.is(svc.status, 200);
  t.like(svc.body, { metadata: { labels: { component: 'apiserver', provider: 'kubernetes' } }, spec: { type: 'ClusterIP', clusterIP: '10.100.0.1' } });
  t.deepEqual(svc.body.spec.ports, [{ name: 'https', port: 443, protocol: 'TCP', targetPort: s.port }]);
  const ep = await http(s.url, 'GET', '/api/v1/namespaces/default/endpoints/kubernetes');
  t.deepEqual(ep.body.subsets, [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: s.port, protocol: 'TCP' }] }]);
  const slice = await http(s.url, 'GET', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes');
  t.like(slice.body, { metadata: { labels: { 'kubernetes.io/service-name': 'kubernetes' } }, addressType: 'IPv4', endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }] });
  t.deepEqual(slice.body.ports, [{ name: 'https', port: s.port, protocol: 'TCP' }]);
  // No other Service can take the API server's address.
  const taken = await http(s.url, 'POST', '/api/v1/namespaces/default/services', { body: { metadata: { name: 'thief' }, spec: { clusterIP: '10.100.0.1', ports: [{ port: 80 }] } } });
  t.is(taken.status, 422);
  t.regex(taken.body.message, /already allocated/);
});

test('after a restart on another port, the "kubernetes" Service and Endpoints follow; without an address pods can use, no Endpoints', async (t) => {
  const first = await testApiServer(t, { allowLoopbackEndpoints: true });
  const dataDir = first.dataDir;
  await first.close();
  const second = await testApiServer(t, { dataDir, allowLoopbackEndpoints: true });
  t.not(second.port, first.port);
  const svc = await http(second.url, 'GET', '/api/v1/namespaces/default/services/kubernetes');
  t.is(svc.body.spec.ports[0].targetPort, second.port);
  const ep = await http(second.url, 'GET', '/api/v1/namespaces/default/endpoints/kubernetes');
  t.is(ep.body.subsets[0].ports[0].port, second.port);
  t.is((await http(second.url, 'GET', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes')).body.ports[0].port, second.port);

  // Loopback addresses are refused in Endpoints unless allowed: the Service is there, its Endpoints are not.
  const strict = await testApiServer(t);
  t.is((await http(strict.url, 'GET', '/api/v1/namespaces/default/services/kubernetes')).status, 200);
  t.is((await http(strict.url, 'GET', '/api/v1/namespaces/default/endpoints/kubernetes')).status, 404);
  t.is((await http(strict.url, 'GET', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes')).status, 404);
});
