/**
 * host-gw routes for real, in two network namespaces standing for two nodes joined by a veth pair
 * (their "InternalIPs"), each with a pod address on its loopback: a ping between pod addresses
 * works only once both sides have their routes. Needs root and `ip netns`; skips, saying why,
 * without them. The namespaces (and with them the veth pair) are deleted in teardown.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Node } from '../../../src/api/types.js';
import { HOST_GW_ROUTE_PROTO, HostGwRoutes, IpRouteExecutor, runCommand } from '../../../src/worker/kubelet/runtimes/docker/host-gw/index.js';

function canUseNetns(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root';
  try {
    execFileSync('ip', ['netns', 'list']);
    execFileSync('busybox', ['true']);
    return undefined;
  } catch (err) {
    return `ip netns or busybox unavailable: ${err instanceof Error ? err.message : String(err)}`;
  }
}
const why = canUseNetns();
const rtest = why === undefined ? test.serial : test.skip;
if (why) console.log(`host-gw netns test skipped: ${why}`);

function node(name: string, internalIP: string, podCIDR: string): Node {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: { podCIDR, podCIDRs: [podCIDR] }, status: { addresses: [{ type: 'InternalIP', address: internalIP }] } } as Node;
}

/** Two namespaces joined by a veth pair, removed when the test ends. */
function twoNodes(t: { teardown(fn: () => void): void }): { a: string; b: string } {
  const id = randomBytes(3).toString('hex');
  const a = `klhgw-${id}-a`;
  const b = `klhgw-${id}-b`;
  t.teardown(() => {
    for (const ns of [a, b]) {
      try {
        execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
      } catch {
        // Never created: nothing to delete.
      }
    }
  });
  const ip = (...args: string[]) => execFileSync('ip', args);
  ip('netns', 'add', a);
  ip('netns', 'add', b);
  ip('-n', a, 'link', 'add', 'va', 'type', 'veth', 'peer', 'name', 'vb', 'netns', b);
  for (const [ns, dev, addr, pod] of [
    [a, 'va', '198.51.100.1/24', '10.77.1.1/32'],
    [b, 'vb', '198.51.100.2/24', '10.77.2.1/32'],
  ] as const) {
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    ip('-n', ns, 'addr', 'add', pod, 'dev', 'lo');
    ip('-n', ns, 'addr', 'add', addr, 'dev', dev);
    ip('-n', ns, 'link', 'set', dev, 'up');
  }
  return { a, b };
}

/** Whether a ping from one pod address to another gets an answer. */
function podPing(ns: string, from: string, to: string): boolean {
  try {
    execFileSync('ip', ['netns', 'exec', ns, 'busybox', 'ping', '-c', '1', '-W', '1', '-I', from, to], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

rtest('host-gw routes connect the pod ranges of two nodes and follow node changes', async (t) => {
  const { a, b } = twoNodes(t);
  const nodes = [node('a', '198.51.100.1', '10.77.1.0/24'), node('b', '198.51.100.2', '10.77.2.0/24'), node('c', '198.51.100.3', '10.77.3.0/24')];
  const onA = new HostGwRoutes('a', { netns: a });
  const onB = new HostGwRoutes('b', { netns: b });
  // Someone else's route must survive every sync.
  await runCommand('ip', ['-n', a, 'route', 'add', '10.99.0.0/24', 'via', '198.51.100.2']);

  t.false(podPing(a, '10.77.1.1', '10.77.2.1'), 'no routes: pods do not reach each other');
  const diffA = await onA.sync(nodes);
  t.deepEqual(diffA.replace, [
    { dst: '10.77.2.0/24', via: '198.51.100.2' },
    { dst: '10.77.3.0/24', via: '198.51.100.3' },
  ]);
  t.false(podPing(a, '10.77.1.1', '10.77.2.1'), 'one side only: the answer has no way back');
  await onB.sync(nodes);
  t.true(podPing(a, '10.77.1.1', '10.77.2.1'), 'routes on both nodes: pod to pod works');
  t.true(podPing(b, '10.77.2.1', '10.77.1.1'));

  t.deepEqual(await onA.sync(nodes), { replace: [], remove: [] }, 'in sync: nothing to do');
  const moved = [nodes[0]!, nodes[1]!, node('c', '198.51.100.4', '10.77.3.0/24')];
  t.deepEqual((await onA.sync(moved)).replace, [{ dst: '10.77.3.0/24', via: '198.51.100.4' }]);
  t.deepEqual((await onA.sync(moved.slice(0, 2))).remove, [{ dst: '10.77.3.0/24', via: '198.51.100.4' }]);
  t.deepEqual(await new IpRouteExecutor({ netns: a }).list(), [{ dst: '10.77.2.0/24', via: '198.51.100.2' }]);
  const all = execFileSync('ip', ['-n', a, '-4', 'route', 'show']).toString();
  t.regex(all, /10\.99\.0\.0\/24 via 198\.51\.100\.2/, "the foreign route is untouched");
  t.regex(execFileSync('ip', ['-n', a, '-4', 'route', 'show', 'proto', String(HOST_GW_ROUTE_PROTO)]).toString(), /^10\.77\.2\.0\/24 via 198\.51\.100\.2 dev va/);
});

rtest('pod forwarding is opened in DOCKER-USER once, however often it is asked', async (t) => {
  const { a } = twoNodes(t);
  const onA = new HostGwRoutes('a', { netns: a });
  await onA.allowPodForwarding('10.77.0.0/16');
  await onA.allowPodForwarding('10.77.0.0/16');
  const rules = execFileSync('ip', ['netns', 'exec', a, 'iptables', '-S', 'DOCKER-USER'])
    .toString()
    .split('\n')
    .filter((l) => l.startsWith('-A DOCKER-USER'));
  t.is(rules.length, 2);
  t.true(rules.some((r) => r.includes('-s 10.77.0.0/16') && r.endsWith('-j ACCEPT')));
  t.true(rules.some((r) => r.includes('-d 10.77.0.0/16') && r.endsWith('-j ACCEPT')));
});
