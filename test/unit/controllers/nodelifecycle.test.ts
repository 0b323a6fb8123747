import test from 'ava';
import type { Condition, Lease, Node, Pod, Taint } from '../../../src/api/types.js';
import {
  computeZoneState,
  planDisruption,
  podsToMarkNotReady,
  taintBasedEvictionAction,
  tryUpdateNodeHealth,
  zoneKey,
  type EvictionRates,
  type NodeHealth,
  type ZoneState,
} from '../../../src/control/controllers/nodelifecycle/sync.js';
import { RateLimitedTimedQueue } from '../../../src/control/controllers/nodelifecycle/tainter.js';
import { noScheduleTaintDiff, swapTaints, toleratesTaint } from '../../../src/control/controllers/nodelifecycle/taints.js';
import { FakeClock, rfc3339, rfc3339Micro } from '../../../src/util/clock.js';

const GRACE = { monitorGracePeriodMs: 40_000, startupGracePeriodMs: 60_000 };

function node(name: string, o: { ready?: Condition['status']; heartbeat?: number; created: number; taints?: Taint[]; labels?: Record<string, string> }): Node {
  const conditions: Condition[] = [];
  if (o.ready) {
    const hb = rfc3339(o.heartbeat ?? o.created);
    conditions.push({ type: 'Ready', status: o.ready, reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: hb, lastTransitionTime: rfc3339(o.created) });
    conditions.push({ type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', lastHeartbeatTime: hb, lastTransitionTime: rfc3339(o.created) });
  }
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, uid: `uid-${name}`, creationTimestamp: rfc3339(o.created), ...(o.labels ? { labels: o.labels } : {}) },
    spec: o.taints ? { taints: o.taints } : {},
    status: { conditions },
  };
}

function lease(name: string, renewed: number): Lease {
  return { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'kube-node-lease' }, spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: rfc3339Micro(renewed) } };
}

/** Runs monitor passes every period over a scripted world, returning the first pass that posts Unknown. */
function passesUntilUnknown(clock: FakeClock, periodMs: number, maxMs: number, world: (now: number) => { node: Node; lease?: Lease }): { at: number; update: NonNullable<ReturnType<typeof tryUpdateNodeHealth>['update']> } | undefined {
  let health: NodeHealth | undefined;
  const start = clock.now();
  while (clock.now() - start <= maxMs) {
    const w = world(clock.now());
    const r = tryUpdateNodeHealth(health, w.node, w.lease, clock.now(), GRACE);
    health = r.health;
    if (r.update) return { at: clock.now() - start, update: r.update };
    clock.advance(periodMs);
  }
  return undefined;
}

test('tryUpdateNodeHealth() keeps a node whose lease keeps being renewed, even with a stale heartbeat', (t) => {
  const clock = new FakeClock();
  const created = clock.now();
  const r = passesUntilUnknown(clock, 5000, 300_000, (now) => ({ node: node('w1', { ready: 'True', created }), lease: lease('w1', now) }));
  t.is(r, undefined);
});

test('tryUpdateNodeHealth() marks a node Unknown once its lease is older than the grace period, and not before', (t) => {
  const clock = new FakeClock();
  const created = clock.now();
  const stopAt = created + 20_000;
  const r = passesUntilUnknown(clock, 5000, 300_000, (now) => ({ node: node('w1', { ready: 'True', created }), lease: lease('w1', Math.min(now, stopAt)) }));
  t.truthy(r);
  // The last renewal was seen at 20 s; Unknown on the first pass more than 40 s after that.
  t.is(r!.at, 65_000);
  const ready = r!.update.conditions!.find((c) => c.type === 'Ready')!;
  t.like(ready, { status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: rfc3339(created + 65_000) });
  t.is(ready.lastHeartbeatTime, rfc3339(created), 'the heartbeat stays what the kubelet last wrote');
  const mem = r!.update.conditions!.find((c) => c.type === 'MemoryPressure')!;
  t.like(mem, { status: 'Unknown', reason: 'NodeStatusUnknown' });
  for (const type of ['DiskPressure', 'PIDPressure']) {
    t.like(r!.update.conditions!.find((c) => c.type === type), { status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.' }, type);
  }
});

test('tryUpdateNodeHealth() without a lease goes by the Ready heartbeat', (t) => {
  const clock = new FakeClock();
  const created = clock.now();
  const alive = passesUntilUnknown(clock, 5000, 200_000, (now) => ({ node: node('w1', { ready: 'True', created, heartbeat: now }) }));
  t.is(alive, undefined, 'a changing heartbeat keeps it alive');
  const clock2 = new FakeClock();
  const c2 = clock2.now();
  const dead = passesUntilUnknown(clock2, 5000, 200_000, (now) => ({ node: node('w1', { ready: 'True', created: c2, heartbeat: Math.min(now, c2 + 10_000) }) }));
  t.is(dead?.at, 55_000);
});

test('tryUpdateNodeHealth() measures silence on its own clock, so a skewed kubelet clock does not matter', (t) => {
  const clock = new FakeClock();
  const created = clock.now();
  // The kubelet's clock is a day behind, but it keeps renewing.
  const r = passesUntilUnknown(clock, 5000, 200_000, (now) => ({ node: node('w1', { ready: 'True', created }), lease: lease('w1', now - 86_400_000) }));
  t.is(r, undefined);
});

test('tryUpdateNodeHealth() gives a node that never posted Ready the startup grace period from its creation', (t) => {
  const clock = new FakeClock();
  const created = clock.now();
  const r = passesUntilUnknown(clock, 5000, 200_000, () => ({ node: node('w1', { created }) }));
  t.is(r?.at, 65_000);
  const ready = r!.update.conditions!.find((c) => c.type === 'Ready')!;
  t.like(ready, { status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.', lastHeartbeatTime: rfc3339(created) });
});

test('tryUpdateNodeHealth() writes nothing for a node already Unknown', (t) => {
  const clock = new FakeClock();
  const created = clock.now() - 600_000;
  const n = node('w1', { ready: 'Unknown', created });
  let r = tryUpdateNodeHealth(undefined, n, undefined, clock.now(), GRACE);
  clock.advance(100_000);
  r = tryUpdateNodeHealth(r.health, n, undefined, clock.now(), GRACE);
  t.is(r.update, undefined);
  t.is(r.currentReady?.status, 'Unknown');
});

test('taintBasedEvictionAction() maps the observed Ready status to the NoExecute taints', (t) => {
  const notReady: Taint = { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' };
  const unreachable: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' };
  const cases: { status: Condition['status']; taints: Taint[]; want: ReturnType<typeof taintBasedEvictionAction> }[] = [
    { status: 'False', taints: [], want: { type: 'mark', taint: notReady } },
    { status: 'False', taints: [unreachable], want: { type: 'swap', add: notReady, remove: unreachable } },
    { status: 'Unknown', taints: [], want: { type: 'mark', taint: unreachable } },
    { status: 'Unknown', taints: [notReady], want: { type: 'swap', add: unreachable, remove: notReady } },
    { status: 'Unknown', taints: [unreachable], want: { type: 'mark', taint: unreachable } },
    { status: 'True', taints: [unreachable], want: { type: 'reachable' } },
  ];
  for (const c of cases) t.deepEqual(taintBasedEvictionAction(node('w1', { ready: c.status, created: 0, taints: c.taints }), c.status), c.want, `${c.status} with ${c.taints.map((x) => x.key).join(',')}`);
});

test('computeZoneState() follows ComputeZoneState', (t) => {
  const c = (s: Condition['status']): Condition => ({ type: 'Ready', status: s });
  const cases: { conds: (Condition | undefined)[]; want: ZoneState }[] = [
    { conds: [c('True'), c('True')], want: 'Normal' },
    { conds: [c('True'), c('Unknown')], want: 'Normal' },
    { conds: [c('Unknown'), c('False')], want: 'FullDisruption' },
    { conds: [undefined], want: 'FullDisruption' },
    { conds: [c('True'), c('Unknown'), c('Unknown'), c('Unknown')], want: 'PartialDisruption' },
    { conds: [c('True'), c('True'), c('True'), c('Unknown'), c('Unknown'), c('Unknown')], want: 'Normal' },
  ];
  for (const x of cases) t.is(computeZoneState(x.conds, 0.55).state, x.want, JSON.stringify(x.conds.map((y) => y?.status)));
});

test('planDisruption() stops tainting when every zone is down and gives nodes a fresh grace period after', (t) => {
  const rates: EvictionRates = { evictionRate: 0.1, secondaryEvictionRate: 0.01, largeClusterSizeThreshold: 50, unhealthyZoneThreshold: 0.55 };
  const down: Condition = { type: 'Ready', status: 'Unknown' };
  const up: Condition = { type: 'Ready', status: 'True' };
  const normal = new Map<string, ZoneState>([['a', 'Normal'], ['b', 'Normal']]);
  const enter = planDisruption(normal, new Map([['a', [down]], ['b', [down, down]]]), rates);
  t.true(enter.enterFullDisruption);
  t.deepEqual([...enter.rates], [['a', 0], ['b', 0]]);
  const stay = planDisruption(enter.states, new Map([['a', [down]], ['b', [down, down]]]), rates);
  t.false(stay.enterFullDisruption);
  t.is(stay.rates.size, 0);
  const exit = planDisruption(enter.states, new Map([['a', [up]], ['b', [down, down]]]), rates);
  t.true(exit.exitFullDisruption);
  t.deepEqual([...exit.rates], [['a', 0.1], ['b', 0.1]], 'a fully disrupted zone among healthy ones taints at the normal rate');
  t.deepEqual([...exit.states], [['a', 'Normal'], ['b', 'FullDisruption']]);
});

test('planDisruption() stops a small partially disrupted zone and slows a large one', (t) => {
  const rates: EvictionRates = { evictionRate: 0.1, secondaryEvictionRate: 0.01, largeClusterSizeThreshold: 4, unhealthyZoneThreshold: 0.55 };
  const down: Condition = { type: 'Ready', status: 'False' };
  const up: Condition = { type: 'Ready', status: 'True' };
  const small = planDisruption(new Map([['a', 'Normal']]), new Map([['a', [up, down, down, down]]]), rates);
  t.deepEqual([...small.rates], [['a', 0]]);
  const large = planDisruption(new Map([['a', 'Normal']]), new Map([['a', [up, up, down, down, down, down]]]), rates);
  t.deepEqual([...large.rates], [['a', 0.01]]);
  const back = planDisruption(large.states, new Map([['a', [up, up, up, up, up, down]]]), rates);
  t.deepEqual([...back.rates], [['a', 0.1]]);
});

test('zoneKey() uses the topology labels', (t) => {
  t.is(zoneKey(node('a', { created: 0 })), '');
  t.is(zoneKey(node('a', { created: 0, labels: { 'topology.kubernetes.io/zone': 'z1', 'topology.kubernetes.io/region': 'r' } })), 'r:\u0000:z1');
  t.is(zoneKey(node('a', { created: 0, labels: { 'failure-domain.beta.kubernetes.io/zone': 'z2' } })), ':\u0000:z2');
});

test('podsToMarkNotReady() flips Ready of the pods on the node only', (t) => {
  const pod = (name: string, nodeName: string, ready?: Condition['status']): Pod => ({
    metadata: { name, namespace: 'default' },
    spec: { nodeName, containers: [] },
    status: { phase: 'Running', conditions: ready ? [{ type: 'Ready', status: ready }, { type: 'PodScheduled', status: 'True' }] : [] },
  });
  const now = Date.parse('2026-01-01T00:00:10Z');
  const out = podsToMarkNotReady([pod('a', 'w1', 'True'), pod('b', 'w1', 'False'), pod('c', 'w2', 'True'), pod('d', 'w1')], 'w1', now);
  t.deepEqual(out.map((x) => x.pod.metadata.name), ['a']);
  t.deepEqual(out[0]!.status.conditions, [{ type: 'Ready', status: 'False', lastTransitionTime: '2026-01-01T00:00:10Z' }, { type: 'PodScheduled', status: 'True' }]);
});

test('noScheduleTaintDiff() mirrors conditions and unschedulable into NoSchedule taints', (t) => {
  const n = node('w1', { ready: 'Unknown', created: 0, taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }, { key: 'dedicated', effect: 'NoSchedule' }] });
  n.spec.unschedulable = true;
  n.status!.conditions!.push({ type: 'DiskPressure', status: 'True' });
  const d = noScheduleTaintDiff(n);
  t.deepEqual(d.add.map((x) => x.key).sort(), ['node.kubernetes.io/disk-pressure', 'node.kubernetes.io/unreachable', 'node.kubernetes.io/unschedulable']);
  t.deepEqual(d.remove, [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }], 'a user taint is never touched');
  t.deepEqual(noScheduleTaintDiff(node('w2', { ready: 'True', created: 0 })), { add: [], remove: [] });
});

test('swapTaints() stamps added taints and keeps one already there', (t) => {
  const keep: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: '2026-01-01T00:00:00Z' };
  t.is(swapTaints([keep], [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }], [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }], '2026-01-01T00:05:00Z'), undefined);
  t.deepEqual(swapTaints([keep], [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }], [keep], 'T'), [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute', timeAdded: 'T' }]);
  t.deepEqual(swapTaints(undefined, [], [keep], 'T'), undefined);
});

test('toleratesTaint() follows Toleration.ToleratesTaint', (t) => {
  const taint: Taint = { key: 'k', value: 'v', effect: 'NoExecute' };
  t.true(toleratesTaint({ operator: 'Exists' }, taint));
  t.true(toleratesTaint({ key: 'k', operator: 'Equal', value: 'v' }, taint));
  t.false(toleratesTaint({ key: 'k', operator: 'Equal', value: 'w' }, taint));
  t.false(toleratesTaint({ key: 'k', operator: 'Exists', effect: 'NoSchedule' }, taint));
  t.true(toleratesTaint({ key: 'k', operator: 'Exists', effect: 'NoExecute' }, taint));
});

test('RateLimitedTimedQueue taints one node at once, then one per 1/rate seconds', async (t) => {
  const clock = new FakeClock();
  const q = new RateLimitedTimedQueue(0.1, clock);
  const done: string[] = [];
  const act = async (v: string) => {
    done.push(v);
    return { done: true as const };
  };
  t.true(q.add('a', '1'));
  t.true(q.add('b', '2'));
  t.false(q.add('a', '1'), 'a member is not queued twice');
  await q.try(act);
  t.deepEqual(done, ['a']);
  clock.advance(9_000);
  await q.try(act);
  t.deepEqual(done, ['a']);
  clock.advance(1_000);
  await q.try(act);
  t.deepEqual(done, ['a', 'b']);
  t.false(q.add('a', '1'), 'a tainted node stays a member until removed');
  t.true(q.remove('a'));
  t.true(q.add('a', '1'));
});

test('RateLimitedTimedQueue stops at rate 0 and retries a failed action after its wait', async (t) => {
  const clock = new FakeClock();
  const q = new RateLimitedTimedQueue(1, clock);
  let calls = 0;
  q.add('a', '1');
  await q.try(async () => {
    calls++;
    return calls < 2 ? { done: false, retryAfterMs: 50 } : { done: true };
  });
  t.is(calls, 1);
  clock.advance(1_000);
  await q.try(async () => {
    calls++;
    return { done: true };
  });
  t.is(calls, 2);
  t.deepEqual(q.pending(), []);
  q.add('b', '2');
  q.swapLimiter(0);
  clock.advance(60_000);
  await q.try(async () => {
    calls++;
    return { done: true };
  });
  t.is(calls, 2, 'nothing is tainted while the rate is 0');
  q.swapLimiter(1);
  clock.advance(1_000);
  await q.try(async () => {
    calls++;
    return { done: true };
  });
  t.is(calls, 3);
});
