/**
 * Prometheus metrics of one proxy, on its own Registry (several proxies share a process in
 * tests and in the local lab's benchmark). Named as kube-proxy names them where it has an
 * equivalent (sync_proxy_rules, network_programming); the connection metrics are the userspace
 * proxy's own.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** States of a listener: serving, waiting for another proxy on this host to let go, or unable to listen. */
export type ListenerState = 'listening' | 'standby' | 'failed';

export const LISTENER_STATES: readonly ListenerState[] = ['listening', 'standby', 'failed'];

const LATENCY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export class ProxyMetrics {
  readonly registry = new Registry();
  readonly accepted = new Counter({
    name: 'kubelab_proxy_connections_accepted_total',
    help: 'Client connections accepted, by service and port name.',
    labelNames: ['service', 'port'] as const,
    registers: [this.registry],
  });
  readonly forwarded = new Counter({
    name: 'kubelab_proxy_connections_forwarded_total',
    help: 'Client connections connected to an endpoint, by service and port name.',
    labelNames: ['service', 'port'] as const,
    registers: [this.registry],
  });
  readonly failed = new Counter({
    name: 'kubelab_proxy_connections_failed_total',
    help: 'Client connections closed without an endpoint, by reason: no_endpoints (the service has no ready endpoint; Kubernetes would reject with ICMP) or connect_failed (every try failed).',
    labelNames: ['service', 'port', 'reason'] as const,
    registers: [this.registry],
  });
  readonly dialFailures = new Counter({
    name: 'kubelab_proxy_endpoint_dial_failures_total',
    help: 'Failed connects to endpoints (each is retried on the next endpoint), by service and port name.',
    labelNames: ['service', 'port'] as const,
    registers: [this.registry],
  });
  readonly active = new Gauge({
    name: 'kubelab_proxy_active_connections',
    help: 'Connections being forwarded now, by service and port name.',
    labelNames: ['service', 'port'] as const,
    registers: [this.registry],
  });
  readonly endpoints = new Gauge({
    name: 'kubelab_proxy_service_endpoints',
    help: 'Ready endpoints the proxy forwards cluster IP traffic to, by service and port name.',
    labelNames: ['service', 'port'] as const,
    registers: [this.registry],
  });
  readonly listeners = new Gauge({
    name: 'kubelab_proxy_listeners',
    help: 'Listening sockets by state: listening, standby (another proxy on this host has the address), failed.',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });
  /** Set by the proxy: bytes its sockets hold in userspace buffers now. */
  bufferedSource: () => number = () => 0;
  readonly buffered: Gauge = new Gauge({
    name: 'kubelab_proxy_buffered_bytes',
    help: 'Bytes held in the proxy\'s own socket buffers (not the kernel\'s); stays small because a slow reader pauses the other side.',
    registers: [this.registry],
    collect: (): void => this.buffered.set(this.bufferedSource()),
  });
  readonly syncDuration = new Histogram({
    name: 'kubeproxy_sync_proxy_rules_duration_seconds',
    help: 'From a Service or Endpoints change arriving to the routing table being updated.',
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly networkProgramming = new Histogram({
    name: 'kubeproxy_network_programming_duration_seconds',
    help: 'From the change an Endpoints reports in its endpoints.kubernetes.io/last-change-trigger-time annotation to the routing table being updated.',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly lastSync = new Gauge({
    name: 'kubeproxy_sync_proxy_rules_last_timestamp_seconds',
    help: 'When the routing table was last updated, seconds since the epoch.',
    registers: [this.registry],
  });

  constructor(o: { processMetrics?: boolean } = {}) {
    for (const state of LISTENER_STATES) this.listeners.set({ state }, 0);
    // Several proxies in one process would report the same process twice; the daemon asks for them.
    if (o.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** Sets the listener gauge from counts by state. */
  setListenerCounts(counts: Record<ListenerState, number>): void {
    for (const state of LISTENER_STATES) this.listeners.set({ state }, counts[state]);
  }

  /** The sum of the series of a counter or gauge that carry labels, for tests and benchmarks. */
  async value(name: string, labels: Record<string, string> = {}): Promise<number> {
    const m = await this.registry.getSingleMetric(name)?.get();
    if (!m) throw new RangeError(`no metric "${name}"`);
    let sum = 0;
    for (const v of m.values) if (Object.entries(labels).every(([k, x]) => v.labels[k] === x)) sum += v.value;
    return sum;
  }
}
