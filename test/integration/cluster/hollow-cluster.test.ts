/**
 * The whole control plane with hollow nodes, in one process: API server, scheduler, controller
 * manager (every controller) and 4 hollow nodes with fast lab timings. What a Deployment does
 * across nodes, what happens when a node dies, rolling updates and cascading deletion.
 */
import test, { type ExecutionContext } from 'ava';
import type { Deployment, Pod, ReplicaSet } from '../../../src/api/types.js';
import { Client } from '../../../src/client/rest.js';
import { startControllerManager } from '../../../src/control/controllers/manager.js';
import { startScheduler } from '../../../src/control/scheduler/server.js';
import { startHollowNodes } from '../../../src/worker/hollow/hollow.js';
import { testApiServer } from '../../helpers/apiserver.js';
import { eventually } from '../../helpers/eventually.js';

const GRACE_MS = 2000;
const TOLERATION_S = 2;

async function cluster(t: ExecutionContext) {
  const server = await testApiServer(t, { defaultTolerationSeconds: TOLERATION_S });
  const client = new Client({ server: server.url });
  t.teardown(() => client.close());
  const hollow = await startHollowNodes({ client, count: 4, namePrefix: 'node-', leaseDurationSeconds: 1, leaseRenewIntervalMs: 250, podStartDelayMs: 20 });
  t.teardown(() => hollow.close());
  const cm = await startControllerManager({
    client,
    port: 0,
    nodeLifecycle: { nodeMonitorPeriodMs: 250, nodeMonitorGracePeriodMs: GRACE_MS, nodeStartupGracePeriodMs: 10_000, nodeEvictionRate: 100 },
  });
  t.teardown(() => cm.close());
  const scheduler = await startScheduler({ client, port: 0, events: false });
  t.teardown(() => scheduler.close());
  return { client, hollow, deployments: client.resource<Deployment>('Deployment'), pods: client.resource<Pod>('Pod') };
}

const deployment = (name: string, replicas: number, image = 'kubelab/echo:1'): Deployment => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image, resources: { requests: { cpu: '100m' } } }] } },
  },
});

const ready = (p: Pod) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

async function readyPods(pods: ReturnType<Client['resource']>, app: string, n: number): Promise<Pod[]> {
  return eventually(async () => {
    const list = ((await pods.list('default', { labelSelector: `app=${app}` })).items as Pod[]).filter((p) => !p.metadata.deletionTimestamp);
    return list.length === n && list.every(ready) ? list : undefined;
  }, { timeoutMs: 30_000, message: `${n} ready ${app} pods` });
}

test('a Deployment of 10 replicas is spread across the nodes', async (t) => {
  const c = await cluster(t);
  await c.deployments.create('default', deployment('spread', 10));
  const list = await readyPods(c.pods, 'spread', 10);
  const perNode = new Map<string, number>();
  for (const p of list) perNode.set(p.spec.nodeName!, (perNode.get(p.spec.nodeName!) ?? 0) + 1);
  t.is(perNode.size, 4, JSON.stringify([...perNode]));
  t.true(Math.max(...perNode.values()) - Math.min(...perNode.values()) <= 1, JSON.stringify([...perNode]));
});

test('the pods of a killed hollow node are recreated elsewhere within grace + toleration + a little', async (t) => {
  const c = await cluster(t);
  await c.deployments.create('default', deployment('survivor', 6));
  const before = await readyPods(c.pods, 'survivor', 6);
  const victim = before[0]!.spec.nodeName!;
  const lost = before.filter((p) => p.spec.nodeName === victim).map((p) => p.metadata.name!);
  const killedAt = Date.now();
  c.hollow.kill(victim);
  const after = await eventually(async () => {
    const list = (await c.pods.list('default', { labelSelector: 'app=survivor' })).items.filter((p) => !p.metadata.deletionTimestamp && ready(p));
    return list.length === 6 && list.every((p) => p.spec.nodeName !== victim) ? list : undefined;
  }, { timeoutMs: 30_000, message: 'six ready pods, none on the killed node' });
  const elapsed = Date.now() - killedAt;
  t.true(elapsed <= GRACE_MS + TOLERATION_S * 1000 + 8000, `recovered after ${elapsed} ms`);
  t.false(after.some((p) => lost.includes(p.metadata.name!)), 'the lost pods were replaced');
  t.log(`node ${victim} killed: ${lost.length} pods replaced after ${elapsed} ms (grace ${GRACE_MS} ms + toleration ${TOLERATION_S} s)`);
  c.hollow.revive(victim);
  await eventually(async () => {
    const node = await c.client.resource('Node').get('', victim);
    const taints = ((node.spec as { taints?: { key: string }[] }).taints ?? []).map((x) => x.key);
    return !taints.includes('node.kubernetes.io/unreachable');
  }, { timeoutMs: 15_000, message: 'the revived node loses the unreachable taint' });
});

test('a rolling update never drops below replicas - maxUnavailable ready pods and ends on the new template', async (t) => {
  const c = await cluster(t);
  await c.deployments.create('default', deployment('roll', 6));
  await readyPods(c.pods, 'roll', 6);
  let minReady = Infinity;
  const ac = new AbortController();
  t.teardown(() => ac.abort());
  const sampler = (async () => {
    const current = new Map<string, Pod>();
    for await (const ev of c.pods.watch('default', { labelSelector: 'app=roll', signal: ac.signal })) {
      const p = ev.object as Pod;
      if (ev.type === 'DELETED') current.delete(p.metadata.name!);
      else current.set(p.metadata.name!, p);
      if (current.size >= 6) minReady = Math.min(minReady, [...current.values()].filter((x) => ready(x) && !x.metadata.deletionTimestamp).length);
    }
  })().catch(() => {});
  await c.deployments.patch('default', 'roll', { spec: { template: { spec: { containers: [{ name: 'c', image: 'kubelab/echo:2' }] } } } }, 'strategic');
  const done = await eventually(async () => {
    const list = (await c.pods.list('default', { labelSelector: 'app=roll' })).items;
    return list.length === 6 && list.every((p) => ready(p) && p.spec.containers[0]!.image === 'kubelab/echo:2') ? list : undefined;
  }, { timeoutMs: 60_000, message: 'every pod on the new template' });
  ac.abort();
  await sampler;
  t.is(done.length, 6);
  t.true(minReady >= 5, `ready pods went down to ${minReady} (maxUnavailable 1)`);
});

test('deleting a Deployment removes its ReplicaSets and pods', async (t) => {
  const c = await cluster(t);
  await c.deployments.create('default', deployment('gone', 3));
  await readyPods(c.pods, 'gone', 3);
  await c.deployments.delete('default', 'gone', { propagationPolicy: 'Background' });
  await eventually(async () => {
    const rs = (await c.client.resource<ReplicaSet>('ReplicaSet').list('default')).items;
    const pods = (await c.pods.list('default', { labelSelector: 'app=gone' })).items;
    return rs.length === 0 && pods.length === 0;
  }, { timeoutMs: 30_000, message: 'ReplicaSets and pods removed' });
  t.pass();
});
