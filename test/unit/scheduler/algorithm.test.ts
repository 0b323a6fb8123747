/** One scheduling decision: how many nodes are looked at, where the search starts, and what a FitError says. */
import test from 'ava';
import { numFeasibleNodesToFind, schedulePod } from '../../../src/control/scheduler/algorithm.js';
import { FitError, fitErrorMessage } from '../../../src/control/scheduler/fit-error.js';
import { NodeInfo } from '../../../src/control/scheduler/nodeinfo.js';
import { podInfoOf } from '../../../src/control/scheduler/podinfo.js';
import { node, pod } from './fixtures.js';

const feasibleRows: [number, number, number][] = [
  // all nodes, percentage, nodes to find
  [0, 0, 0],
  [50, 0, 50],
  [99, 0, 99],
  [100, 0, 100], // 49% of 100 is 49, raised to the minimum of 100
  [500, 0, 230], // 50 - 4 = 46%
  [1000, 0, 420], // 42%
  [5000, 0, 500], // 50 - 40 = 10%
  [6000, 0, 300], // 50 - 48 = 2%, raised to 5%
  [20000, 0, 1000], // 5%
  [1000, 10, 100],
  [1000, 5, 100], // 50 nodes raised to the minimum of 100
  [5000, 100, 5000],
  [5000, 30, 1500],
];
for (const [all, pct, want] of feasibleRows) {
  test(`numFeasibleNodesToFind(${all}, ${pct}) is ${want}`, (t) => t.is(numFeasibleNodesToFind(all, pct), want));
}

function nodes(n: number, o: Partial<Parameters<typeof node>[0]> = {}): NodeInfo[] {
  return Array.from({ length: n }, (_, i) => NodeInfo.of(node({ name: `n${i}`, ...o })));
}

test('schedulePod() stops after enough feasible nodes and the next search starts where it stopped', (t) => {
  const all = nodes(1000);
  const state = { nextStartNodeIndex: 0 };
  const p = podInfoOf(pod({ cpu: '100m' }));
  const r1 = schedulePod(p, all, state, { percentageOfNodesToScore: 0 });
  if (r1 instanceof FitError) return t.fail(r1.message);
  t.is(r1.evaluated, 420);
  t.is(r1.feasible, 420);
  t.is(state.nextStartNodeIndex, 420);
  const r2 = schedulePod(p, all, state, { percentageOfNodesToScore: 0 });
  if (r2 instanceof FitError) return t.fail(r2.message);
  t.is(state.nextStartNodeIndex, 840);
  schedulePod(p, all, state, { percentageOfNodesToScore: 0 });
  t.is(state.nextStartNodeIndex, 260, 'wraps around');
});

test('schedulePod() over many rounds looks at every node', (t) => {
  const all = nodes(5000);
  const state = { nextStartNodeIndex: 0 };
  const chosen = new Set<string>();
  const p = podInfoOf(pod({}));
  // Each round finds 500 feasible nodes: ten rounds cover all 5,000.
  for (let i = 0; i < 10; i++) {
    const r = schedulePod(p, all, state, { percentageOfNodesToScore: 0, random: () => 0 });
    if (r instanceof FitError) return t.fail(r.message);
    t.is(r.evaluated, 500);
    chosen.add(r.node.name);
  }
  t.is(state.nextStartNodeIndex, 0);
  t.is(chosen.size, 10, 'each round chose among different nodes');
});

test('schedulePod() keeps searching past nodes that do not fit', (t) => {
  const big = Array.from({ length: 10 }, (_, i) => NodeInfo.of(node({ name: `big${i}`, cpu: '8' })));
  const all = [...nodes(300, { cpu: '100m' }), ...big];
  const state = { nextStartNodeIndex: 0 };
  const r = schedulePod(podInfoOf(pod({ cpu: '2' })), all, state, { percentageOfNodesToScore: 0 });
  if (r instanceof FitError) return t.fail(r.message);
  t.regex(r.node.name, /^big/);
  t.is(r.evaluated, 310);
  t.is(r.feasible, 10);
});

test('schedulePod() counts the reasons of every node when none fits', (t) => {
  const all = [
    NodeInfo.of(node({ name: 'cp', taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] })),
    NodeInfo.of(node({ name: 'w1', cpu: '1' })),
    NodeInfo.of(node({ name: 'w2', cpu: '1', memory: '1Gi' })),
  ];
  const r = schedulePod(podInfoOf(pod({ cpu: '2', memory: '2Gi' })), all, { nextStartNodeIndex: 1 }, { percentageOfNodesToScore: 0 });
  t.true(r instanceof FitError);
  t.is(
    (r as FitError).message,
    '0/3 nodes are available: 1 Insufficient memory, 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu.',
  );
});

test('schedulePod() with no nodes says so as Kubernetes does', (t) => {
  const r = schedulePod(podInfoOf(pod({})), [], { nextStartNodeIndex: 0 }, { percentageOfNodesToScore: 0 });
  t.true(r instanceof FitError);
  t.is((r as FitError).message, 'no nodes available to schedule pods');
});

const messages: { name: string; nodes: number; reasons: [string, number][]; want: string }[] = [
  {
    name: 'the example of the documentation',
    nodes: 3,
    reasons: [
      ['Insufficient cpu', 2],
      ['node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }', 1],
    ],
    want: '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu.',
  },
  { name: 'one reason', nodes: 1, reasons: [['node(s) were unschedulable', 1]], want: '0/1 nodes are available: 1 node(s) were unschedulable.' },
  {
    name: 'sorted as strings, so 10 comes before 2',
    nodes: 12,
    reasons: [
      ['Insufficient cpu', 2],
      ['Too many pods', 10],
    ],
    want: '0/12 nodes are available: 10 Too many pods, 2 Insufficient cpu.',
  },
  { name: 'no reasons', nodes: 2, reasons: [], want: '0/2 nodes are available:' },
];
for (const m of messages) {
  test(`fitErrorMessage(): ${m.name}`, (t) => t.is(fitErrorMessage(m.nodes, new Map(m.reasons)), m.want));
}
