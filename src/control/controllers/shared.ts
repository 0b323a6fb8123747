/**
 * Small helpers every controller of the manager uses:
 *
 * - workQueueMetrics: client-go's workqueue metrics (workqueue_depth, workqueue_adds_total,
 *   workqueue_queue_duration_seconds, workqueue_work_duration_seconds, workqueue_retries_total,
 *   labelled by queue name) on the manager's Registry, through the WorkQueue metrics hooks, so
 *   /metrics shows every controller's queue. Any controller that builds a WorkQueue should pass
 *   `metrics: workQueueMetrics(ctx.metrics, "<queue name>")`.
 * - ensureIndex / podsOnNode: shared informers are shared by several controllers, and an index
 *   can be added only once; ensureIndex adds it the first time it is asked for.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Informer } from '../../client/informer.js';
import type { WorkQueueMetrics } from '../../client/workqueue.js';
import type { KObject, Pod } from '../../api/types.js';

/** client-go's buckets for queue latency and work duration: 10 ns to 10 s, by factors of 10. */
const DURATION_BUCKETS = [1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 0.01, 0.1, 1, 10];

function metric<M>(registry: Registry, name: string, make: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? make();
}

/**
 * WorkQueue metrics hooks for the queue called name, recorded in registry. Safe to call for
 * several queues on one registry: the metric families are created once and labelled by name.
 */
export function workQueueMetrics(registry: Registry, name: string): WorkQueueMetrics {
  const depth = metric(registry, 'workqueue_depth', () => new Gauge({ name: 'workqueue_depth', help: 'Current depth of workqueue', labelNames: ['name'] as const, registers: [registry] }));
  const adds = metric(registry, 'workqueue_adds_total', () => new Counter({ name: 'workqueue_adds_total', help: 'Total number of adds handled by workqueue', labelNames: ['name'] as const, registers: [registry] }));
  const latency = metric(
    registry,
    'workqueue_queue_duration_seconds',
    () => new Histogram({ name: 'workqueue_queue_duration_seconds', help: 'How long in seconds an item stays in workqueue before being requested.', labelNames: ['name'] as const, buckets: DURATION_BUCKETS, registers: [registry] }),
  );
  const work = metric(
    registry,
    'workqueue_work_duration_seconds',
    () => new Histogram({ name: 'workqueue_work_duration_seconds', help: 'How long in seconds processing an item from workqueue takes.', labelNames: ['name'] as const, buckets: DURATION_BUCKETS, registers: [registry] }),
  );
  const retries = metric(registry, 'workqueue_retries_total', () => new Counter({ name: 'workqueue_retries_total', help: 'Total number of retries handled by workqueue', labelNames: ['name'] as const, registers: [registry] }));
  // Initialise the series so a queue that never saw work still shows up with zeros.
  depth.set({ name }, 0);
  adds.inc({ name }, 0);
  retries.inc({ name }, 0);
  return {
    depth: (n) => depth.set({ name }, n),
    add: () => adds.inc({ name }),
    queueLatency: (s) => latency.observe({ name }, s),
    workDuration: (s) => work.observe({ name }, s),
    retry: () => retries.inc({ name }),
  };
}

/** A counter on registry, created on first use (controllers may be built more than once per registry in tests). */
export function sharedCounter<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[]): Counter<L> {
  return metric(registry, name, () => new Counter<L>({ name, help, labelNames, registers: [registry] }));
}

/** A gauge on registry, created on first use. */
export function sharedGauge<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[]): Gauge<L> {
  return metric(registry, name, () => new Gauge<L>({ name, help, labelNames, registers: [registry] }));
}

/** Adds index name to a shared informer unless a controller already did. */
export function ensureIndex<T extends KObject>(inf: Informer<T>, name: string, fn: (obj: T) => string[]): void {
  try {
    inf.byIndex(name, '');
  } catch {
    inf.addIndexer(name, fn);
  }
}

/** The index name of pods by spec.nodeName, as client-go's "spec.nodeName" indexer. */
export const POD_NODE_INDEX = 'spec.nodeName';

/** Adds the pods-by-node index to the pod informer and returns a lookup of a node's pods. */
export function podsOnNode(pods: Informer<Pod>): (node: string) => Pod[] {
  ensureIndex(pods, POD_NODE_INDEX, (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []));
  return (node) => pods.byIndex(POD_NODE_INDEX, node);
}

/** The index name of objects by namespace. */
export const NAMESPACE_INDEX = 'namespace';

/** Adds the by-namespace index to inf and returns a lookup of a namespace's objects. */
export function byNamespace<T extends KObject>(inf: Informer<T>): (ns: string) => T[] {
  ensureIndex(inf, NAMESPACE_INDEX, (o) => [o.metadata.namespace ?? '']);
  return (ns) => inf.byIndex(NAMESPACE_INDEX, ns);
}

/** Whether a pod's Ready condition is True (podutil.IsPodReady). */
export function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}
