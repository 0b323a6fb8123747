/** Node object and status: labels, conditions, change detection, report timing. */
import test from 'ava';
import type { Node } from '../../../src/api/types.js';
import { buildNode, goArch, labelsToReconcile, nodeConditions, nodeReportDue, nodeStatusChanged, nodeStatusOf, runtimeNotReadyMessage, type NodeConfig } from '../../../src/worker/kubelet/node/node-status.js';
import { prettyName } from '../../../src/worker/kubelet/node/system-info.js';
import type { RuntimeCondition } from '../../../src/worker/kubelet/runtime.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const cfg: NodeConfig = {
  name: 'w1',
  ip: '10.0.0.5',
  capacity: { cpu: '4', memory: '8Gi', pods: '110' },
  role: 'worker',
  labels: { zone: 'a' },
  taints: [{ key: 'dedicated', value: 'lab', effect: 'NoSchedule' }],
  kubeletPort: 10250,
  containerRuntimeVersion: 'fake://0.1.0',
  arch: 'amd64',
};
const up: RuntimeCondition[] = [
  { type: 'RuntimeReady', status: true },
  { type: 'NetworkReady', status: true },
];

test('buildNode: labels, taints, capacity, addresses, endpoints and node info', (t) => {
  const n = buildNode(cfg, up, T0);
  t.deepEqual(n.metadata.labels, {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': 'w1',
    'kubernetes.io/os': 'linux',
    'node-role.kubernetes.io/worker': '',
    zone: 'a',
  });
  t.deepEqual(n.spec.taints, [{ key: 'dedicated', value: 'lab', effect: 'NoSchedule' }]);
  t.deepEqual(n.status?.allocatable, cfg.capacity);
  t.deepEqual(n.status?.addresses, [
    { type: 'InternalIP', address: '10.0.0.5' },
    { type: 'Hostname', address: 'w1' },
  ]);
  t.deepEqual(n.status?.daemonEndpoints, { kubeletEndpoint: { Port: 10250 } });
  t.like(n.status?.nodeInfo, { kubeletVersion: 'v1.32.0-kubelab', containerRuntimeVersion: 'fake://0.1.0', operatingSystem: 'linux', architecture: 'amd64' });
});

test('nodeConditions: pressure conditions False and Ready True with the kubelet reasons', (t) => {
  t.deepEqual(nodeConditions(up, T0, undefined), [
    { type: 'MemoryPressure', status: 'False', lastHeartbeatTime: '2026-01-01T00:00:00Z', lastTransitionTime: '2026-01-01T00:00:00Z', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
    { type: 'DiskPressure', status: 'False', lastHeartbeatTime: '2026-01-01T00:00:00Z', lastTransitionTime: '2026-01-01T00:00:00Z', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
    { type: 'PIDPressure', status: 'False', lastHeartbeatTime: '2026-01-01T00:00:00Z', lastTransitionTime: '2026-01-01T00:00:00Z', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
    { type: 'Ready', status: 'True', lastHeartbeatTime: '2026-01-01T00:00:00Z', lastTransitionTime: '2026-01-01T00:00:00Z', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
  ]);
});

test('nodeConditions: heartbeats move, transition times stay until the status changes', (t) => {
  const first = nodeConditions(up, T0, undefined);
  const later = nodeConditions(up, T0 + 60_000, first);
  t.is(later[3]!.lastHeartbeatTime, '2026-01-01T00:01:00Z');
  t.is(later[3]!.lastTransitionTime, '2026-01-01T00:00:00Z');
  const down = nodeConditions([{ type: 'RuntimeReady', status: false, message: 'dial unix /run/docker.sock: no such file' }, up[1]!], T0 + 120_000, later);
  t.like(down[3], { status: 'False', reason: 'KubeletNotReady', message: 'container runtime is down: dial unix /run/docker.sock: no such file', lastTransitionTime: '2026-01-01T00:02:00Z' });
  t.is(down[0]!.lastTransitionTime, '2026-01-01T00:00:00Z');
});

const notReady: [string, RuntimeCondition[] | undefined, string | undefined][] = [
  ['runtime and network ready', up, undefined],
  ['no runtime status yet', undefined, 'container runtime status check may not have completed yet'],
  ['runtime down', [{ type: 'RuntimeReady', status: false }, up[1]!], 'container runtime is down'],
  ['network down', [up[0]!, { type: 'NetworkReady', status: false, reason: 'NetworkPluginNotReady', message: 'cni not initialized' }], 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:cni not initialized'],
];
for (const [name, conds, want] of notReady) {
  test(`runtimeNotReadyMessage: ${name}`, (t) => {
    t.is(runtimeNotReadyMessage(conds), want);
  });
}

test('nodeStatusChanged ignores heartbeats and conditions of others, and sees real changes', (t) => {
  const current = nodeStatusOf(cfg, up, T0);
  current.conditions!.push({ type: 'NetworkUnavailable', status: 'False', reason: 'RouteCreated' });
  t.false(nodeStatusChanged(current, nodeStatusOf(cfg, up, T0 + 30_000, current)));
  t.true(nodeStatusChanged(current, nodeStatusOf({ ...cfg, capacity: { ...cfg.capacity, pods: '50' } }, up, T0, current)));
  t.true(nodeStatusChanged(current, nodeStatusOf(cfg, [{ type: 'RuntimeReady', status: false }, up[1]!], T0, current)));
  const unknown = structuredClone(current);
  unknown.conditions!.find((c) => c.type === 'Ready')!.status = 'Unknown';
  t.true(nodeStatusChanged(unknown, nodeStatusOf(cfg, up, T0, unknown)), 'the node controller marked it Unknown');
  t.true(nodeStatusChanged(undefined, current));
});

test('nodeReportDue: on a change, on the first report, or when the report frequency has passed', (t) => {
  const freq = 300_000;
  t.true(nodeReportDue(true, T0, T0 + 1, freq));
  t.true(nodeReportDue(false, undefined, T0, freq));
  t.false(nodeReportDue(false, T0, T0 + freq - 1, freq));
  t.true(nodeReportDue(false, T0, T0 + freq, freq));
});

test('labelsToReconcile: the kubelet restores the labels it owns on an existing Node', (t) => {
  const n: Node = { metadata: { name: 'w1', labels: { ...buildNode(cfg, up, T0).metadata.labels, extra: 'kept' } }, spec: {} };
  t.is(labelsToReconcile(n, cfg), undefined);
  n.metadata.labels!['kubernetes.io/hostname'] = 'other';
  delete n.metadata.labels!.zone;
  t.deepEqual(labelsToReconcile(n, cfg), { 'kubernetes.io/hostname': 'w1', zone: 'a' });
});

test("goArch maps Node.js architectures to Go's, and PRETTY_NAME is read from os-release", (t) => {
  t.is(goArch('x64'), 'amd64');
  t.is(goArch('arm64'), 'arm64');
  t.is(prettyName('NAME="Debian GNU/Linux"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n'), 'Debian GNU/Linux 12 (bookworm)');
  t.is(prettyName('NAME=x'), '');
});
