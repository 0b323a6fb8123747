/**
 * The kubelet: the lab's node agent, and the pieces hollow nodes reuse.
 *
 * - runtime.ts: ContainerRuntime, the CRI-shaped seam every runtime implements (runtimes/fake.ts
 *   now; docker and process register in runtimes/registry.ts).
 * - kubelet.ts: startKubelet(), the wiring of one node: HTTP (/healthz, /metrics,
 *   /containerLogs), Node registration, Lease renewals, node status reports, pod syncing, probes.
 * - pod-syncer.ts, pod-workers.ts, pod-actions.ts, container-config.ts: what a pod needs and doing it
 *   (sandbox, init containers in order, restart policy with crash-loop back-off, graceful deletion,
 *   adoption after a restart, probe-failure restarts, restarts of containers whose spec changed,
 *   activeDeadlineSeconds). Container events carry the container's fieldPath.
 * - env.ts, expansion.ts: container environments resolved (downward API, resources, ConfigMaps)
 *   and $(VAR) expanded, so runtimes get values only.
 * - prober/: liveness, readiness and startup probes. logs/: the log server behind `kubectl logs`.
 * - status/: the pod status the kubelet reports and the manager that writes it only when changed.
 * - node/: the Node object, leases, status reports, registration; spread.ts runs periodic work
 *   for many nodes evenly over an interval.
 * - main.ts (daemon) and cli.ts (its flags).
 */
export { Kubelet, startKubelet, validateKubeletOptions, type KubeletOptions } from './kubelet.js';
export { PodSyncer, gracePeriodOf, probeKillGracePeriod, crashLoopMessage, type PodSyncerOptions, type PodEventSink, type PodProbes, type RuntimePod } from './pod-syncer.js';
export { ContainerConfigError, envOf, fieldRefValue, resourceFieldRefValue, configMapNamesOf, type EnvContext, type EnvValue } from './env.js';
export { expand, mappingFor } from './expansion.js';
export { containerChanged } from './pod-actions.js';
export { containerFieldPath, hashContainer } from './container-config.js';
export { activeDeadlineRemainingMs, DEADLINE_EXCEEDED } from './active-deadline.js';
export { ProbeManager, type ProbeManagerOptions, type ProbeType } from './prober/index.js';
export { containerLogsHandler, CONTAINER_LOGS_PATH, type ContainerLogsOptions } from './logs/index.js';
export { KubeletMetrics } from './metrics.js';
export { RestartBackoff, formatGoDuration, type BackoffPolicy } from './backoff.js';
export { HttpServer, sendJson, sendText, hasBearerToken, type RouteHandler } from './http-server.js';
export * from './runtime.js';
export { FakeRuntime, type FakeRuntimeOptions, type FakeScript, type FakeSelector, type FakeCounters } from './runtimes/fake.js';
export { createRuntime, registerRuntime, runtimeNames, type RuntimeContext, type RuntimeEntry } from './runtimes/registry.js';
export { instrumentRuntime } from './runtimes/instrumented.js';
export { generatePodStatus, podPhase, isTerminalPhase, type PodStatusInput, type ProbeStatus, type PodEviction, type ContainerWaiting } from './status/pod-status.js';
export { StatusManager } from './status/status-manager.js';
export { LeaseRenewer, leaseFor, NODE_LEASE_NAMESPACE } from './node/lease.js';
export { NodeStatusReporter } from './node/reporter.js';
export { buildNode, nodeStatusOf, KUBELET_VERSION, type NodeConfig } from './node/node-status.js';
