/**
 * One worker per probe per container (pkg/kubelet/prober/worker.go): it probes every
 * periodSeconds, or at once when triggered, and keeps the container's cached result.
 *
 * - The first probe of a kubelet that started less than one period ago waits a random part of
 *   the period, so that a restarted kubelet does not probe every container at the same instant.
 * - A new container ID (a restart) resets the result to the type's initial value (readiness:
 *   failure, liveness: success, startup: unknown) and ends a hold.
 * - A container that is not running counts as failing; the worker ends when the pod is finished,
 *   or when its container terminated and will not restart (restartPolicy Never).
 * - initialDelaySeconds after the container started, probing begins. Until the startup probe has
 *   passed (containerStatuses[].started), only the startup probe runs; after it, only the others.
 * - A result changes only after failureThreshold failures or successThreshold successes in a row.
 * - A liveness or startup failure puts the worker on hold until the kubelet replaces the
 *   container, so it is not probed while being killed.
 * - Once the pod is being deleted, liveness and startup report success and stop: a pod shutting
 *   down is not restarted.
 *
 * Time comes from the injected Clock, so the state machine is tested on a FakeClock.
 */
import type { Container, ContainerStatus, Pod, PodStatus, Probe } from '../../../api/types.js';
import { parseTime, type Clock } from '../../../util/clock.js';
import type { Logger } from '../../../util/log.js';
import type { ProbeResults } from './results.js';
import type { ProbeResult, ProbeType } from './types.js';

export interface ProbeWorkerOptions {
  type: ProbeType;
  /** The pod as last seen: a function, so that a deletion reaches the worker. */
  pod: () => Pod;
  container: Container;
  spec: Probe;
  /** The status the kubelet last computed for the pod; undefined before its first sync. */
  status: () => PodStatus | undefined;
  /** Probes once; throws when the probe could not run (the result is then thrown away). */
  probe: (status: PodStatus, containerId: string, signal: AbortSignal) => Promise<'success' | 'failure'>;
  /** Where this probe type's results are kept. */
  results: ProbeResults;
  clock: Clock;
  log: Logger;
  /** Monotonic time the prober started: workers of a kubelet that just started spread their first probe. */
  managerStart: number;
  /** A number in [0, 1) for that spread (default Math.random). */
  random?: () => number;
  /** After each probe that ran, with its result (prober_probe_total). */
  onProbe?: (result: 'success' | 'failure') => void;
  /** When the worker has ended, by itself or stopped. */
  onExit?: () => void;
}

/** The cached value of a container before its first probe (the worker's initialValue). */
export function initialResult(type: ProbeType): ProbeResult {
  return type === 'Readiness' ? 'failure' : type === 'Liveness' ? 'success' : 'unknown';
}

/** "docker://abc" -> "abc": results are keyed by the runtime's own ID. */
export function runtimeIdOf(containerID: string): string {
  const i = containerID.indexOf('://');
  return i < 0 ? containerID : containerID.slice(i + 3);
}

function statusOf(status: PodStatus, name: string): ContainerStatus | undefined {
  const c = status.containerStatuses?.find((s) => s.name === name);
  if (c?.containerID) return c;
  const init = status.initContainerStatuses?.find((s) => s.name === name);
  return init?.containerID ? init : undefined;
}

export class ProbeWorker {
  /** The container ID (runtime's) the worker last saw; '' before any. */
  containerId = '';
  private lastResult: 'success' | 'failure' | undefined;
  private resultRun = 0;
  private onHold = false;
  private stopped = false;
  private triggered = false;
  private wake: (() => void) | undefined;
  /** Ends the first-probe spread early: only stop() does. */
  private interrupt: (() => void) | undefined;
  private nextTick = 0;
  private readonly ac = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(private readonly o: ProbeWorkerOptions) {}

  /** Starts probing in the background. */
  start(): void {
    this.loop ??= this.run();
  }

  /** Probes now instead of at the next period (a no-op while a probe runs, which then runs again). */
  trigger(): void {
    if (this.wake) this.wake();
    else this.triggered = true;
  }

  /** Stops the worker; resolves once it has ended and dropped its cached result. */
  stop(): Promise<void> {
    this.stopped = true;
    this.ac.abort();
    this.wake?.();
    this.interrupt?.();
    return this.loop ?? Promise.resolve();
  }

  /** Whether the worker is waiting for a new container after a liveness or startup failure. */
  get isOnHold(): boolean {
    return this.onHold;
  }

  /**
   * Probes the container once if it should be, and records the result (doProbe). Resolves
   * whether the worker should keep going.
   */
  async doProbe(): Promise<boolean> {
    const { o } = this;
    const status = o.status();
    if (!status) return true;
    if (status.phase === 'Failed' || status.phase === 'Succeeded') return false;
    const pod = o.pod();
    const uid = pod.metadata.uid ?? '';
    const c = statusOf(status, o.container.name);
    if (!c) return true;
    const id = runtimeIdOf(c.containerID!);
    if (id !== this.containerId) {
      if (this.containerId) o.results.remove(this.containerId);
      this.containerId = id;
      o.results.set(id, initialResult(o.type), uid);
      this.onHold = false;
    }
    if (this.onHold) return true;
    if (!c.state?.running) {
      o.results.set(id, 'failure', uid);
      // Nothing to wait for when the container has finished and will not run again.
      return !c.state?.terminated || pod.spec.restartPolicy !== 'Never';
    }
    if (pod.metadata.deletionTimestamp && (o.type === 'Liveness' || o.type === 'Startup')) {
      o.results.set(id, 'success', uid);
      return false;
    }
    const startedAt = parseTime(c.state.running.startedAt);
    if (startedAt !== undefined && Math.floor((o.clock.now() - startedAt) / 1000) < (o.spec.initialDelaySeconds ?? 0)) return true;
    // Until the startup probe has passed, it alone runs; after that, only the others do.
    if (c.started === true ? o.type === 'Startup' : o.type !== 'Startup') return true;

    let result: 'success' | 'failure';
    try {
      result = await o.probe(status, id, this.ac.signal);
    } catch {
      return true;
    }
    if (this.stopped) return false;
    o.onProbe?.(result);
    if (this.lastResult === result) this.resultRun++;
    else {
      this.lastResult = result;
      this.resultRun = 1;
    }
    const threshold = result === 'failure' ? (o.spec.failureThreshold ?? 3) : (o.spec.successThreshold ?? 1);
    if (this.resultRun < threshold) return true;
    o.results.set(id, result, uid);
    if ((o.type === 'Liveness' || o.type === 'Startup') && result === 'failure') {
      // The kubelet kills the container now; probing it meanwhile would only race the kill.
      this.onHold = true;
      this.resultRun = 0;
    }
    return true;
  }

  private async run(): Promise<void> {
    const { o } = this;
    const period = Math.max(1, o.spec.periodSeconds ?? 10) * 1000;
    try {
      if (period > o.clock.monotonic() - o.managerStart) await this.pause((o.random ?? Math.random)() * period);
      this.nextTick = o.clock.monotonic() + period;
      while (!this.stopped) {
        let keepGoing = true;
        try {
          keepGoing = await this.doProbe();
        } catch (err) {
          // A bug in one probe must not end the worker: log it and probe again next period.
          o.log.error(`${o.type.toLowerCase()} probe of container ${o.container.name} failed unexpectedly`, err);
        }
        if (!keepGoing || this.stopped) break;
        await this.nextRound(period);
      }
    } finally {
      if (this.containerId) o.results.remove(this.containerId);
      o.onExit?.();
    }
  }

  /** Waits ms, or less if stopped; a trigger meanwhile is kept for after (Go's buffered channel). */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.stopped) return resolve();
      const done = () => {
        cancel();
        this.interrupt = undefined;
        resolve();
      };
      const cancel = this.o.clock.setTimer(ms, done);
      this.interrupt = done;
    });
  }

  /** Waits for the next tick of a period ticker, a trigger, or stop. */
  private nextRound(period: number): Promise<void> {
    if (this.triggered) {
      this.triggered = false;
      return Promise.resolve();
    }
    const now = this.o.clock.monotonic();
    if (this.nextTick <= now) {
      // The probe took longer than a period: like Go's ticker, one tick is waiting; the missed rest are dropped.
      this.nextTick += Math.ceil((now - this.nextTick + 1) / period) * period;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const cancel = this.o.clock.setTimer(this.nextTick - now, () => {
        this.nextTick += period;
        this.wake?.();
      });
      this.wake = () => {
        cancel();
        this.wake = undefined;
        resolve();
      };
    });
  }
}
