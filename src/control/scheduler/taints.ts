/**
 * Taints and tolerations, as k8s.io/api/core/v1 Toleration.ToleratesTaint and
 * FindMatchingUntoleratedTaint define them.
 */
import type { Taint, Toleration } from '../../api/types.js';

/** The taint a cordoned node stands for (the NodeUnschedulable plugin checks a toleration of it). */
export const UNSCHEDULABLE_TAINT: Taint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };
/** The taint TaintNodesByCondition puts on a node that is not Ready. */
export const NOT_READY_TAINT: Taint = { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' };

/**
 * Whether toleration t tolerates taint: an empty effect matches every effect, an empty key
 * (with operator Exists) every key; operator Exists ignores the value, Equal (the default)
 * compares it.
 */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator) {
    case 'Exists':
      return true;
    case 'Equal':
    case undefined:
    case '' as Toleration['operator']:
      return (t.value ?? '') === (taint.value ?? '');
    default:
      return false;
  }
}

/** Whether any of tolerations tolerates taint. */
export function tolerated(tolerations: readonly Toleration[], taint: Taint): boolean {
  for (const t of tolerations) if (toleratesTaint(t, taint)) return true;
  return false;
}

/** The first of taints that no toleration tolerates, or undefined. */
export function findUntoleratedTaint(taints: readonly Taint[], tolerations: readonly Toleration[]): Taint | undefined {
  for (const taint of taints) if (!tolerated(tolerations, taint)) return taint;
  return undefined;
}

/** The TaintToleration filter's reason for an untolerated taint: "node(s) had untolerated taint {key: value}". */
export function untoleratedTaintReason(taint: Taint): string {
  return `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`;
}
