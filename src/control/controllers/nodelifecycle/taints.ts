/**
 * Taints and tolerations, as k8s.io/api's helpers define them (Toleration.ToleratesTaint,
 * Taint.MatchTaint, GetMatchingTolerations) plus the taints the node lifecycle controller owns:
 * the NoExecute not-ready/unreachable taints that drive evictions, and the NoSchedule taints
 * that mirror node conditions (TaintNodesByCondition). No I/O.
 */
import type { Node, Taint, Toleration } from '../../../api/types.js';

export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';

/** The NoExecute taint of a node whose kubelet reports Ready=False. */
export const NOT_READY_TAINT: Taint = { key: TAINT_NOT_READY, effect: 'NoExecute' };
/** The NoExecute taint of a node whose kubelet stopped reporting (Ready=Unknown). */
export const UNREACHABLE_TAINT: Taint = { key: TAINT_UNREACHABLE, effect: 'NoExecute' };

/** nodeConditionToTaintKeyStatusMap: which condition status maps to which NoSchedule taint. */
const CONDITION_TAINTS: Record<string, Partial<Record<'True' | 'False' | 'Unknown', string>>> = {
  Ready: { False: TAINT_NOT_READY, Unknown: TAINT_UNREACHABLE },
  MemoryPressure: { True: 'node.kubernetes.io/memory-pressure' },
  DiskPressure: { True: 'node.kubernetes.io/disk-pressure' },
  NetworkUnavailable: { True: 'node.kubernetes.io/network-unavailable' },
  PIDPressure: { True: 'node.kubernetes.io/pid-pressure' },
};
const CONDITION_TAINT_KEYS = new Set(Object.values(CONDITION_TAINTS).flatMap((m) => Object.values(m)));

/** Same key and effect: the identity of a taint on a node (Taint.MatchTaint). */
export function matchTaint(a: Taint, b: Taint): boolean {
  return a.key === b.key && a.effect === b.effect;
}

export function taintExists(taints: readonly Taint[] | undefined, t: Taint): boolean {
  return (taints ?? []).some((x) => matchTaint(x, t));
}

/** Toleration.ToleratesTaint: an empty key with Exists tolerates every taint; an empty effect every effect. */
export function toleratesTaint(tol: Toleration, taint: Taint): boolean {
  if (tol.effect && tol.effect !== taint.effect) return false;
  if (tol.key && tol.key !== taint.key) return false;
  switch (tol.operator ?? 'Equal') {
    case 'Equal':
      return (tol.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

/**
 * GetMatchingTolerations: for each taint, the first toleration that tolerates it. allTolerated
 * is false when some taint has none.
 */
export function matchingTolerations(taints: readonly Taint[], tolerations: readonly Toleration[]): { allTolerated: boolean; used: { taint: Taint; toleration: Toleration }[] } {
  const used: { taint: Taint; toleration: Toleration }[] = [];
  for (const taint of taints) {
    const tol = tolerations.find((t) => toleratesTaint(t, taint));
    if (!tol) return { allTolerated: false, used: [] };
    used.push({ taint, toleration: tol });
  }
  return { allTolerated: true, used };
}

/** The NoExecute taints of a node. */
export function noExecuteTaints(node: Node | undefined): Taint[] {
  return (node?.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute');
}

/**
 * The node with taintsToAdd added (replacing any with the same key and effect, stamped with
 * timeAdded) and taintsToRemove removed; undefined when nothing would change
 * (SwapNodeControllerTaint). A taint already present is kept as it is, with its timeAdded.
 */
export function swapTaints(current: readonly Taint[] | undefined, taintsToAdd: readonly Taint[], taintsToRemove: readonly Taint[], timeAdded: string): Taint[] | undefined {
  let taints = [...(current ?? [])];
  let changed = false;
  for (const r of taintsToRemove) {
    const before = taints.length;
    taints = taints.filter((t) => !matchTaint(t, r));
    if (taints.length !== before) changed = true;
  }
  for (const a of taintsToAdd) {
    if (taints.some((t) => matchTaint(t, a) && (t.value ?? '') === (a.value ?? ''))) continue;
    taints = taints.filter((t) => !matchTaint(t, a));
    taints.push({ ...a, timeAdded });
    changed = true;
  }
  return changed ? taints : undefined;
}

/**
 * doNoScheduleTaintingPass: the NoSchedule taints a node should carry for its conditions and
 * spec.unschedulable, and which of its current condition taints to add and remove.
 */
export function noScheduleTaintDiff(node: Node): { add: Taint[]; remove: Taint[] } {
  const want: Taint[] = [];
  for (const c of node.status?.conditions ?? []) {
    const key = CONDITION_TAINTS[c.type]?.[c.status];
    if (key) want.push({ key, effect: 'NoSchedule' });
  }
  if (node.spec?.unschedulable) want.push({ key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' });
  const have = (node.spec?.taints ?? []).filter((t) => t.effect === 'NoSchedule' && (t.key === TAINT_UNSCHEDULABLE || CONDITION_TAINT_KEYS.has(t.key)));
  return {
    add: want.filter((w) => !have.some((h) => matchTaint(h, w))),
    remove: have.filter((h) => !want.some((w) => matchTaint(h, w))),
  };
}
