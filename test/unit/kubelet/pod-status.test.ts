/** Pure pod status: phase per restartPolicy, container statuses, conditions. */
import test from 'ava';
import type { ContainerStatus, Pod, PodPhase } from '../../../src/api/types.js';
import type { ContainerStatusInfo } from '../../../src/worker/kubelet/runtime.js';
import { containerStatusOf, generatePodStatus, podPhase } from '../../../src/worker/kubelet/status/pod-status.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');

function pod(o: Partial<Pod['spec']> = {}, status?: Pod['status']): Pod {
  return { metadata: { name: 'web-1', namespace: 'default', uid: 'u1' }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }], restartPolicy: 'Always', ...o }, ...(status ? { status } : {}) };
}

let seq = 0;
function ctr(name: string, state: ContainerStatusInfo['state'], o: Partial<ContainerStatusInfo> = {}): ContainerStatusInfo {
  seq++;
  return {
    id: `id${seq}`,
    sandboxId: 'sb',
    pod: { uid: 'u1', name: 'web-1', namespace: 'default' },
    metadata: { name, attempt: o.metadata?.attempt ?? 0 },
    image: 'nginx:1.27',
    imageRef: 'sha256:abc',
    state,
    createdAt: T0 + seq,
    labels: {},
    annotations: {},
    ...(state !== 'created' ? { startedAt: T0 + 1000 } : {}),
    ...(state === 'exited' ? { finishedAt: T0 + 2000, exitCode: 0, reason: 'Completed' } : {}),
    ...o,
  };
}

const running = (name: string): ContainerStatus => ({ name, state: { running: {} }, ready: true, restartCount: 0, image: '', imageID: '' });
const exited = (name: string, exitCode: number): ContainerStatus => ({ name, state: { terminated: { exitCode } }, ready: false, restartCount: 0, image: '', imageID: '' });
const waiting = (name: string, lastExit?: number): ContainerStatus => ({
  name,
  state: { waiting: { reason: 'CrashLoopBackOff' } },
  ...(lastExit !== undefined ? { lastState: { terminated: { exitCode: lastExit } } } : {}),
  ready: false,
  restartCount: 0,
  image: '',
  imageID: '',
});

const two = { containers: [{ name: 'a' }, { name: 'b' }] };
const phaseCases: [string, Partial<Pod['spec']>, ContainerStatus[], ContainerStatus[], boolean, PodPhase][] = [
  ['nothing started yet', {}, [], [], false, 'Pending'],
  ['a container waiting to be created', {}, [], [waiting('web')], false, 'Pending'],
  ['all running', two, [], [running('a'), running('b')], false, 'Running'],
  ['one running, one unknown', two, [], [running('a')], false, 'Pending'],
  ['Always: all exited is still Running (restarting)', { ...two, restartPolicy: 'Always' }, [], [exited('a', 0), exited('b', 1)], false, 'Running'],
  ['OnFailure: all exited 0 is Succeeded', { ...two, restartPolicy: 'OnFailure' }, [], [exited('a', 0), exited('b', 0)], false, 'Succeeded'],
  ['OnFailure: a failure restarts: Running', { ...two, restartPolicy: 'OnFailure' }, [], [exited('a', 0), exited('b', 1)], false, 'Running'],
  ['Never: all exited 0 is Succeeded', { ...two, restartPolicy: 'Never' }, [], [exited('a', 0), exited('b', 0)], false, 'Succeeded'],
  ['Never: a failure is Failed', { ...two, restartPolicy: 'Never' }, [], [exited('a', 0), exited('b', 1)], false, 'Failed'],
  ['Never: one still running is Running', { ...two, restartPolicy: 'Never' }, [], [running('a'), exited('b', 1)], false, 'Running'],
  ['CrashLoopBackOff after an exit counts as stopped', { restartPolicy: 'Always' }, [], [waiting('web', 1)], false, 'Running'],
  ['init container running: Pending', { initContainers: [{ name: 'i' }] }, [running('i')], [], false, 'Pending'],
  ['init container failed, Never: Failed', { initContainers: [{ name: 'i' }], restartPolicy: 'Never' }, [exited('i', 1)], [], false, 'Failed'],
  ['init container failed, OnFailure: Pending (it restarts)', { initContainers: [{ name: 'i' }], restartPolicy: 'OnFailure' }, [exited('i', 1)], [waiting('web')], false, 'Pending'],
  ['init done, containers running', { initContainers: [{ name: 'i' }] }, [exited('i', 0)], [running('web')], false, 'Running'],
  ['terminal (deleted), Always, exit 0: Succeeded', { restartPolicy: 'Always' }, [], [exited('web', 0)], true, 'Succeeded'],
  ['terminal (deleted), Always, exit 143: Failed', { restartPolicy: 'Always' }, [], [exited('web', 143)], true, 'Failed'],
  ['terminal before anything ran: Failed', {}, [], [waiting('web')], true, 'Failed'],
];
for (const [name, spec, inits, statuses, terminal, want] of phaseCases) {
  test(`podPhase: ${name}`, (t) => {
    const p = pod({ ...spec, containers: (spec.containers ?? [{ name: 'web' }]).map((c) => ({ image: 'x', ...c })) });
    t.is(podPhase(p, inits, statuses, terminal), want);
  });
}

test('containerStatusOf: no container yet waits in ContainerCreating (PodInitializing with init containers)', (t) => {
  const spec = { name: 'web', image: 'nginx:1.27' };
  t.deepEqual(containerStatusOf(spec, [], { isInit: false, defaultReason: 'ContainerCreating', runtimeName: 'fake' }), {
    name: 'web',
    state: { waiting: { reason: 'ContainerCreating' } },
    lastState: {},
    ready: false,
    restartCount: 0,
    image: 'nginx:1.27',
    imageID: '',
    started: false,
  });
  t.deepEqual(containerStatusOf(spec, [], { isInit: false, defaultReason: 'PodInitializing', runtimeName: 'fake' }).state, { waiting: { reason: 'PodInitializing' } });
});

test('containerStatusOf: a restarted container shows its attempt as restartCount and the previous exit as lastState', (t) => {
  const old = ctr('web', 'exited', { metadata: { name: 'web', attempt: 0 }, exitCode: 2, reason: 'Error' });
  const cur = ctr('web', 'running', { metadata: { name: 'web', attempt: 1 }, startedAt: T0 + 5000 });
  const s = containerStatusOf({ name: 'web', image: 'nginx:1.27' }, [old, cur], { isInit: false, defaultReason: 'ContainerCreating', runtimeName: 'fake' });
  t.is(s.restartCount, 1);
  t.deepEqual(s.state, { running: { startedAt: '2026-01-01T00:00:05Z' } });
  t.deepEqual(s.lastState, {
    terminated: { exitCode: 2, reason: 'Error', startedAt: '2026-01-01T00:00:01Z', finishedAt: '2026-01-01T00:00:02Z', containerID: `fake://${old.id}` },
  });
  t.is(s.containerID, `fake://${cur.id}`);
  t.true(s.ready);
  t.true(s.started);
});

test('containerStatusOf: image is the running container\'s, not the spec\'s, until a container of the new spec exists', (t) => {
  const spec = { name: 'web', image: 'alpine' };
  const opts = { isInit: false, defaultReason: 'ContainerCreating', runtimeName: 'fake' };
  const old = ctr('web', 'running', { image: 'busybox', imageRef: 'sha256:busybox' });
  t.like(containerStatusOf(spec, [old], opts), { image: 'busybox', imageID: 'sha256:busybox' }, 'the spec changed, the container not yet');
  const cur = ctr('web', 'running', { metadata: { name: 'web', attempt: 1 }, image: 'alpine', imageRef: 'sha256:alpine' });
  t.like(containerStatusOf(spec, [{ ...old, state: 'exited', exitCode: 137 }, cur], opts), { image: 'alpine', imageID: 'sha256:alpine', restartCount: 1 });
  t.like(containerStatusOf(spec, [], opts), { image: 'alpine', imageID: '' }, 'no container yet: the spec\'s image');
});

test('containerStatusOf: a reason from the sync turns an exited container into waiting with its exit as lastState', (t) => {
  const c = ctr('web', 'exited', { exitCode: 1, reason: 'Error' });
  const s = containerStatusOf({ name: 'web', image: 'x' }, [c], { isInit: false, defaultReason: 'ContainerCreating', runtimeName: 'fake', waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s ...' } });
  t.deepEqual(s.state, { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s ...' } });
  t.is(s.lastState?.terminated?.exitCode, 1);
  t.false(s.ready);
});

test('containerStatusOf: probes decide readiness and started; an init container is ready only once completed', (t) => {
  const c = ctr('web', 'running');
  const notReady = containerStatusOf({ name: 'web' }, [c], { isInit: false, defaultReason: 'ContainerCreating', runtimeName: 'fake', probes: { ready: () => false } });
  t.false(notReady.ready);
  t.true(notReady.started);
  const notStarted = containerStatusOf({ name: 'web' }, [c], { isInit: false, defaultReason: 'ContainerCreating', runtimeName: 'fake', probes: { started: () => false } });
  t.false(notStarted.started);
  t.false(notStarted.ready);
  t.false(containerStatusOf({ name: 'i' }, [ctr('i', 'running')], { isInit: true, defaultReason: 'PodInitializing', runtimeName: 'fake' }).ready);
  t.true(containerStatusOf({ name: 'i' }, [ctr('i', 'exited')], { isInit: true, defaultReason: 'PodInitializing', runtimeName: 'fake' }).ready);
  t.false(containerStatusOf({ name: 'i' }, [ctr('i', 'exited', { exitCode: 1 })], { isInit: true, defaultReason: 'PodInitializing', runtimeName: 'fake' }).ready);
});

const base = { hostIPs: ['10.0.0.1'], runtimeName: 'fake' } as const;

test('generatePodStatus: a running pod is Running with every condition True, IPs and start time', (t) => {
  const s = generatePodStatus({ ...base, pod: pod(), sandbox: { ready: true, ips: ['127.64.0.2'] }, containers: [ctr('web', 'running')], now: T0 + 9000 });
  t.is(s.phase, 'Running');
  t.deepEqual(s.conditions?.map((c) => [c.type, c.status, c.lastTransitionTime]), [
    ['PodReadyToStartContainers', 'True', '2026-01-01T00:00:09Z'],
    ['Initialized', 'True', '2026-01-01T00:00:09Z'],
    ['Ready', 'True', '2026-01-01T00:00:09Z'],
    ['ContainersReady', 'True', '2026-01-01T00:00:09Z'],
    ['PodScheduled', 'True', '2026-01-01T00:00:09Z'],
  ]);
  t.is(s.podIP, '127.64.0.2');
  t.deepEqual(s.podIPs, [{ ip: '127.64.0.2' }]);
  t.is(s.hostIP, '10.0.0.1');
  t.deepEqual(s.hostIPs, [{ ip: '10.0.0.1' }]);
  t.is(s.startTime, '2026-01-01T00:00:09Z');
  t.is(s.initContainerStatuses, undefined);
});

test('generatePodStatus: transition times and start time are kept while nothing changes', (t) => {
  const first = generatePodStatus({ ...base, pod: pod(), sandbox: { ready: true, ips: ['127.64.0.2'] }, containers: [ctr('web', 'running')], now: T0 });
  const again = generatePodStatus({ ...base, pod: pod({}, first), sandbox: { ready: true, ips: ['127.64.0.2'] }, containers: [ctr('web', 'running')], now: T0 + 60_000 });
  t.deepEqual(again.conditions, first.conditions);
  t.is(again.startTime, first.startTime);
  const unready = generatePodStatus({ ...base, pod: pod({}, first), sandbox: { ready: true, ips: ['127.64.0.2'] }, containers: [ctr('web', 'running')], probes: { ready: () => false }, now: T0 + 60_000 });
  const ready = unready.conditions!.find((c) => c.type === 'Ready')!;
  t.like(ready, { status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [web]', lastTransitionTime: '2026-01-01T00:01:00Z' });
  t.is(unready.conditions!.find((c) => c.type === 'PodScheduled')!.lastTransitionTime, '2026-01-01T00:00:00Z');
});

test('generatePodStatus: init containers in progress leave the pod uninitialised, containers PodInitializing', (t) => {
  const p = pod({ initContainers: [{ name: 'setup', image: 'busybox' }, { name: 'migrate', image: 'busybox' }] });
  const s = generatePodStatus({ ...base, pod: p, sandbox: { ready: true, ips: ['127.64.0.2'] }, containers: [ctr('setup', 'exited'), ctr('migrate', 'running')], now: T0 });
  t.is(s.phase, 'Pending');
  t.like(s.conditions!.find((c) => c.type === 'Initialized'), { status: 'False', reason: 'ContainersNotInitialized', message: 'containers with incomplete status: [migrate]' });
  t.deepEqual(s.containerStatuses![0]!.state, { waiting: { reason: 'PodInitializing' } });
  t.deepEqual(s.initContainerStatuses!.map((c) => c.ready), [true, false]);
});

test('generatePodStatus: a completed pod is Succeeded with PodCompleted readiness and keeps its IP after the sandbox stops', (t) => {
  const p = pod({ restartPolicy: 'Never' }, { podIP: '127.64.0.9', podIPs: [{ ip: '127.64.0.9' }] });
  const s = generatePodStatus({ ...base, pod: p, sandbox: { ready: false, ips: [] }, containers: [ctr('web', 'exited')], now: T0 });
  t.is(s.phase, 'Succeeded');
  t.like(s.conditions!.find((c) => c.type === 'Ready'), { status: 'False', reason: 'PodCompleted' });
  t.like(s.conditions!.find((c) => c.type === 'ContainersReady'), { status: 'False', reason: 'PodCompleted' });
  t.like(s.conditions!.find((c) => c.type === 'PodReadyToStartContainers'), { status: 'False' });
  t.is(s.podIP, '127.64.0.9');
});

test('generatePodStatus: a host-network pod has the node IPs; readiness gates hold Ready back', (t) => {
  const p = pod({ hostNetwork: true, readinessGates: [{ conditionType: 'example.com/lb' }] });
  const s = generatePodStatus({ ...base, pod: p, sandbox: { ready: true, ips: [] }, containers: [ctr('web', 'running')], now: T0 });
  t.deepEqual(s.podIPs, [{ ip: '10.0.0.1' }]);
  t.like(s.conditions!.find((c) => c.type === 'Ready'), { status: 'False', reason: 'ReadinessGatesNotReady', message: 'corresponding condition of pod readiness gate "example.com/lb" does not exist.' });
  t.like(s.conditions!.find((c) => c.type === 'ContainersReady'), { status: 'True' });
});
