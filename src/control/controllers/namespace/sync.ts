/**
 * The decisions of the namespace controller (pkg/controller/namespace/deletion), as pure
 * functions of a namespace and what remains in it:
 *
 * - which namespaces need work (being deleted, "kubernetes" still in spec.finalizers);
 * - how long to wait before looking again: pods shutting down get their grace period, content
 *   held by finalizers gets 15 s (Kubernetes' finalizerEstimateSeconds), and the controller
 *   requeues after estimate/2 + 1 s;
 * - the deletion conditions Kubernetes reports on a Terminating namespace
 *   (NamespaceDeletionDiscoveryFailure, ...GroupVersionParsingFailure, ...ContentFailure,
 *   NamespaceContentRemaining, NamespaceFinalizersRemaining), so `kubectl describe ns` says what
 *   holds it;
 * - the spec sent to the finalize subresource: the finalizers without "kubernetes".
 */
import { isDeepStrictEqual } from 'node:util';
import type { Condition, KObject, Namespace, Pod } from '../../../api/types.js';
import { rfc3339 } from '../../../util/clock.js';

/** The finalizer the namespace controller removes once the namespace is empty. */
export const FINALIZER_KUBERNETES = 'kubernetes';
/** How long Kubernetes assumes content with finalizers needs, seconds. */
export const FINALIZER_ESTIMATE_SECONDS = 15;

/** Whether the namespace controller has work on ns: it is being deleted and not finalized yet. */
export function needsDeletion(ns: Namespace): boolean {
  return !!ns.metadata.deletionTimestamp && (ns.spec?.finalizers ?? []).length > 0;
}

/** The spec.finalizers to send to the finalize subresource, or undefined when "kubernetes" is gone already. */
export function finalizedSpec(ns: Namespace): { finalizers: string[] } | undefined {
  const f = ns.spec?.finalizers ?? [];
  if (!f.includes(FINALIZER_KUBERNETES)) return undefined;
  return { finalizers: f.filter((x) => x !== FINALIZER_KUBERNETES) };
}

/** What is left of one resource after its deletion was requested. */
export interface Remaining {
  /** "pods", "deployments.apps": as Kubernetes names resources in these messages. */
  resource: string;
  items: KObject[];
}

/** estimateGracefulTermination for pods: the longest grace period of those not finished. */
export function podTerminationEstimate(pods: readonly Pod[]): number {
  let estimate = 0;
  for (const p of pods) {
    if (p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') continue;
    const grace = p.metadata.deletionGracePeriodSeconds ?? p.spec.terminationGracePeriodSeconds ?? 30;
    if (grace > estimate) estimate = grace;
  }
  return estimate;
}

export interface ContentSummary {
  /** Seconds Kubernetes would estimate the rest needs (0: nothing should be left). */
  estimateSeconds: number;
  /** Objects left, by resource. */
  remaining: Map<string, number>;
  /** Objects left, by finalizer. */
  finalizers: Map<string, number>;
  /** Resources with objects left that nothing explains (no grace period, no finalizer). */
  unexpected: string[];
}

/** deleteAllContent's accounting of what remained after the deletes. */
export function summarizeRemaining(left: readonly Remaining[]): ContentSummary {
  const s: ContentSummary = { estimateSeconds: 0, remaining: new Map(), finalizers: new Map(), unexpected: [] };
  for (const { resource, items } of left) {
    if (items.length === 0) continue;
    s.remaining.set(resource, items.length);
    let estimate = resource === 'pods' ? podTerminationEstimate(items as Pod[]) : 0;
    let finalized = false;
    for (const item of items) {
      for (const f of item.metadata.finalizers ?? []) {
        s.finalizers.set(f, (s.finalizers.get(f) ?? 0) + 1);
        finalized = true;
      }
    }
    if (estimate === 0 && finalized) estimate = FINALIZER_ESTIMATE_SECONDS;
    if (estimate === 0) s.unexpected.push(resource);
    s.estimateSeconds = Math.max(s.estimateSeconds, estimate);
  }
  return s;
}

/** Seconds to wait before looking again at a namespace whose content is still going (estimate/2 + 1). */
export function requeueSeconds(estimateSeconds: number): number {
  return Math.floor(estimateSeconds / 2) + 1;
}

type ConditionSpec = Pick<Condition, 'type' | 'status' | 'reason' | 'message'>;

function sorted(m: Map<string, number>): [string, number][] {
  return [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The deletion conditions for a pass that saw summary, and the deletion errors (messages) it met. */
export function deletionConditions(summary: ContentSummary | undefined, errors: readonly string[]): ConditionSpec[] {
  const conds: ConditionSpec[] = [
    { type: 'NamespaceDeletionDiscoveryFailure', status: 'False', reason: 'ResourcesDiscovered', message: 'All resources successfully discovered' },
    { type: 'NamespaceDeletionGroupVersionParsingFailure', status: 'False', reason: 'ParsedGroupVersions', message: 'All legacy kube types successfully parsed' },
    errors.length
      ? { type: 'NamespaceDeletionContentFailure', status: 'True', reason: 'ContentDeletionFailed', message: `Failed to delete all resource types, ${errors.length} remaining: ${errors.join(', ')}` }
      : { type: 'NamespaceDeletionContentFailure', status: 'False', reason: 'ContentDeleted', message: 'All content successfully deleted, may be waiting on finalization' },
  ];
  if (summary) {
    conds.push(
      summary.remaining.size
        ? { type: 'NamespaceContentRemaining', status: 'True', reason: 'SomeResourcesRemain', message: `Some resources are remaining: ${sorted(summary.remaining).map(([r, n]) => `${r} has ${n} resource instances`).join(', ')}` }
        : { type: 'NamespaceContentRemaining', status: 'False', reason: 'ContentRemoved', message: 'All content successfully removed' },
      summary.finalizers.size
        ? { type: 'NamespaceFinalizersRemaining', status: 'True', reason: 'SomeFinalizersRemain', message: `Some content in the namespace has finalizers remaining: ${sorted(summary.finalizers).map(([f, n]) => `${f} in ${n} resource instances`).join(', ')}` }
        : { type: 'NamespaceFinalizersRemaining', status: 'False', reason: 'ContentHasNoFinalizers', message: 'All content-preserving finalizers finished' },
    );
  }
  return conds;
}

/**
 * The namespace status with these conditions merged in (lastTransitionTime kept unless the
 * status changed), or undefined when nothing changes; the phase is Terminating.
 */
export function statusWithConditions(ns: Namespace, conds: readonly ConditionSpec[], now: number): Namespace['status'] | undefined {
  const current = ns.status?.conditions ?? [];
  const next: Condition[] = current.filter((c) => !conds.some((n) => n.type === c.type));
  for (const c of conds) {
    const old = current.find((x) => x.type === c.type);
    const lastTransitionTime = old && old.status === c.status && old.lastTransitionTime ? old.lastTransitionTime : rfc3339(now);
    next.push({ type: c.type, status: c.status, lastTransitionTime, reason: c.reason!, message: c.message! });
  }
  const status = { ...(ns.status ?? {}), phase: 'Terminating' as const, conditions: next };
  const unchanged = ns.status?.phase === 'Terminating' && isDeepStrictEqual(sortConds(current), sortConds(next));
  return unchanged ? undefined : status;
}

function sortConds(c: readonly Condition[]): Condition[] {
  return [...c].sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
}
