/** Decisions on informer events and on the PodScheduled condition. */
import test from 'ava';
import type { Node } from '../../../src/api/types.js';
import { needsScheduling, nodeChangedForScheduling } from '../../../src/control/scheduler/changes.js';
import { podScheduledCondition } from '../../../src/control/scheduler/status.js';
import { node, pod } from './fixtures.js';

const base = node({ name: 'n', labels: { zone: 'a' } });
const nodeRows: { name: string; change: (n: Node) => void; want: boolean }[] = [
  { name: 'a heartbeat', change: (n) => (n.status!.conditions![0]!.lastHeartbeatTime = '2026-01-01T00:00:10Z'), want: false },
  { name: 'a new resourceVersion', change: (n) => (n.metadata.resourceVersion = '99'), want: false },
  { name: 'Ready going False', change: (n) => (n.status!.conditions![0]!.status = 'False'), want: true },
  { name: 'more allocatable cpu', change: (n) => (n.status!.allocatable!.cpu = '8'), want: true },
  { name: 'a new label', change: (n) => (n.metadata.labels!.disk = 'ssd'), want: true },
  { name: 'a taint', change: (n) => (n.spec.taints = [{ key: 'k', effect: 'NoSchedule' }]), want: true },
  { name: 'cordoned', change: (n) => (n.spec.unschedulable = true), want: true },
  { name: 'a new condition type', change: (n) => n.status!.conditions!.push({ type: 'MemoryPressure', status: 'False' }), want: true },
];
for (const r of nodeRows) {
  test(`nodeChangedForScheduling(): ${r.name} is ${r.want ? '' : 'not '}a change`, (t) => {
    const changed = structuredClone(base);
    r.change(changed);
    t.is(nodeChangedForScheduling(base, changed), r.want);
  });
}

test('needsScheduling() takes pending pods of this scheduler or of none', (t) => {
  t.true(needsScheduling(pod({}), 'default-scheduler'));
  t.false(needsScheduling(pod({ schedulerName: 'other' }), 'default-scheduler'));
  t.true(needsScheduling(pod({ schedulerName: 'other' }), 'other'));
  t.false(needsScheduling(pod({ nodeName: 'n' }), 'default-scheduler'));
  const failed = pod({});
  failed.status = { phase: 'Failed' };
  t.false(needsScheduling(failed, 'default-scheduler'));
});

const NOW = Date.parse('2026-03-01T10:00:00Z');
test('podScheduledCondition() writes a new condition with the time of the transition', (t) => {
  t.deepEqual(podScheduledCondition(pod({}), 'Unschedulable', 'm1', NOW), {
    type: 'PodScheduled',
    status: 'False',
    lastProbeTime: null,
    lastTransitionTime: '2026-03-01T10:00:00Z',
    reason: 'Unschedulable',
    message: 'm1',
  });
});

test('podScheduledCondition() writes nothing for an identical condition and keeps the transition time for a new message', (t) => {
  const p = pod({});
  p.status = { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: 'm1', lastTransitionTime: '2026-03-01T09:00:00Z' }] };
  t.is(podScheduledCondition(p, 'Unschedulable', 'm1', NOW), undefined);
  t.like(podScheduledCondition(p, 'Unschedulable', 'm2', NOW), { message: 'm2', lastTransitionTime: '2026-03-01T09:00:00Z' });
});
