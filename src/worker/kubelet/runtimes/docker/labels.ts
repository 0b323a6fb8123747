/**
 * How the docker runtime marks what it creates, after dockershim (pkg/kubelet/dockershim/naming.go
 * and labels.go): names k8s_<container>_<pod>_<namespace>_<uid>_<attempt> (the sandbox is the
 * container "POD"), the Kubernetes identity labels, a type label telling sandboxes from
 * containers, the sandbox ID on containers, and annotations as "annotation."-prefixed labels.
 *
 * On top, kubelab labels every object with its node and lab: several kubelets share one Docker
 * host in a local lab, and each must list (and so adopt) only its own containers; teardown finds
 * everything of a lab by one label.
 */
import {
  CONTAINER_NAME_LABEL,
  POD_NAME_LABEL,
  POD_NAMESPACE_LABEL,
  POD_UID_LABEL,
  type ContainerConfig,
  type PodRef,
  type PodSandboxConfig,
  type PodSandboxMetadata,
} from '../../runtime.js';

/** "podsandbox" or "container" (dockershim's containerTypeLabelKey). */
export const CONTAINER_TYPE_LABEL = 'io.kubernetes.docker.type';
export const TYPE_SANDBOX = 'podsandbox';
export const TYPE_CONTAINER = 'container';
/** The sandbox a container runs in (dockershim's sandboxIDLabelKey). */
export const SANDBOX_ID_LABEL = 'io.kubernetes.sandbox.id';
/** The sandbox's or container's attempt. */
export const ATTEMPT_LABEL = 'io.kubelab.attempt';
/** The node whose kubelet owns the object. */
export const NODE_LABEL = 'io.kubelab.node';
/** The lab the object belongs to (networks carry it too). */
export const LAB_LABEL = 'io.kubelab.lab';
/** The image as the pod spec named it (docker ps may show an ID once a tag moves). */
export const SPEC_IMAGE_LABEL = 'io.kubelab.image-spec';
/** Creation time in ms from the runtime's clock: the same value in list and status. */
export const CREATED_AT_LABEL = 'io.kubelab.created-at';
/** "true" on sandboxes sharing the node's network. */
export const HOST_NETWORK_LABEL = 'io.kubelab.host-network';
/** Prefix of annotations stored as labels (dockershim's annotationPrefix). */
export const ANNOTATION_PREFIX = 'annotation.';
/** The container name of sandboxes in names and labels. */
export const SANDBOX_CONTAINER_NAME = 'POD';

const INTERNAL = new Set([CONTAINER_TYPE_LABEL, SANDBOX_ID_LABEL, ATTEMPT_LABEL, NODE_LABEL, LAB_LABEL, SPEC_IMAGE_LABEL, CREATED_AT_LABEL, HOST_NETWORK_LABEL]);

/** Which node and lab a runtime labels its objects with. */
export interface Owner {
  node: string;
  lab: string;
}

/** The Docker name of a sandbox: k8s_POD_<pod>_<ns>_<uid>_<attempt>. */
export function sandboxName(m: PodSandboxMetadata): string {
  return `k8s_${SANDBOX_CONTAINER_NAME}_${m.name}_${m.namespace}_${m.uid}_${m.attempt}`;
}

/** The Docker name of a container: k8s_<container>_<pod>_<ns>_<uid>_<attempt>. */
export function containerName(pod: PodRef, c: { name: string; attempt: number }): string {
  return `k8s_${c.name}_${pod.name}_${pod.namespace}_${pod.uid}_${c.attempt}`;
}

function annotationLabels(annotations: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(annotations)) out[ANNOTATION_PREFIX + k] = v;
  return out;
}

/** The labels of a sandbox container. */
export function sandboxLabels(config: PodSandboxConfig, owner: Owner, createdAt: number): Record<string, string> {
  const m = config.metadata;
  return {
    ...annotationLabels(config.annotations),
    ...config.labels,
    [POD_UID_LABEL]: m.uid,
    [POD_NAME_LABEL]: m.name,
    [POD_NAMESPACE_LABEL]: m.namespace,
    [CONTAINER_NAME_LABEL]: SANDBOX_CONTAINER_NAME,
    [CONTAINER_TYPE_LABEL]: TYPE_SANDBOX,
    [ATTEMPT_LABEL]: String(m.attempt),
    [NODE_LABEL]: owner.node,
    [LAB_LABEL]: owner.lab,
    [CREATED_AT_LABEL]: String(createdAt),
    ...(config.hostNetwork ? { [HOST_NETWORK_LABEL]: 'true' } : {}),
  };
}

/** The labels of an app container. */
export function containerLabels(sandboxId: string, pod: PodRef, config: ContainerConfig, owner: Owner, createdAt: number): Record<string, string> {
  return {
    ...annotationLabels(config.annotations),
    ...config.labels,
    [POD_UID_LABEL]: pod.uid,
    [POD_NAME_LABEL]: pod.name,
    [POD_NAMESPACE_LABEL]: pod.namespace,
    [CONTAINER_NAME_LABEL]: config.metadata.name,
    [CONTAINER_TYPE_LABEL]: TYPE_CONTAINER,
    [SANDBOX_ID_LABEL]: sandboxId,
    [ATTEMPT_LABEL]: String(config.metadata.attempt),
    [SPEC_IMAGE_LABEL]: config.image,
    [NODE_LABEL]: owner.node,
    [LAB_LABEL]: owner.lab,
    [CREATED_AT_LABEL]: String(createdAt),
  };
}

/** The labels the kubelet gave (its config's labels), without the runtime's own and the annotations. */
export function userLabels(labels: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) if (!INTERNAL.has(k) && !k.startsWith(ANNOTATION_PREFIX)) out[k] = v;
  // The sandbox's "POD" container name is dockershim's bookkeeping, not a label the kubelet set.
  if (labels[CONTAINER_TYPE_LABEL] === TYPE_SANDBOX) delete out[CONTAINER_NAME_LABEL];
  return out;
}

/** The annotations of an object, stored as "annotation."-prefixed labels (the spec hash among them). */
export function annotationsOf(labels: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) if (k.startsWith(ANNOTATION_PREFIX)) out[k.slice(ANNOTATION_PREFIX.length)] = v;
  return out;
}

/** The pod an object's labels name. */
export function podRefOf(labels: Record<string, string>): PodRef {
  return { uid: labels[POD_UID_LABEL] ?? '', name: labels[POD_NAME_LABEL] ?? '', namespace: labels[POD_NAMESPACE_LABEL] ?? '' };
}

/** The attempt an object's labels name (0 when missing or malformed). */
export function attemptOf(labels: Record<string, string>): number {
  const n = Number(labels[ATTEMPT_LABEL]);
  return Number.isInteger(n) && n >= 0 ? n : 0;
}

/** Whether labels mark an object of this owner and type: what list and status accept as theirs. */
export function ownedBy(labels: Record<string, string> | undefined, owner: Owner, type: typeof TYPE_SANDBOX | typeof TYPE_CONTAINER): boolean {
  return labels?.[NODE_LABEL] === owner.node && labels[LAB_LABEL] === owner.lab && labels[CONTAINER_TYPE_LABEL] === type;
}

/** The label filters of `docker ps` selecting an owner's objects of a type, plus extra "k=v" ones. */
export function ownerFilters(owner: Owner, type: typeof TYPE_SANDBOX | typeof TYPE_CONTAINER, extra: string[] = []): string[] {
  return [`${NODE_LABEL}=${owner.node}`, `${LAB_LABEL}=${owner.lab}`, `${CONTAINER_TYPE_LABEL}=${type}`, ...extra];
}
