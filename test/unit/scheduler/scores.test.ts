/** The scorers, pure: Kubernetes' arithmetic, normalization, and random tie-breaking. */
import test from 'ava';
import { NodeInfo } from '../../../src/control/scheduler/nodeinfo.js';
import { podInfoOf } from '../../../src/control/scheduler/podinfo.js';
import {
  leastAllocatedScore,
  leastRequestedScore,
  reverseNormalized,
  scoreNodes,
  selectHost,
  spreadScore,
} from '../../../src/control/scheduler/scores.js';
import { node, pod } from './fixtures.js';

const leastRequested: [number, number, number][] = [
  // requested, capacity, score
  [0, 4000, 100],
  [1000, 4000, 75],
  [3999, 4000, 0],
  [1, 3, 66],
  [4000, 4000, 0],
  [5000, 4000, 0],
  [10, 0, 0],
];
for (const [req, cap, want] of leastRequested) {
  test(`leastRequestedScore(${req}, ${cap}) is ${want}`, (t) => t.is(leastRequestedScore(req, cap), want));
}

test('leastAllocatedScore() counts the node non-zero requests plus this pod, CPU and memory averaged', (t) => {
  // 4 cores, 8Gi; one pod without requests already there counts as 100m/200Mi.
  const ni = NodeInfo.of(node({ name: 'n', cpu: '4', memory: '8Gi' }), [podInfoOf(pod({ nodeName: 'n' }))]);
  const p = podInfoOf(pod({ cpu: '900m', memory: '1848Mi' }));
  // cpu: (4000 - 1000) * 100 / 4000 = 75; memory: (8192 - 2048) Mi * 100 / 8192 Mi = 75
  t.is(leastAllocatedScore(p, ni), 75);
  const cpuOnly = podInfoOf(pod({ cpu: '1900m', memory: '0' }));
  // cpu: (4000 - 2000) / 4000 -> 50; memory: (8192 - 200) / 8192 -> 97; mean 73
  t.is(leastAllocatedScore(cpuOnly, ni), 73);
});

test('spreadScore() gives nodes with fewer pods of the owner more', (t) => {
  t.deepEqual(
    [0, 1, 2, 3].map((c) => spreadScore(c, 3)),
    [100, 66, 33, 0],
  );
  t.is(spreadScore(0, 0), 100);
});

test('reverseNormalized() scales by the maximum and puts the fewest on top', (t) => {
  t.deepEqual(
    [0, 1, 2].map((c) => reverseNormalized(c, 2)),
    [100, 50, 0],
  );
  t.is(reverseNormalized(0, 0), 100);
});

test('scoreNodes() adds the weighted scores: 1 x least allocated + 2 x spread + 3 x taints', (t) => {
  const owner = (n: string, k: number) => Array.from({ length: k }, () => podInfoOf(pod({ owner: 'web', nodeName: n })));
  const nodes = [
    NodeInfo.of(node({ name: 'a', cpu: '10', memory: '10Gi' }), owner('a', 2)),
    NodeInfo.of(node({ name: 'b', cpu: '10', memory: '10Gi', taints: [{ key: 'spot', effect: 'PreferNoSchedule' }] }), owner('b', 1)),
    NodeInfo.of(node({ name: 'c', cpu: '10', memory: '10Gi' })),
  ];
  const p = podInfoOf(pod({ owner: 'web', cpu: '1', memory: '1Gi' }));
  const la = nodes.map((n) => leastAllocatedScore(p, n));
  t.deepEqual(scoreNodes(p, nodes), [la[0]! + 2 * 0 + 3 * 100, la[1]! + 2 * 50 + 3 * 0, la[2]! + 2 * 100 + 3 * 100]);
});

test('scoreNodes() prefers the node with fewer pods of the same owner', (t) => {
  const a = NodeInfo.of(node({ name: 'a' }), [podInfoOf(pod({ owner: 'web', nodeName: 'a' }))]);
  const b = NodeInfo.of(node({ name: 'b' }), [podInfoOf(pod({ owner: 'db', nodeName: 'b' }))]);
  const [sa, sb] = scoreNodes(podInfoOf(pod({ owner: 'web' })), [a, b]);
  t.true(sb! > sa!, `b (${sb}) should beat a (${sa})`);
});

test('scoreNodes() prefers the emptier node', (t) => {
  const a = NodeInfo.of(node({ name: 'a' }), [podInfoOf(pod({ cpu: '2', nodeName: 'a' }))]);
  const b = NodeInfo.of(node({ name: 'b' }));
  const [sa, sb] = scoreNodes(podInfoOf(pod({ cpu: '100m' })), [a, b]);
  t.true(sb! > sa!);
});

test('scoreNodes() avoids untolerated PreferNoSchedule taints, and the weight can turn that off', (t) => {
  const tainted = NodeInfo.of(node({ name: 'a', taints: [{ key: 'spot', effect: 'PreferNoSchedule' }] }));
  const clean = NodeInfo.of(node({ name: 'b' }));
  const p = podInfoOf(pod({}));
  const [st, sc] = scoreNodes(p, [tainted, clean]);
  t.is(sc! - st!, 300, 'weight 3 times the full 100');
  const tolerant = podInfoOf(pod({ tolerations: [{ key: 'spot', operator: 'Exists' }] }));
  const [tt, tc] = scoreNodes(tolerant, [tainted, clean]);
  t.is(tt, tc);
  const [ot, oc] = scoreNodes(p, [tainted, clean], { leastAllocated: 1, spread: 2, taintToleration: 0 });
  t.is(ot, oc);
});

test('selectHost() takes the maximum and breaks ties by reservoir sampling', (t) => {
  t.is(selectHost([]), -1);
  t.is(selectHost([1, 5, 3]), 1);
  // random() < 1/k replaces the choice with the k-th tie: always 0 picks the last tie.
  t.is(
    selectHost([5, 2, 5, 5], () => 0),
    3,
  );
  t.is(
    selectHost([5, 2, 5, 5], () => 0.99),
    0,
  );
});

test('selectHost() spreads ties evenly', (t) => {
  const counts = [0, 0, 0];
  let seed = 42;
  // A fixed linear congruential generator: deterministic, and uniform enough.
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let i = 0; i < 3000; i++) counts[selectHost([7, 7, 7], random)]!++;
  for (const c of counts) t.true(c > 850 && c < 1150, `counts ${counts.join(', ')}`);
});
