/** The scheduler cache: per-node totals, and assumed pods that are confirmed, forgotten or expire. */
import test from 'ava';
import { SchedulerCache } from '../../../src/control/scheduler/cache.js';
import { podInfoOf } from '../../../src/control/scheduler/podinfo.js';
import { FakeClock } from '../../../src/util/clock.js';
import { node, pod } from './fixtures.js';

function setup(ttl = 30_000) {
  const clock = new FakeClock();
  const cache = new SchedulerCache({ clock, assumedPodTTLMs: ttl });
  cache.setNode(node({ name: 'a', cpu: '4' }));
  cache.setNode(node({ name: 'b', cpu: '4' }));
  return { clock, cache, cpu: (n: string) => cache.getNode(n)!.requested.milliCPU };
}

test('an assumed pod counts on its node at once', (t) => {
  const { cache, cpu } = setup();
  cache.assumePod(podInfoOf(pod({ name: 'x', cpu: '1' })), 'a');
  t.is(cpu('a'), 1000);
  t.is(cache.getNode('a')!.podCount, 1);
  t.true(cache.isAssumed('uid-x'));
  t.deepEqual(cache.counts(), { nodes: 2, pods: 1, assumedPods: 1 });
});

test('assuming a pod twice is refused', (t) => {
  const { cache } = setup();
  const info = podInfoOf(pod({ name: 'x', cpu: '1' }));
  cache.assumePod(info, 'a');
  t.throws(() => cache.assumePod(info, 'b'), { message: /already in the scheduler cache/ });
});

test('forgetPod() takes a failed binding off the node', (t) => {
  const { cache, cpu } = setup();
  cache.assumePod(podInfoOf(pod({ name: 'x', cpu: '1' })), 'a');
  cache.forgetPod('uid-x');
  t.is(cpu('a'), 0);
  t.is(cache.getNode('a')!.podCount, 0);
  t.false(cache.has('uid-x'));
});

test('addPod() confirms an assumption without counting the pod twice', (t) => {
  const { cache, cpu } = setup();
  cache.assumePod(podInfoOf(pod({ name: 'x', cpu: '1' })), 'a');
  cache.finishBinding('uid-x');
  cache.addPod(podInfoOf(pod({ name: 'x', cpu: '1', nodeName: 'a' })));
  t.is(cpu('a'), 1000);
  t.false(cache.isAssumed('uid-x'));
  cache.forgetPod('uid-x');
  t.is(cpu('a'), 1000, 'a confirmed pod is not forgotten');
});

test('addPod() moves an assumed pod to the node the API server reports', (t) => {
  const { cache, cpu } = setup();
  cache.assumePod(podInfoOf(pod({ name: 'x', cpu: '1' })), 'a');
  cache.addPod(podInfoOf(pod({ name: 'x', cpu: '1', nodeName: 'b' })));
  t.is(cpu('a'), 0);
  t.is(cpu('b'), 1000);
});

test('an assumed pod expires the TTL after its binding finished, not before', (t) => {
  const { cache, clock, cpu } = setup(30_000);
  cache.assumePod(podInfoOf(pod({ name: 'x', cpu: '1' })), 'a');
  clock.advance(60_000);
  t.deepEqual(cache.cleanupExpired(), [], 'a binding still in flight never expires');
  cache.finishBinding('uid-x');
  clock.advance(29_999);
  t.deepEqual(cache.cleanupExpired(), []);
  clock.advance(1);
  t.deepEqual(
    cache.cleanupExpired().map((p) => p.key),
    ['default/x'],
  );
  t.is(cpu('a'), 0);
  t.false(cache.has('uid-x'));
});

test('a confirmed pod never expires, and TTL 0 never expires anything', (t) => {
  const { cache, clock } = setup(30_000);
  cache.assumePod(podInfoOf(pod({ name: 'x', cpu: '1' })), 'a');
  cache.finishBinding('uid-x');
  cache.addPod(podInfoOf(pod({ name: 'x', cpu: '1', nodeName: 'a' })));
  clock.advance(120_000);
  t.deepEqual(cache.cleanupExpired(), []);
  const forever = setup(0);
  forever.cache.assumePod(podInfoOf(pod({ name: 'y', cpu: '1' })), 'a');
  forever.cache.finishBinding('uid-y');
  forever.clock.advance(10 ** 9);
  t.deepEqual(forever.cache.cleanupExpired(), []);
});

test('removePod() frees the room of a bound pod', (t) => {
  const { cache, cpu } = setup();
  cache.addPod(podInfoOf(pod({ name: 'x', cpu: '1', nodeName: 'a', hostPorts: [{ port: 80 }] })));
  t.is(cache.getNode('a')!.usedPorts.size, 1);
  cache.removePod('uid-x');
  t.is(cpu('a'), 0);
  t.is(cache.getNode('a')!.usedPorts.size, 0);
});

test('pods seen before their node count once the node arrives; a deleted node leaves the list but keeps its pods', (t) => {
  const { cache } = setup();
  cache.addPod(podInfoOf(pod({ name: 'x', cpu: '1', nodeName: 'c' })));
  t.deepEqual(
    cache.nodeList().map((n) => n.name),
    ['a', 'b'],
  );
  const c = cache.setNode(node({ name: 'c', cpu: '4' }));
  t.is(c.requested.milliCPU, 1000);
  cache.removeNode('a');
  t.deepEqual(cache.nodeList().map((n) => n.name).sort(), ['b', 'c']);
  cache.removeNode('c');
  t.is(cache.getNode('c')!.podCount, 1, 'kept while a pod points at it');
  cache.removePod('uid-x');
  t.is(cache.getNode('c'), undefined);
});

test('owner counts leave terminating pods out', (t) => {
  const { cache } = setup();
  cache.addPod(podInfoOf(pod({ name: 'x', owner: 'web', nodeName: 'a' })));
  const terminating = pod({ name: 'y', owner: 'web', nodeName: 'a' });
  terminating.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
  cache.addPod(podInfoOf(terminating));
  t.is(cache.getNode('a')!.owners.get('rs-web'), 1);
  t.is(cache.getNode('a')!.podCount, 2);
});
