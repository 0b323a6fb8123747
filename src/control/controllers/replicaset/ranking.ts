/**
 * Which pods a ReplicaSet deletes first when it has too many: Kubernetes' ActivePodsWithRanks
 * ordering (pkg/controller/controller_utils.go), the pods that cost least to lose first:
 *
 *   1. unscheduled before scheduled,
 *   2. Pending before Unknown before Running,
 *   3. not ready before ready,
 *   4. lower controller.kubernetes.io/pod-deletion-cost before higher,
 *   5. pods on nodes crowded with related pods before pods on emptier nodes,
 *   6. ready for less time before ready for longer,
 *   7. more container restarts before fewer,
 *   8. newer before older.
 *
 * Simplification: steps 6 and 8 compare times directly, as Kubernetes does without its
 * LogarithmicScaleDown feature, so "newest first" holds exactly rather than per power-of-two
 * age bucket; ties then fall back to the name, so the order is deterministic.
 */
import type { Pod } from '../../../api/types.js';
import { parseTime } from '../../../util/clock.js';
import { isPodActive, isPodReady, podReadyCondition } from './pods.js';

export const POD_DELETION_COST_ANNOTATION = 'controller.kubernetes.io/pod-deletion-cost';

const PHASE_ORDINAL: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function phaseOrdinal(pod: Pod): number {
  // A pod without a phase yet is as good as Pending; other phases (terminal) sort first, as Go's
  // map lookup gives them 0 too.
  return PHASE_ORDINAL[pod.status?.phase ?? 'Pending'] ?? 0;
}

function deletionCost(pod: Pod): number {
  const v = pod.metadata.annotations?.[POD_DELETION_COST_ANNOTATION];
  if (v === undefined || !/^[+-]?\d+$/.test(v)) return 0;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : 0;
}

function maxRestarts(pod: Pod): number {
  let max = 0;
  for (const c of pod.status?.containerStatuses ?? []) max = Math.max(max, c.restartCount ?? 0);
  return max;
}

/** Go's afterOrZero: a zero (missing) time counts as later than any real time. */
function afterOrZero(a: number | undefined, b: number | undefined): boolean {
  if (a === undefined || b === undefined) return a === undefined;
  return a > b;
}

interface Ranked {
  pod: Pod;
  /** Active related pods on the same node. */
  rank: number;
}

/** Negative when a should be deleted before b. */
function compare(a: Ranked, b: Ranked): number {
  const pa = a.pod;
  const pb = b.pod;
  const na = pa.spec.nodeName ?? '';
  const nb = pb.spec.nodeName ?? '';
  if (na !== nb && (na === '' || nb === '')) return na === '' ? -1 : 1;
  const oa = phaseOrdinal(pa);
  const ob = phaseOrdinal(pb);
  if (oa !== ob) return oa - ob;
  const ra = isPodReady(pa);
  const rb = isPodReady(pb);
  if (ra !== rb) return ra ? 1 : -1;
  const ca = deletionCost(pa);
  const cb = deletionCost(pb);
  if (ca !== cb) return ca < cb ? -1 : 1;
  if (a.rank !== b.rank) return b.rank - a.rank;
  if (ra && rb) {
    const ta = parseTime(podReadyCondition(pa)?.lastTransitionTime);
    const tb = parseTime(podReadyCondition(pb)?.lastTransitionTime);
    if (ta !== tb) return afterOrZero(ta, tb) ? -1 : 1;
  }
  const xa = maxRestarts(pa);
  const xb = maxRestarts(pb);
  if (xa !== xb) return xb - xa;
  const ka = parseTime(pa.metadata.creationTimestamp);
  const kb = parseTime(pb.metadata.creationTimestamp);
  if (ka !== kb) return afterOrZero(ka, kb) ? -1 : 1;
  // Same second: the name (generateName suffixes are random) keeps the choice deterministic.
  const sa = pa.metadata.name ?? '';
  const sb = pb.metadata.name ?? '';
  return sa === sb ? 0 : sa < sb ? -1 : 1;
}

/**
 * getPodsToDelete: the diff pods of filteredPods to delete, cheapest first. relatedPods are the
 * pods of every ReplicaSet with the same owner (getIndirectlyRelatedPods); a pod whose node runs
 * more of them is deleted sooner, to spread the survivors.
 */
export function podsToDelete(filteredPods: readonly Pod[], relatedPods: readonly Pod[], diff: number): Pod[] {
  if (diff >= filteredPods.length) return [...filteredPods];
  const onNode = new Map<string, number>();
  for (const p of relatedPods) {
    if (!isPodActive(p)) continue;
    const node = p.spec.nodeName ?? '';
    onNode.set(node, (onNode.get(node) ?? 0) + 1);
  }
  const ranked: Ranked[] = filteredPods.map((pod) => ({ pod, rank: onNode.get(pod.spec.nodeName ?? '') ?? 0 }));
  ranked.sort(compare);
  return ranked.slice(0, diff).map((r) => r.pod);
}
