/**
 * maxSurge and maxUnavailable as numbers of pods, as Kubernetes' deployment util
 * (ResolveFenceposts, MaxSurge, MaxUnavailable) and intstr.GetScaledValueFromIntOrPercent
 * compute them: a percentage of spec.replicas, surge rounded up, unavailable rounded down; when
 * both come to 0, maxUnavailable becomes 1 so that a rollout can always make progress.
 */
import type { Deployment } from '../../../api/types.js';

/**
 * GetScaledValueFromIntOrPercent: an int as is, "N%" as N% of total rounded up or down. Anything
 * else (validation rejects it) counts as 0, as the controller ignores that error.
 */
export function scaledValue(v: number | string | undefined | null, total: number, roundUp: boolean): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) : 0;
  const m = /^(-?\d+)%$/.exec(v);
  if (!m) return 0;
  const scaled = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

/** ResolveFenceposts: [surge, unavailable] for desired replicas. */
export function resolveFenceposts(maxSurge: number | string | undefined, maxUnavailable: number | string | undefined, desired: number): [number, number] {
  const surge = scaledValue(maxSurge ?? 0, desired, true);
  let unavailable = scaledValue(maxUnavailable ?? 0, desired, false);
  // Rounding down can turn a small percentage into 0; with surge also 0 nothing could move.
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return [surge, unavailable];
}

/** spec.replicas, defaulted as the API does. */
export function replicasOf(d: Deployment): number {
  return d.spec.replicas ?? 1;
}

/** IsRollingUpdate (the API defaults the strategy to RollingUpdate). */
export function isRollingUpdate(d: Deployment): boolean {
  return (d.spec.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

/** MaxSurge: how many pods above spec.replicas a rollout may run (0 for Recreate). */
export function maxSurge(d: Deployment): number {
  if (!isRollingUpdate(d)) return 0;
  const ru = d.spec.strategy?.rollingUpdate;
  return resolveFenceposts(ru?.maxSurge ?? '25%', ru?.maxUnavailable ?? '25%', replicasOf(d))[0];
}

/** MaxUnavailable: how many of spec.replicas may be unavailable during a rollout, at most spec.replicas. */
export function maxUnavailable(d: Deployment): number {
  const replicas = replicasOf(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  const ru = d.spec.strategy?.rollingUpdate;
  const unavailable = resolveFenceposts(ru?.maxSurge ?? '25%', ru?.maxUnavailable ?? '25%', replicas)[1];
  return Math.min(unavailable, replicas);
}
