import test from 'ava';
import type { Node } from '../../../src/api/types.js';
import { Client } from '../../../src/client/index.js';
import { startControllerManager } from '../../../src/control/controllers/manager.js';
import { testApiServer } from '../../helpers/apiserver.js';
import { eventually } from '../../helpers/eventually.js';

test('node IPAM gives every node its own pod CIDR block, once', async (t) => {
  const server = await testApiServer(t);
  const client = new Client({ server: server.url });
  t.teardown(() => client.close());
  const cm = await startControllerManager({ client, port: 0, controllers: ['nodeipam'], clusterCIDR: '127.244.0.0/16', nodeCIDRMaskSize: 24 });
  t.teardown(() => cm.close());
  const nodes = client.resource<Node>('Node');
  for (const name of ['a', 'b', 'c']) await nodes.create('', { apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: {} });
  const cidrs = await eventually(async () => {
    const list = (await nodes.list('')).items;
    return list.every((n) => n.spec.podCIDR) ? list.map((n) => n.spec.podCIDR!) : undefined;
  }, { message: 'every node has a pod CIDR' });
  t.deepEqual([...new Set(cidrs)].length, 3);
  for (const c of cidrs) t.regex(c, /^127\.244\.\d+\.0\/24$/);
  const a = await nodes.get('', 'a');
  t.deepEqual(a.spec.podCIDRs, [a.spec.podCIDR]);
  // A node created with its own podCIDR keeps it.
  await nodes.create('', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'd' }, spec: { podCIDR: '127.244.200.0/24' } });
  await eventually(async () => (await nodes.get('', 'd')).spec.podCIDR === '127.244.200.0/24');
});
