import test from 'ava';
import type { Pod, ReplicaSet } from '../../../src/api/types.js';
import { Client } from '../../../src/client/rest.js';
import { startTestControllers } from '../../helpers/controllers.js';
import { haveKubectl, kubectlLab } from '../../helpers/kubectl.js';
import { createDeploymentTree, gone } from './gc-tree.js';

const kubectlTest = haveKubectl ? test : test.skip;
if (!haveKubectl) console.warn('kubectl not found: skipping the kubectl delete --cascade tests');

async function lab(t: Parameters<typeof kubectlLab>[0]) {
  const k = await kubectlLab(t);
  const client = Client.fromKubeconfig(k.kubeconfig);
  t.teardown(() => client.close());
  await startTestControllers(t, { client, controllers: ['garbagecollector'] });
  return { k, client };
}

for (const cascade of ['background', 'foreground'] as const) {
  kubectlTest(`kubectl delete deployment --cascade=${cascade} removes its ReplicaSet and pods`, async (t) => {
    const { k, client } = await lab(t);
    const tree = await createDeploymentTree(client, 'web');
    // kubectl waits for the Deployment to be gone; in the foreground that needs the collector to finish first.
    const out = await k(['delete', 'deployment', 'web', `--cascade=${cascade}`, '--timeout=30s']);
    t.regex(out.stdout, /deployment.apps "web" deleted/);
    if (cascade === 'foreground') {
      t.true(await gone(client, 'ReplicaSet', tree.rs), 'foreground: the ReplicaSet went before the Deployment');
      for (const p of tree.pods) t.true(await gone(client, 'Pod', p));
    } else {
      await k(['wait', '--for=delete', `replicaset/${tree.rs}`, ...tree.pods.map((p) => `pod/${p}`), '--timeout=30s'], { allowFail: true });
      t.true(await gone(client, 'ReplicaSet', tree.rs));
      for (const p of tree.pods) t.true(await gone(client, 'Pod', p));
    }
  });
}

kubectlTest('kubectl delete deployment --cascade=orphan keeps the ReplicaSet and pods without the owner reference', async (t) => {
  const { k, client } = await lab(t);
  const tree = await createDeploymentTree(client, 'web');
  await k(['delete', 'deployment', 'web', '--cascade=orphan', '--timeout=30s']);
  t.true(await gone(client, 'Deployment', 'web'));
  const rs = await client.resource<ReplicaSet>('ReplicaSet').get('default', tree.rs);
  t.deepEqual(rs.metadata.ownerReferences ?? [], []);
  for (const p of tree.pods) t.is((await client.resource<Pod>('Pod').get('default', p)).metadata.ownerReferences?.[0]?.uid, rs.metadata.uid);
});
