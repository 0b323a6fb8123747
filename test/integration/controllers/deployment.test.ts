/**
 * The Deployment and ReplicaSet controllers against a real API server, in-process, with a
 * fake kubelet for readiness: bring-up, a rolling update sampled from a pod watch, scaling,
 * and replacement of a deleted pod.
 */
import test, { type ExecutionContext } from 'ava';
import type { Deployment, Event, Pod, ReplicaSet } from '../../../src/api/types.js';
import { Client } from '../../../src/client/rest.js';
import { isPodReady } from '../../../src/control/controllers/replicaset/pods.js';
import { testApiServer } from '../../helpers/apiserver.js';
import { eventually } from '../../helpers/eventually.js';
import { deploymentOf, fakeKubelet, sampleAvailability, startWorkloadControllers, type RunningControllers } from './workload-helpers.js';

async function lab(t: ExecutionContext, kubelet: { startupMs?: number } = {}) {
  const server = await testApiServer(t);
  const client = new Client({ server: server.url });
  t.teardown(() => client.close());
  const ctl = await startWorkloadControllers(t, client);
  await fakeKubelet(t, client, kubelet);
  return { client, ctl, deployments: client.resource<Deployment>('Deployment'), pods: client.resource<Pod>('Pod') };
}

/** Waits for the Deployment to be completely rolled out at its generation, with every pod ready. */
async function rolledOut(t: ExecutionContext, client: Client, ctl: RunningControllers, name: string, replicas: number, timeoutMs = 30_000): Promise<Deployment> {
  const deployments = client.resource<Deployment>('Deployment');
  return eventually(
    async () => {
      const d = await deployments.get('default', name);
      const s = d.status ?? {};
      const done =
        (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) && s.replicas === replicas && s.updatedReplicas === replicas && s.readyReplicas === replicas && s.availableReplicas === replicas;
      return done ? d : undefined;
    },
    { timeoutMs, message: `deployment ${name} rolled out with ${replicas} ready replicas` },
  ).catch((err) => {
    t.log(ctl.logs());
    throw err;
  });
}

test('a Deployment of 10 replicas reaches 10 ready pods through one ReplicaSet', async (t) => {
  const { client, ctl, deployments, pods } = await lab(t);
  await deployments.create('default', deploymentOf('web', 10, 'nginx:1.25'));
  const d = await rolledOut(t, client, ctl, 'web', 10);
  t.is(d.metadata.annotations?.['deployment.kubernetes.io/revision'], '1');
  t.like(d.status?.conditions?.find((c) => c.type === 'Available'), { status: 'True', reason: 'MinimumReplicasAvailable' });
  t.like(d.status?.conditions?.find((c) => c.type === 'Progressing'), { status: 'True', reason: 'NewReplicaSetAvailable' });
  const rss = (await client.resource<ReplicaSet>('ReplicaSet').list('default')).items;
  t.is(rss.length, 1);
  const rs = rss[0]!;
  const hash = rs.metadata.labels?.['pod-template-hash'];
  t.is(rs.metadata.name, `web-${hash}`);
  t.like(rs.status, { replicas: 10, readyReplicas: 10, availableReplicas: 10, fullyLabeledReplicas: 10, observedGeneration: 1 });
  const list = (await pods.list('default', { labelSelector: 'app=web' })).items;
  t.is(list.length, 10);
  for (const p of list) {
    t.true(p.metadata.name!.startsWith(`web-${hash}-`));
    t.is(p.metadata.ownerReferences?.[0]?.uid, rs.metadata.uid);
    t.true(isPodReady(p));
  }
  const events = await eventually(async () => {
    const evs = (await client.resource<Event>('Event').list('default')).items;
    return evs.some((e) => e.reason === 'ScalingReplicaSet') && evs.filter((e) => e.reason === 'SuccessfulCreate').length === 10 ? evs : undefined;
  });
  t.true(events.some((e) => e.reason === 'ScalingReplicaSet' && e.message === `Scaled up replica set web-${hash} from 0 to 10` && e.source?.component === 'deployment-controller'));
});

test('a rolling update of the image never drops below replicas - maxUnavailable ready pods and ends on the new template', async (t) => {
  // Pods take a little while to start, so the rollout has to proceed in several steps.
  const { client, ctl, deployments, pods } = await lab(t, { startupMs: 30 });
  const strategy = { type: 'RollingUpdate' as const, rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } };
  await deployments.create('default', deploymentOf('web', 10, 'nginx:1.25', { strategy }));
  await rolledOut(t, client, ctl, 'web', 10);
  const sampler = await sampleAvailability(t, client, 'default', 'app=web');
  await deployments.patch('default', 'web', { spec: { template: { spec: { containers: [{ name: 'main', image: 'nginx:1.27' }] } } } }, 'strategic');
  const d = await rolledOut(t, client, ctl, 'web', 10);
  // Rolled out means all old pods are scaled away; wait until their removal has been seen too.
  await eventually(() => sampler.pods().filter((p) => !p.metadata.deletionTimestamp).length === 10, { message: 'the old pods to be gone from the watch' });
  await sampler.stop();
  t.log(`samples ${sampler.samples()}, fewest ready ${sampler.minReady()}, most pods ${sampler.maxPods()}`);
  t.true(sampler.samples() > 20, 'the watch saw the rollout happen');
  // 10 replicas, 25%: maxUnavailable rounds down to 2, maxSurge up to 3.
  t.true(sampler.minReady() >= 8, `only ${sampler.minReady()} pods were ready at one point`);
  t.true(sampler.maxPods() <= 13, `${sampler.maxPods()} pods existed at one point`);
  t.is(d.metadata.annotations?.['deployment.kubernetes.io/revision'], '2');
  const list = (await pods.list('default', { labelSelector: 'app=web' })).items;
  t.is(list.length, 10);
  const rss = (await client.resource<ReplicaSet>('ReplicaSet').list('default')).items;
  const current = rss.find((rs) => rs.spec.template?.spec.containers[0]?.image === 'nginx:1.27')!;
  for (const p of list) {
    t.is(p.spec.containers[0]!.image, 'nginx:1.27');
    t.is(p.metadata.labels?.['pod-template-hash'], current.metadata.labels?.['pod-template-hash']);
  }
  t.deepEqual(rss.map((rs) => rs.spec.replicas).sort(), [0, 10]);
});

test('scaling 10 -> 3 -> 6 converges to that many ready pods', async (t) => {
  const { client, ctl, deployments, pods } = await lab(t);
  await deployments.create('default', deploymentOf('web', 10, 'nginx:1.25'));
  await rolledOut(t, client, ctl, 'web', 10);
  for (const replicas of [3, 6]) {
    await deployments.patch('default', 'web', { spec: { replicas } }, 'merge');
    await rolledOut(t, client, ctl, 'web', replicas);
    const list = await eventually(async () => {
      const items = (await pods.list('default', { labelSelector: 'app=web' })).items;
      return items.length === replicas ? items : undefined;
    });
    t.true(list.every(isPodReady));
  }
  const rss = (await client.resource<ReplicaSet>('ReplicaSet').list('default')).items;
  t.is(rss.length, 1, 'scaling makes no new ReplicaSet');
  t.is(rss[0]!.metadata.annotations?.['deployment.kubernetes.io/desired-replicas'], '6');
});

test('a deleted pod is replaced', async (t) => {
  const { client, ctl, deployments, pods } = await lab(t);
  await deployments.create('default', deploymentOf('web', 3, 'nginx:1.25'));
  await rolledOut(t, client, ctl, 'web', 3);
  const before = (await pods.list('default', { labelSelector: 'app=web' })).items;
  const victim = before[0]!.metadata.name!;
  await pods.delete('default', victim);
  const after = await eventually(
    async () => {
      const items = (await pods.list('default', { labelSelector: 'app=web' })).items;
      return items.length === 3 && !items.some((p) => p.metadata.name === victim) && items.every(isPodReady) ? items : undefined;
    },
    { timeoutMs: 15_000, message: 'a ready replacement for the deleted pod' },
  );
  t.is(after.filter((p) => !before.some((b) => b.metadata.name === p.metadata.name)).length, 1);
});
