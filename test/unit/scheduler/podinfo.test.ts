/** What the scheduler reads off a pod: the effective request with init containers, non-zero requests, ports, owner. */
import test from 'ava';
import { podInfoOf, podRequests, DEFAULT_MEMORY_REQUEST } from '../../../src/control/scheduler/podinfo.js';
import { container, pod } from './fixtures.js';

const MI = 1024 * 1024;

const rows: { name: string; containers: ReturnType<typeof container>[]; init?: ReturnType<typeof container>[]; cpu: number; memory: number; nzCpu: number; nzMemory: number }[] = [
  { name: 'one container', containers: [container('a', '250m', '64Mi')], cpu: 250, memory: 64 * MI, nzCpu: 250, nzMemory: 64 * MI },
  { name: 'containers add up', containers: [container('a', '250m', '64Mi'), container('b', '1', '1Gi')], cpu: 1250, memory: 1088 * MI, nzCpu: 1250, nzMemory: 1088 * MI },
  { name: 'no requests: zero, and the scorer defaults', containers: [container('a')], cpu: 0, memory: 0, nzCpu: 100, nzMemory: DEFAULT_MEMORY_REQUEST },
  { name: 'an explicit zero stays zero for the scorer', containers: [container('a', '0', '0')], cpu: 0, memory: 0, nzCpu: 0, nzMemory: 0 },
  {
    name: 'an init container larger than the sum wins',
    containers: [container('a', '100m', '100Mi'), container('b', '100m', '100Mi')],
    init: [container('i', '500m', '50Mi')],
    cpu: 500,
    memory: 200 * MI,
    nzCpu: 500,
    nzMemory: 200 * MI,
  },
  {
    name: 'init containers do not add up: the largest counts',
    containers: [container('a', '100m')],
    init: [container('i1', '300m'), container('i2', '200m')],
    cpu: 300,
    memory: 0,
    nzCpu: 300,
    nzMemory: DEFAULT_MEMORY_REQUEST,
  },
  {
    name: 'a restartable (sidecar) init container adds to the containers and to later init containers',
    containers: [container('a', '100m')],
    init: [container('sidecar', '50m', undefined, 'Always'), container('i', '400m')],
    cpu: 450,
    memory: 0,
    nzCpu: 450,
    // The sidecar without a memory request counts the default too, as it keeps running.
    nzMemory: 2 * DEFAULT_MEMORY_REQUEST,
  },
];

for (const r of rows) {
  test(`podRequests(): ${r.name}`, (t) => {
    const { request, nonZero } = podRequests(pod({ containers: r.containers, ...(r.init ? { initContainers: r.init } : {}) }));
    t.deepEqual(request, { milliCPU: r.cpu, memory: r.memory });
    t.deepEqual(nonZero, { milliCPU: r.nzCpu, memory: r.nzMemory });
  });
}

test('podRequests() adds spec.overhead', (t) => {
  const p = pod({ cpu: '100m', memory: '10Mi' });
  (p.spec as Record<string, unknown>).overhead = { cpu: '10m', memory: '1Mi' };
  t.deepEqual(podRequests(p).request, { milliCPU: 110, memory: 11 * MI });
});

test('podInfoOf() reads host ports, owner, priority and the tolerations that matter', (t) => {
  const info = podInfoOf(
    pod({
      name: 'web-1',
      hostPorts: [{ port: 80 }, { port: 53, protocol: 'UDP', ip: '10.0.0.1' }],
      owner: 'web',
      priority: 7,
      tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }, { key: 'x', effect: 'PreferNoSchedule' }],
    }),
  );
  t.is(info.key, 'default/web-1');
  t.deepEqual(info.hostPorts, [
    { ip: '0.0.0.0', protoPort: 'TCP/80' },
    { ip: '10.0.0.1', protoPort: 'UDP/53' },
  ]);
  t.is(info.ownerUid, 'rs-web');
  t.is(info.priority, 7);
  t.true(info.toleratesUnschedulable);
  t.false(info.toleratesNotReady);
  t.deepEqual(info.preferTolerations, [{ key: 'x', effect: 'PreferNoSchedule' }]);
});

test('podInfoOf() names the pod when a request is not a quantity', (t) => {
  const err = t.throws(() => podInfoOf(pod({ name: 'bad', cpu: 'lots' })));
  t.regex(err!.message, /pod "default\/bad".*"lots"/);
});
