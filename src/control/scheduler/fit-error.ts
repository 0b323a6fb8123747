/**
 * Why a pod fits nowhere, worded as kube-scheduler's FitError.Error(): "0/N nodes are
 * available: " followed by "<count> <reason>" for each distinct filter reason, sorted as
 * strings and joined with ", ", and a final period:
 *
 *   0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu.
 *
 * Preemption is out of scope, so the PostFilter part Kubernetes appends ("preemption: ...") is
 * left out. With no nodes at all the message is ErrNoNodesAvailable's.
 */

/** The message of ErrNoNodesAvailable. */
export const NO_NODES_AVAILABLE = 'no nodes available to schedule pods';

/** FitError.Error() for numAllNodes nodes and the count of each reason. */
export function fitErrorMessage(numAllNodes: number, reasons: ReadonlyMap<string, number>): string {
  if (numAllNodes === 0) return NO_NODES_AVAILABLE;
  let msg = `0/${numAllNodes} nodes are available:`;
  const parts: string[] = [];
  for (const [reason, count] of reasons) parts.push(`${count} ${reason}`);
  // Go's sort.Strings: byte order, which for these ASCII strings is code unit order.
  parts.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (parts.length) msg += ` ${parts.join(', ')}.`;
  return msg;
}

/** A pod that fits on none of the nodes: the outcome of a scheduling cycle, not a failure of the scheduler. */
export class FitError extends Error {
  override readonly name = 'FitError';
  constructor(
    /** The number of nodes in the cache when the pod was tried. */
    readonly numAllNodes: number,
    /** How many nodes gave each reason. */
    readonly reasons: ReadonlyMap<string, number>,
  ) {
    super(fitErrorMessage(numAllNodes, reasons));
  }
}
