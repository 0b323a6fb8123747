/**
 * The process runtime in a real local lab (./lab up, no root, no Docker): Deployments behind
 * Services, restarts, probes, readiness gating, logs and graceful deletion, as a user sees them.
 */
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Endpoints, Pod, Service } from '../../../src/api/types.js';
import { getJson } from '../../../src/demo/traffic.js';
import { processAlive } from '../../../src/bootstrap/providers/local/process.js';
import { eventually } from '../../helpers/eventually.js';
import { upLab, type TestLab } from '../../helpers/lab.js';

let lab: TestLab;

test.before(async () => {
  lab = await upLab(['--workers', '2']);
  await lab.client.resource('Namespace').create('', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'w' } });
  const r = await lab.kubectl(['-n', 'w', 'apply', '-f', 'examples/echo.yaml']);
  if (r.code !== 0) throw new Error(r.stderr);
});

test.after.always(async () => {
  await lab?.destroy();
});

const pods = () => lab.client.resource<Pod>('Pod');
const ready = (p: Pod) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/** The 3 echo pods once all are Ready and listed as ready addresses of the Service. */
async function echoPods(): Promise<Pod[]> {
  return eventually(async () => {
    const list = (await pods().list('w', { labelSelector: 'app=echo' })).items.filter((p) => !p.metadata.deletionTimestamp);
    if (list.length !== 3 || !list.every(ready)) return undefined;
    const ep = await lab.client.resource<Endpoints>('Endpoints').get('w', 'echo');
    const ips = new Set(ep.subsets?.flatMap((s) => s.addresses ?? []).map((a) => a.ip));
    return list.every((p) => ips.has(p.status!.podIP!)) && ips.size === 3 ? list : undefined;
  }, { timeoutMs: 60_000, message: '3 ready echo pods in the Service endpoints' });
}

/** The host pid of a pod's container, from the process runtime's records. */
function containerPid(pod: Pod): number {
  const dir = join(lab.home, 'lab', 'nodes', pod.spec.nodeName!, 'process-runtime', 'containers');
  for (const id of readdirSync(dir)) {
    const c = JSON.parse(readFileSync(join(dir, id, 'container.json'), 'utf8')) as { pod: { uid: string } };
    if (c.pod.uid !== pod.metadata.uid) continue;
    try {
      const started = JSON.parse(readFileSync(join(dir, id, 'started.json'), 'utf8')) as { pid: number };
      const exited = readdirSync(join(dir, id)).includes('exit.json');
      if (!exited) return started.pid;
    } catch {
      // not started yet
    }
  }
  throw new Error(`no running container of ${pod.metadata.name}`);
}

test.serial("a Deployment's pods run on the workers and answer through the Service's cluster IP and node port", async (t) => {
  const list = await echoPods();
  t.true(list.every((p) => /^127\.\d+\.\d+\.\d+$/.test(p.status!.podIP!)), 'pods have loopback pod IPs');
  t.is(new Set(list.map((p) => p.status!.podIP)).size, 3);
  const svc = await lab.client.resource<Service>('Service').get('w', 'echo');
  const answered = new Set<string>();
  for (let i = 0; i < 12; i++) answered.add((await getJson(`http://${svc.spec.clusterIP}:8080/`, 2000)).pod!);
  t.deepEqual([...answered].sort(), list.map((p) => p.metadata.name!).sort());
  const node = (await lab.client.resource('Node').list('')).items[0]! as { status?: { addresses?: { type: string; address: string }[] } };
  const addr = node.status!.addresses!.find((a) => a.type === 'InternalIP')!.address;
  const viaNodePort = await getJson(`http://${addr}:${svc.spec.ports![0]!.nodePort}/`, 2000);
  t.true(answered.has(viaNodePort.pod!));
});

test.serial('a killed pod process is restarted by its kubelet, with restartCount 1 and the exit in lastState', async (t) => {
  const [victim] = await echoPods();
  process.kill(containerPid(victim!), 'SIGKILL');
  const after = await eventually(async () => {
    const p = await pods().get('w', victim!.metadata.name!);
    const cs = p.status?.containerStatuses?.[0];
    return cs && cs.restartCount === 1 && cs.ready ? p : undefined;
  }, { timeoutMs: 30_000, message: 'restarted container' });
  const cs = after.status!.containerStatuses![0]!;
  t.is(cs.lastState?.terminated?.exitCode, 137);
  t.is(cs.lastState?.terminated?.reason, 'Error');
  t.truthy(cs.state?.running);
});

test.serial('readiness gates the Endpoints: a pod that fails readiness leaves the ready addresses and comes back', async (t) => {
  const list = await echoPods();
  const p = list[0]!;
  const eps = () => lab.client.resource<Endpoints>('Endpoints').get('w', 'echo');
  await fetch(`http://${p.status!.podIP}:8080/fail-readiness`, { method: 'POST' });
  const out = await eventually(async () => {
    const ep = await eps();
    const notReady = ep.subsets?.flatMap((s) => s.notReadyAddresses ?? []) ?? [];
    return notReady.some((a) => a.ip === p.status!.podIP) ? ep : undefined;
  }, { timeoutMs: 20_000, message: 'address moved to notReadyAddresses' });
  t.false(out.subsets!.flatMap((s) => s.addresses ?? []).some((a) => a.ip === p.status!.podIP));
  await fetch(`http://${p.status!.podIP}:8080/restore-readiness`, { method: 'POST' });
  await eventually(async () => ((await eps()).subsets?.flatMap((s) => s.addresses ?? []) ?? []).some((a) => a.ip === p.status!.podIP), { timeoutMs: 20_000, message: 'address back in addresses' });
  t.pass();
});

test.serial('a failing liveness probe restarts the container', async (t) => {
  await pods().create('w', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'unhealthy' },
    spec: {
      restartPolicy: 'Always',
      containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'], livenessProbe: { exec: { command: ['false'] }, periodSeconds: 1, failureThreshold: 2 } }],
    },
  });
  const p = await eventually(async () => {
    const x = await pods().get('w', 'unhealthy');
    return (x.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 ? x : undefined;
  }, { timeoutMs: 60_000, message: 'restart after liveness failures' });
  t.truthy(p.status!.containerStatuses![0]!.lastState?.terminated);
  const events = (await lab.kubectl(['-n', 'w', 'get', 'events', '--field-selector', 'involvedObject.name=unhealthy'])).stdout;
  t.regex(events, /Liveness probe failed/);
  await pods().delete('w', 'unhealthy', { gracePeriodSeconds: 0 });
});

test.serial('kubectl logs shows the container output, with --tail', async (t) => {
  const [p] = await echoPods();
  const logs = await lab.kubectl(['-n', 'w', 'logs', p!.metadata.name!]);
  t.is(logs.code, 0, logs.stderr);
  t.regex(logs.stdout, /echo: listening on 127\.\d+\.\d+\.\d+:8080/);
  const tail = await lab.kubectl(['-n', 'w', 'logs', p!.metadata.name!, '--tail', '1']);
  t.is(tail.stdout.trim().split('\n').length, 1);
});

test.serial('deleting a pod stops it gracefully: SIGTERM, the server exits 0, then the object goes', async (t) => {
  const [p] = await echoPods();
  const name = p!.metadata.name!;
  const pid = containerPid(p!);
  const ac = new AbortController();
  t.teardown(() => ac.abort());
  let lastTerminated: { exitCode: number; reason?: string } | undefined;
  const watched = (async () => {
    for await (const ev of pods().watch('w', { fieldSelector: `metadata.name=${name}`, resourceVersion: p!.metadata.resourceVersion!, signal: ac.signal })) {
      const terminated = (ev.object as Pod).status?.containerStatuses?.[0]?.state?.terminated;
      if (terminated) lastTerminated = terminated;
      if (ev.type === 'DELETED') return;
    }
  })();
  const del = await lab.kubectl(['-n', 'w', 'delete', 'pod', name]);
  t.is(del.code, 0, del.stderr);
  t.regex(del.stdout, /deleted/);
  await watched;
  t.is(lastTerminated?.exitCode, 0, 'the echo server handled SIGTERM and exited 0');
  t.false(processAlive(pid), 'the process is gone');
  await echoPods(); // replaced by the ReplicaSet
});

test.serial('kubectl cordon and drain move the pods off a node; uncordon lets them back', async (t) => {
  await echoPods();
  t.is((await lab.kubectl(['cordon', 'worker-1'])).code, 0);
  const drain = await lab.kubectl(['drain', 'worker-1', '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=90s']);
  t.is(drain.code, 0, drain.stderr);
  t.regex(drain.stdout, /worker-1 drained/);
  const list = await echoPods();
  t.true(list.every((p) => p.spec.nodeName === 'worker-2'), list.map((p) => p.spec.nodeName).join());
  t.regex((await lab.kubectl(['get', 'node', 'worker-1'])).stdout, /SchedulingDisabled/);
  t.is((await lab.kubectl(['uncordon', 'worker-1'])).code, 0);
  t.notRegex((await lab.kubectl(['get', 'node', 'worker-1'])).stdout, /SchedulingDisabled/);
});
