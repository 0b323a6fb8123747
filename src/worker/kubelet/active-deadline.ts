/**
 * spec.activeDeadlineSeconds (pkg/kubelet/active_deadline.go): a pod that has been active on the
 * node (since status.startTime) for that long is ended by the kubelet: its containers are
 * killed and it is Failed with reason DeadlineExceeded. Pure, so the decision is tested on plain
 * numbers; the pod syncer acts on it and resyncs the pod when its deadline comes.
 */
import type { Pod, PodStatus } from '../../api/types.js';
import { parseTime } from '../../util/clock.js';
import type { PodEviction } from './status/pod-status.js';

/** What the kubelet writes and records for a pod past its deadline. */
export const DEADLINE_EXCEEDED: PodEviction = { reason: 'DeadlineExceeded', message: 'Pod was active on the node longer than the specified deadline' };

/**
 * How long until pod passes its active deadline, ms: 0 or less when it has, undefined when it has
 * none or has not started (no startTime in status, the freshest the kubelet knows).
 */
export function activeDeadlineRemainingMs(pod: Pod, status: PodStatus | undefined, now: number): number | undefined {
  const seconds = pod.spec.activeDeadlineSeconds;
  if (seconds === undefined || seconds === null) return undefined;
  const start = parseTime(status?.startTime);
  if (start === undefined) return undefined;
  return start + seconds * 1000 - now;
}
