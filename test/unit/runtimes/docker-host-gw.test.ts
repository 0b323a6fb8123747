/** host-gw routes from Node objects, their diff, and the iproute2 commands that apply it (with a recording runner). */
import test from 'ava';
import type { Node } from '../../../src/api/types.js';
import { desiredRoutes, diffRoutes, gatewayOf, IpRouteExecutor, podCidrsOf, type CommandRunner } from '../../../src/worker/kubelet/runtimes/docker/host-gw/index.js';

function node(name: string, ip: string | undefined, cidrs: string[] | undefined): Node {
  return {
    metadata: { name },
    spec: cidrs ? { podCIDR: cidrs[0], podCIDRs: cidrs } : {},
    status: { addresses: ip ? [{ type: 'Hostname', address: name }, { type: 'InternalIP', address: ip }] : [] },
  } as Node;
}

test('desiredRoutes(): one route per other node with a pod CIDR and an InternalIP', (t) => {
  const nodes = [
    node('a', '192.168.1.1', ['10.244.1.0/24']),
    node('b', '192.168.1.2', ['10.244.2.7/24', 'fd00::/64']),
    node('c', undefined, ['10.244.3.0/24']),
    node('d', '192.168.1.4', undefined),
    node('e', '192.168.1.5', ['10.244.1.0/24']),
  ];
  t.deepEqual(desiredRoutes(nodes, 'a'), [{ dst: '10.244.2.0/24', via: '192.168.1.2' }], 'normalised, IPv4 only, never our own range, skipping incomplete nodes');
  t.deepEqual(desiredRoutes(nodes.slice(0, 4), 'b'), [{ dst: '10.244.1.0/24', via: '192.168.1.1' }]);
  t.deepEqual(podCidrsOf(node('x', '1.1.1.1', ['bogus'])), []);
});

test('diffRoutes(): adds, repoints and removes only what differs', (t) => {
  const current = [
    { dst: '10.244.2.0/24', via: '192.168.1.2' },
    { dst: '10.244.3.0/24', via: '192.168.1.3' },
    { dst: '10.244.9.0/24', via: '192.168.1.9' },
  ];
  const desired = [
    { dst: '10.244.2.0/24', via: '192.168.1.2' },
    { dst: '10.244.3.0/24', via: '192.168.1.33' },
    { dst: '10.244.4.0/24', via: '192.168.1.4' },
  ];
  t.deepEqual(diffRoutes(current, desired), {
    replace: [
      { dst: '10.244.3.0/24', via: '192.168.1.33' },
      { dst: '10.244.4.0/24', via: '192.168.1.4' },
    ],
    remove: [{ dst: '10.244.9.0/24', via: '192.168.1.9' }],
  });
  t.deepEqual(diffRoutes(desired, desired), { replace: [], remove: [] });
});

test('IpRouteExecutor.sync() lists its own protocol and applies the diff in the namespace', async (t) => {
  const calls: string[] = [];
  const run: CommandRunner = async (file, args) => {
    calls.push([file, ...args].join(' '));
    return args.includes('show') ? JSON.stringify([{ dst: '10.244.9.0/24', gateway: '192.168.1.9', dev: 'eth0' }, { dst: '10.244.2.0/24', gateway: '192.168.1.2' }]) : '';
  };
  const diff = await new IpRouteExecutor({ netns: 'node-a', run }).sync([
    { dst: '10.244.2.0/24', via: '192.168.1.2' },
    { dst: '10.244.3.0/24', via: '192.168.1.3' },
  ]);
  t.deepEqual(calls, [
    'ip -n node-a -j -4 route show proto 76',
    'ip -n node-a route del 10.244.9.0/24 via 192.168.1.9 proto 76',
    'ip -n node-a route replace 10.244.3.0/24 via 192.168.1.3 proto 76',
  ]);
  t.is(diff.remove.length, 1);
  t.throws(() => new IpRouteExecutor({ proto: 300 }), { instanceOf: RangeError });
});

test('gatewayOf() is the first host of a pod CIDR', (t) => {
  t.is(gatewayOf('10.244.3.0/24'), '10.244.3.1');
  t.is(gatewayOf('10.244.3.77/24'), '10.244.3.1');
});
