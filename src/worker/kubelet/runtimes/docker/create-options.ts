/**
 * The Docker create requests of sandboxes and containers, as dockershim made them
 * (docker_sandbox.go makeSandboxDockerConfig, docker_container.go CreateContainer): the sandbox
 * is a pause container that owns the pod's network and IPC namespaces, on the lab network with a
 * fixed address, or on the host's network; app containers join those namespaces through
 * `container:<sandbox id>`. Docker never restarts anything: restarts are the kubelet's decision.
 * Pure: the runtime adds the I/O (IP allocation, mount directories).
 */
import type Docker from 'dockerode';
import type { ContainerConfig, PodRef, PodSandboxConfig, PortMapping } from '../../runtime.js';
import { containerLabels, containerName, sandboxLabels, sandboxName, type Owner } from './labels.js';

/** What a sandbox's create request needs besides its config. */
export interface SandboxPlacement {
  image: string;
  owner: Owner;
  /** The lab network (ignored for host-network pods). */
  network: string;
  /** The pod's address on it (absent for host-network pods). */
  ip?: string;
  createdAt: number;
}

function portKey(p: { containerPort: number; protocol: string }): string {
  return `${p.containerPort}/${p.protocol.toLowerCase()}`;
}

/** ExposedPorts and PortBindings for a pod's hostPort mappings. */
export function portBindingsOf(mappings: PortMapping[]): { exposed: Record<string, object>; bindings: Record<string, { HostIp: string; HostPort: string }[]> } {
  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const m of mappings) {
    const key = portKey(m);
    exposed[key] = {};
    (bindings[key] ??= []).push({ HostIp: m.hostIP ?? '', HostPort: String(m.hostPort) });
  }
  return { exposed, bindings };
}

/** The create request of a sandbox. */
export function sandboxCreateOptions(config: PodSandboxConfig, p: SandboxPlacement): Docker.ContainerCreateOptions {
  const { exposed, bindings } = portBindingsOf(config.portMappings);
  const hostNetwork = config.hostNetwork;
  if (!hostNetwork && !p.ip) throw new TypeError(`sandbox of pod "${config.metadata.namespace}/${config.metadata.name}" needs an IP on network "${p.network}"`);
  return {
    name: sandboxName(config.metadata),
    Image: p.image,
    // Docker refuses a hostname with the host's network; the pod then has the node's, as in Kubernetes.
    ...(hostNetwork ? {} : { Hostname: config.hostname }),
    Labels: sandboxLabels(config, p.owner, p.createdAt),
    ExposedPorts: exposed,
    HostConfig: {
      NetworkMode: hostNetwork ? 'host' : p.network,
      // Containers join the sandbox's IPC namespace, which Docker allows only from a shareable one.
      IpcMode: 'shareable',
      PortBindings: hostNetwork ? {} : bindings,
      RestartPolicy: { Name: 'no' },
      // The pause process needs next to nothing; a bound keeps a runaway sandbox from hurting the node.
      Memory: 32 * 1024 * 1024,
      MemorySwap: 32 * 1024 * 1024,
    },
    ...(hostNetwork
      ? {}
      : {
          NetworkingConfig: {
            EndpointsConfig: { [p.network]: { IPAMConfig: { IPv4Address: p.ip! } } },
          },
        }),
  };
}

/** What a container's create request needs besides its config. */
export interface ContainerPlacement {
  sandboxId: string;
  pod: PodRef;
  owner: Owner;
  /** Docker Binds of its volumes. */
  binds: string[];
  createdAt: number;
}

/**
 * The create request of an app container. Kubernetes' command replaces the image's ENTRYPOINT and
 * args its CMD; with a command and no args Docker drops the image's CMD, as Kubernetes does.
 */
export function containerCreateOptions(config: ContainerConfig, p: ContainerPlacement): Docker.ContainerCreateOptions {
  const r = config.resources;
  if (r.cpuMillis !== undefined && !(r.cpuMillis > 0)) throw new RangeError(`container "${config.metadata.name}": cpu limit must be > 0 millicores, not ${r.cpuMillis}`);
  if (r.memoryBytes !== undefined && !(r.memoryBytes > 0)) throw new RangeError(`container "${config.metadata.name}": memory limit must be > 0 bytes, not ${r.memoryBytes}`);
  return {
    name: containerName(p.pod, config.metadata),
    Image: config.image,
    ...(config.command.length > 0 ? { Entrypoint: config.command } : {}),
    ...(config.args.length > 0 ? { Cmd: config.args } : {}),
    ...(config.workingDir ? { WorkingDir: config.workingDir } : {}),
    Env: config.env.map((e) => `${e.name}=${e.value}`),
    Labels: containerLabels(p.sandboxId, p.pod, config, p.owner, p.createdAt),
    // No ExposedPorts: Docker refuses them with a container network mode, and containerPort is
    // informational in Kubernetes anyway; hostPort publishing happens on the sandbox.
    Tty: false,
    OpenStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    HostConfig: {
      NetworkMode: `container:${p.sandboxId}`,
      IpcMode: `container:${p.sandboxId}`,
      Binds: p.binds,
      RestartPolicy: { Name: 'no' },
      // docker logs reads the json-file driver; another default driver would break containerLogs.
      LogConfig: { Type: 'json-file', Config: {} },
      ...(r.memoryBytes !== undefined ? { Memory: Math.round(r.memoryBytes), MemorySwap: Math.round(r.memoryBytes) } : {}),
      ...(r.cpuMillis !== undefined ? { NanoCpus: Math.round(r.cpuMillis * 1e6) } : {}),
    },
  };
}
