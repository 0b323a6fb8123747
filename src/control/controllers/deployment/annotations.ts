/**
 * The annotations the Deployment controller keeps on ReplicaSets and Deployments, which kubectl
 * (rollout history, rollout undo, describe) reads, as Kubernetes' deployment util writes them:
 *
 * - deployment.kubernetes.io/revision: the rollout sequence number of a ReplicaSet (and of the
 *   Deployment: its newest). A template brought back (rollout undo) gets the next number, and
 *   its earlier numbers move to deployment.kubernetes.io/revision-history.
 * - deployment.kubernetes.io/desired-replicas and max-replicas: spec.replicas and
 *   spec.replicas + maxSurge when the ReplicaSet was last scaled, which tell a scaling event
 *   from a rollout and size proportional scaling.
 * - Every other annotation of the Deployment is copied to its new ReplicaSet (change-cause).
 */
import type { Deployment, ReplicaSet } from '../../../api/types.js';
import { maxSurge, replicasOf } from './fenceposts.js';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';
/** kubectl's last-applied-configuration: never copied, it describes the Deployment. */
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
/** The extensions/v1beta1 rollback request annotation. */
export const DEPRECATED_ROLLBACK_TO = 'deprecated.deployment.rollback.to';

/** Revision history kept on a ReplicaSet, in characters (maxRevHistoryLengthInChars). */
export const MAX_REVISION_HISTORY_CHARS = 2000;

const ANNOTATIONS_TO_SKIP = new Set([
  LAST_APPLIED_ANNOTATION,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  DEPRECATED_ROLLBACK_TO,
]);

/** strconv.ParseInt of a base-10 int64 (as a JS number): undefined when malformed. */
function parseIntStrict(s: string): number | undefined {
  return /^[+-]?\d+$/.test(s) ? Number(s) : undefined;
}

/** Revision: the object's revision, 0 without one; undefined when the annotation is malformed. */
export function revisionOf(obj: { metadata: { annotations?: Record<string, string> } }): number | undefined {
  const v = obj.metadata.annotations?.[REVISION_ANNOTATION];
  if (v === undefined) return 0;
  return parseIntStrict(v);
}

/** MaxRevision: the highest revision among the ReplicaSets (malformed ones skipped). */
export function maxRevision(rss: readonly ReplicaSet[]): number {
  let max = 0;
  for (const rs of rss) {
    const v = revisionOf(rs);
    if (v !== undefined && v > max) max = v;
  }
  return max;
}

/** SetDeploymentRevision: sets the Deployment's revision annotation; true if it changed. */
export function setDeploymentRevision(d: Deployment, revision: string): boolean {
  const a = (d.metadata.annotations ??= {});
  if (a[REVISION_ANNOTATION] === revision) return false;
  a[REVISION_ANNOTATION] = revision;
  return true;
}

/** copyDeploymentAnnotationsToReplicaSet: adds or updates, never removes; true if rs changed. */
function copyDeploymentAnnotations(d: Deployment, rs: ReplicaSet): boolean {
  const a = (rs.metadata.annotations ??= {});
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (ANNOTATIONS_TO_SKIP.has(k) || a[k] === v) continue;
    a[k] = v;
    changed = true;
  }
  return changed;
}

/** SetReplicasAnnotations: desired-replicas and max-replicas; true if either changed. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = (rs.metadata.annotations ??= {});
  let changed = false;
  if (a[DESIRED_REPLICAS_ANNOTATION] !== String(desired)) {
    a[DESIRED_REPLICAS_ANNOTATION] = String(desired);
    changed = true;
  }
  if (a[MAX_REPLICAS_ANNOTATION] !== String(max)) {
    a[MAX_REPLICAS_ANNOTATION] = String(max);
    changed = true;
  }
  return changed;
}

/** ReplicasAnnotationsNeedUpdate. */
export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = rs.metadata.annotations;
  return !a || a[DESIRED_REPLICAS_ANNOTATION] !== String(desired) || a[MAX_REPLICAS_ANNOTATION] !== String(max);
}

function intAnnotation(rs: ReplicaSet, key: string): number | undefined {
  const v = rs.metadata.annotations?.[key];
  if (v === undefined) return undefined;
  const n = parseIntStrict(v);
  return n === undefined ? undefined : n;
}

/** GetDesiredReplicasAnnotation. */
export function desiredReplicasAnnotation(rs: ReplicaSet): number | undefined {
  return intAnnotation(rs, DESIRED_REPLICAS_ANNOTATION);
}

/** getMaxReplicasAnnotation. */
export function maxReplicasAnnotation(rs: ReplicaSet): number | undefined {
  return intAnnotation(rs, MAX_REPLICAS_ANNOTATION);
}

/**
 * SetNewReplicaSetAnnotations: copies the Deployment's annotations to its new ReplicaSet, raises
 * the ReplicaSet's revision to newRevision when lower (keeping the old numbers in
 * revision-history, trimmed from the oldest to fit maxHistoryChars) and, for a ReplicaSet about
 * to be created, sets the replicas annotations. True if rs changed.
 */
export function setNewReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, newRevision: string, exists: boolean, maxHistoryChars = MAX_REVISION_HISTORY_CHARS): boolean {
  let changed = copyDeploymentAnnotations(d, rs);
  const a = (rs.metadata.annotations ??= {});
  const hadRevision = REVISION_ANNOTATION in a;
  const oldRevision = a[REVISION_ANNOTATION] ?? '';
  let oldInt = parseIntStrict(oldRevision);
  if (oldInt === undefined) {
    // A malformed revision is left alone, as Go does (with a warning).
    if (oldRevision !== '') return false;
    oldInt = 0;
  }
  const newInt = parseIntStrict(newRevision);
  if (newInt === undefined) return false;
  if (oldInt < newInt) {
    a[REVISION_ANNOTATION] = newRevision;
    changed = true;
    // It had a revision before: this is a rollback to it; keep where it has been.
    if (hadRevision) {
      const history = a[REVISION_HISTORY_ANNOTATION] ?? '';
      if (history === '') a[REVISION_HISTORY_ANNOTATION] = oldRevision;
      else {
        const old = history.split(',');
        let total = history.length + oldRevision.length + 1;
        let start = 0;
        while (total > maxHistoryChars && start < old.length) {
          total -= old[start]!.length + 1;
          start++;
        }
        if (total <= maxHistoryChars) a[REVISION_HISTORY_ANNOTATION] = [...old.slice(start), oldRevision].join(',');
      }
    }
  }
  if (!exists && setReplicasAnnotations(rs, replicasOf(d), replicasOf(d) + maxSurge(d))) changed = true;
  return changed;
}
