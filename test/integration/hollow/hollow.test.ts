/** Hollow nodes against a real API server: registration, leases, pods, kill and revive. */
import test, { type ExecutionContext } from 'ava';
import type { Lease, Node, Pod } from '../../../src/api/types.js';
import type { Client } from '../../../src/client/rest.js';
import { startHollowNodes, type HollowNodes, type HollowNodesOptions } from '../../../src/worker/hollow/hollow.js';
import { FakeClock } from '../../../src/util/clock.js';
import { eventually } from '../../helpers/eventually.js';
import { createBoundPod, isRunningReady, kubeletLab, podSpec, waitForPod } from '../../helpers/kubelet.js';

async function hollowNodes(t: ExecutionContext, client: Client, o: Partial<HollowNodesOptions> & { count: number }): Promise<HollowNodes> {
  const hollow = await startHollowNodes({ client, leaseRenewIntervalMs: 500, ...o });
  t.teardown(() => hollow.close());
  return hollow;
}

const renewTime = async (client: Client, node: string) => (await client.resource<Lease>('Lease').get('kube-node-lease', node)).spec?.renewTime;

/** Resolves once node's lease has been renewed twice after now. */
async function renewedTwice(client: Client, node: string): Promise<void> {
  const seen = new Set([await renewTime(client, node)]);
  await eventually(async () => (seen.add(await renewTime(client, node)), seen.size >= 3), { timeoutMs: 10_000, message: `${node}'s lease renewed twice` });
}

test('50 hollow nodes register, go Ready, hold leases, and run pods in one status write each', async (t) => {
  const { client } = await kubeletLab(t);
  const hollow = await hollowNodes(t, client, { count: 50, maxPods: 20, role: 'hollow' });
  const nodes = (await client.resource<Node>('Node').list('')).items.filter((n) => n.metadata.name?.startsWith('hollow-node-'));
  t.is(nodes.length, 50);
  for (const n of nodes) {
    t.like(n.status?.conditions?.find((c) => c.type === 'Ready'), { status: 'True', reason: 'KubeletReady' });
    t.is(n.metadata.labels?.['node-role.kubernetes.io/hollow'], '');
    t.is(n.status?.capacity?.pods, '20');
  }
  t.is(nodes.find((n) => n.metadata.name === 'hollow-node-7')?.status?.addresses?.[0]?.address, '127.32.0.8');
  const leases = (await client.resource<Lease>('Lease').list('kube-node-lease')).items;
  t.is(leases.filter((l) => l.metadata.name?.startsWith('hollow-node-')).length, 50);
  t.is(leases.find((l) => l.metadata.name === 'hollow-node-3')?.spec?.holderIdentity, 'hollow-node-3');

  const names = Array.from({ length: 20 }, (_, i) => `p${i}`);
  await Promise.all(names.map((name, i) => createBoundPod(client, podSpec(name), `hollow-node-${i % 10}`)));
  const pods = await Promise.all(names.map((name) => waitForPod(client, 'default', name, isRunningReady, `${name} Running and Ready`)));
  const p3 = pods[3]!;
  t.is(p3.status?.hostIP, '127.32.0.4');
  t.regex(p3.status?.podIP ?? '', /^127\.64\.3\.\d+$/);
  await Promise.all(hollow.names.map((n) => hollow.node(n)!.pods.idle()));
  const writes = await hollow.metrics.podStatusWrites.get();
  t.is(writes.values[0]?.value, 20, 'one status write per pod');
  await renewedTwice(client, 'hollow-node-42');
});

test('pods start only when the pod start delay has passed, and graceful deletions are finished', async (t) => {
  const { client } = await kubeletLab(t);
  const clock = new FakeClock(Date.now());
  const hollow = await hollowNodes(t, client, { count: 2, podStartDelayMs: 10_000, clock });
  const timers = clock.pending();
  await createBoundPod(client, podSpec('slow'), 'hollow-node-1');
  // The node is now waiting for its sandbox to "start": one more timer on the clock.
  await eventually(() => clock.pending() > timers, { message: 'the pod start is under way' });
  clock.advance(9_999);
  const pending = await client.resource<Pod>('Pod').get('default', 'slow');
  t.is(pending.status?.phase, 'Pending');
  t.is(pending.status?.containerStatuses, undefined, 'no status is written before the pod runs');
  clock.advance(1);
  await waitForPod(client, 'default', 'slow', isRunningReady, 'slow running');
  await client.resource<Pod>('Pod').delete('default', 'slow');
  await eventually(() => client.resource<Pod>('Pod').get('default', 'slow').then(() => false, () => true), { message: 'pod removed' });
  t.deepEqual(hollow.node('hollow-node-1')!.runtime.inspect({ pod: 'slow' }), []);
});

test('a killed hollow node stops renewing its lease and touching its pods; a revived one resumes', async (t) => {
  const { client } = await kubeletLab(t);
  const hollow = await hollowNodes(t, client, { count: 3 });
  await createBoundPod(client, podSpec('doomed'), 'hollow-node-0');
  await waitForPod(client, 'default', 'doomed', isRunningReady, 'doomed running');

  t.true(hollow.kill('hollow-node-0'));
  t.false(hollow.kill('hollow-node-0'), 'a killed node cannot be killed again');
  const frozen = await renewTime(client, 'hollow-node-0');
  await createBoundPod(client, podSpec('stuck'), 'hollow-node-0');
  await createBoundPod(client, podSpec('control'), 'hollow-node-1');
  await client.resource<Pod>('Pod').delete('default', 'doomed');
  // The node lifecycle controller would mark it Unknown after the lease expires.
  await client.resource<Node>('Node').patch('', 'hollow-node-0', { status: { conditions: [{ type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' }] } }, 'strategic', { subresource: 'status' });

  await waitForPod(client, 'default', 'control', isRunningReady, 'the living node runs its pod');
  await renewedTwice(client, 'hollow-node-1');
  t.is(await renewTime(client, 'hollow-node-0'), frozen, 'no renewal while killed');
  const stuck = await client.resource<Pod>('Pod').get('default', 'stuck');
  t.is(stuck.status?.phase, 'Pending');
  t.is(stuck.status?.containerStatuses, undefined);
  t.truthy((await client.resource<Pod>('Pod').get('default', 'doomed')).metadata.deletionTimestamp, 'the deletion waits for the node');
  t.deepEqual(hollow.list().find((n) => n.name === 'hollow-node-0'), { name: 'hollow-node-0', ip: '127.32.0.1', state: 'killed', pods: 2 });

  t.true(await hollow.revive('hollow-node-0'));
  await eventually(async () => (await renewTime(client, 'hollow-node-0')) !== frozen, { message: 'lease renewed after revive' });
  await waitForPod(client, 'default', 'stuck', isRunningReady, 'stuck runs after revive');
  await eventually(() => client.resource<Pod>('Pod').get('default', 'doomed').then(() => false, () => true), { message: 'doomed deleted after revive' });
  await eventually(async () => (await client.resource<Node>('Node').get('', 'hollow-node-0')).status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True', {
    message: 'Ready again after revive',
  });
});
