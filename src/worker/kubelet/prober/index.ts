/**
 * The kubelet's prober: liveness, readiness and startup probes (pkg/kubelet/prober).
 *
 * - manager.ts: ProbeManager, one worker per probe per container, and the answers the pod syncer
 *   asks (ready, started, failed); a changed result resyncs the pod.
 * - worker.ts: the per-probe loop and its state machine (thresholds, initial delay, startup
 *   gating, hold after a liveness failure) on an injected Clock.
 * - prober.ts: one probe run (handler, port and host, retries) and its Unhealthy events.
 * - http-probe.ts, tcp-probe.ts, exec-probe.ts: the three handlers.
 * - results.ts, types.ts: cached results and the shared vocabulary.
 *
 * Probes run in the kubelet's process. Network probes go to the pod IP: a 127.x loopback address
 * on the process runtime, the container network (routed from the host) on docker.
 */
export { ProbeManager, type ProbeManagerOptions } from './manager.js';
export { ProbeWorker, initialResult, runtimeIdOf, type ProbeWorkerOptions } from './worker.js';
export { Prober, extractPort, probeUrl, probeSpecOf, MAX_PROBE_RETRIES, type ProberOptions } from './prober.js';
export { httpProbe, outcomeOf, probeHeaders, PROBE_USER_AGENT, MAX_RESPONSE_BODY, type HttpProbeRequest } from './http-probe.js';
export { tcpProbe } from './tcp-probe.js';
export { execProbe, MAX_EXEC_OUTPUT, type ExecProbeRequest } from './exec-probe.js';
export { ProbeResults } from './results.js';
export { ProbeError, joinHostPort, type ProbeOutcome, type ProbeResult, type ProbeType } from './types.js';
