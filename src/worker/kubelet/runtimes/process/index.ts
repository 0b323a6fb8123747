/**
 * The process runtime: the embedded lab's ContainerRuntime, which runs real workloads without
 * Docker. Each container's command runs as a host process; each pod gets a loopback address of
 * the node's pod CIDR as its IP (127.244.N.0/24 for local nodes; on Linux every 127.x.y.z is local).
 *
 * What a container is here:
 *  - A process in a session and process group of its own, under a shim (shim.mjs, one small
 *    Node.js process per container) that is the process's parent, writes its output to a CRI log
 *    file and records its exit code, and outlives the kubelet: a restarted kubelet finds the
 *    container running, adopts it and learns its exit from the files (it polls them, as it is not
 *    the parent of adopted shims).
 *  - Docker's exit semantics: exit code 0 is "Completed", others "Error", death by signal N is
 *    128+N (kill -9 gives 137), a command that cannot be started is "StartError" (code 128) and
 *    StartContainer throws. When the main process exits, the rest of its group is killed, as
 *    when a container's PID 1 exits. StopContainer: SIGTERM to the group, SIGKILL after the timeout.
 *  - Environment: the host's PATH, HOME, USER, LANG, LC_ALL, TZ, TMPDIR; then HOSTNAME (the pod's),
 *    POD_IP (the sandbox IP; nodeIP for hostNetwork pods) and PORT (the first containerPort, so
 *    replicas on one host never collide); then the container's env (which wins).
 *  - Working directory: the config's, else a fresh directory per container (a new container per
 *    restart, as a new writable layer would be).
 *  - Images: see images.ts; a container with a command runs it whatever the image is.
 *  - Limits: memory with `prlimit --data` (RLIMIT_DATA: allocations beyond fail; not an OOM kill,
 *    no reason OOMKilled); CPU limits are not enforced (no cgroups). Both are recorded in the
 *    container's annotations (kubelab.io/memory-limit, kubelab.io/cpu-limit) and logged.
 *  - Not done: hostPort publishing (logged; reach pods on their IP), isolation of any kind
 *    (processes see the host's files and each other), and processes that leave their group
 *    (setsid daemons) escape the kill on exit and stop.
 *
 * State directory (options.stateDir), every JSON file written atomically:
 *
 *   runtime.lock                  {pid}: one runtime per directory at a time
 *   network.json                  {podCIDR, lastAllocated}: the CIDR handed down, next-fit cursor
 *   sandboxes/<id>/sandbox.json   metadata, hostname, hostNetwork, ip (while ready), state, labels
 *   containers/<id>/container.json  identity, image, command, env, cwd, limits, log file   (runtime)
 *   containers/<id>/started.json  {pid, pgid, shimPid, startedAt, start ticks}            (shim)
 *   containers/<id>/exit.json     {exitCode, signal, reason, message, finishedAt}         (shim)
 *   containers/<id>/container.log CRI log, unless the sandbox has a logDirectory, where it goes
 *                                 to <logDirectory>/<logPath> (<container>/<attempt>.log)
 *   containers/<id>/shim.log      the shim's own errors
 *   containers/<id>/work/         the default working directory
 *
 * Pod IPs in use are those of ready sandboxes; stopping a sandbox drops its IP (reclaimed).
 * removeContainer and removePodSandbox delete their directories and log files.
 */
import type { RuntimeEntry } from '../registry.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessRuntime } from './process-runtime.js';

export { ProcessRuntime, MEMORY_LIMIT_ANNOTATION, CPU_LIMIT_ANNOTATION, type ProcessRuntimeOptions } from './process-runtime.js';
export { HOST_IMAGES, normalizeImageName } from './images.js';

/**
 * The registry entry of the process runtime, for `registerRuntime('process', processRuntimeEntry)`:
 * state under <rootDir>/process-runtime (without a rootDir, <tmpdir>/kubelab/kubelet-<node>/process-runtime).
 */
export const processRuntimeEntry: RuntimeEntry = {
  description: 'each container runs as a host process under a shim; pods get loopback IPs from the pod CIDR (no Docker)',
  create: (ctx) =>
    new ProcessRuntime({
      stateDir: join(ctx.rootDir ?? join(tmpdir(), 'kubelab', `kubelet-${ctx.nodeName}`), 'process-runtime'),
      ...(ctx.podCIDR ? { podCIDR: ctx.podCIDR } : {}),
      nodeIP: ctx.nodeIP,
      clock: ctx.clock,
      log: ctx.log,
    }),
};
