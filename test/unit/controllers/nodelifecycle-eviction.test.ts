import test from 'ava';
import type { Pod, Taint, Toleration } from '../../../src/api/types.js';
import { evictionDecision } from '../../../src/control/controllers/nodelifecycle/eviction.js';
import { FakeClock, rfc3339 } from '../../../src/util/clock.js';

function pod(tolerations: Toleration[], deleting = false): Pod {
  return {
    metadata: { name: 'web-1', namespace: 'default', uid: 'u1', ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    spec: { nodeName: 'w1', containers: [{ name: 'c' }], tolerations },
  };
}

const unreachable = (timeAdded?: string): Taint => ({ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', ...(timeAdded ? { timeAdded } : {}) });
const notReady = (timeAdded?: string): Taint => ({ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute', ...(timeAdded ? { timeAdded } : {}) });
const tolerate = (key: string, seconds?: number): Toleration => ({ key, operator: 'Exists', effect: 'NoExecute', ...(seconds !== undefined ? { tolerationSeconds: seconds } : {}) });

test('evictionDecision() follows processPodOnNode, counting tolerationSeconds from timeAdded', (t) => {
  const clock = new FakeClock();
  const tainted = clock.now();
  const added = rfc3339(tainted);
  // The controller looks 7 s after the taint was added.
  clock.advance(7_000);
  const now = clock.now();
  const cases: { name: string; pod: Pod; taints: Taint[]; want: ReturnType<typeof evictionDecision> }[] = [
    { name: 'no taints', pod: pod([]), taints: [], want: { evictAt: undefined, reason: 'no-taints' } },
    { name: 'not tolerated: now', pod: pod([]), taints: [unreachable(added)], want: { evictAt: now, reason: 'not-tolerated' } },
    { name: 'tolerated for 30 s: timeAdded + 30 s', pod: pod([tolerate('node.kubernetes.io/unreachable', 30)]), taints: [unreachable(added)], want: { evictAt: tainted + 30_000, reason: 'toleration-seconds' } },
    { name: 'tolerated for 5 s, taint 7 s old: overdue', pod: pod([tolerate('node.kubernetes.io/unreachable', 5)]), taints: [unreachable(added)], want: { evictAt: tainted + 5_000, reason: 'toleration-seconds' } },
    { name: 'tolerated forever', pod: pod([tolerate('node.kubernetes.io/unreachable')]), taints: [unreachable(added)], want: { evictAt: undefined, reason: 'tolerated-forever' } },
    { name: 'wildcard toleration', pod: pod([{ operator: 'Exists' }]), taints: [unreachable(added), notReady(added)], want: { evictAt: undefined, reason: 'tolerated-forever' } },
    { name: 'tolerationSeconds 0: now', pod: pod([tolerate('node.kubernetes.io/unreachable', 0)]), taints: [unreachable(added)], want: { evictAt: now, reason: 'toleration-seconds' } },
    {
      name: 'two taints: the first toleration to run out',
      pod: pod([tolerate('node.kubernetes.io/unreachable', 300), tolerate('node.kubernetes.io/not-ready', 60)]),
      taints: [unreachable(added), notReady(rfc3339(tainted + 100_000))],
      want: { evictAt: tainted + 160_000, reason: 'toleration-seconds' },
    },
    { name: 'one of two taints not tolerated', pod: pod([tolerate('node.kubernetes.io/unreachable', 300)]), taints: [unreachable(added), notReady(added)], want: { evictAt: now, reason: 'not-tolerated' } },
    { name: 'no timeAdded: counts from now', pod: pod([tolerate('node.kubernetes.io/unreachable', 30)]), taints: [unreachable()], want: { evictAt: now + 30_000, reason: 'toleration-seconds' } },
    { name: 'already terminating', pod: pod([], true), taints: [unreachable(added)], want: { evictAt: undefined, reason: 'terminating' } },
    {
      name: 'toleration for another effect does not count',
      pod: pod([{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoSchedule' }]),
      taints: [unreachable(added)],
      want: { evictAt: now, reason: 'not-tolerated' },
    },
  ];
  for (const c of cases) t.deepEqual(evictionDecision(c.pod, c.taints, now), c.want, c.name);
});

test('evictionDecision() gives the same time whenever it is asked: it depends on the objects, not on the moment', (t) => {
  const clock = new FakeClock();
  const added = rfc3339(clock.now());
  const p = pod([tolerate('node.kubernetes.io/unreachable', 60)]);
  const first = evictionDecision(p, [unreachable(added)], clock.now());
  clock.advance(45_000);
  const later = evictionDecision(p, [unreachable(added)], clock.now());
  t.is(first.evictAt, later.evictAt);
});
