/**
 * The ReplicaSet controller against a real API server: pods from the template with events and
 * status, adoption of a matching orphan and release of a relabelled pod, through real patches.
 */
import test from 'ava';
import type { Event, Pod, ReplicaSet } from '../../../src/api/types.js';
import { Client } from '../../../src/client/rest.js';
import { getControllerOf } from '../../../src/control/controllers/replicaset/owners.js';
import { testApiServer } from '../../helpers/apiserver.js';
import { eventually } from '../../helpers/eventually.js';
import { fakeKubelet, startWorkloadControllers } from './workload-helpers.js';

const replicaSet = (replicas: number): ReplicaSet => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: 'front', namespace: 'default' },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'front' } },
    template: { metadata: { labels: { app: 'front', tier: 'web' } }, spec: { containers: [{ name: 'main', image: 'nginx:1.25' }] } },
  },
});

test('a ReplicaSet keeps its pods: creates them, adopts a matching orphan, releases a relabelled pod', async (t) => {
  const server = await testApiServer(t);
  const client = new Client({ server: server.url });
  t.teardown(() => client.close());
  const ctl = await startWorkloadControllers(t, client);
  await fakeKubelet(t, client);
  const rsApi = client.resource<ReplicaSet>('ReplicaSet');
  const pods = client.resource<Pod>('Pod');
  const rs = await rsApi.create('default', replicaSet(3));
  const owned = async () => (await pods.list('default')).items.filter((p) => getControllerOf(p)?.uid === rs.metadata.uid && !p.metadata.deletionTimestamp);

  const status = await eventually(
    async () => {
      const cur = await rsApi.get('default', 'front');
      return cur.status?.readyReplicas === 3 && cur.status.availableReplicas === 3 ? cur.status : undefined;
    },
    { timeoutMs: 15_000, message: 'three ready replicas' },
  ).catch((err) => {
    t.log(ctl.logs());
    throw err;
  });
  t.like(status, { replicas: 3, fullyLabeledReplicas: 3, observedGeneration: 1 });
  const first = await owned();
  t.is(first.length, 3);
  for (const p of first) {
    t.regex(p.metadata.name!, /^front-[a-z0-9]{5}$/);
    t.deepEqual(p.metadata.labels, { app: 'front', tier: 'web' });
    t.like(getControllerOf(p), { kind: 'ReplicaSet', name: 'front', blockOwnerDeletion: true });
  }
  const created = await eventually(async () => {
    const evs = (await client.resource<Event>('Event').list('default')).items.filter((e) => e.reason === 'SuccessfulCreate');
    return evs.length === 3 ? evs : undefined;
  });
  t.deepEqual(created.map((e) => e.message).sort(), first.map((p) => `Created pod: ${p.metadata.name}`).sort());

  // An orphan with the selector's labels is adopted; the surplus is then deleted.
  await pods.create('default', { metadata: { name: 'stray', labels: { app: 'front' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
  await eventually(
    async () => {
      const all = (await pods.list('default')).items;
      const stray = all.find((p) => p.metadata.name === 'stray');
      const adopted = !stray || getControllerOf(stray)?.uid === rs.metadata.uid;
      return adopted && (await owned()).length === 3 && all.length === 3;
    },
    { timeoutMs: 15_000, message: 'the orphan adopted and the ReplicaSet back at 3 pods' },
  );
  // Events are recorded asynchronously, after the delete itself.
  await eventually(async () => (await client.resource<Event>('Event').list('default')).items.some((e) => e.reason === 'SuccessfulDelete'), { message: 'a SuccessfulDelete event' });

  // A pod relabelled out of the selector is released (it keeps running) and replaced.
  const [relabel] = await owned();
  await pods.patch('default', relabel!.metadata.name!, { metadata: { labels: { app: 'debug' } } }, 'merge');
  await eventually(
    async () => {
      const released = await pods.get('default', relabel!.metadata.name!);
      return (released.metadata.ownerReferences ?? []).length === 0 && (await owned()).length === 3;
    },
    { timeoutMs: 15_000, message: 'the relabelled pod released and replaced' },
  );
  const final = await eventually(async () => {
    const cur = await rsApi.get('default', 'front');
    return cur.status?.replicas === 3 && cur.status.readyReplicas === 3 ? cur : undefined;
  }, { message: 'status back at 3 ready replicas' });
  t.like(final.status, { fullyLabeledReplicas: 3, availableReplicas: 3 });
});
