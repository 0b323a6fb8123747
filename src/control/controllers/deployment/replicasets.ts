/**
 * Reasoning about a Deployment's ReplicaSets, as Kubernetes' deployment util and
 * controller_utils do it: which one is new (its template equals the Deployment's, the hash
 * label aside), which are old, their orderings, sums of their counts, and how many replicas
 * the new one may have (NewRSNewReplicas, GetProportion, IsSaturated, FindActiveOrLatest).
 */
import { isDeepStrictEqual } from 'node:util';
import type { Deployment, PodTemplateSpec, ReplicaSet } from '../../../api/types.js';
import { parseTime } from '../../../util/clock.js';
import { desiredReplicasAnnotation, maxReplicasAnnotation, revisionOf } from './annotations.js';
import { isRollingUpdate, maxSurge, replicasOf } from './fenceposts.js';
import { POD_TEMPLATE_HASH_LABEL } from './hash.js';

/** spec.replicas of a ReplicaSet, defaulted as the API does. */
export function rsReplicas(rs: ReplicaSet): number {
  return rs.spec.replicas ?? 1;
}

/**
 * Go's semantic equality for API objects read as JSON: missing, null, empty lists and empty
 * maps are all "nothing" (nil and empty slices and maps compare equal in apimachinery's
 * forked DeepEqual), so a template that went through different encoders still matches.
 */
function prune(v: unknown): unknown {
  if (v === null || v === undefined) return undefined;
  if (Array.isArray(v)) {
    if (v.length === 0) return undefined;
    return v.map((x) => prune(x) ?? null);
  }
  if (typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const p = prune(x);
      if (p !== undefined) out[k] = p;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return v;
}

export function semanticEqual(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(prune(a), prune(b));
}

/** EqualIgnoreHash: the templates are equal once their pod-template-hash labels are removed. */
export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  const strip = (t: PodTemplateSpec | undefined) => {
    if (!t) return t;
    const labels = { ...(t.metadata?.labels ?? {}) };
    delete labels[POD_TEMPLATE_HASH_LABEL];
    return { ...t, metadata: { ...(t.metadata ?? {}), labels } };
  };
  return semanticEqual(strip(a), strip(b));
}

function creationTime(rs: ReplicaSet): number {
  return parseTime(rs.metadata.creationTimestamp) ?? 0;
}

/** ReplicaSetsByCreationTimestamp: oldest first, then by name. */
export function byCreationTimestamp(a: ReplicaSet, b: ReplicaSet): number {
  const ta = creationTime(a);
  const tb = creationTime(b);
  if (ta !== tb) return ta - tb;
  const na = a.metadata.name ?? '';
  const nb = b.metadata.name ?? '';
  return na < nb ? -1 : na > nb ? 1 : 0;
}

/** ReplicaSetsBySizeOlder: largest first, then oldest first. */
export function bySizeOlder(a: ReplicaSet, b: ReplicaSet): number {
  return rsReplicas(b) - rsReplicas(a) || byCreationTimestamp(a, b);
}

/** ReplicaSetsBySizeNewer: largest first, then newest first. */
export function bySizeNewer(a: ReplicaSet, b: ReplicaSet): number {
  return rsReplicas(b) - rsReplicas(a) || byCreationTimestamp(b, a);
}

/** ReplicaSetsByRevision: lowest revision first, then oldest first. */
export function byRevision(a: ReplicaSet, b: ReplicaSet): number {
  const ra = revisionOf(a) ?? 0;
  const rb = revisionOf(b) ?? 0;
  return ra - rb || byCreationTimestamp(a, b);
}

/** FilterActiveReplicaSets: those with spec.replicas > 0. */
export function filterActive(rss: readonly (ReplicaSet | undefined)[]): ReplicaSet[] {
  return rss.filter((rs): rs is ReplicaSet => rs !== undefined && rsReplicas(rs) > 0);
}

/** FindNewReplicaSet: the oldest ReplicaSet whose template is the Deployment's. */
export function findNewReplicaSet(d: Deployment, rss: readonly ReplicaSet[]): ReplicaSet | undefined {
  return [...rss].sort(byCreationTimestamp).find((rs) => equalIgnoreHash(rs.spec.template, d.spec.template));
}

/** FindOldReplicaSets' second result: every ReplicaSet but the new one. */
export function findOldReplicaSets(d: Deployment, rss: readonly ReplicaSet[]): ReplicaSet[] {
  const newRS = findNewReplicaSet(d, rss);
  return rss.filter((rs) => !newRS || rs.metadata.uid !== newRS.metadata.uid);
}

const sum = (rss: readonly (ReplicaSet | undefined)[], f: (rs: ReplicaSet) => number) => rss.reduce((n, rs) => n + (rs ? f(rs) : 0), 0);

/** GetReplicaCountForReplicaSets: sum of spec.replicas. */
export const specReplicas = (rss: readonly (ReplicaSet | undefined)[]) => sum(rss, rsReplicas);
/** GetActualReplicaCountForReplicaSets: sum of status.replicas. */
export const actualReplicas = (rss: readonly (ReplicaSet | undefined)[]) => sum(rss, (rs) => rs.status?.replicas ?? 0);
/** GetReadyReplicaCountForReplicaSets. */
export const readyReplicas = (rss: readonly (ReplicaSet | undefined)[]) => sum(rss, (rs) => rs.status?.readyReplicas ?? 0);
/** GetAvailableReplicaCountForReplicaSets. */
export const availableReplicas = (rss: readonly (ReplicaSet | undefined)[]) => sum(rss, (rs) => rs.status?.availableReplicas ?? 0);

/**
 * FindActiveOrLatest: the only active ReplicaSet, or, with none active, the new one (else the
 * newest old one); undefined when several are active (then scaling is proportional).
 */
export function findActiveOrLatest(newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): ReplicaSet | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const newestFirst = [...oldRSs].sort((a, b) => byCreationTimestamp(b, a));
  const active = filterActive([...newestFirst, newRS]);
  if (active.length === 0) return newRS ?? newestFirst[0];
  if (active.length === 1) return active[0];
  return undefined;
}

/**
 * IsSaturated: the new ReplicaSet has all the Deployment's replicas, believes so (its
 * desired-replicas annotation) and has them all available.
 */
export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const desired = desiredReplicasAnnotation(rs);
  if (desired === undefined) return false;
  const replicas = replicasOf(d);
  return rsReplicas(rs) === replicas && desired === replicas && (rs.status?.availableReplicas ?? 0) === replicas;
}

/**
 * NewRSNewReplicas: the size of the new ReplicaSet in this step. RollingUpdate: grow by what
 * the surge allows over all ReplicaSets, never past spec.replicas. Recreate: all at once.
 */
export function newRSNewReplicas(d: Deployment, allRSs: readonly ReplicaSet[], newRS: ReplicaSet): number {
  const replicas = replicasOf(d);
  if (!isRollingUpdate(d)) return replicas;
  const current = specReplicas(allRSs);
  const maxTotal = replicas + maxSurge(d);
  if (current >= maxTotal) return rsReplicas(newRS);
  const up = Math.min(maxTotal - current, replicas - rsReplicas(newRS));
  return rsReplicas(newRS) + up;
}

/** Go's integer.RoundToInt32: half away from zero. */
function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/**
 * getReplicaSetFraction: how many replicas rs gains (or loses) when the Deployment moves to its
 * current size, in proportion to its share of the size in its max-replicas annotation (or of
 * status.replicas without one).
 */
function replicaSetFraction(rs: ReplicaSet, d: Deployment): number {
  const replicas = replicasOf(d);
  if (replicas === 0) return -rsReplicas(rs);
  const deploymentMax = replicas + maxSurge(d);
  const annotated = maxReplicasAnnotation(rs) ?? d.status?.replicas ?? 0;
  // Never proportionally scale up from zero: with no base there is no share.
  if (annotated === 0) return 0;
  return roundHalfAway((rsReplicas(rs) * deploymentMax) / annotated) - rsReplicas(rs);
}

/**
 * GetProportion: rs's share of toAdd (negative to remove), bounded by what is still left to
 * distribute after added.
 */
export function getProportion(rs: ReplicaSet | undefined, d: Deployment, toAdd: number, added: number): number {
  if (!rs || rsReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

/** Whether any active ReplicaSet was last scaled for another spec.replicas (isScalingEvent). */
export function isScalingEvent(d: Deployment, allRSs: readonly (ReplicaSet | undefined)[]): boolean {
  const replicas = replicasOf(d);
  for (const rs of filterActive(allRSs)) {
    const desired = desiredReplicasAnnotation(rs);
    if (desired !== undefined && desired !== replicas) return true;
  }
  return false;
}
