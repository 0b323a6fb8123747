/**
 * Cached probe results by container (pkg/kubelet/prober/results): one map per probe type, keyed by
 * the runtime's container ID. Setting a result that differs from the cached one reports the
 * change, which is how a probe result reaches the pod: the kubelet resyncs the pod and recomputes
 * its status (readiness, started) or kills the container (liveness, startup).
 */
import type { ProbeResult } from './types.js';

export class ProbeResults {
  private readonly results = new Map<string, ProbeResult>();

  /** onChange is called with the pod's uid whenever a container's result changes. */
  constructor(private readonly onChange: (podUid: string, containerId: string, result: ProbeResult) => void = () => {}) {}

  /** The cached result of a container, if any. */
  get(containerId: string): ProbeResult | undefined {
    return this.results.get(containerId);
  }

  /** Caches result for a container of pod podUid; reports it when it changed. */
  set(containerId: string, result: ProbeResult, podUid: string): void {
    if (this.results.get(containerId) === result) return;
    this.results.set(containerId, result);
    this.onChange(podUid, containerId, result);
  }

  /** Forgets a container (its worker moved on to a newer one, or stopped). */
  remove(containerId: string): void {
    this.results.delete(containerId);
  }

  /** Containers with a cached result. */
  get size(): number {
    return this.results.size;
  }
}
