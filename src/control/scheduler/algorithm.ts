/**
 * One scheduling decision (kube-scheduler's schedulePod): filter nodes until enough feasible
 * ones are found, score those, pick the best.
 *
 * With thousands of nodes the scheduler does not look at all of them for every pod: it stops
 * once numFeasibleNodesToFind nodes passed the filters (percentageOfNodesToScore, adaptive by
 * default: 50% minus 1% per 125 nodes, at least 5%, and never fewer than 100 nodes), and the
 * next pod starts where this one stopped, so every node is looked at over time. A pod that fits
 * nowhere has been tried against every node, which is what its FitError counts.
 */
import { FitError } from './fit-error.js';
import { runFilters } from './filters.js';
import type { NodeInfo } from './nodeinfo.js';
import type { PodInfo } from './podinfo.js';
import { DEFAULT_SCORE_WEIGHTS, scoreNodes, selectHost, type ScoreWeights } from './scores.js';

/** minFeasibleNodesToFind: below this many nodes every node is scored. */
export const MIN_FEASIBLE_NODES_TO_FIND = 100;
/** minFeasibleNodesPercentageToFind. */
export const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;

/**
 * How many feasible nodes to look for among numAllNodes, given percentageOfNodesToScore
 * (0 = adaptive, as kube-scheduler's numFeasibleNodesToFind; 100 = all).
 */
export function numFeasibleNodesToFind(numAllNodes: number, percentage: number): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  let p = percentage;
  if (p <= 0) {
    p = 50 - Math.trunc(numAllNodes / 125);
    if (p < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND) p = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND;
  }
  if (p >= 100) return numAllNodes;
  const n = Math.trunc((numAllNodes * p) / 100);
  return n < MIN_FEASIBLE_NODES_TO_FIND ? MIN_FEASIBLE_NODES_TO_FIND : n;
}

/** Options of a scheduling decision. */
export interface AlgorithmOptions {
  /** percentageOfNodesToScore (0 = adaptive). */
  percentageOfNodesToScore: number;
  weights?: ScoreWeights;
  /** [0, 1) for breaking ties (default Math.random). */
  random?: () => number;
}

/** Where the next search starts; carried from cycle to cycle. */
export interface SearchState {
  nextStartNodeIndex: number;
}

/** A decision: the chosen node and how much work it took. */
export interface ScheduleResult {
  node: NodeInfo;
  /** Nodes that passed the filters. */
  feasible: number;
  /** Nodes the filters ran on. */
  evaluated: number;
}

/**
 * Chooses a node for pod among nodes, or returns a FitError saying why none fits. Advances
 * state.nextStartNodeIndex past the nodes it looked at.
 */
export function schedulePod(pod: PodInfo, nodes: readonly NodeInfo[], state: SearchState, o: AlgorithmOptions): ScheduleResult | FitError {
  const all = nodes.length;
  if (all === 0) return new FitError(0, new Map());
  const want = numFeasibleNodesToFind(all, o.percentageOfNodesToScore);
  const start = state.nextStartNodeIndex % all;
  const feasible: NodeInfo[] = [];
  const reasons = new Map<string, number>();
  let evaluated = 0;
  for (let i = 0; i < all && feasible.length < want; i++) {
    const node = nodes[(start + i) % all]!;
    evaluated++;
    const r = runFilters(pod, node);
    if (r === undefined) feasible.push(node);
    else if (feasible.length === 0) {
      // Reasons matter only if nothing fits; once a node fits, counting them is wasted work.
      for (const reason of r) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
  }
  state.nextStartNodeIndex = (start + evaluated) % all;
  if (feasible.length === 0) return new FitError(all, reasons);
  if (feasible.length === 1) return { node: feasible[0]!, feasible: 1, evaluated };
  const scores = scoreNodes(pod, feasible, o.weights ?? DEFAULT_SCORE_WEIGHTS);
  return { node: feasible[selectHost(scores, o.random)]!, feasible: feasible.length, evaluated };
}
