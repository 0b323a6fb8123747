import test from 'ava';
import type { ConfigMap, Deployment, KObject, OwnerReference, Pod, ReplicaSet } from '../../../src/api/types.js';
import type { Client } from '../../../src/client/rest.js';
import { testApiServer } from '../../helpers/apiserver.js';
import { startTestControllers } from '../../helpers/controllers.js';
import { eventually } from '../../helpers/eventually.js';
import { createDeploymentTree, gone, type Tree } from './gc-tree.js';

async function setup(t: Parameters<typeof testApiServer>[0]): Promise<Client> {
  const server = await testApiServer(t);
  const { client } = await startTestControllers(t, { server, controllers: ['garbage-collector-controller'] });
  return client;
}

/** The resourceVersion at which each object of the tree was deleted, from watches started before the delete. */
function recordDeletions(t: Parameters<typeof testApiServer>[0], client: Client, tree: Tree): Map<string, number> {
  const at = new Map<string, number>();
  const ac = new AbortController();
  t.teardown(() => ac.abort());
  for (const kind of ['Deployment', 'ReplicaSet', 'Pod']) {
    void (async () => {
      try {
        for await (const ev of client.resource<KObject>(kind).watch('default', { resourceVersion: tree.resourceVersion, signal: ac.signal })) {
          if (ev.type === 'DELETED') at.set(`${kind}/${ev.object.metadata.name}`, Number(ev.object.metadata.resourceVersion));
        }
      } catch {
        // aborted in teardown
      }
    })();
  }
  return at;
}

test('background deletion of a Deployment removes its ReplicaSets and pods', async (t) => {
  const client = await setup(t);
  const tree = await createDeploymentTree(client, 'web');
  await client.resource<Deployment>('Deployment').delete('default', 'web', { propagationPolicy: 'Background' });
  await eventually(async () => (await gone(client, 'ReplicaSet', tree.rs)) && (await gone(client, 'Pod', tree.pods[0]!)) && (await gone(client, 'Pod', tree.pods[1]!)), { message: 'dependents collected' });
  t.pass();
});

test('foreground deletion removes the pods, then the ReplicaSet, then the Deployment', async (t) => {
  const client = await setup(t);
  const tree = await createDeploymentTree(client, 'web');
  const at = recordDeletions(t, client, tree);
  const res = (await client.resource<Deployment>('Deployment').delete('default', 'web', { propagationPolicy: 'Foreground' })) as Deployment;
  t.deepEqual(res.metadata.finalizers, ['foregroundDeletion'], 'the API server only marks the owner');
  await eventually(() => gone(client, 'Deployment', 'web'), { message: 'the Deployment deleted once its dependents are' });
  await eventually(() => at.has('Deployment/web'), { message: 'the watch saw the Deployment go' });
  t.true(await gone(client, 'ReplicaSet', tree.rs));
  for (const p of tree.pods) t.true(at.get(`Pod/${p}`)! < at.get(`ReplicaSet/${tree.rs}`)!, `pod ${p} before its ReplicaSet`);
  t.true(at.get(`ReplicaSet/${tree.rs}`)! < at.get('Deployment/web')!, 'the ReplicaSet before the Deployment');
});

test('orphan deletion removes the owner and its references, and keeps the dependents', async (t) => {
  const client = await setup(t);
  const tree = await createDeploymentTree(client, 'web');
  await client.resource<Deployment>('Deployment').delete('default', 'web', { propagationPolicy: 'Orphan' });
  await eventually(() => gone(client, 'Deployment', 'web'), { message: 'the Deployment deleted' });
  const rs = await client.resource<ReplicaSet>('ReplicaSet').get('default', tree.rs);
  // Omitted, not an empty list: ObjectMeta's fields are omitempty in Kubernetes' encoding.
  t.false('ownerReferences' in rs.metadata, JSON.stringify(rs.metadata.ownerReferences));
  for (const p of tree.pods) {
    const pod = await client.resource<Pod>('Pod').get('default', p);
    t.deepEqual(pod.metadata.ownerReferences?.map((r) => r.uid), [rs.metadata.uid], 'pods keep their own owner');
  }
});

test('an object whose owner never existed is collected; one with a live owner is kept', async (t) => {
  const client = await setup(t);
  const owner = await client.resource<ConfigMap>('ConfigMap').create('default', { metadata: { name: 'owner' }, data: {} });
  const ref = (name: string, uid: string): OwnerReference => ({ apiVersion: 'v1', kind: 'ConfigMap', name, uid });
  const cms = client.resource<ConfigMap>('ConfigMap');
  await cms.create('default', { metadata: { name: 'kept', ownerReferences: [ref('owner', owner.metadata.uid!)] }, data: {} });
  await cms.create('default', { metadata: { name: 'orphan', ownerReferences: [ref('ghost', '6d1c1f4e-0000-4000-8000-000000000000')] }, data: {} });
  // Same name as the live owner, but another uid: that owner is gone too.
  await cms.create('default', { metadata: { name: 'stale', ownerReferences: [ref('owner', '6d1c1f4e-0000-4000-8000-000000000001')] }, data: {} });
  await eventually(async () => (await gone(client, 'ConfigMap', 'orphan')) && (await gone(client, 'ConfigMap', 'stale')), { message: 'objects of absent owners collected' });
  t.false(await gone(client, 'ConfigMap', 'kept'));
  // Deleting the owner now collects its dependent.
  await cms.delete('default', 'owner');
  await eventually(() => gone(client, 'ConfigMap', 'kept'), { message: 'dependent of the deleted owner collected' });
});

test('a dependent that keeps another live owner only loses the reference to the deleted one', async (t) => {
  const client = await setup(t);
  const cms = client.resource<ConfigMap>('ConfigMap');
  const a = await cms.create('default', { metadata: { name: 'a' }, data: {} });
  const b = await cms.create('default', { metadata: { name: 'b' }, data: {} });
  await cms.create('default', {
    metadata: { name: 'dep', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'a', uid: a.metadata.uid! }, { apiVersion: 'v1', kind: 'ConfigMap', name: 'b', uid: b.metadata.uid! }] },
    data: {},
  });
  await cms.delete('default', 'a');
  const dep = await eventually(async () => {
    const d = await cms.get('default', 'dep');
    return d.metadata.ownerReferences?.length === 1 ? d : undefined;
  }, { message: 'the dangling reference removed' });
  t.is(dep!.metadata.ownerReferences![0]!.uid, b.metadata.uid!);
  t.false(await gone(client, 'ConfigMap', 'dep'), 'kept alive by its other owner');
});
