/**
 * Prometheus metrics of the scheduler on its own Registry, named as kube-scheduler names them:
 * attempts by result, end-to-end scheduling latency (first queued to bound), the algorithm's
 * latency per attempt, binding latency, pending pods per queue and the cache's sizes.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CacheCounts } from './cache.js';
import type { QueueCounts } from './queue.js';

/** Where the gauges read their values at scrape time. */
export interface MetricSources {
  queue(): QueueCounts;
  cache(): CacheCounts;
}

/** prometheus ExponentialBuckets(start, factor, count). */
function exponential(start: number, factor: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start * factor ** i);
}

export class SchedulerMetrics {
  readonly registry = new Registry();
  readonly scheduleAttempts: Counter<'profile' | 'result'>;
  readonly podSchedulingDuration: Histogram<'attempts'>;
  readonly schedulingAttemptDuration: Histogram<'profile' | 'result'>;
  readonly bindingDuration: Histogram<string>;
  readonly pendingPods: Gauge<'queue'>;
  readonly cacheSize: Gauge<'type'>;

  /**
   * @param profile the scheduler name, the "profile" label kube-scheduler puts on attempts
   * @param defaultMetrics also export the process metrics (CPU, memory, event loop lag); only
   *   daemons want them, in-process schedulers would report the host process
   */
  constructor(
    readonly profile: string,
    sources: MetricSources,
    defaultMetrics = false,
  ) {
    const registers = [this.registry];
    this.scheduleAttempts = new Counter({
      name: 'scheduler_schedule_attempts_total',
      help: 'Number of attempts to schedule pods, by the result. "unschedulable" means a pod could not be scheduled, while "error" means an internal scheduler problem.',
      labelNames: ['profile', 'result'] as const,
      registers,
    });
    for (const result of ['scheduled', 'unschedulable', 'error']) this.scheduleAttempts.inc({ profile, result }, 0);
    this.podSchedulingDuration = new Histogram({
      name: 'scheduler_pod_scheduling_duration_seconds',
      help: 'E2e latency for a pod being scheduled, from when it was first queued to when its binding was written; may include multiple scheduling attempts.',
      labelNames: ['attempts'] as const,
      buckets: exponential(0.01, 2, 20),
      registers,
    });
    this.schedulingAttemptDuration = new Histogram({
      name: 'scheduler_scheduling_attempt_duration_seconds',
      help: 'Scheduling attempt latency in seconds (scheduling algorithm only, not binding).',
      labelNames: ['profile', 'result'] as const,
      buckets: exponential(0.00001, 2, 20),
      registers,
    });
    this.bindingDuration = new Histogram({
      name: 'scheduler_binding_duration_seconds',
      help: 'Binding latency in seconds: the pods/binding request until its answer.',
      buckets: exponential(0.001, 2, 15),
      registers,
    });
    this.pendingPods = new Gauge({
      name: 'scheduler_pending_pods',
      help: 'Number of pending pods, by the queue type. "active" means number of pods in activeQ; "backoff" means number of pods in backoffQ; "unschedulable" means number of pods in unschedulablePods.',
      labelNames: ['queue'] as const,
      registers,
      collect() {
        const c = sources.queue();
        this.set({ queue: 'active' }, c.active);
        this.set({ queue: 'backoff' }, c.backoff);
        this.set({ queue: 'unschedulable' }, c.unschedulable);
      },
    });
    this.cacheSize = new Gauge({
      name: 'scheduler_scheduler_cache_size',
      help: 'Number of nodes, pods, and assumed (bound) pods in the scheduler cache.',
      labelNames: ['type'] as const,
      registers,
      collect() {
        const c = sources.cache();
        this.set({ type: 'nodes' }, c.nodes);
        this.set({ type: 'pods' }, c.pods);
        this.set({ type: 'assumed_pods' }, c.assumedPods);
      },
    });
    if (defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }
}
