/**
 * Decisions on informer events, pure: which pods the scheduler is responsible for, which are
 * bound and count on a node, and which node updates can change where pods fit (a node's status
 * is rewritten by every kubelet heartbeat, and retrying every unschedulable pod on each of
 * those would waste the scheduler on nothing).
 */
import type { Condition, Node, Pod } from '../../api/types.js';

/** Whether the pod has finished: Succeeded and Failed pods hold no resources. */
export function isTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/**
 * Whether schedulerName must schedule pod: it has no node, has not finished, and names this
 * scheduler in spec.schedulerName or names none.
 */
export function needsScheduling(pod: Pod, schedulerName: string): boolean {
  if (pod.spec.nodeName || isTerminal(pod)) return false;
  const name = pod.spec.schedulerName;
  return !name || name === schedulerName;
}

/** Whether pod is bound to a node and counts there. */
export function isAssigned(pod: Pod): boolean {
  return !!pod.spec.nodeName && !isTerminal(pod);
}

function sameRecord(a: Record<string, unknown> | undefined, b: Record<string, unknown> | undefined): boolean {
  if (a === b) return true;
  const ka = a ? Object.keys(a) : [];
  const kb = b ? Object.keys(b) : [];
  if (ka.length !== kb.length) return false;
  for (const k of ka) if (String(a![k]) !== String(b?.[k])) return false;
  return true;
}

function conditionStatuses(conds: Condition[] | undefined): string {
  // Heartbeat and probe times change every few seconds; only type -> status matters here.
  return (conds ?? []).map((c) => `${c.type}=${c.status}`).sort().join(',');
}

/**
 * Whether a node update changed anything the filters or scorers read: allocatable, labels,
 * taints, spec.unschedulable, or a condition's status (kube-scheduler's
 * nodeSchedulingPropertiesChange).
 */
export function nodeChangedForScheduling(oldNode: Node, newNode: Node): boolean {
  if (oldNode === newNode) return false;
  if ((oldNode.spec?.unschedulable === true) !== (newNode.spec?.unschedulable === true)) return true;
  if (!sameRecord(oldNode.status?.allocatable, newNode.status?.allocatable)) return true;
  if (!sameRecord(oldNode.metadata.labels, newNode.metadata.labels)) return true;
  if (JSON.stringify(oldNode.spec?.taints ?? []) !== JSON.stringify(newNode.spec?.taints ?? [])) return true;
  return conditionStatuses(oldNode.status?.conditions) !== conditionStatuses(newNode.status?.conditions);
}
