/**
 * What the workload controllers need to know about a pod, as Kubernetes' pkg/api/v1/pod
 * (IsPodReady, IsPodAvailable) and pkg/controller (IsPodActive, FilterActivePods) define it.
 * Times are milliseconds since the epoch, from the controller's Clock.
 */
import type { Condition, OwnerReference, Pod, PodTemplateSpec } from '../../../api/types.js';
import { parseTime } from '../../../util/clock.js';

/** The pod's Ready condition, if it has one. */
export function podReadyCondition(pod: Pod): Condition | undefined {
  return pod.status?.conditions?.find((c) => c.type === 'Ready');
}

/** IsPodReady: the Ready condition is True. */
export function isPodReady(pod: Pod): boolean {
  return podReadyCondition(pod)?.status === 'True';
}

/**
 * IsPodAvailable: ready, and ready for at least minReadySeconds (strictly longer, as Go's
 * lastTransitionTime + minReadySeconds < now). A ready pod without a transition time is only
 * available when minReadySeconds is 0.
 */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  const ready = podReadyCondition(pod);
  if (ready?.status !== 'True') return false;
  if (!minReadySeconds) return true;
  const since = parseTime(ready.lastTransitionTime);
  return since !== undefined && since + minReadySeconds * 1000 < now;
}

/** IsPodActive: not Succeeded, not Failed, and not being deleted. */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp;
}

/** FilterActivePods: the pods that still count towards a controller's replicas. */
export function filterActivePods(pods: readonly Pod[]): Pod[] {
  return pods.filter(isPodActive);
}

/** The cache key of a pod ("ns/name"), as controller.PodKey. */
export function podKey(pod: Pod): string {
  return `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
}

/** Longest DNS subdomain, the limit of a generateName prefix. */
const MAX_NAME_LENGTH = 253;

/**
 * GetPodFromTemplate: a pod to create for controller owner: the template's labels, annotations,
 * finalizers and spec, generateName "<owner>-" and the controller reference. The server
 * completes the name with a random suffix.
 */
export function podFromTemplate(template: PodTemplateSpec, ownerName: string, controllerRef: OwnerReference): Pod {
  const meta = template.metadata ?? {};
  // getPodsPrefix: "<name>-" unless that is too long to be a valid prefix.
  const generateName = ownerName.length + 1 <= MAX_NAME_LENGTH ? `${ownerName}-` : ownerName;
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { generateName, ownerReferences: [{ ...controllerRef }] },
    spec: structuredClone(template.spec),
  };
  if (meta.labels) pod.metadata.labels = { ...meta.labels };
  if (meta.annotations) pod.metadata.annotations = { ...meta.annotations };
  if (meta.finalizers?.length) pod.metadata.finalizers = [...meta.finalizers];
  return pod;
}
