/**
 * Writes pod status through the status subresource, only when it changed (the kubelet's status
 * manager, pkg/kubelet/status/status_manager.go):
 *
 * - Only the fields the kubelet owns are compared and sent: phase, reason and message, its
 *   conditions, IPs, start time and container statuses. Conditions of others (readiness gates, DisruptionTarget) are
 *   kept as the API has them.
 * - A JSON merge patch, so whatever else is in status (qosClass, nominatedNodeName) stays.
 * - A pod that reached Succeeded or Failed is never moved back.
 * - Until the informer shows our own write, a sync that computes the same status again does not
 *   write it twice; a change by someone else (a newer resourceVersion) is corrected.
 */
import type { Pod, PodStatus } from '../../../api/types.js';
import { isNotFound } from '../../../client/errors.js';
import type { ResourceClient } from '../../../client/resource.js';
import type { Logger } from '../../../util/log.js';
import { KUBELET_CONDITIONS, isTerminalPhase } from './pod-status.js';

/**
 * Whether a and b are equal as JSON: properties whose value is undefined count as absent, as
 * they vanish when the status is sent. Cheaper than comparing JSON texts, which matters at a
 * thousand pods a second.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let nx = 0;
  for (const k in x) {
    if (x[k] === undefined) continue;
    nx++;
    if (!jsonEqual(x[k], y[k])) return false;
  }
  let ny = 0;
  for (const k in y) if (y[k] !== undefined) ny++;
  return nx === ny;
}

const emptyToUndefined = <T>(xs: T[] | undefined): T[] | undefined => (xs && xs.length > 0 ? xs : undefined);

/**
 * Whether two statuses agree on everything the kubelet owns: phase, reason, message, IPs, start time, container
 * statuses, and its conditions (in any order; conditions of others are not compared).
 */
export function sameKubeletStatus(a: PodStatus | undefined, b: PodStatus | undefined): boolean {
  const x = a ?? {};
  const y = b ?? {};
  if (x.phase !== y.phase || x.hostIP !== y.hostIP || x.podIP !== y.podIP || x.startTime !== y.startTime) return false;
  if ((x.reason ?? '') !== (y.reason ?? '') || (x.message ?? '') !== (y.message ?? '')) return false;
  if (!jsonEqual(x.hostIPs, y.hostIPs) || !jsonEqual(x.podIPs, y.podIPs)) return false;
  if (!jsonEqual(emptyToUndefined(x.containerStatuses), emptyToUndefined(y.containerStatuses))) return false;
  if (!jsonEqual(emptyToUndefined(x.initContainerStatuses), emptyToUndefined(y.initContainerStatuses))) return false;
  const cx = (x.conditions ?? []).filter((c) => KUBELET_CONDITIONS.has(c.type));
  const cy = (y.conditions ?? []).filter((c) => KUBELET_CONDITIONS.has(c.type));
  if (cx.length !== cy.length) return false;
  for (const c of cx) {
    const d = cy.find((o) => o.type === c.type);
    if (!d || !jsonEqual(c, d)) return false;
  }
  return true;
}

/**
 * The merge patch that makes the API's status say desired, keeping conditions the kubelet does
 * not own. It carries metadata.uid as Kubernetes' status manager does: a server that treats uid
 * as immutable refuses the patch when the name now belongs to another pod.
 */
export function statusPatch(uid: string, current: PodStatus | undefined, desired: PodStatus): { metadata: { uid: string }; status: Record<string, unknown> } {
  const foreign = (current?.conditions ?? []).filter((c) => !KUBELET_CONDITIONS.has(c.type));
  const s: Record<string, unknown> = {
    phase: desired.phase,
    reason: desired.reason ?? null,
    message: desired.message ?? null,
    conditions: [...(desired.conditions ?? []), ...foreign],
    hostIP: desired.hostIP ?? null,
    hostIPs: desired.hostIPs ?? null,
    podIP: desired.podIP ?? null,
    podIPs: desired.podIPs ?? null,
    startTime: desired.startTime ?? null,
    containerStatuses: desired.containerStatuses ?? null,
  };
  if (desired.initContainerStatuses?.length || current?.initContainerStatuses?.length) s.initContainerStatuses = desired.initContainerStatuses ?? null;
  return { metadata: { uid }, status: s };
}

/** Whether resourceVersion a is newer than b: numerically when both are numbers (our server's), else when they differ. */
export function isNewerVersion(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return a !== b;
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) return a.length !== b.length ? a.length > b.length : a > b;
  return a !== b;
}

/** What the status manager remembers of its last write to a pod. */
export interface LastWrite {
  /** resourceVersion the write produced. */
  resourceVersion: string;
  /** The status it wrote. */
  status: PodStatus;
}

/**
 * Whether desired must be written for pod (as the informer last showed it): never out of a
 * terminal phase; not when the API already says it; not when we just wrote it and the informer
 * has not caught up yet.
 */
export function needsWrite(pod: Pod, desired: PodStatus, last: LastWrite | undefined): boolean {
  if (isTerminalPhase(pod.status?.phase) && !isTerminalPhase(desired.phase)) return false;
  if (sameKubeletStatus(pod.status, desired)) return false;
  if (last && sameKubeletStatus(last.status, desired) && !isNewerVersion(pod.metadata.resourceVersion, last.resourceVersion)) return false;
  return true;
}

export interface StatusManagerOptions {
  pods: ResourceClient<Pod>;
  log: Logger;
  /** Called after each write that reached the server. */
  onWrite?(pod: Pod): void;
}

export class StatusManager {
  private readonly last = new Map<string, LastWrite>();

  constructor(private readonly o: StatusManagerOptions) {}

  /**
   * Writes desired as pod's status if it needs writing. Resolves with the pod the server returned,
   * or undefined when nothing was written or the pod is gone.
   */
  async set(pod: Pod, desired: PodStatus, signal?: AbortSignal): Promise<Pod | undefined> {
    const uid = pod.metadata.uid ?? '';
    if (!needsWrite(pod, desired, this.last.get(uid))) return undefined;
    try {
      const written = await this.o.pods.patch(pod.metadata.namespace ?? '', pod.metadata.name ?? '', statusPatch(uid, pod.status, desired), 'merge', { subresource: 'status', ...(signal ? { signal } : {}) });
      if (written.metadata.uid !== uid) {
        // The name now belongs to a new pod: our write landed on it. The next sync of that pod fixes it.
        this.o.log.info('pod was replaced while its status was written', { pod: `${pod.metadata.namespace}/${pod.metadata.name}`, uid });
        return undefined;
      }
      this.last.set(uid, { resourceVersion: written.metadata.resourceVersion ?? '', status: desired });
      this.o.onWrite?.(written);
      return written;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /**
   * Tells the manager the informer now shows pod; resolves whether that is the echo of our own
   * last write. Once the informer has caught up with a write, the written status is no longer
   * kept (the informer has it), so 10,000 pods do not hold 10,000 extra copies.
   */
  observe(pod: Pod): boolean {
    const uid = pod.metadata.uid ?? '';
    const last = this.last.get(uid);
    const rv = pod.metadata.resourceVersion;
    if (!last || rv === undefined) return false;
    if (!isNewerVersion(last.resourceVersion, rv)) this.last.delete(uid);
    return last.resourceVersion === rv;
  }

  /**
   * The freshest status known for pod: our last write when the informer has not shown it yet.
   * Statuses are computed on top of it, so transition times and startTime do not jump when a
   * second sync runs before the first one's write comes back through the watch.
   */
  latestStatus(pod: Pod): PodStatus | undefined {
    const last = this.last.get(pod.metadata.uid ?? '');
    return last && isNewerVersion(last.resourceVersion, pod.metadata.resourceVersion) ? { ...pod.status, ...last.status } : pod.status;
  }

  /** Forgets a pod that is gone. */
  forget(uid: string): void {
    this.last.delete(uid);
  }
}
