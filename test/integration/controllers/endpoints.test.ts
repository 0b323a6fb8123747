import test from 'ava';
import type { Endpoints, Pod, Service } from '../../../src/api/types.js';
import { isNotFound } from '../../../src/client/errors.js';
import type { Client } from '../../../src/client/rest.js';
import { testApiServer } from '../../helpers/apiserver.js';
import { startTestControllers } from '../../helpers/controllers.js';
import { eventually } from '../../helpers/eventually.js';

async function runningPod(client: Client, name: string, ip: string, port: number): Promise<Pod> {
  const pods = client.resource<Pod>('Pod');
  const p = await pods.create('default', {
    metadata: { name, labels: { app: 'web' } },
    spec: { nodeName: 'w1', containers: [{ name: 'app', image: 'nginx:1.27', ports: [{ name: 'http', containerPort: port }] }] },
  });
  return setReady(client, p, ip, true);
}

async function setReady(client: Client, p: Pod, ip: string, ready: boolean): Promise<Pod> {
  const pods = client.resource<Pod>('Pod');
  const cur = await pods.get('default', p.metadata.name!);
  return pods.updateStatus({
    ...cur,
    status: { ...cur.status, phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  });
}

function ips(ep: Endpoints | undefined, field: 'addresses' | 'notReadyAddresses'): string[] {
  return (ep?.subsets ?? []).flatMap((s) => (s[field] ?? []).map((a) => a.ip)).sort();
}

test('Endpoints follow the pods a Service selects, their readiness and named ports', async (t) => {
  const server = await testApiServer(t);
  const { client } = await startTestControllers(t, { server, controllers: ['endpoints-controller'] });
  const services = client.resource<Service>('Service');
  const endpoints = client.resource<Endpoints>('Endpoints');
  const get = () => endpoints.get('default', 'web').catch((err) => (isNotFound(err) ? undefined : Promise.reject(err)));

  // A service without a selector: its Endpoints belong to the user.
  await services.create('default', { metadata: { name: 'ext' }, spec: { ports: [{ port: 5432 }] } });
  const userEp = await endpoints.create('default', { metadata: { name: 'ext' }, subsets: [{ addresses: [{ ip: '192.168.1.10' }], ports: [{ port: 5432 }] }] });

  await services.create('default', { metadata: { name: 'web', labels: { tier: 'front' } }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } });
  const web1 = await runningPod(client, 'web-1', '10.244.1.11', 8080);
  const web2 = await runningPod(client, 'web-2', '10.244.1.12', 9090);

  const ep = await eventually(async () => {
    const e = await get();
    return ips(e, 'addresses').length === 2 ? e : undefined;
  }, { message: 'both pods in the Endpoints' });
  t.deepEqual(ep!.metadata.labels, { tier: 'front' });
  const portOf = (ip: string) => ep!.subsets!.find((s) => s.addresses?.some((a) => a.ip === ip))!.ports;
  t.deepEqual(portOf('10.244.1.11'), [{ name: 'http', port: 8080, protocol: 'TCP' }], 'the named target port resolves per pod');
  t.deepEqual(portOf('10.244.1.12'), [{ name: 'http', port: 9090, protocol: 'TCP' }]);
  const a = ep!.subsets!.flatMap((s) => s.addresses ?? []).find((x) => x.ip === '10.244.1.11')!;
  t.deepEqual(a, { ip: '10.244.1.11', nodeName: 'w1', targetRef: { kind: 'Pod', namespace: 'default', name: 'web-1', uid: web1.metadata.uid } });

  await setReady(client, web1, '10.244.1.11', false);
  const moved = await eventually(async () => {
    const e = await get();
    return ips(e, 'notReadyAddresses').includes('10.244.1.11') ? e : undefined;
  }, { message: 'web-1 among the not-ready addresses' });
  t.deepEqual(ips(moved, 'addresses'), ['10.244.1.12']);

  // Terminating pods leave the Endpoints (web-2 is on a node: its deletion is graceful).
  await client.resource<Pod>('Pod').delete('default', web2.metadata.name!);
  await eventually(async () => !ips(await get(), 'addresses').includes('10.244.1.12'), { message: 'the terminating pod gone from the Endpoints' });

  t.is((await endpoints.get('default', 'ext')).metadata.resourceVersion, userEp.metadata.resourceVersion, 'user-managed Endpoints untouched');

  await services.delete('default', 'web');
  await eventually(async () => (await get()) === undefined, { message: 'Endpoints removed with the Service' });
});

test('Endpoints are written only when their content changes', async (t) => {
  const server = await testApiServer(t);
  const { client } = await startTestControllers(t, { server, controllers: ['endpoint'] });
  const writes = async () => {
    const m = await server.metrics.requests.get();
    // Successful writes only: a create or update from a cache one event behind is refused (409) and retried.
    const count = (verb: string) => m.values.filter((v) => v.labels.resource === 'endpoints' && v.labels.verb === verb && String(v.labels.code).startsWith('2')).reduce((n, v) => n + v.value, 0);
    return { create: count('create'), update: count('update') };
  };
  const services = client.resource<Service>('Service');
  const endpoints = client.resource<Endpoints>('Endpoints');
  await services.create('default', { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } });
  await eventually(() => endpoints.get('default', 'web'), { message: 'the (empty) Endpoints of the new Service' });
  await runningPod(client, 'web-1', '10.244.1.11', 8080);
  await eventually(async () => ips(await endpoints.get('default', 'web').catch(() => undefined), 'addresses').length === 1);
  // Syncs that change nothing: a Service annotation, a pod annotation, a pod created without an IP yet.
  await services.patch('default', 'web', { metadata: { annotations: { note: 'x' } } }, 'merge');
  await client.resource<Pod>('Pod').patch('default', 'web-1', { metadata: { annotations: { note: 'x' } } }, 'merge');
  await runningPod(client, 'web-2', '10.244.1.12', 8080);
  await eventually(async () => ips(await endpoints.get('default', 'web'), 'addresses').length === 2);
  // A last real change: every sync queued before it has run once it shows.
  await services.patch('default', 'web', { metadata: { labels: { tier: 'front' } } }, 'merge');
  await eventually(async () => (await endpoints.get('default', 'web')).metadata.labels?.['tier'] === 'front');
  // Created empty with the Service, then one update each for web-1, web-2 and the label.
  t.deepEqual(await writes(), { create: 1, update: 3 });
});
