/**
 * Turns a pod into what the runtime understands (kuberuntime's generatePodSandboxConfig and
 * generateContainerConfig): sandbox metadata, labels and port mappings; container command, args,
 * environment (resolved by env.ts: values, the downward API, resources and ConfigMaps, so runtimes
 * get values only), limits and log path. Command and args expand $(VAR) against that environment
 * (expansion.ts). Pure, so every runtime gets the same answer for the same pod.
 *
 * Each container config carries the hash of the container's spec (hashContainer) as an
 * annotation: computePodActions restarts a running container whose spec hashes otherwise now.
 */
import { bytes, cpuMillis } from '../../api/quantity.js';
import type { Container, Pod } from '../../api/types.js';
import {
  CONTAINER_HASH_ANNOTATION,
  CONTAINER_NAME_LABEL,
  POD_NAME_LABEL,
  POD_NAMESPACE_LABEL,
  POD_UID_LABEL,
  type ContainerConfig,
  type ContainerMount,
  type HostPathType,
  type PodSandboxConfig,
  type PortMapping,
} from './runtime.js';
import { envOf, type EnvContext } from './env.js';
import { expand, mappingFor } from './expansion.js';

export { ContainerConfigError, envOf, fieldRefValue, type EnvContext } from './env.js';

/** The directory of a pod's logs below the kubelet's pod logs directory, as Kubernetes names it. */
export function podLogDirectoryName(pod: Pod): string {
  return `${pod.metadata.namespace}_${pod.metadata.name}_${pod.metadata.uid}`;
}

export function podLabels(pod: Pod): Record<string, string> {
  return { ...pod.metadata.labels, [POD_NAME_LABEL]: pod.metadata.name ?? '', [POD_NAMESPACE_LABEL]: pod.metadata.namespace ?? '', [POD_UID_LABEL]: pod.metadata.uid ?? '' };
}

/** The sandbox config of a pod; logDirectory when the kubelet keeps pod logs in podLogsDir. */
export function sandboxConfigOf(pod: Pod, attempt: number, podLogsDir?: string): PodSandboxConfig {
  const portMappings: PortMapping[] = [];
  for (const c of pod.spec.containers) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort) continue;
      portMappings.push({ protocol: p.protocol ?? 'TCP', containerPort: p.containerPort, hostPort: p.hostPort, ...(p.hostIP ? { hostIP: p.hostIP } : {}) });
    }
  }
  return {
    metadata: { uid: pod.metadata.uid ?? '', name: pod.metadata.name ?? '', namespace: pod.metadata.namespace ?? '', attempt },
    hostname: (pod.spec.hostname as string | undefined) ?? pod.metadata.name ?? '',
    hostNetwork: pod.spec.hostNetwork === true,
    portMappings,
    ...(podLogsDir ? { logDirectory: `${podLogsDir.replace(/\/+$/, '')}/${podLogDirectoryName(pod)}` } : {}),
    labels: podLabels(pod),
    annotations: { ...pod.metadata.annotations },
  };
}

/**
 * The container config of one container of a pod; ContainerConfigError when its environment
 * cannot be resolved (a missing ConfigMap or key, an unsupported reference).
 */
export function containerConfigOf(pod: Pod, c: Container, attempt: number, image: string, env: EnvContext): ContainerConfig {
  const vars = envOf(pod, c, env);
  // Command and args expand $(VAR) from the container's final environment (ExpandContainerCommandAndArgs).
  const mapping = mappingFor(new Map(vars.map((v) => [v.name, v.value])));
  const limits = c.resources?.limits ?? {};
  const resources: ContainerConfig['resources'] = {};
  if (limits.cpu !== undefined) resources.cpuMillis = cpuMillis(limits.cpu);
  if (limits.memory !== undefined) resources.memoryBytes = bytes(limits.memory);
  return {
    metadata: { name: c.name, attempt },
    image,
    command: (c.command ?? []).map((x) => expand(x, mapping)),
    args: (c.args ?? []).map((x) => expand(x, mapping)),
    ...(c.workingDir ? { workingDir: c.workingDir } : {}),
    env: vars,
    ports: (c.ports ?? []).map((p) => ({ containerPort: p.containerPort, protocol: p.protocol ?? 'TCP', ...(p.name ? { name: p.name } : {}) })),
    resources,
    ...(c.volumeMounts?.length ? { mounts: mountsOf(pod, c) } : {}),
    logPath: `${c.name}/${attempt}.log`,
    labels: { [POD_NAME_LABEL]: pod.metadata.name ?? '', [POD_NAMESPACE_LABEL]: pod.metadata.namespace ?? '', [POD_UID_LABEL]: pod.metadata.uid ?? '', [CONTAINER_NAME_LABEL]: c.name },
    annotations: { [CONTAINER_HASH_ANNOTATION]: hashContainer(c) },
  };
}

/**
 * The hash of a container's spec as the kubelet stores it on the container (HashContainer of
 * pkg/kubelet/container/helpers.go): FNV-1a (32 bits, hex) of the canonical JSON of the fields
 * that decide what runs. Like Kubernetes since 1.31 (pickFieldsToHash) these are name and image,
 * the only ones a pod update may change in a running container. Hashing the whole container
 * would restart every container whenever a newer lab defaults a new field, as kubelet upgrades
 * once did.
 */
export function hashContainer(c: Container): string {
  // canonicalJson({ name, image }) written out: keys in sorted order, without a replacer's cost.
  return fnv1a32(JSON.stringify({ image: c.image ?? '', name: c.name })).toString(16);
}

/** JSON with object keys sorted at every level, so that equal values give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
}

/** 32-bit FNV-1a of the UTF-8 bytes of text (Go's hash/fnv New32a). */
function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(text, 'utf8')) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * The fieldPath of a container in its pod, as the kubelet's Events about it name it
 * (kubecontainer.GenerateContainerRef): "spec.containers{web}" or "spec.initContainers{init}";
 * undefined for a name the pod does not have.
 */
export function containerFieldPath(pod: Pod, name: string): string | undefined {
  if (pod.spec.containers.some((c) => c.name === name)) return `spec.containers{${name}}`;
  if (pod.spec.initContainers?.some((c) => c.name === name)) return `spec.initContainers{${name}}`;
  return undefined;
}

/**
 * The container's volume mounts with their sources from the pod's volumes: emptyDir and hostPath
 * (a volume of another kind, or one the pod does not declare, is skipped: validation refuses the
 * latter; the others are not supported by the lab's runtimes).
 */
export function mountsOf(pod: Pod, c: Container): ContainerMount[] {
  const volumes = new Map((pod.spec.volumes ?? []).map((v) => [v.name, v]));
  const out: ContainerMount[] = [];
  for (const m of c.volumeMounts ?? []) {
    const v = volumes.get(m.name);
    if (!v) continue;
    const base = { volume: m.name, containerPath: m.mountPath, ...(m.readOnly ? { readOnly: true } : {}) };
    if (v.hostPath) out.push({ ...base, source: { hostPath: { path: v.hostPath.path, ...(v.hostPath.type ? { type: v.hostPath.type as HostPathType } : {}) } } });
    else if (v.emptyDir) out.push({ ...base, source: { emptyDir: {} } });
  }
  return out;
}
