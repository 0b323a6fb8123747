/**
 * Which container's log a request means (validateContainerLogStatus in
 * pkg/kubelet/kubelet_pods.go), from the pod's status as the kubelet last computed it:
 *
 * - previous: the last terminated attempt (lastState.terminated), or "previous terminated
 *   container "web" in pod "x" not found";
 * - else the running container, else the terminated one, else the last terminated attempt (a
 *   container waiting in CrashLoopBackOff shows the log of the run that crashed);
 * - a container still waiting has no log yet: "container "web" in pod "x" is waiting to start:
 *   ContainerCreating" (image pull failures get their own words).
 */
import type { ContainerStatus, PodStatus } from '../../../api/types.js';
import { LogRequestError } from './options.js';

/** The runtime's ID in a status' containerID ("fake://c01" -> "c01"). */
function idOf(containerID: string): string {
  const i = containerID.indexOf('://');
  return i < 0 ? containerID : containerID.slice(i + 3);
}

/** The ID (runtime's) of the container whose log to serve; LogRequestError (400) says why there is none. */
export function logContainerId(podName: string, status: PodStatus | undefined, container: string, previous: boolean): string {
  const all: ContainerStatus[] = [...(status?.containerStatuses ?? []), ...(status?.initContainerStatuses ?? [])];
  const s = all.find((c) => c.name === container);
  const what = `container ${JSON.stringify(container)} in pod ${JSON.stringify(podName)}`;
  if (!s) throw new LogRequestError(400, `${what} is not available`);
  const last = s.lastState?.terminated;
  const { waiting, running, terminated } = s.state ?? {};
  if (previous) {
    if (!last?.containerID) throw new LogRequestError(400, `previous terminated ${what} not found`);
    return idOf(last.containerID);
  }
  if (running) {
    if (!s.containerID) throw new LogRequestError(400, `${what} is waiting to start - no logs yet`);
    return idOf(s.containerID);
  }
  if (terminated) {
    const id = terminated.containerID || last?.containerID;
    if (!id) throw new LogRequestError(400, `${what} is terminated`);
    return idOf(id);
  }
  if (last) {
    if (!last.containerID) throw new LogRequestError(400, `${what} is terminated`);
    return idOf(last.containerID);
  }
  if (waiting) {
    if (waiting.reason === 'ErrImagePull') throw new LogRequestError(400, `${what} is waiting to start: image can't be pulled`);
    if (waiting.reason === 'ImagePullBackOff') throw new LogRequestError(400, `${what} is waiting to start: trying and failing to pull image`);
    throw new LogRequestError(400, `${what} is waiting to start: ${waiting.reason ?? ''}`);
  }
  throw new LogRequestError(400, `${what} is waiting to start - no logs yet`);
}
