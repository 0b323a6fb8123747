/**
 * The pod status the kubelet reports, computed from the pod and what the runtime has: a pure
 * port of generateAPIPodStatus, convertToAPIContainerStatuses and getPhase
 * (pkg/kubelet/kubelet_pods.go) and pkg/kubelet/status/generate.go, for the fields kubelab
 * models.
 *
 * - Container statuses: the newest container of each name gives state (running, terminated, or
 *   waiting ContainerCreating / PodInitializing) and restartCount (its attempt); the one before it
 *   gives lastState. A reason from the last sync (CrashLoopBackOff, ErrImagePull, ...) turns a
 *   container that is not running into waiting, with its exit moved to lastState. image and
 *   imageID are those of the newest container (the spec's image only before one exists), so a
 *   changed spec shows in the status once the container runs the new image.
 * - Phase: getPhase, per restartPolicy; a terminal pod (deleted, or done) gets Succeeded or Failed
 *   from its exit codes.
 * - Conditions: PodReadyToStartContainers, Initialized, Ready, ContainersReady and PodScheduled,
 *   keeping lastTransitionTime while a condition's status stays.
 */
import type { Condition, Container, ContainerState, ContainerStatus, Pod, PodPhase, PodStatus } from '../../../api/types.js';
import { rfc3339 } from '../../../util/clock.js';
import type { ContainerStatusInfo } from '../runtime.js';

/** Why a container is not running, from the sync that tried to run it. */
export interface ContainerWaiting {
  reason: string;
  message?: string;
}

/**
 * Probe results, filled in by the prober (prober/). Without one (or when a method answers
 * undefined) a running container counts as ready and started, and is never killed for a probe.
 * containerId is the runtime's ID (without "<runtime>://").
 */
export interface ProbeStatus {
  /** Readiness of a running container; podUid lets the prober probe at once when it is not ready yet. */
  ready?(containerId: string, container: Container, podUid?: string): boolean | undefined;
  /** Whether a running container's startup probe has passed. */
  started?(containerId: string, container: Container, podUid?: string): boolean | undefined;
  /** Which probe a running container failed, so that the kubelet kills (and restarts) it. */
  failed?(containerId: string, container: Container): 'liveness' | 'startup' | undefined;
}

/** Set by a pod sync handler that ends the pod (activeDeadlineSeconds): the pod is Failed with this reason. */
export interface PodEviction {
  reason: string;
  message: string;
}

export interface PodStatusInput {
  pod: Pod;
  /** The pod's newest sandbox, if it has one. */
  sandbox?: { ready: boolean; ips: string[] };
  /** Every container the runtime has for the pod, any attempt. */
  containers: readonly ContainerStatusInfo[];
  /** Reasons from this sync for containers that are not running, by container name. */
  waiting?: ReadonlyMap<string, ContainerWaiting>;
  probes?: ProbeStatus;
  /** The node's IPs, primary first. */
  hostIPs: readonly string[];
  /** Wall time, ms. */
  now: number;
  /** Scheme of container IDs: "fake", "docker", "process". */
  runtimeName: string;
  /** The pod's containers were stopped for good (deletion): the phase comes from exit codes. */
  terminal?: boolean;
  /** The pod is ended by the kubelet (ShouldEvict): phase Failed, with status.reason and message. */
  evicted?: PodEviction;
}

/** Condition types the kubelet owns; others (readiness gates, DisruptionTarget) belong to someone else. */
export const KUBELET_CONDITIONS: ReadonlySet<string> = new Set(['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']);

let lastSecond = NaN;
let lastText = '';
/** rfc3339, remembering the last second formatted: a status formats the same few seconds many times. */
function time(ms: number): string {
  const sec = Math.floor(ms / 1000);
  if (sec !== lastSecond) {
    lastSecond = sec;
    lastText = rfc3339(ms);
  }
  return lastText;
}

/** A container ID as the API shows it: "<runtime>://<id>". */
export function containerIdOf(runtimeName: string, id: string): string {
  return `${runtimeName}://${id}`;
}

/** Containers of one name, newest first (highest attempt, then latest created). */
export function newestFirst(containers: readonly ContainerStatusInfo[], name: string): ContainerStatusInfo[] {
  return containers.filter((c) => c.metadata.name === name).sort((a, b) => b.metadata.attempt - a.metadata.attempt || b.createdAt - a.createdAt);
}

function terminatedOf(c: ContainerStatusInfo, runtimeName: string): ContainerState {
  return {
    terminated: {
      exitCode: c.exitCode ?? 0,
      reason: c.reason ?? ((c.exitCode ?? 0) === 0 ? 'Completed' : 'Error'),
      ...(c.message ? { message: c.message } : {}),
      ...(c.startedAt !== undefined ? { startedAt: time(c.startedAt) } : {}),
      ...(c.finishedAt !== undefined ? { finishedAt: time(c.finishedAt) } : {}),
      containerID: containerIdOf(runtimeName, c.id),
    },
  };
}

/** One container's status (convertToAPIContainerStatuses for one container). */
export function containerStatusOf(
  spec: Container,
  containers: readonly ContainerStatusInfo[],
  o: { isInit: boolean; defaultReason: string; waiting?: ContainerWaiting; probes?: ProbeStatus; runtimeName: string; podUid?: string },
): ContainerStatus {
  const list = newestFirst(containers, spec.name);
  const latest = list[0];
  const previous = list[1];
  const status: ContainerStatus = {
    name: spec.name,
    state: { waiting: { reason: o.defaultReason } },
    lastState: {},
    ready: false,
    restartCount: latest?.metadata.attempt ?? 0,
    // The image of the container that exists (it may predate a spec change), as convertContainerStatus.
    image: latest?.image ?? spec.image ?? '',
    imageID: latest?.imageRef ?? '',
    started: false,
  };
  if (latest) {
    status.containerID = containerIdOf(o.runtimeName, latest.id);
    if (latest.state === 'running') {
      status.state = { running: { ...(latest.startedAt !== undefined ? { startedAt: time(latest.startedAt) } : {}) } };
      status.started = o.probes?.started?.(latest.id, spec, o.podUid) ?? true;
      // A regular init container is ready only once it has completed.
      status.ready = o.isInit ? false : status.started && (o.probes?.ready?.(latest.id, spec, o.podUid) ?? true);
    } else if (latest.state === 'exited') {
      status.state = terminatedOf(latest, o.runtimeName);
      status.ready = o.isInit && latest.exitCode === 0;
    } else {
      status.state = { waiting: { reason: 'ContainerCreating' } };
    }
    if (previous && previous.state === 'exited') status.lastState = terminatedOf(previous, o.runtimeName);
  }
  if (o.waiting && !status.state?.running) {
    // The sync could not (re)start it: the exit it is recovering from becomes lastState.
    if (status.state?.terminated) status.lastState = status.state;
    status.state = { waiting: { reason: o.waiting.reason, ...(o.waiting.message ? { message: o.waiting.message } : {}) } };
    status.ready = false;
  }
  return status;
}

/**
 * getPhase of pkg/kubelet/kubelet_pods.go (without restartable init containers). A terminal pod
 * (its containers stopped for good) whose phase would not be final is Failed, as the kubelet
 * reports pods that were deleted before their containers ran.
 */
export function podPhase(pod: Pod, initStatuses: readonly ContainerStatus[], statuses: readonly ContainerStatus[], terminal = false): PodPhase {
  const phase = basePhase(pod, initStatuses, statuses, terminal);
  return terminal && phase !== 'Succeeded' && phase !== 'Failed' ? 'Failed' : phase;
}

function basePhase(pod: Pod, initStatuses: readonly ContainerStatus[], statuses: readonly ContainerStatus[], terminal: boolean): PodPhase {
  const spec = pod.spec;
  const policy = spec.restartPolicy ?? 'Always';
  let pendingInitialization = 0;
  let failedInitialization = 0;
  for (const c of spec.initContainers ?? []) {
    const s = initStatuses.find((x) => x.name === c.name);
    if (!s) {
      pendingInitialization++;
      continue;
    }
    if (s.state?.running) pendingInitialization++;
    else if (s.state?.terminated) {
      if (s.state.terminated.exitCode !== 0) failedInitialization++;
    } else if (s.state?.waiting) {
      if (s.lastState?.terminated) {
        if (s.lastState.terminated.exitCode !== 0) failedInitialization++;
      } else pendingInitialization++;
    } else pendingInitialization++;
  }
  let unknown = 0;
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const c of spec.containers) {
    const s = statuses.find((x) => x.name === c.name);
    if (!s) {
      unknown++;
      continue;
    }
    if (s.state?.running) running++;
    else if (s.state?.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state?.waiting) {
      if (s.lastState?.terminated) stopped++;
      else waiting++;
    } else unknown++;
  }
  if (failedInitialization > 0 && policy === 'Never') return 'Failed';
  const anyRegularStarted = statuses.some((s) => s.state?.running || s.state?.terminated || s.lastState?.terminated);
  if ((pendingInitialization > 0 && !anyRegularStarted) || waiting > 0) return 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (terminal) return stopped === succeeded ? 'Succeeded' : 'Failed';
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

const names = (xs: string[]) => `[${xs.join(' ')}]`;

/** GenerateContainersReadyCondition. */
export function containersReadyCondition(pod: Pod, statuses: readonly ContainerStatus[], phase: PodPhase): Omit<Condition, 'lastTransitionTime'> {
  const unknown: string[] = [];
  const unready: string[] = [];
  for (const c of pod.spec.containers) {
    const s = statuses.find((x) => x.name === c.name);
    if (!s) unknown.push(c.name);
    else if (!s.ready) unready.push(c.name);
  }
  if ((phase === 'Succeeded' && unknown.length === 0) || phase === 'Failed') {
    return { type: 'ContainersReady', status: 'False', reason: phase === 'Failed' ? 'PodFailed' : 'PodCompleted' };
  }
  const msgs: string[] = [];
  if (unknown.length) msgs.push(`containers with unknown status: ${names(unknown)}`);
  if (unready.length) msgs.push(`containers with unready status: ${names(unready)}`);
  if (msgs.length) return { type: 'ContainersReady', status: 'False', reason: 'ContainersNotReady', message: msgs.join(', ') };
  return { type: 'ContainersReady', status: 'True' };
}

/** GeneratePodReadyCondition: ContainersReady, then the pod's readiness gates. */
export function readyCondition(pod: Pod, conditions: readonly Condition[], statuses: readonly ContainerStatus[], phase: PodPhase): Omit<Condition, 'lastTransitionTime'> {
  const cr = containersReadyCondition(pod, statuses, phase);
  if (cr.status !== 'True') return { ...cr, type: 'Ready' };
  const msgs: string[] = [];
  const gates = (pod.spec.readinessGates as { conditionType: string }[] | undefined) ?? [];
  for (const g of gates) {
    const c = conditions.find((x) => x.type === g.conditionType);
    if (!c) msgs.push(`corresponding condition of pod readiness gate "${g.conditionType}" does not exist.`);
    else if (c.status !== 'True') msgs.push(`the status of pod readiness gate "${g.conditionType}" is not "True", but ${c.status}`);
  }
  if (msgs.length) return { type: 'Ready', status: 'False', reason: 'ReadinessGatesNotReady', message: msgs.join(', ') };
  return { type: 'Ready', status: 'True' };
}

/** GeneratePodInitializedCondition (regular init containers). */
export function initializedCondition(pod: Pod, initStatuses: readonly ContainerStatus[], statuses: readonly ContainerStatus[], phase: PodPhase): Omit<Condition, 'lastTransitionTime'> {
  const unknown: string[] = [];
  const incomplete: string[] = [];
  for (const c of pod.spec.initContainers ?? []) {
    const s = initStatuses.find((x) => x.name === c.name);
    if (!s) unknown.push(c.name);
    else if (!s.ready) incomplete.push(c.name);
  }
  if (phase === 'Succeeded' && unknown.length === 0) return { type: 'Initialized', status: 'True', reason: 'PodCompleted' };
  // A regular container that has run means initialization finished before.
  if (statuses.some((s) => s.state?.running || s.state?.terminated || s.lastState?.terminated)) return { type: 'Initialized', status: 'True' };
  const msgs: string[] = [];
  if (unknown.length) msgs.push(`containers with unknown status: ${names(unknown)}`);
  if (incomplete.length) msgs.push(`containers with incomplete status: ${names(incomplete)}`);
  if (msgs.length) return { type: 'Initialized', status: 'False', reason: 'ContainersNotInitialized', message: msgs.join(', ') };
  return { type: 'Initialized', status: 'True' };
}

/** Carries lastTransitionTime over from the old condition of the same type while its status stays. */
export function withTransitionTime(c: Omit<Condition, 'lastTransitionTime'>, old: readonly Condition[] | undefined, now: string): Condition {
  const prev = old?.find((x) => x.type === c.type);
  const at = prev && prev.status === c.status && prev.lastTransitionTime ? prev.lastTransitionTime : now;
  const out: Condition = { type: c.type, status: c.status, lastProbeTime: null, lastTransitionTime: at };
  if (c.reason) out.reason = c.reason;
  if (c.message) out.message = c.message;
  return out;
}

/** The kubelet's view of a pod's status (generateAPIPodStatus). */
export function generatePodStatus(i: PodStatusInput): PodStatus {
  const { pod } = i;
  const old = pod.status ?? {};
  const inits = pod.spec.initContainers ?? [];
  const defaultReason = inits.length > 0 ? 'PodInitializing' : 'ContainerCreating';
  const common = { probes: i.probes, runtimeName: i.runtimeName, defaultReason, podUid: pod.metadata.uid };
  const initStatuses = inits.map((c) => containerStatusOf(c, i.containers, { ...common, isInit: true, waiting: i.waiting?.get(c.name) }));
  const statuses = pod.spec.containers.map((c) => containerStatusOf(c, i.containers, { ...common, isInit: false, waiting: i.waiting?.get(c.name) }));
  // An eviction (the active deadline) overrides the phase before conditions are made from it, as in generateAPIPodStatus.
  const phase = i.evicted ? 'Failed' : podPhase(pod, initStatuses, statuses, i.terminal);
  const now = time(i.now);
  const oldConds = old.conditions;
  const conditions = [
    { type: 'PodReadyToStartContainers', status: i.sandbox?.ready ? 'True' : 'False' } as const,
    initializedCondition(pod, initStatuses, statuses, phase),
    readyCondition(pod, oldConds ?? [], statuses, phase),
    containersReadyCondition(pod, statuses, phase),
    { type: 'PodScheduled', status: 'True' } as const,
  ].map((c) => withTransitionTime(c, oldConds, now));

  const hostIPs = i.hostIPs.map((ip) => ({ ip }));
  let podIPs = old.podIPs;
  if (pod.spec.hostNetwork) podIPs = hostIPs;
  else if (i.sandbox?.ips.length) podIPs = i.sandbox.ips.map((ip) => ({ ip }));
  const status: PodStatus = { phase, conditions };
  if (i.evicted) {
    status.reason = i.evicted.reason;
    status.message = i.evicted.message;
  } else if (isTerminalPhase(phase) && old.reason && isTerminalPhase(old.phase)) {
    // A finished pod keeps the reason it finished with.
    status.reason = old.reason;
    if (old.message) status.message = old.message;
  }
  if (hostIPs.length) {
    status.hostIP = hostIPs[0]!.ip;
    status.hostIPs = hostIPs;
  }
  if (podIPs?.length) {
    status.podIP = podIPs[0]!.ip;
    status.podIPs = podIPs;
  }
  status.startTime = old.startTime ?? now;
  if (initStatuses.length) status.initContainerStatuses = initStatuses;
  status.containerStatuses = statuses;
  return status;
}

/** Whether a phase is final: the kubelet never moves a pod out of it. */
export function isTerminalPhase(phase: PodPhase | undefined): boolean {
  return phase === 'Succeeded' || phase === 'Failed';
}
