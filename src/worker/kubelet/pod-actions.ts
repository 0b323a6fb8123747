/**
 * What a pod needs done next, from its spec and what the runtime has: a pure port of
 * kuberuntime's computePodActions (pkg/kubelet/kuberuntime/kuberuntime_manager.go).
 *
 * - No ready sandbox: make one (attempt + 1 when one existed, after killing what was left), and
 *   start over from the first init container, or start all containers (restartPolicy OnFailure
 *   skips those that succeeded; Never makes no second sandbox for a pod that ran).
 * - Init containers run one at a time, in order, each to completion: a running one is waited
 *   for, a failed one is restarted unless restartPolicy is Never (then the pod has failed).
 * - Then regular containers: never created -> start; exited -> restart per restartPolicy (Always:
 *   always; OnFailure: on a non-zero exit; Never: never). The restart's back-off is the caller's.
 *   A running container whose spec changed since it was created (its hash annotation differs:
 *   `kubectl set image`) is killed and started again whatever the restartPolicy ("Container web
 *   definition changed, will be restarted"); one without the annotation (made by an older kubelet)
 *   is kept, and so are the containers of a pod being deleted. A running container that failed
 *   its liveness or startup probe is killed, and started again unless restartPolicy is Never
 *   ("Container web failed liveness probe, will be restarted").
 * - Containers created but never started are removed and made again; of the exited containers of
 *   each name only the newest is kept (for lastState and `logs --previous`), or the two newest
 *   while the newest waits to run again (its state and the lastState before it).
 */
import type { Container, Pod } from '../../api/types.js';
import { hashContainer } from './container-config.js';
import { CONTAINER_HASH_ANNOTATION, type ContainerInfo, type ContainerStatusInfo, type PodSandbox } from './runtime.js';
import { newestFirst, type ProbeStatus } from './status/pod-status.js';

/** A running container to kill: it failed a probe, or its spec changed (killContainer with a reason). */
export interface KillAction {
  id: string;
  container: Container;
  /** Which probe it failed, or "changed" when its definition changed. */
  reason: 'liveness' | 'startup' | 'changed';
  /** The Killing event's message. */
  message: string;
}

/** A container to start. */
export interface StartAction {
  container: Container;
  init: boolean;
  /** Its attempt: the restart count it will show. */
  attempt: number;
  /** The exited container this one replaces, when it is a restart (its finish starts the back-off). */
  previous?: ContainerStatusInfo;
}

export interface PodActions {
  /** Stop every container and sandbox first: the sandbox died or is gone. */
  killPod: boolean;
  createSandbox: boolean;
  /** Attempt of the sandbox to create. */
  sandboxAttempt: number;
  /** The ready sandbox to start containers in, when no new one is made. */
  sandboxId?: string;
  /** Containers to start, in order. */
  start: StartAction[];
  /** Container IDs to remove: never started, or older than the newest exited one of their name. */
  remove: string[];
  /** Running containers to kill first (failed probes, changed specs); their replacements are in start. */
  kill: KillAction[];
}

/** The pod's newest sandbox (highest attempt, then latest created). */
export function newestSandbox(sandboxes: readonly PodSandbox[]): PodSandbox | undefined {
  let best: PodSandbox | undefined;
  for (const sb of sandboxes) {
    if (!best || sb.metadata.attempt > best.metadata.attempt || (sb.metadata.attempt === best.metadata.attempt && sb.createdAt > best.createdAt)) best = sb;
  }
  return best;
}

/** Whether restartPolicy restarts a container that exited with exitCode. */
export function shouldRestart(policy: Pod['spec']['restartPolicy'], exitCode: number | undefined): boolean {
  if (policy === 'Never') return false;
  if (policy === 'OnFailure') return exitCode !== 0;
  return true;
}

function startOf(container: Container, init: boolean, list: ContainerStatusInfo[]): StartAction {
  const latest = list[0];
  if (!latest) return { container, init, attempt: 0 };
  return { container, init, attempt: latest.metadata.attempt + 1, ...(latest.state === 'exited' ? { previous: latest } : {}) };
}

/** What to do next for pod; probes says which running containers failed a liveness or startup probe. */
export function computePodActions(pod: Pod, sandboxes: readonly PodSandbox[], containers: readonly ContainerStatusInfo[], probes?: Pick<ProbeStatus, 'failed'>): PodActions {
  const policy = pod.spec.restartPolicy ?? 'Always';
  const inits = pod.spec.initContainers ?? [];
  const sandbox = newestSandbox(sandboxes);
  const actions: PodActions = { killPod: false, createSandbox: false, sandboxAttempt: 0, start: [], remove: [], kill: [] };
  actions.remove = staleContainers(pod, containers);

  if (!sandbox || sandbox.state !== 'ready') {
    actions.killPod = sandbox !== undefined || containers.some((c) => c.state === 'running');
    // restartPolicy Never: a pod whose sandbox died after it ran is done, not started again.
    if (sandbox && policy === 'Never' && containers.length > 0) return actions;
    actions.createSandbox = true;
    actions.sandboxAttempt = sandbox ? sandbox.metadata.attempt + 1 : 0;
    if (inits.length > 0) {
      actions.start.push(startOf(inits[0]!, true, newestFirst(containers, inits[0]!.name)));
      return actions;
    }
    for (const c of pod.spec.containers) {
      const list = newestFirst(containers, c.name);
      if (policy === 'OnFailure' && list[0]?.state === 'exited' && list[0].exitCode === 0) continue;
      actions.start.push(startOf(c, false, list));
    }
    return actions;
  }
  actions.sandboxId = sandbox.id;

  for (const c of inits) {
    const list = newestFirst(containers, c.name);
    const latest = list[0];
    if (!latest) {
      actions.start.push({ container: c, init: true, attempt: 0 });
      return actions;
    }
    if (latest.state === 'running') return actions;
    if (latest.state !== 'exited') {
      actions.remove.push(latest.id);
      actions.start.push({ container: c, init: true, attempt: latest.metadata.attempt });
      return actions;
    }
    if (latest.exitCode === 0) continue;
    if (policy === 'Never') return actions;
    actions.start.push(startOf(c, true, list));
    return actions;
  }

  for (const c of pod.spec.containers) {
    const list = newestFirst(containers, c.name);
    const latest = list[0];
    if (!latest) actions.start.push({ container: c, init: false, attempt: 0 });
    else if (latest.state === 'running') {
      // A pod being deleted is only stopped: a changed spec does not restart its containers.
      if (!pod.metadata.deletionTimestamp && containerChanged(c, latest)) {
        // Restarted whatever the restartPolicy, and without back-off: nothing failed.
        actions.kill.push({ id: latest.id, container: c, reason: 'changed', message: `Container ${c.name} definition changed, will be restarted` });
        actions.start.push({ container: c, init: false, attempt: latest.metadata.attempt + 1 });
        continue;
      }
      const failed = probes?.failed?.(latest.id, c);
      if (!failed) continue;
      const restart = policy !== 'Never';
      actions.kill.push({ id: latest.id, container: c, reason: failed, message: `Container ${c.name} failed ${failed} probe${restart ? ', will be restarted' : ''}` });
      if (restart) actions.start.push({ container: c, init: false, attempt: latest.metadata.attempt + 1, previous: latest });
    } else if (latest.state !== 'exited') {
      actions.remove.push(latest.id);
      actions.start.push({ container: c, init: false, attempt: latest.metadata.attempt });
    } else if (shouldRestart(policy, latest.exitCode)) actions.start.push(startOf(c, false, list));
  }
  return actions;
}

/**
 * Whether the container's spec changed since the runtime's container was created from it
 * (containerChanged): the hash it was created with differs from the spec's now. A container
 * without one was made by a kubelet that did not record it, and counts as unchanged: adopting it
 * must not restart it.
 */
export function containerChanged(spec: Container, container: Pick<ContainerInfo, 'annotations'>): boolean {
  const recorded = container.annotations[CONTAINER_HASH_ANNOTATION];
  return recorded !== undefined && recorded !== hashContainer(spec);
}

/** Exited containers older than the newest exited one of their name (kubelet's MaxPerPodContainer = 1). */
export function staleContainers(pod: Pod, containers: readonly ContainerStatusInfo[]): string[] {
  const out: string[] = [];
  for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
    const all = newestFirst(containers, c.name);
    const dead = all.filter((x) => x.state === 'exited');
    // While the newest has exited and waits to run again, it is the state and the one before it
    // the lastState: both are kept, so lastState never goes blank between a crash and the restart.
    for (const x of dead.slice(all[0]?.state === 'exited' ? 2 : 1)) out.push(x.id);
  }
  // Containers of names the spec no longer has cannot run again: only their logs would remain.
  const known = new Set([...(pod.spec.initContainers ?? []), ...pod.spec.containers].map((c) => c.name));
  for (const x of containers) if (!known.has(x.metadata.name) && x.state !== 'running') out.push(x.id);
  return out;
}
