/**
 * The decisions of the node lifecycle controller (pkg/controller/nodelifecycle), as pure
 * functions of what the controller has seen, the objects and the time:
 *
 * - tryUpdateNodeHealth: when the controller last heard from a node (its Lease being renewed,
 *   or, without one, its Ready condition's heartbeat changing), and whether that is longer ago
 *   than the grace period, in which case Ready, MemoryPressure, DiskPressure and PIDPressure
 *   become Unknown ("Kubelet stopped posting node status."). Like Kubernetes, it measures from
 *   when the controller *observed* a change, on its own clock, so clock skew between machines
 *   cannot make a healthy node look dead.
 * - taintBasedEvictionAction: what the Ready condition seen at the start of a pass means for the
 *   NoExecute taints (not-ready for False, unreachable for Unknown, none for True).
 * - computeZoneState / planDisruption: zones (topology.kubernetes.io/region and zone labels)
 *   whose nodes are mostly or all not ready slow down or stop tainting, and when every zone is
 *   fully disrupted the controller assumes its own view is broken and removes the taints.
 * - podsToMarkNotReady: pods on a node that stopped being Ready get Ready=False.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Condition, Lease, Node, NodeStatus, Pod, Taint } from '../../../api/types.js';
import { parseTime, rfc3339 } from '../../../util/clock.js';
import { NOT_READY_TAINT, taintExists, UNREACHABLE_TAINT } from './taints.js';

/** What the controller remembers of a node between passes (nodeHealthData). */
export interface NodeHealth {
  /** The node status seen last. */
  status: NodeStatus | undefined;
  /** When the controller last saw a sign of life (epoch ms, controller clock). */
  probeTimestamp: number;
  /** When the controller last saw Ready change. */
  readyTransitionTimestamp: number;
  /** spec.renewTime of the node's Lease as last seen (epoch ms), if it has one. */
  leaseRenewTime?: number;
}

/** Grace periods of tryUpdateNodeHealth, ms. */
export interface HealthTimings {
  /** --node-monitor-grace-period: how long a node that has posted status may stay silent. */
  monitorGracePeriodMs: number;
  /** --node-startup-grace-period: how long a node that never posted Ready may take. */
  startupGracePeriodMs: number;
}

export interface HealthResult {
  /** The state to remember when no status is written (or the write fails). */
  health: NodeHealth;
  /** The Ready condition as it was before this pass (a synthetic Unknown one if there was none). */
  observedReady: Condition;
  /** The Ready condition after this pass' decision; undefined when the node has none yet. */
  currentReady: Condition | undefined;
  /** The status to write through nodes/status, when Ready must change. */
  update?: NodeStatus;
  /** The state to remember once update has been written. */
  healthAfterUpdate?: NodeHealth;
}

/** Conditions the controller marks Unknown; NetworkUnavailable is the network plugin's business. */
const CONDITIONS_MARKED_UNKNOWN = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

export const NODE_STATUS_UNKNOWN_MESSAGE = 'Kubelet stopped posting node status.';
export const NODE_STATUS_NEVER_UPDATED_MESSAGE = 'Kubelet never posted node status.';

function conditionOf(status: NodeStatus | undefined, type: string): Condition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/** The renewTime of a lease, ms (micro-second precision is kept to the millisecond). */
export function leaseRenewTime(lease: Lease | undefined): number | undefined {
  return parseTime(lease?.spec?.renewTime);
}

/** tryUpdateNodeHealth: see the module comment. saved is what the previous pass returned. */
export function tryUpdateNodeHealth(saved: NodeHealth | undefined, node: Node, lease: Lease | undefined, now: number, t: HealthTimings): HealthResult {
  const created = parseTime(node.metadata.creationTimestamp) ?? now;
  const currentReady = conditionOf(node.status, 'Ready');
  let health: NodeHealth | undefined = saved ? { ...saved } : undefined;
  let grace: number;
  let observedReady: Condition;
  if (!currentReady) {
    // The kubelet never posted status: it gets the startup grace period, from the node's creation.
    observedReady = { type: 'Ready', status: 'Unknown', lastHeartbeatTime: node.metadata.creationTimestamp, lastTransitionTime: node.metadata.creationTimestamp };
    grace = t.startupGracePeriodMs;
    if (health) health.status = node.status;
    else health = { status: node.status, probeTimestamp: created, readyTransitionTimestamp: created };
  } else {
    observedReady = structuredClone(currentReady);
    grace = t.monitorGracePeriodMs;
  }
  const savedReady = health ? conditionOf(health.status, 'Ready') : undefined;
  const keepLease = health?.leaseRenewTime;
  if (!health) {
    health = { status: node.status, probeTimestamp: now, readyTransitionTimestamp: now };
  } else if ((!savedReady && currentReady) || (savedReady && !currentReady)) {
    health = { status: node.status, probeTimestamp: now, readyTransitionTimestamp: now };
  } else if (savedReady && currentReady && savedReady.lastHeartbeatTime !== currentReady.lastHeartbeatTime) {
    const transition = savedReady.lastTransitionTime !== currentReady.lastTransitionTime ? now : health.readyTransitionTimestamp;
    health = { status: node.status, probeTimestamp: now, readyTransitionTimestamp: transition };
  }
  if (keepLease !== undefined) health.leaseRenewTime = keepLease;
  // A renewed lease is a sign of life, whatever the node status says.
  const renewed = leaseRenewTime(lease);
  if (renewed !== undefined && (saved?.leaseRenewTime === undefined || saved.leaseRenewTime < renewed)) {
    health.leaseRenewTime = renewed;
    health.probeTimestamp = now;
  }

  if (now > health.probeTimestamp + grace) {
    const conditions = structuredClone(node.status?.conditions ?? []);
    const stamp = rfc3339(now);
    for (const type of CONDITIONS_MARKED_UNKNOWN) {
      const c = conditions.find((x) => x.type === type);
      if (!c) {
        conditions.push({
          type,
          status: 'Unknown',
          reason: 'NodeStatusNeverUpdated',
          message: NODE_STATUS_NEVER_UPDATED_MESSAGE,
          lastHeartbeatTime: node.metadata.creationTimestamp ?? stamp,
          lastTransitionTime: stamp,
        });
      } else if (c.status !== 'Unknown') {
        c.status = 'Unknown';
        c.reason = 'NodeStatusUnknown';
        c.message = NODE_STATUS_UNKNOWN_MESSAGE;
        c.lastTransitionTime = stamp;
      }
    }
    const newReady = conditions.find((c) => c.type === 'Ready')!;
    if (!isDeepStrictEqual(newReady, observedReady)) {
      const update: NodeStatus = { ...(node.status ?? {}), conditions };
      const after: NodeHealth = { status: update, probeTimestamp: health.probeTimestamp, readyTransitionTimestamp: now };
      if (health.leaseRenewTime !== undefined) after.leaseRenewTime = health.leaseRenewTime;
      return { health, observedReady, currentReady: newReady, update, healthAfterUpdate: after };
    }
    return { health, observedReady, currentReady: newReady };
  }
  return { health, observedReady, currentReady };
}

/** What processTaintBaseEviction does with a node, given its Ready status at the start of the pass. */
export type TaintAction =
  /** Replace one NoExecute taint with the other at once (no rate limit: the node is tainted already). */
  | { type: 'swap'; add: Taint; remove: Taint }
  /** Queue the node for the rate-limited NoExecute tainter (dropping a stale entry when the node lacks taint). */
  | { type: 'mark'; taint: Taint }
  /** The node is Ready: remove both NoExecute taints and drop it from the tainter. */
  | { type: 'reachable' };

export function taintBasedEvictionAction(node: Node, observedReadyStatus: Condition['status']): TaintAction {
  const taints = node.spec?.taints;
  switch (observedReadyStatus) {
    case 'False':
      if (taintExists(taints, UNREACHABLE_TAINT)) return { type: 'swap', add: NOT_READY_TAINT, remove: UNREACHABLE_TAINT };
      return { type: 'mark', taint: NOT_READY_TAINT };
    case 'Unknown':
      if (taintExists(taints, NOT_READY_TAINT)) return { type: 'swap', add: UNREACHABLE_TAINT, remove: NOT_READY_TAINT };
      return { type: 'mark', taint: UNREACHABLE_TAINT };
    default:
      return { type: 'reachable' };
  }
}

/** The NoExecute taint for a Ready status, and the one it excludes; undefined when Ready is True. */
export function noExecuteTaintFor(readyStatus: Condition['status'] | undefined): { add: Taint; remove: Taint } | undefined {
  if (readyStatus === 'False') return { add: NOT_READY_TAINT, remove: UNREACHABLE_TAINT };
  if (readyStatus === 'Unknown') return { add: UNREACHABLE_TAINT, remove: NOT_READY_TAINT };
  return undefined;
}

// ---- zones ----

export type ZoneState = 'Initial' | 'Normal' | 'PartialDisruption' | 'FullDisruption';

/** The label a node carries to be left out of zone disruption checks. */
export const EXCLUDE_DISRUPTION_LABEL = 'node.kubernetes.io/exclude-disruption';

/** GetZoneKey: region and zone labels (GA or beta), or '' when the node has neither. */
export function zoneKey(node: Node): string {
  const l = node.metadata.labels ?? {};
  const zone = l['topology.kubernetes.io/zone'] ?? l['failure-domain.beta.kubernetes.io/zone'] ?? '';
  const region = l['topology.kubernetes.io/region'] ?? l['failure-domain.beta.kubernetes.io/region'] ?? '';
  if (!zone && !region) return '';
  return `${region}:\u0000:${zone}`;
}

/**
 * ComputeZoneState: FullDisruption when no node of the zone is Ready, PartialDisruption when
 * more than two are not Ready and they are at least unhealthyThreshold of the zone, else Normal.
 */
export function computeZoneState(ready: readonly (Condition | undefined)[], unhealthyThreshold: number): { notReady: number; state: ZoneState } {
  let readyNodes = 0;
  let notReady = 0;
  for (const c of ready) {
    if (c?.status === 'True') readyNodes++;
    else notReady++;
  }
  if (readyNodes === 0 && notReady > 0) return { notReady, state: 'FullDisruption' };
  if (notReady > 2 && notReady / (notReady + readyNodes) >= unhealthyThreshold) return { notReady, state: 'PartialDisruption' };
  return { notReady, state: 'Normal' };
}

export interface EvictionRates {
  /** --node-eviction-rate: nodes tainted per second per zone normally. */
  evictionRate: number;
  /** --secondary-node-eviction-rate: in a partially disrupted zone larger than largeClusterSizeThreshold. */
  secondaryEvictionRate: number;
  /** --large-cluster-size-threshold. */
  largeClusterSizeThreshold: number;
  /** --unhealthy-zone-threshold. */
  unhealthyZoneThreshold: number;
}

/** setLimiterInZone: the tainting rate of a zone in a state (small partially disrupted zones stop). */
export function zoneRate(state: ZoneState, zoneSize: number, r: EvictionRates): number {
  switch (state) {
    case 'PartialDisruption':
      return zoneSize > r.largeClusterSizeThreshold ? r.secondaryEvictionRate : 0;
    default:
      return r.evictionRate;
  }
}

export interface DisruptionPlan {
  /** The zone states to remember (zones without nodes are dropped). */
  states: Map<string, ZoneState>;
  /** New tainting rates, by zone (only zones whose rate must change). */
  rates: Map<string, number>;
  /** Every zone just became fully disrupted: remove the NoExecute taints from every node. */
  enterFullDisruption: boolean;
  /** Some node is Ready again after a full disruption: give every node a fresh grace period. */
  exitFullDisruption: boolean;
  /** Zones whose state changed, for the log. */
  changed: { zone: string; state: ZoneState }[];
}

/** handleDisruption: the zone states and tainting rates after a pass (see the module comment). */
export function planDisruption(previous: ReadonlyMap<string, ZoneState>, zoneReady: ReadonlyMap<string, readonly (Condition | undefined)[]>, r: EvictionRates): DisruptionPlan {
  const states = new Map(previous);
  const next = new Map<string, ZoneState>();
  let allAreFull = true;
  for (const [zone, conds] of zoneReady) {
    const { state } = computeZoneState(conds, r.unhealthyZoneThreshold);
    if (state !== 'FullDisruption') allAreFull = false;
    next.set(zone, state);
    if (!states.has(zone)) states.set(zone, 'Initial');
  }
  let allWereFull = true;
  for (const [zone, state] of [...states]) {
    if (!zoneReady.has(zone)) {
      states.delete(zone);
      continue;
    }
    if (state !== 'FullDisruption') allWereFull = false;
  }
  const plan: DisruptionPlan = { states, rates: new Map(), enterFullDisruption: false, exitFullDisruption: false, changed: [] };
  if (allAreFull && allWereFull) return plan;
  if (allAreFull) {
    plan.enterFullDisruption = true;
    for (const zone of states.keys()) {
      plan.rates.set(zone, 0);
      states.set(zone, 'FullDisruption');
      plan.changed.push({ zone, state: 'FullDisruption' });
    }
    return plan;
  }
  if (allWereFull) plan.exitFullDisruption = true;
  for (const [zone, state] of states) {
    const n = next.get(zone)!;
    if (state === n && !allWereFull) continue;
    plan.rates.set(zone, zoneRate(n, zoneReady.get(zone)!.length, r));
    if (state !== n) plan.changed.push({ zone, state: n });
    states.set(zone, n);
  }
  return plan;
}

// ---- pods ----

/**
 * MarkPodsNotReady: the pods of node whose Ready condition must become False, with the status
 * to write (Ready=False, lastTransitionTime now). Pods without a Ready condition, or already not
 * ready, are left alone.
 */
export function podsToMarkNotReady(pods: readonly Pod[], nodeName: string, now: number): { pod: Pod; status: NonNullable<Pod['status']> }[] {
  const out: { pod: Pod; status: NonNullable<Pod['status']> }[] = [];
  for (const pod of pods) {
    if (pod.spec.nodeName !== nodeName) continue;
    const conds = pod.status?.conditions ?? [];
    const i = conds.findIndex((c) => c.type === 'Ready');
    if (i < 0 || conds[i]!.status === 'False') continue;
    const next = structuredClone(conds);
    next[i] = { ...next[i]!, status: 'False', lastTransitionTime: rfc3339(now) };
    out.push({ pod, status: { ...pod.status, conditions: next } });
  }
  return out;
}
