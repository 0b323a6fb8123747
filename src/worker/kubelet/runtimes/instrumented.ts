/**
 * A ContainerRuntime that times every call of another one (the kubelet's instrumentedRuntimeService):
 * latency by operation and errors by operation, in kubelet_runtime_operations_duration_seconds and
 * kubelet_runtime_operations_errors_total. Streams (events, logs) are passed through untimed.
 */
import type { Clock } from '../../../util/clock.js';
import type { KubeletMetrics } from '../metrics.js';
import type { ContainerRuntime } from '../runtime.js';

/** The operation_type label of each timed method (CRI's method names in snake case, as the kubelet's). */
const OPERATIONS = {
  version: 'version',
  status: 'status',
  updateRuntimeConfig: 'update_runtime_config',
  runPodSandbox: 'run_podsandbox',
  stopPodSandbox: 'stop_podsandbox',
  removePodSandbox: 'remove_podsandbox',
  podSandboxStatus: 'podsandbox_status',
  listPodSandboxes: 'list_podsandbox',
  imageStatus: 'image_status',
  pullImage: 'pull_image',
  createContainer: 'create_container',
  startContainer: 'start_container',
  stopContainer: 'stop_container',
  removeContainer: 'remove_container',
  listContainers: 'list_containers',
  containerStatus: 'container_status',
  execSync: 'exec_sync',
} as const satisfies Partial<Record<keyof ContainerRuntime, string>>;

/** runtime with every call timed into metrics. */
export function instrumentRuntime(runtime: ContainerRuntime, metrics: KubeletMetrics, clock: Clock): ContainerRuntime {
  const timed = <A extends unknown[], R>(op: string, fn: (...a: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const start = clock.monotonic();
      try {
        return await fn(...args);
      } catch (err) {
        metrics.runtimeErrors.inc({ operation_type: op });
        throw err;
      } finally {
        metrics.runtimeOperations.observe({ operation_type: op }, (clock.monotonic() - start) / 1000);
      }
    };
  const r = runtime;
  return {
    version: timed(OPERATIONS.version, () => r.version()),
    status: timed(OPERATIONS.status, () => r.status()),
    updateRuntimeConfig: timed(OPERATIONS.updateRuntimeConfig, (c) => r.updateRuntimeConfig(c)),
    runPodSandbox: timed(OPERATIONS.runPodSandbox, (c) => r.runPodSandbox(c)),
    stopPodSandbox: timed(OPERATIONS.stopPodSandbox, (id) => r.stopPodSandbox(id)),
    removePodSandbox: timed(OPERATIONS.removePodSandbox, (id) => r.removePodSandbox(id)),
    podSandboxStatus: timed(OPERATIONS.podSandboxStatus, (id) => r.podSandboxStatus(id)),
    listPodSandboxes: timed(OPERATIONS.listPodSandboxes, (f) => r.listPodSandboxes(f)),
    imageStatus: timed(OPERATIONS.imageStatus, (i) => r.imageStatus(i)),
    pullImage: timed(OPERATIONS.pullImage, (i, o) => r.pullImage(i, o)),
    createContainer: timed(OPERATIONS.createContainer, (s, c, sc) => r.createContainer(s, c, sc)),
    startContainer: timed(OPERATIONS.startContainer, (id) => r.startContainer(id)),
    stopContainer: timed(OPERATIONS.stopContainer, (id, t) => r.stopContainer(id, t)),
    removeContainer: timed(OPERATIONS.removeContainer, (id) => r.removeContainer(id)),
    listContainers: timed(OPERATIONS.listContainers, (f) => r.listContainers(f)),
    containerStatus: timed(OPERATIONS.containerStatus, (id) => r.containerStatus(id)),
    execSync: timed(OPERATIONS.execSync, (id, cmd, o) => r.execSync(id, cmd, o)),
    events: (signal) => r.events(signal),
    containerLogs: (id, o) => r.containerLogs(id, o),
    close: () => r.close(),
  };
}
