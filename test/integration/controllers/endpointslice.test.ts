import test from 'ava';
import type { EndpointSlice, Pod, Service } from '../../../src/api/types.js';
import { Client } from '../../../src/client/rest.js';
import { testApiServer } from '../../helpers/apiserver.js';
import { startTestControllers } from '../../helpers/controllers.js';
import { eventually } from '../../helpers/eventually.js';
import { haveKubectl, kubectlLab } from '../../helpers/kubectl.js';

const kt = haveKubectl ? test : test.skip;
if (!haveKubectl) console.warn('kubectl not found: skipping the EndpointSlice kubectl test (set KUBECTL to its path)');

async function runningPod(client: Client, name: string, ip: string, ready: boolean): Promise<Pod> {
  const pods = client.resource<Pod>('Pod');
  await pods.create('default', {
    metadata: { name, labels: { app: 'web' } },
    spec: { nodeName: 'w1', containers: [{ name: 'app', image: 'nginx:1.27', ports: [{ name: 'http', containerPort: 8080 }] }] },
  });
  return setReady(client, name, ip, ready);
}

async function setReady(client: Client, name: string, ip: string, ready: boolean): Promise<Pod> {
  const pods = client.resource<Pod>('Pod');
  const cur = await pods.get('default', name);
  return pods.updateStatus({
    ...cur,
    status: { ...cur.status, phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  });
}

/** The slices kubectl describe reads: by the kubernetes.io/service-name label. */
async function slicesOf(client: Client, service: string): Promise<EndpointSlice[]> {
  return (await client.resource<EndpointSlice>('EndpointSlice').list('default', { labelSelector: `kubernetes.io/service-name=${service}` })).items;
}

const readyAddresses = (slices: EndpointSlice[]) =>
  slices.flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions?.ready).flatMap((e) => e.addresses).sort();

kt('the endpoints controller keeps a Service\'s EndpointSlice, and kubectl get and describe show it', async (t) => {
  const k = await kubectlLab(t);
  const client = Client.fromKubeconfig(k.kubeconfig);
  t.teardown(() => client.close());
  await startTestControllers(t, { client, controllers: ['endpoints-controller'] });

  const svc = await client.resource<Service>('Service').create('default', {
    metadata: { name: 'web', labels: { tier: 'front' } },
    spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
  });
  const web1 = await runningPod(client, 'web-1', '10.244.1.11', true);
  await runningPod(client, 'web-2', '10.244.1.12', false);

  // The slice appears with the ready pod's address; the not-ready one is listed as not ready.
  const [slice] = await eventually(async () => {
    const s = await slicesOf(client, 'web');
    return s.length === 1 && s[0]!.endpoints.length === 2 ? s : undefined;
  }, { message: 'one slice with both pods' });
  t.deepEqual(readyAddresses([slice!]), ['10.244.1.11']);
  t.regex(slice!.metadata.name!, /^web-[a-z0-9]{5}$/);
  t.is(slice!.addressType, 'IPv4');
  t.deepEqual(slice!.metadata.labels, { tier: 'front', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' });
  t.deepEqual(slice!.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: svc.metadata.uid!, controller: true, blockOwnerDeletion: true }]);
  t.deepEqual(slice!.ports, [{ name: 'http', protocol: 'TCP', port: 8080 }], 'the named target port resolved');
  t.deepEqual(slice!.endpoints.find((e) => e.addresses[0] === '10.244.1.11'), {
    addresses: ['10.244.1.11'],
    conditions: { ready: true, serving: true, terminating: false },
    nodeName: 'w1',
    targetRef: { kind: 'Pod', namespace: 'default', name: 'web-1', uid: web1.metadata.uid! },
  });

  // Readiness changes follow, in the same slice.
  await setReady(client, 'web-2', '10.244.1.12', true);
  await eventually(async () => readyAddresses(await slicesOf(client, 'web')).length === 2, { message: 'web-2 ready in the slice' });
  await setReady(client, 'web-1', '10.244.1.11', false);
  const after = await eventually(async () => {
    const s = await slicesOf(client, 'web');
    return readyAddresses(s).join() === '10.244.1.12' ? s : undefined;
  }, { message: 'web-1 not ready in the slice' });
  t.deepEqual(after.map((s) => s.metadata.name), [slice!.metadata.name], 'the slice was updated, not replaced');
  await setReady(client, 'web-1', '10.244.1.11', true);
  await eventually(async () => readyAddresses(await slicesOf(client, 'web')).length === 2, { message: 'web-1 ready again' });

  // kubectl get endpointslices prints Kubernetes' columns.
  const get = await k(['get', 'endpointslices']);
  const [header, ...rows] = get.stdout.trim().split('\n');
  t.deepEqual(header!.split(/\s+/), ['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE']);
  const row = rows.find((r) => r.startsWith(`${slice!.metadata.name} `));
  t.deepEqual(row?.split(/\s+/).slice(0, 4), [slice!.metadata.name, 'IPv4', '8080', '10.244.1.11,10.244.1.12']);

  // kubectl describe service reads the slices (kubectl 1.32 no longer reads Endpoints there).
  const described = await k(['describe', 'service', 'web']);
  t.regex(described.stdout, /^Endpoints:\s+10\.244\.1\.11:8080,10\.244\.1\.12:8080$/m);

  // The slice goes with its Service (the controller deletes it; no garbage collector runs here).
  await client.resource<Service>('Service').delete('default', 'web');
  await eventually(async () => (await slicesOf(client, 'web')).length === 0, { message: 'the slice removed with its Service' });
});

kt('a Service without pods has an empty placeholder slice, and kubectl describe prints no addresses', async (t) => {
  const k = await kubectlLab(t);
  const client = Client.fromKubeconfig(k.kubeconfig);
  t.teardown(() => client.close());
  await startTestControllers(t, { client, controllers: ['endpoints-controller'] });
  await client.resource<Service>('Service').create('default', { metadata: { name: 'empty' }, spec: { selector: { app: 'none' }, ports: [{ port: 80 }] } });
  const [placeholder] = await eventually(async () => {
    const s = await slicesOf(client, 'empty');
    return s.length === 1 ? s : undefined;
  }, { message: 'the placeholder slice' });
  t.deepEqual(placeholder!.endpoints, []);
  t.deepEqual(placeholder!.ports, []);
  const get = await k(['get', 'endpointslices']);
  t.regex(get.stdout, new RegExp(`^${placeholder!.metadata.name}\\s+IPv4\\s+<unset>\\s+<unset>\\s+`, 'm'));
  const described = await k(['describe', 'service', 'empty']);
  t.regex(described.stdout, /^Endpoints:[ \t]*$/m);
});

test('the garbage collector removes an EndpointSlice with the Service it is owned by', async (t) => {
  const server = await testApiServer(t);
  const { client } = await startTestControllers(t, { server, controllers: ['garbagecollector'] });
  const svc = await client.resource<Service>('Service').create('default', { metadata: { name: 'db' }, spec: { ports: [{ port: 5432 }] } });
  const slices = client.resource<EndpointSlice>('EndpointSlice');
  const slice = await slices.create('default', {
    metadata: { generateName: 'db-', labels: { 'kubernetes.io/service-name': 'db' }, ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: 'db', uid: svc.metadata.uid!, controller: true, blockOwnerDeletion: true }] },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['192.168.1.10'] }],
    ports: [{ port: 5432 }],
  });
  t.deepEqual(slice.ports, [{ name: '', protocol: 'TCP', port: 5432 }], 'port name and protocol defaulted');
  await client.resource<Service>('Service').delete('default', 'db');
  await eventually(async () => (await slicesOf(client, 'db')).length === 0, { message: 'the slice collected with its owner' });
});
