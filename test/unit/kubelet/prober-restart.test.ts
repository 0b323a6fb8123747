/** What probe results make the kubelet do: kill and restart on liveness and startup failures, with which grace period; readiness and started answers; the active deadline. */
import test from 'ava';
import type { Container, Pod } from '../../../src/api/types.js';
import { FakeClock, rfc3339 } from '../../../src/util/clock.js';
import { nullLogger } from '../../../src/util/log.js';
import { activeDeadlineRemainingMs } from '../../../src/worker/kubelet/active-deadline.js';
import { computePodActions } from '../../../src/worker/kubelet/pod-actions.js';
import { probeKillGracePeriod } from '../../../src/worker/kubelet/pod-syncer.js';
import { ProbeManager } from '../../../src/worker/kubelet/prober/manager.js';
import type { ContainerStatusInfo, PodSandbox } from '../../../src/worker/kubelet/runtime.js';
import { generatePodStatus } from '../../../src/worker/kubelet/status/pod-status.js';

const web: Container = { name: 'web', image: 'x', livenessProbe: { exec: { command: ['check'] }, periodSeconds: 10, failureThreshold: 1 } };

function pod(o: Partial<Pod['spec']> = {}): Pod {
  return { metadata: { name: 'p', namespace: 'default', uid: 'u' }, spec: { containers: [web], restartPolicy: 'Always', terminationGracePeriodSeconds: 30, ...o } };
}

const sandbox: PodSandbox = { id: 'sb0', metadata: { uid: 'u', name: 'p', namespace: 'default', attempt: 0 }, state: 'ready', createdAt: 0, ips: ['127.77.0.2'], labels: {} };
const runningWeb: ContainerStatusInfo = {
  id: 'c1',
  sandboxId: 'sb0',
  pod: { uid: 'u', name: 'p', namespace: 'default' },
  metadata: { name: 'web', attempt: 2 },
  image: 'x',
  imageRef: 'r',
  state: 'running',
  createdAt: 1,
  startedAt: 1,
  labels: {},
  annotations: {},
};

test('a container that failed its liveness probe is killed and started again as the next attempt', (t) => {
  const a = computePodActions(pod(), [sandbox], [runningWeb], { failed: (id) => (id === 'c1' ? 'liveness' : undefined) });
  t.deepEqual(a.kill, [{ id: 'c1', container: web, reason: 'liveness', message: 'Container web failed liveness probe, will be restarted' }]);
  t.deepEqual(a.start.map((s) => `${s.container.name}#${s.attempt}<-${s.previous?.id}`), ['web#3<-c1']);
  t.false(a.killPod);
});

test('with restartPolicy Never a failed probe kills the container for good', (t) => {
  const a = computePodActions(pod({ restartPolicy: 'Never' }), [sandbox], [runningWeb], { failed: () => 'startup' });
  t.deepEqual(a.kill.map((k) => k.message), ['Container web failed startup probe']);
  t.deepEqual(a.start, []);
});

test('a healthy running container is left alone', (t) => {
  const a = computePodActions(pod(), [sandbox], [runningWeb], { failed: () => undefined });
  t.deepEqual([a.kill, a.start], [[], []]);
});

test('the kill grace period: deletion grace, else the probe\'s, else the pod\'s; at least 2 s', (t) => {
  const withProbeGrace: Container = { ...web, livenessProbe: { ...web.livenessProbe, terminationGracePeriodSeconds: 5 } };
  t.is(probeKillGracePeriod(pod(), web, 'liveness'), 30);
  t.is(probeKillGracePeriod(pod(), withProbeGrace, 'liveness'), 5);
  t.is(probeKillGracePeriod(pod(), withProbeGrace, 'startup'), 30, 'the liveness probe\'s grace does not apply to a startup kill');
  t.is(probeKillGracePeriod({ ...pod(), metadata: { ...pod().metadata, deletionGracePeriodSeconds: 7 } }, withProbeGrace, 'liveness'), 7);
  t.is(probeKillGracePeriod(pod({ terminationGracePeriodSeconds: 0 }), web, 'liveness'), 2);
});

test('the prober answers readiness and startup only for containers that have those probes', async (t) => {
  const clock = new FakeClock();
  const m = new ProbeManager({ runtime: { execSync: async () => ({ exitCode: 0, stdout: '', stderr: '' }) }, clock, log: nullLogger, onResult: () => {} });
  t.teardown(() => m.close());
  const plain: Container = { name: 'plain' };
  const gated: Container = { name: 'gated', readinessProbe: { exec: { command: ['x'] } }, startupProbe: { exec: { command: ['x'] } } };
  t.is(m.ready('c1', plain), undefined);
  t.is(m.started('c1', plain), undefined);
  t.is(m.failed('c1', plain), undefined);
  t.false(m.ready('c2', gated), 'a readiness probe that has not passed is not ready');
  t.false(m.started('c2', gated));
  m.addPod(pod({ containers: [plain] }));
  t.is(m.podCount, 0, 'a pod without probes needs no workers');
});

test('a pod status made with a prober that says not ready has Ready False and the container not ready', (t) => {
  const p = pod();
  const status = generatePodStatus({
    pod: p,
    sandbox: { ready: true, ips: ['127.77.0.2'] },
    containers: [runningWeb],
    probes: { ready: (id, _c, uid) => (id === 'c1' && uid === 'u' ? false : undefined) },
    hostIPs: ['127.0.0.1'],
    now: 0,
    runtimeName: 'fake',
  });
  t.false(status.containerStatuses![0]!.ready);
  t.like(status.conditions!.find((c) => c.type === 'Ready'), { status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [web]' });
});

test('the active deadline counts from status.startTime', (t) => {
  const start = Date.parse('2026-01-01T00:00:00Z');
  const p = pod({ activeDeadlineSeconds: 30 });
  t.is(activeDeadlineRemainingMs(p, { startTime: rfc3339(start) }, start + 10_000), 20_000);
  t.is(activeDeadlineRemainingMs(p, { startTime: rfc3339(start) }, start + 30_000), 0);
  t.is(activeDeadlineRemainingMs(p, {}, start), undefined, 'not started yet');
  t.is(activeDeadlineRemainingMs(pod(), { startTime: rfc3339(start) }, start), undefined, 'no deadline');
});

test('an evicted pod is Failed with the reason, and its conditions say PodFailed', (t) => {
  const status = generatePodStatus({
    pod: pod(),
    sandbox: { ready: false, ips: [] },
    containers: [{ ...runningWeb, state: 'exited', exitCode: 0, finishedAt: 2 }],
    hostIPs: ['127.0.0.1'],
    now: 0,
    runtimeName: 'fake',
    terminal: true,
    evicted: { reason: 'DeadlineExceeded', message: 'Pod was active on the node longer than the specified deadline' },
  });
  t.is(status.phase, 'Failed');
  t.is(status.reason, 'DeadlineExceeded');
  t.like(status.conditions!.find((c) => c.type === 'Ready'), { status: 'False', reason: 'PodFailed' });
});
