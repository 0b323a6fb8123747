import test from 'ava';
import { RESOURCES } from '../../../src/api/resources.js';
import type { ConfigMap, Endpoints, EndpointSlice, KObject, Namespace, Pod, Service } from '../../../src/api/types.js';
import { Client } from '../../../src/client/rest.js';
import { testApiServer } from '../../helpers/apiserver.js';
import { startTestControllers } from '../../helpers/controllers.js';
import { eventually } from '../../helpers/eventually.js';
import { haveKubectl, kubectlLab } from '../../helpers/kubectl.js';
import { createDeploymentTree, gone } from './gc-tree.js';

const kubectlTest = haveKubectl ? test : test.skip;
if (!haveKubectl) console.warn('kubectl not found: skipping the kubectl delete namespace test');

/** Every namespaced object left in ns, as "kind/name". */
async function contentOf(client: Client, ns: string): Promise<string[]> {
  const out: string[] = [];
  for (const r of RESOURCES) {
    if (!r.namespaced) continue;
    const list = await client.resource<KObject>(r.kind).list('');
    for (const o of list.items) if (o.metadata.namespace === ns) out.push(`${r.kind}/${o.metadata.name}`);
  }
  return out;
}

kubectlTest('kubectl delete namespace team-a completes and removes its content', async (t) => {
  const k = await kubectlLab(t);
  const client = Client.fromKubeconfig(k.kubeconfig);
  t.teardown(() => client.close());
  await startTestControllers(t, { client, controllers: ['namespace-controller', 'garbage-collector-controller'] });
  await k(['create', 'namespace', 'team-a']);
  await client.resource<ConfigMap>('ConfigMap').create('team-a', { metadata: { name: 'settings' }, data: { a: '1' } });
  await client.resource<Service>('Service').create('team-a', { metadata: { name: 'db' }, spec: { ports: [{ port: 5432 }] } });
  await client.resource<Endpoints>('Endpoints').create('team-a', { metadata: { name: 'db' }, subsets: [{ addresses: [{ ip: '192.168.1.10' }], ports: [{ port: 5432 }] }] });
  await client.resource<EndpointSlice>('EndpointSlice').create('team-a', {
    metadata: { name: 'db-manual', labels: { 'kubernetes.io/service-name': 'db' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['192.168.1.10'] }],
    ports: [{ port: 5432 }],
  });
  await createDeploymentTree(client, 'web', 'team-a');
  await client.resource<Pod>('Pod').create('team-a', { metadata: { name: 'lonely' }, spec: { containers: [{ name: 'app', image: 'busybox:1.36' }] } });
  t.true((await contentOf(client, 'team-a')).length >= 8);
  t.true((await contentOf(client, 'team-a')).includes('EndpointSlice/db-manual'));

  // kubectl waits until the namespace is gone.
  const out = await k(['delete', 'namespace', 'team-a', '--timeout=60s']);
  t.regex(out.stdout, /namespace "team-a" deleted/);
  t.true(await gone(client, 'Namespace', 'team-a', ''));
  t.deepEqual(await contentOf(client, 'team-a'), []);
});

test('a namespace held by a finalizer says so in its conditions and goes once the finalizer is removed', async (t) => {
  const server = await testApiServer(t);
  const { client } = await startTestControllers(t, { server, controllers: ['namespace'] });
  const namespaces = client.resource<Namespace>('Namespace');
  await namespaces.create('', { metadata: { name: 'team-b' } });
  const cms = client.resource<ConfigMap>('ConfigMap');
  await cms.create('team-b', { metadata: { name: 'held', finalizers: ['example.com/hold'] }, data: {} });
  await cms.create('team-b', { metadata: { name: 'free' }, data: {} });
  await namespaces.delete('', 'team-b');

  const ns = await eventually(async () => {
    const n = await namespaces.get('', 'team-b');
    return n.status?.conditions?.some((c) => c.type === 'NamespaceFinalizersRemaining' && c.status === 'True') ? n : undefined;
  }, { message: 'the finalizer reported in the namespace conditions' });
  t.is(ns!.status!.phase, 'Terminating');
  t.like(ns!.status!.conditions!.find((c) => c.type === 'NamespaceContentRemaining'), { status: 'True', reason: 'SomeResourcesRemain', message: 'Some resources are remaining: configmaps has 1 resource instances' });
  t.like(ns!.status!.conditions!.find((c) => c.type === 'NamespaceFinalizersRemaining'), { message: 'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances' });
  t.true(await gone(client, 'ConfigMap', 'free', 'team-b'));

  await cms.patch('team-b', 'held', { metadata: { finalizers: null } }, 'merge');
  // Kubernetes looks again after estimate/2 + 1 = 8 s for content held by finalizers.
  await eventually(() => gone(client, 'Namespace', 'team-b', ''), { timeoutMs: 20_000, message: 'namespace gone after its last content' });
  t.pass();
});
