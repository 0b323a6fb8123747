/**
 * The prober manager (pkg/kubelet/prober/prober_manager.go): one worker per probe per container
 * of each pod on the node, and the answers the pod syncer asks of it (PodProbes):
 *
 * - ready(): a container with a readiness probe is ready once it has passed; until then the
 *   readiness worker is triggered to probe at once (UpdatePodStatus does the same), so a new
 *   container does not wait a whole period to become ready.
 * - started(): a container with a startup probe has started once it has passed.
 * - failed(): a failed liveness or startup result: the syncer kills and restarts the container.
 *
 * A changed result asks the kubelet to resync the pod (onResult): readiness and startup changes
 * always, liveness only when it fails, as syncLoopIteration handles the results managers'
 * updates. Workers read the status the syncer last computed (statusComputed), which is what the
 * kubelet's status manager caches for them.
 */
import type { Container, Pod, PodStatus } from '../../../api/types.js';
import type { Clock } from '../../../util/clock.js';
import type { Logger } from '../../../util/log.js';
import type { KubeletMetrics } from '../metrics.js';
import type { PodEventSink, PodProbes } from '../pod-syncer.js';
import type { ContainerRuntime } from '../runtime.js';
import { probeSpecOf, Prober } from './prober.js';
import { ProbeResults } from './results.js';
import type { ProbeType } from './types.js';
import { ProbeWorker } from './worker.js';

export interface ProbeManagerOptions {
  /** Runs exec probes (ExecSync). */
  runtime: Pick<ContainerRuntime, 'execSync'>;
  clock: Clock;
  log: Logger;
  /** prober_probe_total is counted here when given. */
  metrics?: KubeletMetrics;
  /** Unhealthy and ProbeWarning events. */
  events?: PodEventSink;
  /** A probe result of the pod changed: resync it (PodSyncer.requestSync). */
  onResult: (podUid: string) => void;
  /** A number in [0, 1), for spreading first probes after a kubelet start (default Math.random). */
  random?: () => number;
}

const TYPES: readonly ProbeType[] = ['Startup', 'Readiness', 'Liveness'];
const METRIC_RESULT = { success: 'successful', failure: 'failed' } as const;

interface PodEntry {
  pod: Pod;
  status?: PodStatus;
  /** Workers by "<container>/<type>". */
  workers: Map<string, ProbeWorker>;
}

export class ProbeManager implements PodProbes {
  private readonly pods = new Map<string, PodEntry>();
  private readonly readiness: ProbeResults;
  private readonly liveness: ProbeResults;
  private readonly startup: ProbeResults;
  private readonly prober: Prober;
  private readonly start: number;
  private closed = false;

  constructor(private readonly o: ProbeManagerOptions) {
    this.readiness = new ProbeResults((uid) => o.onResult(uid));
    this.startup = new ProbeResults((uid) => o.onResult(uid));
    this.liveness = new ProbeResults((uid, _id, result) => {
      if (result === 'failure') o.onResult(uid);
    });
    this.prober = new Prober({ runtime: o.runtime, clock: o.clock, ...(o.events ? { events: o.events } : {}) });
    this.start = o.clock.monotonic();
  }

  /** Starts workers for the probes of a new pod's containers; for a known pod, notes the newer object. */
  addPod(pod: Pod): void {
    const uid = pod.metadata.uid;
    if (!uid || this.closed) return;
    const known = this.pods.get(uid);
    if (known) {
      known.pod = pod;
      return;
    }
    const entry: PodEntry = { pod, workers: new Map() };
    for (const c of pod.spec.containers) {
      for (const type of TYPES) {
        const spec = probeSpecOf(c, type);
        if (!spec) continue;
        const key = `${c.name}/${type}`;
        const w = new ProbeWorker({
          type,
          pod: () => entry.pod,
          container: c,
          spec,
          status: () => entry.status,
          probe: (status, containerId, signal) => this.prober.probe(type, entry.pod, status, c, containerId, signal),
          results: this.resultsOf(type),
          clock: this.o.clock,
          log: this.o.log,
          managerStart: this.start,
          ...(this.o.random ? { random: this.o.random } : {}),
          onProbe: (result) => this.o.metrics?.probes.inc({ probe_type: type, result: METRIC_RESULT[result] }),
          onExit: () => {
            if (entry.workers.get(key) === w) entry.workers.delete(key);
          },
        });
        entry.workers.set(key, w);
      }
    }
    if (entry.workers.size === 0) return;
    this.pods.set(uid, entry);
    for (const w of entry.workers.values()) w.start();
  }

  /** Stops the pod's workers; their cached results go with them. */
  removePod(uid: string): void {
    const entry = this.pods.get(uid);
    if (!entry) return;
    this.pods.delete(uid);
    for (const w of entry.workers.values()) void w.stop();
  }

  /** Keeps the status the syncer computed for a pod with probes. */
  statusComputed(pod: Pod, status: PodStatus): void {
    const entry = this.pods.get(pod.metadata.uid ?? '');
    if (entry) entry.status = status;
  }

  ready(containerId: string, container: Container, podUid?: string): boolean | undefined {
    if (!container.readinessProbe) return undefined;
    if (this.readiness.get(containerId) === 'success') return true;
    // Not ready (yet): probe now rather than at the next period.
    if (podUid) this.pods.get(podUid)?.workers.get(`${container.name}/Readiness`)?.trigger();
    return false;
  }

  started(containerId: string, container: Container): boolean | undefined {
    if (!container.startupProbe) return undefined;
    return this.startup.get(containerId) === 'success';
  }

  failed(containerId: string, container: Container): 'liveness' | 'startup' | undefined {
    if (container.livenessProbe && this.liveness.get(containerId) === 'failure') return 'liveness';
    if (container.startupProbe && this.startup.get(containerId) === 'failure') return 'startup';
    return undefined;
  }

  /** Pods with probe workers. */
  get podCount(): number {
    return this.pods.size;
  }

  /** The worker of a container's probe, for tests and diagnostics. */
  worker(podUid: string, container: string, type: ProbeType): ProbeWorker | undefined {
    return this.pods.get(podUid)?.workers.get(`${container}/${type}`);
  }

  /** Stops every worker and waits for them. */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.pods.values()].flatMap((e) => [...e.workers.values()]);
    this.pods.clear();
    await Promise.all(all.map((w) => w.stop()));
  }

  private resultsOf(type: ProbeType): ProbeResults {
    return type === 'Readiness' ? this.readiness : type === 'Liveness' ? this.liveness : this.startup;
  }
}
