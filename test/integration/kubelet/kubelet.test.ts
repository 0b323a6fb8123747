/** The kubelet on the fake runtime against a real API server: node, lease, pods, restarts, deletion, adoption. */
import test from 'ava';
import type { Event, Lease, Node, Pod } from '../../../src/api/types.js';
import { eventually } from '../../helpers/eventually.js';
import { createBoundPod, isRunningReady, kubeletLab, podSpec, testKubelet, waitForPod } from '../../helpers/kubelet.js';
import { FakeRuntime } from '../../../src/worker/kubelet/runtimes/fake.js';

const fast = { leaseRenewIntervalMs: 200, nodeStatusUpdateFrequencyMs: 100, restartBackoffBaseMs: 300, restartBackoffMaxMs: 2000 };

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line ? Number(line.split(' ').pop()) : NaN;
}

test('a kubelet registers its Node with capacity, labels, taints and Ready, and renews its lease', async (t) => {
  const { client } = await kubeletLab(t);
  const { kubelet } = await testKubelet(t, client, {
    nodeName: 'w1',
    ...fast,
    maxPods: 30,
    role: 'worker',
    labels: { zone: 'a' },
    taints: [{ key: 'dedicated', value: 'lab', effect: 'NoSchedule' }],
  });
  const node = await client.resource<Node>('Node').get('', 'w1');
  t.like(node.metadata.labels, { 'kubernetes.io/hostname': 'w1', 'kubernetes.io/os': 'linux', 'node-role.kubernetes.io/worker': '', zone: 'a' });
  t.deepEqual(node.spec.taints, [{ key: 'dedicated', value: 'lab', effect: 'NoSchedule' }]);
  t.deepEqual(node.status?.capacity, { cpu: '4', memory: '8Gi', pods: '30' });
  t.deepEqual(node.status?.allocatable, { cpu: '4', memory: '8Gi', pods: '30' });
  t.deepEqual(node.status?.addresses, [{ type: 'InternalIP', address: '127.0.0.1' }, { type: 'Hostname', address: 'w1' }]);
  t.is(node.status?.nodeInfo?.kubeletVersion, 'v1.32.0-kubelab');
  t.is(node.status?.nodeInfo?.containerRuntimeVersion, 'fake://0.1.0');
  t.is(node.status?.daemonEndpoints?.kubeletEndpoint?.Port, Number(new URL(kubelet.url).port));
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  t.like(ready, { status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' });
  t.deepEqual(node.status?.conditions?.filter((c) => c.status === 'False').map((c) => c.type), ['MemoryPressure', 'DiskPressure', 'PIDPressure']);

  const leases = client.resource<Lease>('Lease');
  const first = await eventually(() => leases.get('kube-node-lease', 'w1'), { message: 'lease created' });
  t.is(first.spec?.holderIdentity, 'w1');
  t.is(first.spec?.leaseDurationSeconds, 40);
  t.deepEqual(first.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Node', name: 'w1', uid: node.metadata.uid! }]);
  await eventually(async () => (await leases.get('kube-node-lease', 'w1')).spec?.renewTime !== first.spec?.renewTime, { message: 'lease renewed' });
  t.is((await fetch(`${kubelet.url}/healthz`)).status, 200);
});

test('the node goes NotReady while the runtime is down, and Ready again after', async (t) => {
  const { client } = await kubeletLab(t);
  const runtime = new FakeRuntime();
  await testKubelet(t, client, { nodeName: 'w1', ...fast, runtime });
  const readyOf = async () => (await client.resource<Node>('Node').get('', 'w1')).status?.conditions?.find((c) => c.type === 'Ready');
  runtime.setCondition('RuntimeReady', false, 'DaemonDown', 'cannot connect');
  const down = await eventually(async () => ((await readyOf())?.status === 'False' ? readyOf() : undefined), { message: 'node NotReady' });
  t.like(down, { reason: 'KubeletNotReady', message: 'container runtime is down: cannot connect' });
  runtime.setCondition('RuntimeReady', true);
  await eventually(async () => (await readyOf())?.status === 'True', { message: 'node Ready again' });
});

test('a bound pod goes Running and Ready with a pod IP in one status write', async (t) => {
  const { client } = await kubeletLab(t);
  const { kubelet, runtime } = await testKubelet(t, client, { nodeName: 'w1', ...fast });
  await createBoundPod(client, podSpec('web-1'), 'w1');
  const pod = await waitForPod(client, 'default', 'web-1', isRunningReady, 'web-1 Running and Ready');
  const s = pod.status!;
  t.regex(s.podIP ?? '', /^127\.64\.\d+\.\d+$/);
  t.deepEqual(s.podIPs, [{ ip: s.podIP! }]);
  t.is(s.hostIP, '127.0.0.1');
  t.deepEqual(s.hostIPs, [{ ip: '127.0.0.1' }]);
  t.truthy(s.startTime);
  t.deepEqual(
    s.conditions?.map((c) => `${c.type}=${c.status}`),
    ['PodReadyToStartContainers=True', 'Initialized=True', 'Ready=True', 'ContainersReady=True', 'PodScheduled=True'],
  );
  const cs = s.containerStatuses![0]!;
  t.like(cs, { name: 'web', ready: true, started: true, restartCount: 0, image: 'nginx:1.27' });
  t.truthy(cs.state?.running?.startedAt);
  t.regex(cs.containerID ?? '', /^fake:\/\/c[0-9a-f]+$/);
  t.regex(cs.imageID, /^sha256:/);
  t.is(runtime.counters.containersStarted, 1);
  await kubelet.pods.idle();
  t.is(await metric(kubelet.url, 'kubelet_pod_status_writes_total'), 1);
  const events = await eventually(async () => {
    const list = (await client.resource<Event>('Event').list('default', { fieldSelector: 'involvedObject.name=web-1' })).items;
    return list.length >= 3 ? list : undefined;
  }, { message: 'kubelet events' });
  t.deepEqual(events.map((e) => `${e.reason}: ${e.message}`).sort(), ['Created: Created container web', 'Pulled: Container image "nginx:1.27" already present on machine', 'Started: Started container web']);
  t.is(events[0]!.source?.component, 'kubelet');
  t.deepEqual(events.map((e) => e.involvedObject.fieldPath), ['spec.containers{web}', 'spec.containers{web}', 'spec.containers{web}'], 'container events name the container');
  t.is(await metric(kubelet.url, 'kubelet_running_pods'), 1);
  t.is(await metric(kubelet.url, 'kubelet_pod_start_duration_seconds_count'), 1);
});

test('a container that exits is restarted at once: restartCount 1, lastState terminated', async (t) => {
  const { client } = await kubeletLab(t);
  const { runtime } = await testKubelet(t, client, { nodeName: 'w1', ...fast });
  await createBoundPod(client, podSpec('web-1'), 'w1');
  await waitForPod(client, 'default', 'web-1', isRunningReady, 'web-1 running');
  t.is(runtime.exitContainer({ pod: 'web-1', container: 'web' }, 3), 1);
  const pod = await waitForPod(client, 'default', 'web-1', (p) => p.status?.containerStatuses?.[0]?.restartCount === 1 && isRunningReady(p), 'web-1 restarted');
  const cs = pod.status!.containerStatuses![0]!;
  t.like(cs.lastState?.terminated, { exitCode: 3, reason: 'Error' });
  t.truthy(cs.state?.running);
  t.is(runtime.counters.containersStarted, 2);
});

test('a container that keeps crashing waits in CrashLoopBackOff with the Kubernetes message', async (t) => {
  const { client } = await kubeletLab(t);
  const runtime = new FakeRuntime();
  runtime.script({ pod: 'crash' }, { exitAfterMs: 20, exitCode: 1 });
  await testKubelet(t, client, { nodeName: 'w1', ...fast, restartBackoffBaseMs: 5000, restartBackoffMaxMs: 20000, runtime });
  const created = await createBoundPod(client, podSpec('crash'), 'w1');
  const pod = await waitForPod(client, 'default', 'crash', (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff', 'CrashLoopBackOff');
  const cs = pod.status!.containerStatuses![0]!;
  t.is(cs.state?.waiting?.message, `back-off 5s restarting failed container=web pod=crash_default(${created.metadata.uid})`);
  t.is(cs.restartCount, 1);
  t.like(cs.lastState?.terminated, { exitCode: 1, reason: 'Error' });
  t.is(pod.status?.phase, 'Running');
  t.like(pod.status?.conditions?.find((c) => c.type === 'Ready'), { status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [web]' });
});

test('a crash shows the exit (Error) before CrashLoopBackOff, as kubectl get pods -w does on Kubernetes', async (t) => {
  const { client } = await kubeletLab(t);
  const runtime = new FakeRuntime();
  runtime.script({ pod: 'crash2' }, { exitAfterMs: 20, exitCode: 1 });
  await testKubelet(t, client, { nodeName: 'w1', ...fast, restartBackoffBaseMs: 5000, restartBackoffMaxMs: 20000, runtime });
  const pods = client.resource<Pod>('Pod');
  const list = await pods.list('default');
  const ac = new AbortController();
  t.teardown(() => ac.abort());
  const seen: string[] = [];
  let blankLast = 0;
  const watching = (async () => {
    for await (const ev of pods.watch('default', { resourceVersion: list.metadata.resourceVersion!, fieldSelector: 'metadata.name=crash2', signal: ac.signal })) {
      if (ev.type === 'BOOKMARK' || ev.type === 'ERROR') continue;
      const cs = (ev.object as Pod).status?.containerStatuses?.[0];
      const state = cs?.state?.waiting?.reason ?? cs?.state?.terminated?.reason ?? (cs?.state?.running ? 'Running' : undefined);
      if (state && seen[seen.length - 1] !== `${state} ${cs!.restartCount}`) seen.push(`${state} ${cs!.restartCount}`);
      if ((cs?.restartCount ?? 0) > 0 && !cs?.lastState?.terminated) blankLast++;
      if (state === 'CrashLoopBackOff') return;
    }
  })();
  await createBoundPod(client, podSpec('crash2'), 'w1');
  await watching;
  // Started, exited (restarted at once the first time), exited again: shown, then the back-off.
  t.deepEqual(seen.slice(-2), ['Error 1', 'CrashLoopBackOff 1'], seen.join(' -> '));
  t.is(blankLast, 0, 'once restarted, lastState always shows the previous exit');
});

test('restartPolicy Never and OnFailure end Succeeded or Failed, or restart, by exit code', async (t) => {
  const { client } = await kubeletLab(t);
  const runtime = new FakeRuntime();
  runtime.script({ pod: 'never-ok' }, { exitAfterMs: 10, exitCode: 0 });
  runtime.script({ pod: 'never-bad' }, { exitAfterMs: 10, exitCode: 2 });
  runtime.script({ pod: 'onfailure-ok' }, { exitAfterMs: 10, exitCode: 0 });
  const removeBad = runtime.script({ pod: 'onfailure-bad' }, { exitAfterMs: 10, exitCode: 1 });
  await testKubelet(t, client, { nodeName: 'w1', ...fast, restartBackoffBaseMs: 100, runtime });
  await createBoundPod(client, podSpec('never-ok', { restartPolicy: 'Never' }), 'w1');
  await createBoundPod(client, podSpec('never-bad', { restartPolicy: 'Never' }), 'w1');
  await createBoundPod(client, podSpec('onfailure-ok', { restartPolicy: 'OnFailure' }), 'w1');
  await createBoundPod(client, podSpec('onfailure-bad', { restartPolicy: 'OnFailure' }), 'w1');

  const ok = await waitForPod(client, 'default', 'never-ok', (p) => p.status?.phase === 'Succeeded', 'never-ok Succeeded');
  t.like(ok.status?.containerStatuses?.[0]?.state?.terminated, { exitCode: 0, reason: 'Completed' });
  t.like(ok.status?.conditions?.find((c) => c.type === 'Ready'), { status: 'False', reason: 'PodCompleted' });
  const bad = await waitForPod(client, 'default', 'never-bad', (p) => p.status?.phase === 'Failed', 'never-bad Failed');
  t.like(bad.status?.containerStatuses?.[0], { restartCount: 0, state: { terminated: { exitCode: 2, reason: 'Error' } } });
  await waitForPod(client, 'default', 'onfailure-ok', (p) => p.status?.phase === 'Succeeded', 'onfailure-ok Succeeded');
  await waitForPod(client, 'default', 'onfailure-bad', (p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1, 'onfailure-bad restarted');
  // Once it stops failing, it completes.
  removeBad();
  runtime.script({ pod: 'onfailure-bad' }, { exitAfterMs: 10, exitCode: 0 });
  await waitForPod(client, 'default', 'onfailure-bad', (p) => p.status?.phase === 'Succeeded', 'onfailure-bad Succeeded');
  // Finished pods release their sandbox (and IP) but keep their containers.
  t.is(runtime.inspect({ pod: 'never-ok' }).length, 1);
  t.deepEqual((await runtime.listPodSandboxes({ podUid: ok.metadata.uid! })).map((s) => s.state), ['notready']);
});

test('init containers run in order, each to completion, before the containers', async (t) => {
  const { client } = await kubeletLab(t);
  const runtime = new FakeRuntime();
  runtime.script({ container: 'init-a' }, { exitAfterMs: 30, exitCode: 0 });
  runtime.script({ container: 'init-b' }, { exitAfterMs: 30, exitCode: 0 });
  await testKubelet(t, client, { nodeName: 'w1', ...fast, runtime });
  await createBoundPod(client, podSpec('init', { initContainers: [{ name: 'init-a', image: 'busybox:1' }, { name: 'init-b', image: 'busybox:1' }] }), 'w1');
  const pod = await waitForPod(client, 'default', 'init', isRunningReady, 'init pod running');
  t.deepEqual(pod.status?.initContainerStatuses?.map((s) => [s.name, s.state?.terminated?.reason, s.ready]), [
    ['init-a', 'Completed', true],
    ['init-b', 'Completed', true],
  ]);
  const [a, b, web] = ['init-a', 'init-b', 'web'].map((c) => runtime.inspect({ container: c })[0]!);
  t.true(a!.finishedAt! <= b!.startedAt!);
  t.true(b!.finishedAt! <= web!.startedAt!);
});

test('a failed pull waits in ErrImagePull, then ImagePullBackOff', async (t) => {
  const { client } = await kubeletLab(t);
  const runtime = new FakeRuntime();
  runtime.failImage('nope:1', 'pull access denied for nope, repository does not exist');
  await testKubelet(t, client, { nodeName: 'w1', ...fast, restartBackoffBaseMs: 2000, restartBackoffMaxMs: 4000, runtime });
  await createBoundPod(client, podSpec('pull', { containers: [{ name: 'web', image: 'nope:1' }] }), 'w1');
  const first = await waitForPod(client, 'default', 'pull', (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ErrImagePull', 'ErrImagePull');
  t.is(first.status?.containerStatuses?.[0]?.state?.waiting?.message, 'pull access denied for nope, repository does not exist');
  t.is(first.status?.phase, 'Pending');
  // Any update of the pod makes the kubelet look again; within the back-off it does not pull.
  let poke = 0;
  const backoff = await eventually(
    async () => {
      const p = await client.resource<Pod>('Pod').patch('default', 'pull', { metadata: { labels: { poke: String(++poke) } } }, 'merge');
      return p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ImagePullBackOff' ? p : undefined;
    },
    { message: 'ImagePullBackOff', intervalMs: 50 },
  );
  t.is(backoff.status?.containerStatuses?.[0]?.state?.waiting?.message, 'Back-off pulling image "nope:1"');
});

test('a failed pull shows ImagePullBackOff on its own, with a BackOff event, and is pulled again after the back-off', async (t) => {
  const { client } = await kubeletLab(t);
  const runtime = new FakeRuntime();
  runtime.failImage('nope:2', 'pull access denied for nope, repository does not exist');
  await testKubelet(t, client, { nodeName: 'w1', ...fast, restartBackoffBaseMs: 1000, restartBackoffMaxMs: 2000, runtime });
  await createBoundPod(client, podSpec('pull2', { containers: [{ name: 'web', image: 'nope:2' }] }), 'w1');
  // Nothing touches the pod: the kubelet looks again within the back-off by itself, as Kubernetes' pod worker does.
  const reasons = new Set<string>();
  await eventually(
    async () => {
      const p = await client.resource<Pod>('Pod').get('default', 'pull2');
      const r = p.status?.containerStatuses?.[0]?.state?.waiting?.reason;
      if (r) reasons.add(r);
      return reasons.has('ImagePullBackOff') && reasons.has('ErrImagePull') ? true : undefined;
    },
    { message: 'ErrImagePull, then ImagePullBackOff', intervalMs: 50, timeoutMs: 10_000 },
  );
  const events = await eventually(async () => {
    const list = await client.resource<Event>('Event').list('default', { fieldSelector: 'involvedObject.name=pull2' });
    const pulls = list.items.filter((e) => e.reason === 'Pulling').reduce((n, e) => n + (e.count ?? 1), 0);
    return list.items.some((e) => e.reason === 'BackOff' && e.message === 'Back-off pulling image "nope:2"') && pulls >= 2 ? list.items : undefined;
  }, { message: 'a BackOff event and a second pull', timeoutMs: 10_000 });
  t.true(events.some((e) => e.reason === 'Failed' && e.message === 'Error: ImagePullBackOff'));
});

test('graceful deletion stops the containers, then removes the pod object', async (t) => {
  const { client } = await kubeletLab(t);
  const { runtime } = await testKubelet(t, client, { nodeName: 'w1', ...fast });
  const created = await createBoundPod(client, podSpec('web-1'), 'w1');
  await waitForPod(client, 'default', 'web-1', isRunningReady, 'web-1 running');
  const pods = client.resource<Pod>('Pod');
  const ac = new AbortController();
  t.teardown(() => ac.abort());
  const seen: string[] = [];
  const watching = (async () => {
    for await (const ev of pods.watch('default', { resourceVersion: created.metadata.resourceVersion!, fieldSelector: 'metadata.name=web-1', signal: ac.signal })) {
      const cs = ev.object.status?.containerStatuses?.[0]?.state;
      seen.push(`${ev.type} ${ev.object.metadata.deletionTimestamp ? 'deleting' : 'live'} ${ev.object.status?.phase} ${cs?.terminated ? 'terminated' : cs?.running ? 'running' : 'waiting'}`);
      if (ev.type === 'DELETED') return;
    }
  })();
  const marked = (await pods.delete('default', 'web-1')) as Pod;
  t.truthy(marked.metadata.deletionTimestamp);
  t.is(marked.metadata.deletionGracePeriodSeconds, 5);
  await watching;
  // The kubelet stopped the container and reported it before it finished the delete.
  t.deepEqual(seen.slice(-3), ['MODIFIED deleting Running running', 'MODIFIED deleting Succeeded terminated', 'DELETED deleting Succeeded terminated']);
  t.is(runtime.counters.containersStopped, 1);
  t.deepEqual(runtime.inspect({ podUid: created.metadata.uid! }), []);
  t.deepEqual(await runtime.listPodSandboxes({ podUid: created.metadata.uid! }), []);
});

test('a force-deleted pod has its containers stopped and removed', async (t) => {
  const { client } = await kubeletLab(t);
  const { runtime } = await testKubelet(t, client, { nodeName: 'w1', ...fast });
  const created = await createBoundPod(client, podSpec('web-1'), 'w1');
  await waitForPod(client, 'default', 'web-1', isRunningReady, 'web-1 running');
  await client.resource<Pod>('Pod').delete('default', 'web-1', { gracePeriodSeconds: 0 });
  await eventually(async () => (await runtime.listPodSandboxes({ podUid: created.metadata.uid! })).length === 0, { message: 'sandbox removed' });
  t.is(runtime.counters.containersStopped, 1);
  t.deepEqual(runtime.inspect({ podUid: created.metadata.uid! }), []);
});

test('a restarted kubelet adopts running containers without restarting or rewriting them, and cleans up pods deleted while it was down', async (t) => {
  const { client } = await kubeletLab(t);
  const runtime = new FakeRuntime();
  const first = await testKubelet(t, client, { nodeName: 'w1', ...fast, runtime });
  await createBoundPod(client, podSpec('keep'), 'w1');
  const gone = await createBoundPod(client, podSpec('gone'), 'w1');
  const kept = await waitForPod(client, 'default', 'keep', isRunningReady, 'keep running');
  await waitForPod(client, 'default', 'gone', isRunningReady, 'gone running');
  await first.kubelet.close();
  const before = { ...runtime.counters };
  await client.resource<Pod>('Pod').delete('default', 'gone', { gracePeriodSeconds: 0 });

  const second = await testKubelet(t, client, { nodeName: 'w1', ...fast, runtime });
  await eventually(async () => (await runtime.listPodSandboxes({ podUid: gone.metadata.uid! })).length === 0, { message: 'orphan removed' });
  await second.kubelet.pods.idle();
  const after = await client.resource<Pod>('Pod').get('default', 'keep');
  t.is(after.metadata.resourceVersion, kept.metadata.resourceVersion, 'no status write for the adopted pod');
  t.is(runtime.counters.containersCreated, before.containersCreated);
  t.is(runtime.counters.containersStarted, before.containersStarted);
  t.is(runtime.counters.sandboxesCreated, before.sandboxesCreated);
  t.is(runtime.inspect({ pod: 'keep' }).filter((c) => c.state === 'running').length, 1);
  const [adopted] = await runtime.listContainers({ podUid: kept.metadata.uid!, state: 'running' });
  t.regex(adopted?.annotations['io.kubernetes.container.hash'] ?? '', /^[0-9a-f]+$/, 'the spec hash is kept with the container');
});
