/**
 * The scorers: which of the feasible nodes is best? Pure functions over the feasible nodes of
 * one scheduling cycle, each giving 0..100 (framework.MaxNodeScore) per node, combined as a
 * weighted sum with kube-scheduler's default weights:
 *
 * - NodeResourcesLeastAllocated (weight 1): the mean over CPU and memory of
 *   (allocatable - requested) * 100 / allocatable, where requested counts the node's pods and
 *   this one with their non-zero requests (100m / 200Mi for containers that ask for nothing).
 * - Spreading (weight 2, as PodTopologySpread that replaced SelectorSpread): pods of the same
 *   controller on the node; 100 * (max - count) / max over the feasible nodes.
 * - TaintToleration (weight 3): PreferNoSchedule taints the pod does not tolerate, counted and
 *   normalized in reverse (fewest gets 100).
 *
 * The highest total wins; ties are broken uniformly at random (reservoir sampling, as
 * kube-scheduler's selectHost does), so equal nodes share the load.
 */
import type { NodeInfo } from './nodeinfo.js';
import type { PodInfo } from './podinfo.js';
import { tolerated } from './taints.js';

/** framework.MaxNodeScore. */
export const MAX_NODE_SCORE = 100;

/** Weights of the scorers; 0 turns one off. */
export interface ScoreWeights {
  leastAllocated: number;
  spread: number;
  taintToleration: number;
}

/** kube-scheduler's default weights (NodeResourcesFit 1, PodTopologySpread 2, TaintToleration 3). */
export const DEFAULT_SCORE_WEIGHTS: Readonly<ScoreWeights> = Object.freeze({ leastAllocated: 1, spread: 2, taintToleration: 3 });

/** leastRequestedScore: unused share of capacity on 0..100, 0 when over capacity or capacity is 0. */
export function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.floor(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

/** NodeResourcesLeastAllocated of pod on node: the integer mean of the CPU and memory scores. */
export function leastAllocatedScore(pod: PodInfo, node: NodeInfo): number {
  const cpu = leastRequestedScore(node.nonZeroRequested.milliCPU + pod.nonZero.milliCPU, node.allocatable.milliCPU);
  const mem = leastRequestedScore(node.nonZeroRequested.memory + pod.nonZero.memory, node.allocatable.memory);
  return Math.floor((cpu + mem) / 2);
}

/** Pods of pod's controller on node (0 for a pod without one). */
export function spreadCount(pod: PodInfo, node: NodeInfo): number {
  return pod.ownerUid === undefined || node.owners.size === 0 ? 0 : (node.owners.get(pod.ownerUid) ?? 0);
}

/** SelectorSpread's normalization of one node's count: 100 * (max - count) / max, 100 when max is 0. */
export function spreadScore(count: number, max: number): number {
  return max === 0 ? MAX_NODE_SCORE : Math.floor((MAX_NODE_SCORE * (max - count)) / max);
}

/** PreferNoSchedule taints of node that pod does not tolerate. */
export function intolerablePreferNoSchedule(pod: PodInfo, node: NodeInfo): number {
  let n = 0;
  for (const t of node.preferNoScheduleTaints) if (!tolerated(pod.preferTolerations, t)) n++;
  return n;
}

/** pluginhelper.DefaultNormalizeScore with reverse = true, for one node: the fewest gets 100. */
export function reverseNormalized(count: number, max: number): number {
  return max === 0 ? MAX_NODE_SCORE : MAX_NODE_SCORE - Math.floor((MAX_NODE_SCORE * count) / max);
}

/**
 * The weighted total score of each feasible node, in the order given. One pass gathers the
 * raw values, a second normalizes them: this runs for hundreds of nodes per pod.
 */
export function scoreNodes(pod: PodInfo, nodes: readonly NodeInfo[], w: ScoreWeights = DEFAULT_SCORE_WEIGHTS): number[] {
  const n = nodes.length;
  const total = new Array<number>(n);
  // Without an owner there is nothing to spread: every node gets the full spread score.
  const counts = w.spread !== 0 && pod.ownerUid !== undefined ? new Int32Array(n) : undefined;
  const taints = w.taintToleration !== 0 ? new Int32Array(n) : undefined;
  let maxCount = 0;
  let maxTaints = 0;
  for (let i = 0; i < n; i++) {
    const node = nodes[i]!;
    total[i] = w.leastAllocated === 0 ? 0 : w.leastAllocated * leastAllocatedScore(pod, node);
    if (counts) {
      const c = spreadCount(pod, node);
      counts[i] = c;
      if (c > maxCount) maxCount = c;
    }
    if (taints && node.preferNoScheduleTaints.length > 0) {
      const c = intolerablePreferNoSchedule(pod, node);
      taints[i] = c;
      if (c > maxTaints) maxTaints = c;
    }
  }
  if (w.spread !== 0) for (let i = 0; i < n; i++) total[i]! += w.spread * (counts ? spreadScore(counts[i]!, maxCount) : MAX_NODE_SCORE);
  if (taints) for (let i = 0; i < n; i++) total[i]! += w.taintToleration * reverseNormalized(taints[i]!, maxTaints);
  return total;
}

/**
 * The index of the highest score, ties broken uniformly at random by reservoir sampling.
 * random() returns [0, 1) (Math.random by default). -1 for an empty list.
 */
export function selectHost(scores: readonly number[], random: () => number = Math.random): number {
  if (scores.length === 0) return -1;
  let best = 0;
  let max = scores[0]!;
  let ties = 1;
  for (let i = 1; i < scores.length; i++) {
    const s = scores[i]!;
    if (s > max) {
      max = s;
      best = i;
      ties = 1;
    } else if (s === max) {
      ties++;
      if (Math.floor(random() * ties) === 0) best = i;
    }
  }
  return best;
}
