/**
 * What the scheduler writes about a pod it could not place: the PodScheduled condition
 * (status False, reason Unschedulable, the FitError message), as kube-scheduler's
 * updatePod/podutil.UpdatePodCondition decide it: written only when it changed, and keeping
 * lastTransitionTime when the status stayed the same.
 */
import type { Condition, Pod } from '../../api/types.js';
import { rfc3339 } from '../../util/clock.js';

/** The reason of PodScheduled=False when no node fits. */
export const REASON_UNSCHEDULABLE = 'Unschedulable';
/** The reason of PodScheduled=False when the scheduler itself failed (e.g. the binding was refused). */
export const REASON_SCHEDULER_ERROR = 'SchedulerError';

/**
 * The PodScheduled condition to write for pod, or undefined when the pod already carries an
 * identical one (so repeated failures with the same message cost no write).
 */
export function podScheduledCondition(pod: Pod, reason: string, message: string, nowMs: number): Condition | undefined {
  const old = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (old && old.status === 'False' && old.reason === reason && old.message === message) return undefined;
  const cond: Condition = {
    type: 'PodScheduled',
    status: 'False',
    lastProbeTime: null,
    lastTransitionTime: old && old.status === 'False' && old.lastTransitionTime ? old.lastTransitionTime : rfc3339(nowMs),
    reason,
    message,
  };
  return cond;
}

/** The strategic merge patch of pods/status that sets only that condition (conditions merge by type). */
export function conditionPatch(cond: Condition): { status: { conditions: Condition[] } } {
  return { status: { conditions: [cond] } };
}
