/**
 * A local lab on the docker runtime (root and a Docker daemon): the echo app in real containers,
 * reached through the Service from the host and from another pod, a killed container restarted,
 * a restarted kubelet adopting running containers, and down leaving nothing behind.
 */
import test from 'ava';
import Docker from 'dockerode';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Endpoints, Pod, Service } from '../../src/api/types.js';
import type { LabState } from '../../src/bootstrap/state.js';
import { getJson } from '../../src/demo/traffic.js';
import { httpGet } from '../../src/util/http.js';
import { eventually } from '../helpers/eventually.js';
import { upLab, type TestLab } from '../helpers/lab.js';

const docker = new Docker();
const usable = process.getuid?.() === 0 && (await docker.ping().then(() => true, () => false));
const dt = usable ? test.serial : test.serial.skip;
if (!usable) console.warn('docker lab tests skipped: they need root and a running Docker daemon (start dockerd)');

let lab: TestLab;

test.before(async () => {
  if (!usable) return;
  lab = await upLab(['--workers', '2', '--runtime', 'docker']);
  const r = await lab.kubectl(['apply', '-f', 'examples/echo.yaml']);
  if (r.code !== 0) throw new Error(r.stderr);
});

test.after.always(async () => {
  await lab?.destroy();
});

const pods = () => lab.client.resource<Pod>('Pod');
const ready = (p: Pod) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
const containerId = (p: Pod) => p.status!.containerStatuses![0]!.containerID!.replace('docker://', '');

async function echoPods(): Promise<Pod[]> {
  return eventually(async () => {
    const list = (await pods().list('default', { labelSelector: 'app=echo' })).items.filter((p) => !p.metadata.deletionTimestamp);
    return list.length === 3 && list.every(ready) ? list : undefined;
  }, { timeoutMs: 90_000, message: '3 ready echo pods' });
}

function state(): LabState {
  return JSON.parse(readFileSync(join(lab.home, 'lab', 'state.json'), 'utf8')) as LabState;
}

dt('echo runs in containers with pod IPs and answers through the Service from the host and from a pod', async (t) => {
  const list = await echoPods();
  t.true(list.every((p) => /^10\.\d+\.\d+\.\d+$/.test(p.status!.podIP!)));
  const svc = await lab.client.resource<Service>('Service').get('default', 'echo');
  const seen = new Set<string>();
  await eventually(async () => {
    seen.add((await getJson(`http://${svc.spec.clusterIP}:8080/`, 2000)).pod!);
    return seen.size === 3;
  }, { timeoutMs: 30_000, message: 'every replica answers through the cluster IP' });
  const from = docker.getContainer(containerId(list[0]!));
  const exec = await from.exec({ Cmd: ['wget', '-qO-', `http://${svc.spec.clusterIP}:8080/`], AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({});
  const out = await new Promise<string>((resolve) => {
    let s = '';
    stream.on('data', (d: Buffer) => (s += d.toString('latin1')));
    stream.on('end', () => resolve(s));
  });
  t.regex(out, /"pod":"echo-/);
  const logs = await lab.kubectl(['logs', list[0]!.metadata.name!, '--tail', '5']);
  t.is(logs.code, 0, logs.stderr);
  t.regex(logs.stdout, /GET \/|listening/);
});

dt('a container killed with docker kill is restarted: restartCount 1, lastState exit 137', async (t) => {
  const [victim] = await echoPods();
  await docker.getContainer(containerId(victim!)).kill();
  const p = await eventually(async () => {
    const x = await pods().get('default', victim!.metadata.name!);
    const cs = x.status?.containerStatuses?.[0];
    return cs?.restartCount === 1 && cs.ready ? x : undefined;
  }, { timeoutMs: 30_000, message: 'restarted' });
  t.is(p.status!.containerStatuses![0]!.lastState?.terminated?.exitCode, 137);
});

dt('a restarted kubelet adopts the running containers without restarting them', async (t) => {
  const before = await echoPods();
  const kubelet = state().components.find((c) => c.name === 'kubelet' && c.node === 'worker-1')!;
  const mine = before.filter((p) => p.spec.nodeName === 'worker-1');
  process.kill(kubelet.pid, 'SIGKILL');
  const started = await lab.lab(['node', 'start', 'worker-1']);
  t.is(started.code, 0, started.stderr);
  const restarted = state().components.find((c) => c.name === 'kubelet' && c.node === 'worker-1')!;
  t.not(restarted.pid, kubelet.pid);
  // The new kubelet has synced once it reports the pods it runs.
  await eventually(async () => {
    const m = await httpGet(restarted.health.replace('/healthz', '/metrics'));
    const running = /kubelet_running_pods(?:\{[^}]*\})? (\d+)/.exec(m.body);
    return running && Number(running[1]) === mine.length;
  }, { timeoutMs: 30_000, message: 'the restarted kubelet reports its pods' });
  const after = (await pods().list('default', { labelSelector: 'app=echo' })).items;
  for (const p of mine) {
    const now = after.find((x) => x.metadata.uid === p.metadata.uid)!;
    t.is(containerId(now), containerId(p), `${p.metadata.name} kept its container`);
    t.is(now.status!.containerStatuses![0]!.restartCount, p.status!.containerStatuses![0]!.restartCount);
  }
  const ids = await docker.listContainers({ all: true, filters: { label: ['io.kubernetes.container.name=echo', 'io.kubelab.node=worker-1', `io.kubelab.lab=kubelab-s${state().slot}`] } });
  t.is(ids.filter((c) => c.State === 'running').length, mine.length, 'no duplicate containers');
});

dt('readiness gates the Endpoints and a deleted pod stops gracefully (SIGTERM, exit 0)', async (t) => {
  const [p] = await echoPods();
  const name = p!.metadata.name!;
  const ip = p!.status!.podIP!;
  const eps = () => lab.client.resource<Endpoints>('Endpoints').get('default', 'echo');
  await fetch(`http://${ip}:8080/fail-readiness`, { method: 'POST' });
  await eventually(async () => ((await eps()).subsets ?? []).some((s) => (s.notReadyAddresses ?? []).some((a) => a.ip === ip)), { timeoutMs: 20_000, message: 'not ready address' });
  const ac = new AbortController();
  t.teardown(() => ac.abort());
  let last: { exitCode: number } | undefined;
  const watched = (async () => {
    for await (const ev of pods().watch('default', { fieldSelector: `metadata.name=${name}`, resourceVersion: p!.metadata.resourceVersion!, signal: ac.signal })) {
      last = (ev.object as Pod).status?.containerStatuses?.[0]?.state?.terminated ?? last;
      if (ev.type === 'DELETED') return;
    }
  })();
  t.is((await lab.kubectl(['delete', 'pod', name])).code, 0);
  await watched;
  t.is(last?.exitCode, 0);
  await echoPods();
});

dt('a failing liveness probe restarts the container', async (t) => {
  await pods().create('default', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'unhealthy' },
    spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'kubelab/pause:0.1.0', command: ['sleep', '3600'], livenessProbe: { exec: { command: ['false'] }, periodSeconds: 1, failureThreshold: 2 } }] },
  });
  const p = await eventually(async () => {
    const x = await pods().get('default', 'unhealthy');
    return (x.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 ? x : undefined;
  }, { timeoutMs: 60_000, message: 'restart after liveness failures' });
  t.truthy(p.status!.containerStatuses![0]!.lastState?.terminated);
  await pods().delete('default', 'unhealthy', { gracePeriodSeconds: 0 });
});

dt("an emptyDir volume is shared by a pod's containers", async (t) => {
  await pods().create('default', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'shared' },
    spec: {
      volumes: [{ name: 'data', emptyDir: {} }],
      containers: [
        { name: 'writer', image: 'kubelab/pause:0.1.0', command: ['sh', '-c', 'echo written-by-writer > /data/note; sleep 3600'], volumeMounts: [{ name: 'data', mountPath: '/data' }] },
        { name: 'reader', image: 'kubelab/pause:0.1.0', command: ['sh', '-c', 'until cat /data/note; do sleep 0.2; done; sleep 3600'], volumeMounts: [{ name: 'data', mountPath: '/data' }] },
      ],
    },
  });
  await eventually(async () => {
    const r = await lab.kubectl(['logs', 'shared', '-c', 'reader']);
    return r.code === 0 && r.stdout.includes('written-by-writer');
  }, { timeoutMs: 60_000, message: 'the reader sees the writer\'s file' });
  await pods().delete('default', 'shared', { gracePeriodSeconds: 0 });
  t.pass();
});

dt('node crash kills the node\'s containers (SIGKILL, exit 137) and takes its pods\' network away, as a power loss; node start brings it back', async (t) => {
  const before = await echoPods();
  const onW2 = before.filter((p) => p.spec.nodeName === 'worker-2');
  t.true(onW2.length > 0, 'echo has pods on worker-2');
  const labels = ['io.kubelab.node=worker-2', `io.kubelab.lab=kubelab-s${state().slot}`];
  const crashed = await lab.lab(['node', 'crash', 'worker-2']);
  t.is(crashed.code, 0, crashed.stderr);
  const all = await docker.listContainers({ all: true, filters: { label: labels } });
  t.deepEqual(all.filter((c) => c.State === 'running').map((c) => c.Names[0]), [], 'nothing of worker-2 runs');
  for (const p of onW2) {
    const info = await docker.getContainer(containerId(p)).inspect();
    t.is(info.State.ExitCode, 137, `${p.metadata.name} was killed, not stopped`);
  }
  // The node is lost: its pods are replaced on worker-1 (lab timings: seconds).
  await eventually(async () => {
    const now = (await pods().list('default', { labelSelector: 'app=echo' })).items.filter((p) => !p.metadata.deletionTimestamp && ready(p));
    return now.length === before.length && now.every((p) => p.spec.nodeName === 'worker-1');
  }, { timeoutMs: 60_000, message: 'every echo pod ready on worker-1' });
  const started = await lab.lab(['node', 'start', 'worker-2']);
  t.is(started.code, 0, started.stderr);
  await eventually(async () => {
    const n = await lab.client.resource('Node').get('', 'worker-2');
    return (n.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
  }, { timeoutMs: 60_000, message: 'worker-2 Ready again' });
});

dt('lab down stops every container of the lab and leaves no cluster-IP interface behind', async (t) => {
  const slot = state().slot!;
  const down = await lab.lab(['down', '--purge']);
  t.is(down.code, 0, down.stderr);
  const left = await docker.listContainers({ all: true, filters: { label: [`io.kubelab.lab=kubelab-s${slot}`] } });
  t.deepEqual(left.map((c) => c.Names[0]), []);
  const nets = await docker.listNetworks({ filters: { name: [`kubelab-s${slot}`] } });
  t.deepEqual(nets.map((n) => n.Name), []);
});
