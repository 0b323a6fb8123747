/**
 * Turns a pod into what the runtime understands (kuberuntime's generatePodSandboxConfig and
 * generateContainerConfig): sandbox metadata, labels and port mappings; container command, args,
 * environment (resolved by env.ts: values, the downward API, resources and ConfigMaps, so runtimes
 * get values only), limits and log path. Command and args expand $(VAR) against that environment
 * (expansion.ts). Pure, so every runtime gets the same answer for the same pod.
 */
import { bytes, cpuMillis } from '../../api/quantity.js';
import type { Container, Pod } from '../../api/types.js';
import {
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
    annotations: {},
  };
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
