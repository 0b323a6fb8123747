/**
 * Probes end to end: a kubelet on the fake runtime against a real API server. The "pod" of an
 * httpGet probe is a small HTTP server this test starts on the address the fake runtime gives the
 * pod (the first of the kubelet's pod CIDR); exec probes are answered by the fake runtime's exec
 * handler.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import test, { type ExecutionContext } from 'ava';
import type { Endpoints, Event, Pod, Service } from '../../../src/api/types.js';
import type { ContainerStatusInfo, ExecResult } from '../../../src/worker/kubelet/runtime.js';
import { testApiServer } from '../../helpers/apiserver.js';
import { startTestControllers } from '../../helpers/controllers.js';
import { eventually } from '../../helpers/eventually.js';
import { createBoundPod, kubeletLab, podSpec, testClient, testKubelet, waitForPod } from '../../helpers/kubelet.js';

const fast = { leaseRenewIntervalMs: 500, nodeStatusUpdateFrequencyMs: 500, restartBackoffBaseMs: 200, restartBackoffMaxMs: 1000 };

/** An HTTP server on host answering the code that code() gives; closed in teardown. */
async function fakePodServer(t: ExecutionContext, host: string, code: () => number): Promise<number> {
  const server: Server = createServer((_req, res) => {
    res.writeHead(code());
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  t.teardown(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return (server.address() as AddressInfo).port;
}

async function eventsOf(client: ReturnType<typeof testClient>, pod: string): Promise<Event[]> {
  return (await client.resource<Event>('Event').list('default', { fieldSelector: `involvedObject.name=${pod}` })).items;
}

async function metric(url: string, series: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.split(' ').pop()) : 0;
}

const ready = (p: Pod) => p.status?.conditions?.find((c) => c.type === 'Ready')?.status;

test('a failing readiness probe keeps the pod not Ready and out of its Service endpoints; passing makes it Ready', async (t) => {
  const server = await testApiServer(t, { allowLoopbackEndpoints: true });
  const client = testClient(t, server.url);
  await startTestControllers(t, { server, controllers: ['endpoint'] });
  let code = 503;
  const port = await fakePodServer(t, '127.77.1.2', () => code);
  const { kubelet } = await testKubelet(t, client, { nodeName: 'w1', ...fast, podCIDR: '127.77.1.0/24' });
  await client.resource<Service>('Service').create('default', { metadata: { name: 'web', namespace: 'default' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }] } });
  const pod = podSpec('web-1', {
    containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ name: 'http', containerPort: port }], readinessProbe: { httpGet: { port: 'http', path: '/ready' }, periodSeconds: 1, failureThreshold: 1 } }],
  });
  pod.metadata.labels = { app: 'web' };
  await createBoundPod(client, pod, 'w1');

  const unready = await waitForPod(client, 'default', 'web-1', (p) => p.status?.phase === 'Running' && p.status.podIP === '127.77.1.2', 'web-1 Running at the test server address');
  t.is(ready(unready), 'False');
  t.false(unready.status!.containerStatuses![0]!.ready);
  t.true(unready.status!.containerStatuses![0]!.started);
  const unhealthy = await eventually(async () => (await eventsOf(client, 'web-1')).find((e) => e.reason === 'Unhealthy'), { message: 'Unhealthy event' });
  t.like(unhealthy, { type: 'Warning', message: 'Readiness probe failed: HTTP probe failed with statuscode: 503' });
  const eps = client.resource<Endpoints>('Endpoints');
  const notReady = await eventually(async () => (await eps.get('default', 'web')).subsets?.[0]?.notReadyAddresses?.[0], { message: 'not-ready endpoint' });
  t.is(notReady.ip, '127.77.1.2');

  code = 200;
  const readyPod = await waitForPod(client, 'default', 'web-1', (p) => ready(p) === 'True', 'web-1 Ready once the probe passes');
  t.true(readyPod.status!.containerStatuses![0]!.ready);
  t.is(readyPod.status!.containerStatuses![0]!.restartCount, 0, 'readiness never restarts');
  await eventually(async () => (await eps.get('default', 'web')).subsets?.[0]?.addresses?.[0]?.ip === '127.77.1.2', { message: 'ready endpoint' });

  code = 500;
  await waitForPod(client, 'default', 'web-1', (p) => ready(p) === 'False' && p.status?.containerStatuses?.[0]?.ready === false, 'web-1 not Ready again');
  await eventually(async () => !(await eps.get('default', 'web')).subsets?.[0]?.addresses?.length, { message: 'endpoint dropped from ready addresses' });
  t.true((await metric(kubelet.url, 'prober_probe_total{probe_type="Readiness",result="successful"}')) >= 1);
  t.true((await metric(kubelet.url, 'prober_probe_total{probe_type="Readiness",result="failed"}')) >= 2);
});

test('a failing liveness probe kills the container, which is restarted: restartCount 1, lastState terminated, an Event', async (t) => {
  const { client } = await kubeletLab(t);
  const { runtime, kubelet } = await testKubelet(t, client, { nodeName: 'w1', ...fast });
  const calls: string[] = [];
  runtime.setExecHandler((c: ContainerStatusInfo, cmd: string[]): ExecResult => {
    calls.push(`${c.metadata.attempt}:${cmd.join(' ')}`);
    // The first run of the container is unhealthy; its replacement is fine.
    return c.metadata.attempt === 0 ? { exitCode: 1, stdout: '', stderr: 'cat: /tmp/healthy: No such file or directory\n' } : { exitCode: 0, stdout: '', stderr: '' };
  });
  await createBoundPod(
    client,
    podSpec('live-1', { containers: [{ name: 'web', image: 'nginx:1.27', livenessProbe: { exec: { command: ['cat', '/tmp/healthy'] }, periodSeconds: 1, failureThreshold: 2 } }] }),
    'w1',
  );
  const restarted = await waitForPod(client, 'default', 'live-1', (p) => p.status?.containerStatuses?.[0]?.restartCount === 1 && !!p.status.containerStatuses[0].state?.running, 'live-1 restarted once');
  const cs = restarted.status!.containerStatuses![0]!;
  t.truthy(cs.lastState?.terminated, 'the killed run is lastState');
  t.not(cs.lastState!.terminated!.containerID, cs.containerID);
  t.is(restarted.status!.phase, 'Running');
  const events = await eventually(async () => {
    const list = await eventsOf(client, 'live-1');
    return list.some((e) => e.reason === 'Killing') && list.some((e) => e.reason === 'Unhealthy' && e.count === 2) ? list : undefined;
  }, { message: 'Killing and Unhealthy events' });
  t.like(events.find((e) => e.reason === 'Killing'), { type: 'Normal', message: 'Container web failed liveness probe, will be restarted' });
  t.like(events.find((e) => e.reason === 'Unhealthy'), { type: 'Warning', message: 'Liveness probe failed: cat: /tmp/healthy: No such file or directory\n', count: 2 });
  t.deepEqual(calls.slice(0, 2), ['0:cat /tmp/healthy', '0:cat /tmp/healthy'], 'two failures (failureThreshold 2) before the kill');
  // The healthy replacement keeps running: wait until it has passed two probes, then it is still restart 1.
  await eventually(() => calls.filter((c) => c.startsWith('1:')).length >= 2, { message: 'two probes of the new container', timeoutMs: 10_000 });
  const later = await client.resource<Pod>('Pod').get('default', 'live-1');
  t.is(later.status!.containerStatuses![0]!.restartCount, 1);
  t.true((await metric(kubelet.url, 'prober_probe_total{probe_type="Liveness",result="failed"}')) >= 2);
});

test('a startup probe holds liveness off until it passes; then liveness runs (and here restarts the container)', async (t) => {
  const { client } = await kubeletLab(t);
  const { runtime } = await testKubelet(t, client, { nodeName: 'w1', ...fast });
  let up = false;
  const calls: string[] = [];
  runtime.setExecHandler((_c, cmd) => {
    calls.push(cmd[0]!);
    if (cmd[0] === 'started') return { exitCode: up ? 0 : 1, stdout: up ? '' : 'still warming up', stderr: '' };
    return { exitCode: 1, stdout: 'dead', stderr: '' };
  });
  await createBoundPod(
    client,
    podSpec('slow-1', {
      containers: [
        {
          name: 'web',
          image: 'nginx:1.27',
          startupProbe: { exec: { command: ['started'] }, periodSeconds: 1, failureThreshold: 60 },
          livenessProbe: { exec: { command: ['alive'] }, periodSeconds: 1, failureThreshold: 1 },
        },
      ],
    }),
    'w1',
  );
  await eventually(() => calls.filter((c) => c === 'started').length >= 3, { message: 'three startup probes', timeoutMs: 10_000 });
  const warming = await client.resource<Pod>('Pod').get('default', 'slow-1');
  t.like(warming.status!.containerStatuses![0], { started: false, ready: false, restartCount: 0 });
  t.false(calls.includes('alive'), 'no liveness probe before the startup probe passed');
  t.like((await eventsOf(client, 'slow-1')).find((e) => e.reason === 'Unhealthy'), { message: 'Startup probe failed: still warming up' });

  const upAt = calls.length;
  up = true;
  await waitForPod(client, 'default', 'slow-1', (p) => p.status?.containerStatuses?.[0]?.started === true, 'slow-1 started');
  await waitForPod(client, 'default', 'slow-1', (p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1, 'slow-1 restarted by its liveness probe', 10_000);
  t.true(calls.indexOf('alive') >= upAt, 'liveness ran only once the startup probe could pass');
});
