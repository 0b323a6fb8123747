/**
 * How fast a lab notices and reacts to failures. The lab's own profile is fast (seconds), so a
 * lost node's pods come back within about ten seconds; the Kubernetes profile uses Kubernetes'
 * defaults (40 s node grace, 300 s toleration, 10 s crash-loop back-off) to see a cluster behave
 * as production clusters do. `lab up --timings kubernetes` picks it.
 */

export interface Timings {
  /** Kubelet: spec.leaseDurationSeconds of the node lease. */
  leaseDurationSeconds: number;
  /** Kubelet: time between lease renewals. */
  leaseRenewInterval: string;
  /** Controller manager: how often node health is checked. */
  nodeMonitorPeriod: string;
  /** Controller manager: silence after which a node becomes Unknown and tainted. */
  nodeMonitorGracePeriod: string;
  /** Controller manager: nodes per second that may be tainted for eviction (per zone). */
  nodeEvictionRate: string;
  /** API server: tolerationSeconds of the default not-ready/unreachable tolerations. */
  defaultTolerationSeconds: number;
  /** Kubelet: first and largest crash-loop back-off. */
  restartBackoffBase: string;
  restartBackoffMax: string;
  /** Scheduler: back-off of pods that failed to schedule. */
  podInitialBackoffSeconds: number;
  podMaxBackoffSeconds: number;
}

export const TIMINGS: Record<'lab' | 'kubernetes', Timings> = {
  lab: {
    leaseDurationSeconds: 4,
    leaseRenewInterval: '1s',
    nodeMonitorPeriod: '1s',
    nodeMonitorGracePeriod: '4s',
    nodeEvictionRate: '100',
    defaultTolerationSeconds: 3,
    restartBackoffBase: '250ms',
    restartBackoffMax: '10s',
    podInitialBackoffSeconds: 0.25,
    podMaxBackoffSeconds: 5,
  },
  kubernetes: {
    leaseDurationSeconds: 40,
    leaseRenewInterval: '10s',
    nodeMonitorPeriod: '5s',
    nodeMonitorGracePeriod: '40s',
    nodeEvictionRate: '0.1',
    defaultTolerationSeconds: 300,
    restartBackoffBase: '10s',
    restartBackoffMax: '5m0s',
    podInitialBackoffSeconds: 1,
    podMaxBackoffSeconds: 10,
  },
};

export type TimingProfile = keyof typeof TIMINGS;
export const TIMING_PROFILES = Object.keys(TIMINGS) as TimingProfile[];
