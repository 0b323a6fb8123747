/**
 * Prometheus metrics of a kubelet (or of all hollow nodes of a process), on a per-instance
 * Registry, named as the kubelet names them where it has them: kubelet_running_pods,
 * kubelet_pod_start_duration_seconds, kubelet_runtime_operations_duration_seconds and
 * kubelet_runtime_operations_errors_total (by operation_type); plus container restarts, pod status
 * writes, lease renewals and node status reports, which the lab's benchmarks count; and
 * prober_probe_total by probe_type and result (Kubernetes adds container, pod, namespace and
 * pod_uid, which the lab leaves out to keep hollow nodes' series few).
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export class KubeletMetrics {
  readonly registry: Registry;
  /** Sources of the running-pods gauge (one per pod syncer), summed when scraped. */
  private readonly runningSources = new Set<() => number>();
  readonly runningPods: Gauge;
  readonly podStartDuration: Histogram;
  readonly containerRestarts: Counter;
  readonly runtimeOperations: Histogram<'operation_type'>;
  readonly runtimeErrors: Counter<'operation_type'>;
  readonly podStatusWrites: Counter;
  readonly leaseRenewals: Counter<'result'>;
  readonly nodeStatusReports: Counter<'result'>;
  /** Probe runs by probe_type (Liveness, Readiness, Startup) and result (successful, failed, unknown). */
  readonly probes: Counter<'probe_type' | 'result'>;

  constructor(registry = new Registry()) {
    this.registry = registry;
    const sources = this.runningSources;
    const registers = [registry];
    this.runningPods = new Gauge({
      name: 'kubelet_running_pods',
      help: 'Number of pods that have a running pod sandbox.',
      registers,
      collect() {
        let n = 0;
        for (const s of sources) n += s();
        this.set(n);
      },
    });
    this.podStartDuration = new Histogram({
      name: 'kubelet_pod_start_duration_seconds',
      help: 'Duration in seconds from the kubelet seeing a pod for the first time to the pod starting to run.',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 4, 5, 6, 8, 10, 20, 30, 45, 60, 120, 300, 600],
      registers,
    });
    this.containerRestarts = new Counter({ name: 'kubelet_container_restarts_total', help: 'Containers restarted after they exited (or failed to start).', registers });
    this.runtimeOperations = new Histogram({
      name: 'kubelet_runtime_operations_duration_seconds',
      help: 'Duration in seconds of runtime operations, by operation type.',
      labelNames: ['operation_type'],
      buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60],
      registers,
    });
    this.runtimeErrors = new Counter({ name: 'kubelet_runtime_operations_errors_total', help: 'Cumulative number of runtime operation errors by operation type.', labelNames: ['operation_type'], registers });
    this.podStatusWrites = new Counter({ name: 'kubelet_pod_status_writes_total', help: 'Pod status writes sent to the API server.', registers });
    this.leaseRenewals = new Counter({ name: 'kubelet_node_lease_renewals_total', help: 'Node lease renewals by result (ok, error).', labelNames: ['result'], registers });
    this.nodeStatusReports = new Counter({ name: 'kubelet_node_status_reports_total', help: 'Node status writes by result (ok, error).', labelNames: ['result'], registers });
    this.probes = new Counter({
      name: 'prober_probe_total',
      help: 'Cumulative number of a liveness, readiness or startup probe for a container by result.',
      labelNames: ['probe_type', 'result'],
      registers,
    });
  }

  /** Adds a source of running pods to the gauge; returns the function that removes it. */
  addRunningPodsSource(fn: () => number): () => void {
    this.runningSources.add(fn);
    return () => this.runningSources.delete(fn);
  }
}
