/**
 * When the taint eviction controller deletes a pod (pkg/controller/tainteviction's
 * processPodOnNode), as a pure function of the pod's tolerations, its node's NoExecute taints
 * and the time:
 *
 * - no NoExecute taint: nothing to do (any scheduled eviction is cancelled);
 * - a taint the pod does not tolerate: delete now;
 * - all tolerated, none with tolerationSeconds: tolerated forever;
 * - otherwise: delete when the first toleration runs out.
 *
 * Kubernetes starts the tolerationSeconds clock when the controller notices the taint; kubelab
 * counts from the taint's timeAdded instead (second precision, as the API stores it), so the
 * eviction time is a function of the objects alone: it can be read off the node, and a scenario
 * can predict it. The two differ by the controller's reaction time (milliseconds) plus up to a
 * second of timeAdded's rounding down. A taint without timeAdded counts from now.
 */
import type { Pod, Taint } from '../../../api/types.js';
import { parseTime } from '../../../util/clock.js';
import { matchingTolerations } from './taints.js';

/** The decision for one pod: evictAt (epoch ms, <= now for at once), or undefined for no eviction. */
export interface EvictionDecision {
  evictAt: number | undefined;
  /** Why, for log lines. */
  reason: 'no-taints' | 'not-tolerated' | 'tolerated-forever' | 'toleration-seconds' | 'terminating';
}

/** Decides whether and when pod must leave a node with the given NoExecute taints. */
export function evictionDecision(pod: Pod, taints: readonly Taint[], now: number): EvictionDecision {
  if (pod.metadata.deletionTimestamp) return { evictAt: undefined, reason: 'terminating' };
  if (taints.length === 0) return { evictAt: undefined, reason: 'no-taints' };
  const { allTolerated, used } = matchingTolerations(taints, pod.spec.tolerations ?? []);
  if (!allTolerated) return { evictAt: now, reason: 'not-tolerated' };
  let evictAt: number | undefined;
  for (const { taint, toleration } of used) {
    const seconds = toleration.tolerationSeconds;
    if (seconds === undefined || seconds === null) continue;
    const since = parseTime(taint.timeAdded) ?? now;
    const at = seconds <= 0 ? now : since + seconds * 1000;
    if (evictAt === undefined || at < evictAt) evictAt = at;
  }
  if (evictAt === undefined) return { evictAt: undefined, reason: 'tolerated-forever' };
  return { evictAt, reason: 'toleration-seconds' };
}
