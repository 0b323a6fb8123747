/** The scheduler against a real API server, with Node objects standing in for kubelets. */
import test from 'ava';
import type { Pod } from '../../../src/api/types.js';
import { cpuMillis } from '../../../src/api/quantity.js';
import { eventually } from '../../helpers/eventually.js';
import { lab } from './helpers.js';

const T = { timeoutMs: 15_000 };

function byNode(pods: Pod[]): Map<string, Pod[]> {
  const m = new Map<string, Pod[]>();
  for (const p of pods) {
    const n = p.spec.nodeName ?? '';
    m.set(n, [...(m.get(n) ?? []), p]);
  }
  return m;
}

test('10 pods of one owner are spread across 3 nodes', async (t) => {
  const l = await lab(t);
  for (const name of ['w1', 'w2', 'w3']) await l.addNode({ name });
  const owner = { name: 'web-7d4b9c', uid: '6d3c1f0e-0000-4000-8000-000000000001' };
  await Promise.all(Array.from({ length: 10 }, (_, i) => l.addPod({ name: `web-${i}`, owner })));
  const pods = await eventually(async () => {
    const all = await l.pods();
    return all.every((p) => p.spec.nodeName) && all;
  }, { ...T, message: 'all 10 pods bound' });
  const counts = [...byNode(pods).values()].map((ps) => ps.length).sort();
  t.deepEqual(counts, [3, 3, 4], `pods per node: ${counts.join(', ')}`);
  for (const p of pods) {
    t.like(p.status?.conditions?.find((c) => c.type === 'PodScheduled'), { status: 'True' });
  }
  await eventually(async () => (await l.events('web-0')).some((e) => e.reason === 'Scheduled'), { ...T, message: 'Scheduled event' });
  const scheduled = (await l.events('web-0')).find((e) => e.reason === 'Scheduled')!;
  t.is(scheduled.message, `Successfully assigned default/web-0 to ${pods.find((p) => p.metadata.name === 'web-0')!.spec.nodeName}`);
  t.like(scheduled, { type: 'Normal', source: { component: 'default-scheduler' } });
});

test('a pod too big for every node is Unschedulable with the counted message, then scheduled once a node with room appears', async (t) => {
  const l = await lab(t);
  for (const name of ['w1', 'w2']) await l.addNode({ name, cpu: '2' });
  await l.addNode({ name: 'cp', cpu: '8', taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] });
  await l.addPod({ name: 'big', cpu: '6' });
  const message = '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu.';
  const cond = await eventually(
    async () => (await l.getPod('big')).status?.conditions?.find((c) => c.type === 'PodScheduled'),
    { ...T, message: 'PodScheduled condition' },
  );
  t.like(cond, { status: 'False', reason: 'Unschedulable', message });
  const ev = await eventually(async () => (await l.events('big')).find((e) => e.reason === 'FailedScheduling'), { ...T, message: 'FailedScheduling event' });
  t.like(ev, { type: 'Warning', message, involvedObject: { kind: 'Pod', name: 'big', namespace: 'default' } });
  t.is((await l.getPod('big')).spec.nodeName, undefined);

  await l.addNode({ name: 'big-node', cpu: '16' });
  const bound = await eventually(async () => (await l.getPod('big')).spec.nodeName, { timeoutMs: 5000, message: 'big bound after the node appeared' });
  t.is(bound, 'big-node');
  const after = await l.getPod('big');
  t.like(after.status?.conditions?.find((c) => c.type === 'PodScheduled'), { status: 'True' });
});

test('taints, tolerations and nodeSelector are respected', async (t) => {
  const l = await lab(t);
  await l.addNode({ name: 'db', taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] });
  await l.addNode({ name: 'fast', labels: { disk: 'ssd' } });
  await l.addNode({ name: 'plain' });
  await l.addPod({ name: 'wants-ssd', nodeSelector: { disk: 'ssd' } });
  await l.addPod({ name: 'db-0', nodeSelector: { 'kubernetes.io/hostname': 'db' }, tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }] });
  await l.addPod({ name: 'nvme', nodeSelector: { disk: 'nvme' } });
  await Promise.all(Array.from({ length: 8 }, (_, i) => l.addPod({ name: `plain-${i}` })));

  const pods = await eventually(async () => {
    const all = await l.pods();
    return all.filter((p) => p.metadata.name !== 'nvme').every((p) => p.spec.nodeName) && all;
  }, { ...T, message: 'all but nvme bound' });
  const on = (name: string) => pods.find((p) => p.metadata.name === name)!.spec.nodeName;
  t.is(on('wants-ssd'), 'fast');
  t.is(on('db-0'), 'db');
  for (let i = 0; i < 8; i++) t.not(on(`plain-${i}`), 'db', `plain-${i} must not land on the tainted node`);
  const cond = await eventually(async () => (await l.getPod('nvme')).status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False'), T);
  t.is(cond.message, "0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: db}, 2 node(s) didn't match Pod's node affinity/selector.");
});

test('200 pods created at once on nodes with room for exactly 200 all fit and no node is over-committed', async (t) => {
  const l = await lab(t);
  const nodes = [
    { name: 'n1', cpu: '3' },
    { name: 'n2', cpu: '4' },
    { name: 'n3', cpu: '6' },
    { name: 'n4', cpu: '7' },
  ];
  for (const n of nodes) await l.addNode(n);
  const names = Array.from({ length: 200 }, (_, i) => `p-${i}`);
  await Promise.all(names.map((name) => l.addPod({ name, cpu: '100m' })));
  const pods = await eventually(async () => {
    const all = await l.pods();
    return all.length === 200 && all.every((p) => p.spec.nodeName) && all;
  }, { timeoutMs: 30_000, message: 'all 200 pods bound' });
  const perNode = byNode(pods);
  for (const n of nodes) {
    const requested = (perNode.get(n.name) ?? []).reduce((sum, p) => sum + cpuMillis(p.spec.containers[0]!.resources!.requests!.cpu!), 0);
    t.true(requested <= cpuMillis(n.cpu), `${n.name}: ${requested}m requested of ${n.cpu}`);
  }
  t.is(pods.length, 200);

  await l.addPod({ name: 'one-too-many', cpu: '100m' });
  const cond = await eventually(async () => (await l.getPod('one-too-many')).status?.conditions?.find((c) => c.type === 'PodScheduled'), T);
  t.like(cond, { status: 'False', reason: 'Unschedulable', message: '0/4 nodes are available: 4 Insufficient cpu.' });

  const text = await l.scheduler.metrics.metrics();
  t.regex(text, /scheduler_schedule_attempts_total\{profile="default-scheduler",result="scheduled"\} 200/);
  t.regex(text, /scheduler_pending_pods\{queue="unschedulable"\} 1/);
  const latencies = [...text.matchAll(/scheduler_pod_scheduling_duration_seconds_count\{attempts="\d+"\} (\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
  t.is(latencies, 200, 'one end-to-end latency per pod bound');
});
