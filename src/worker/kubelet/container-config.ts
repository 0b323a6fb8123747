/**
 * Turns a pod into what the runtime understands (kuberuntime's generatePodSandboxConfig and
 * generateContainerConfig): sandbox metadata, labels and port mappings; container command, args,
 * environment (values and the downward API's fieldRefs resolved here, as the kubelet does),
 * limits and log path. Pure, so every runtime gets the same answer for the same pod.
 */
import { bytes, cpuMillis } from '../../api/quantity.js';
import type { Container, Pod } from '../../api/types.js';
import {
  CONTAINER_NAME_LABEL,
  POD_NAME_LABEL,
  POD_NAMESPACE_LABEL,
  POD_UID_LABEL,
  type ContainerConfig,
  type PodSandboxConfig,
  type PortMapping,
} from './runtime.js';

/** A container whose config cannot be made: it waits with reason CreateContainerConfigError. */
export class ContainerConfigError extends Error {
  override readonly name = 'ContainerConfigError';
}

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

/** The value of a downward API fieldRef for this pod, as the kubelet resolves it (podFieldSelectorRuntimeValue). */
export function fieldRefValue(pod: Pod, fieldPath: string, env: { podIPs: string[]; hostIPs: string[] }): string {
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(fieldPath);
  if (m) return (m[1] === 'labels' ? pod.metadata.labels : pod.metadata.annotations)?.[m[2]!] ?? '';
  switch (fieldPath) {
    case 'metadata.name':
      return pod.metadata.name ?? '';
    case 'metadata.namespace':
      return pod.metadata.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata.uid ?? '';
    case 'spec.nodeName':
      return pod.spec.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec.serviceAccountName ?? '';
    case 'status.podIP':
      return env.podIPs[0] ?? '';
    case 'status.podIPs':
      return env.podIPs.join(',');
    case 'status.hostIP':
      return env.hostIPs[0] ?? '';
    case 'status.hostIPs':
      return env.hostIPs.join(',');
  }
  throw new ContainerConfigError(`unsupported fieldPath: ${fieldPath}`);
}

/** A container's environment with every reference resolved; ContainerConfigError for ones kubelab cannot resolve. */
export function envOf(pod: Pod, c: Container, env: { podIPs: string[]; hostIPs: string[] }): { name: string; value: string }[] {
  const out: { name: string; value: string }[] = [];
  // $(VAR) refers to variables defined earlier in the list, as Kubernetes expands them.
  const seen = new Map<string, string>();
  const expand = (s: string) => s.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (all, name: string | undefined) => (all === '$$' ? '$' : (seen.get(name!) ?? all)));
  for (const e of c.env ?? []) {
    let value: string;
    if (e.valueFrom?.fieldRef) value = fieldRefValue(pod, e.valueFrom.fieldRef.fieldPath, env);
    else if (e.valueFrom) throw new ContainerConfigError(`couldn't resolve environment variable "${e.name}": only value and fieldRef are supported by kubelab's kubelet`);
    else value = expand(e.value ?? '');
    seen.set(e.name, value);
    out.push({ name: e.name, value });
  }
  return out;
}

/** The container config of one container of a pod. */
export function containerConfigOf(pod: Pod, c: Container, attempt: number, image: string, env: { podIPs: string[]; hostIPs: string[] }): ContainerConfig {
  const vars = envOf(pod, c, env);
  const lookup = new Map(vars.map((v) => [v.name, v.value]));
  // Command and args expand $(VAR) from the container's environment.
  const expand = (s: string) => s.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (all, name: string | undefined) => (all === '$$' ? '$' : (lookup.get(name!) ?? all)));
  const limits = c.resources?.limits ?? {};
  const resources: ContainerConfig['resources'] = {};
  if (limits.cpu !== undefined) resources.cpuMillis = cpuMillis(limits.cpu);
  if (limits.memory !== undefined) resources.memoryBytes = bytes(limits.memory);
  return {
    metadata: { name: c.name, attempt },
    image,
    command: (c.command ?? []).map(expand),
    args: (c.args ?? []).map(expand),
    ...(c.workingDir ? { workingDir: c.workingDir } : {}),
    env: vars,
    ports: (c.ports ?? []).map((p) => ({ containerPort: p.containerPort, protocol: p.protocol ?? 'TCP', ...(p.name ? { name: p.name } : {}) })),
    resources,
    logPath: `${c.name}/${attempt}.log`,
    labels: { [POD_NAME_LABEL]: pod.metadata.name ?? '', [POD_NAMESPACE_LABEL]: pod.metadata.namespace ?? '', [POD_UID_LABEL]: pod.metadata.uid ?? '', [CONTAINER_NAME_LABEL]: c.name },
    annotations: {},
  };
}
