/**
 * Runs one probe of one container and reports it (pkg/kubelet/prober/prober.go): picks the
 * handler (exec, httpGet, tcpSocket), resolves its port (a number, a container port's name, or a
 * number written as a string) and host (the pod IP unless the probe names one), retries up to 3
 * times when the probe could not run at all, and records the kubelet's events:
 *
 * - Warning Unhealthy "Readiness probe failed: HTTP probe failed with statuscode: 503"
 * - Warning ProbeWarning "Readiness probe warning: Probe terminated redirects, ..."
 * - Warning Unhealthy "Liveness probe errored and resulted in unknown state: ..." (the probe
 *   could not run; the worker throws the result away)
 *
 * Network probes leave from the kubelet's process to the pod IP: 127.x loopback addresses for the
 * process runtime, the container network (routed from the host) for docker.
 */
import type { Container, Pod, PodStatus, Probe } from '../../../api/types.js';
import type { Clock } from '../../../util/clock.js';
import { containerFieldPath } from '../container-config.js';
import type { PodEventSink } from '../pod-syncer.js';
import type { ContainerRuntime } from '../runtime.js';
import { execProbe } from './exec-probe.js';
import { httpProbe } from './http-probe.js';
import { tcpProbe } from './tcp-probe.js';
import { ProbeError, joinHostPort, type ProbeOutcome, type ProbeType } from './types.js';

/** How often a probe that could not run is tried again within one period (maxProbeRetries). */
export const MAX_PROBE_RETRIES = 3;

/** The probe of container of the given type. */
export function probeSpecOf(container: Container, type: ProbeType): Probe | undefined {
  return type === 'Liveness' ? container.livenessProbe : type === 'Readiness' ? container.readinessProbe : container.startupProbe;
}

/** A probe's port: a number, a container port's name, or a number given as a string (extractPort). */
export function extractPort(port: number | string, container: Container): number {
  let n: number;
  if (typeof port === 'number') n = port;
  else {
    const named = container.ports?.find((p) => p.name === port);
    if (named) n = named.containerPort;
    else if (/^[+-]?\d+$/.test(port)) n = Number(port);
    else throw new ProbeError(`couldn't find port: ${port} in ${container.name}`);
  }
  if (!(Number.isInteger(n) && n > 0 && n < 65536)) throw new ProbeError(`invalid port number: ${n}`);
  return n;
}

/** The URL of an httpGet probe (formatURL): the path may carry a query. */
export function probeUrl(scheme: string, host: string, port: number, path: string): URL {
  const p = path.startsWith('/') ? path : `/${path}`;
  return new URL(`${scheme.toLowerCase()}://${joinHostPort(host, port)}${p}`);
}

export interface ProberOptions {
  runtime: Pick<ContainerRuntime, 'execSync'>;
  clock: Clock;
  /** Where Unhealthy and ProbeWarning events go (none: not recorded). */
  events?: PodEventSink;
}

export class Prober {
  constructor(private readonly o: ProberOptions) {}

  /**
   * Probes container (running as containerId) once: resolves "success" or "failure", and throws
   * a ProbeError when the probe could not be run even after retries (the caller discards it).
   */
  async probe(type: ProbeType, pod: Pod, status: PodStatus, container: Container, containerId: string, signal?: AbortSignal): Promise<'success' | 'failure'> {
    const spec = probeSpecOf(container, type);
    if (!spec) throw new ProbeError(`container "${container.name}" has no ${type.toLowerCase()} probe`);
    let outcome: ProbeOutcome | undefined;
    let error: Error | undefined;
    for (let i = 0; i < MAX_PROBE_RETRIES && !signal?.aborted; i++) {
      try {
        outcome = await this.run(spec, status, container, containerId, signal);
        error = undefined;
        break;
      } catch (err) {
        error = err as Error;
      }
    }
    if (!outcome) {
      const why = error?.message ?? 'the probe was stopped';
      this.event(pod, container, 'Unhealthy', `${type} probe errored and resulted in unknown state: ${why}`);
      throw error instanceof ProbeError ? error : new ProbeError(why, { cause: error });
    }
    switch (outcome.result) {
      case 'success':
        return 'success';
      case 'warning':
        this.event(pod, container, 'ProbeWarning', `${type} probe warning: ${outcome.output}`);
        return 'success';
      case 'failure':
        this.event(pod, container, 'Unhealthy', `${type} probe failed: ${outcome.output}`);
        return 'failure';
      case 'unknown':
        return 'failure';
    }
  }

  /** One attempt (runProbe); throws when it cannot run. */
  private async run(spec: Probe, status: PodStatus, container: Container, containerId: string, signal?: AbortSignal): Promise<ProbeOutcome> {
    const timeoutMs = (spec.timeoutSeconds || 1) * 1000;
    if (spec.exec) {
      return execProbe({ runtime: this.o.runtime, containerId, command: spec.exec.command ?? [], timeoutMs, clock: this.o.clock, ...(signal ? { signal } : {}) });
    }
    if (spec.httpGet) {
      const h = spec.httpGet;
      const host = h.host || status.podIP;
      if (!host) throw new ProbeError(`pod has no IP yet to probe ${container.name}`);
      const url = probeUrl(h.scheme ?? 'HTTP', host, extractPort(h.port, container), h.path ?? '/');
      return httpProbe({ url, headers: h.httpHeaders ?? [], timeoutMs, ...(signal ? { signal } : {}) });
    }
    if (spec.tcpSocket) {
      const host = spec.tcpSocket.host || status.podIP;
      if (!host) throw new ProbeError(`pod has no IP yet to probe ${container.name}`);
      return tcpProbe(host, extractPort(spec.tcpSocket.port, container), timeoutMs, signal);
    }
    // gRPC probes and anything newer: Kubernetes warns and answers Unknown.
    return { result: 'unknown', output: '' };
  }

  /** A Warning about the probed container, named by its fieldPath as the kubelet's prober does. */
  private event(pod: Pod, container: Container, reason: string, message: string): void {
    this.o.events?.event(pod, 'Warning', reason, message, containerFieldPath(pod, container.name));
  }
}
