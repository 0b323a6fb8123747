/**
 * The docker runtime of the kubelet (--runtime docker): pods as pause sandboxes and app
 * containers on a Docker daemon, on a lab-wide bridge network (network.ts) or, for labs with a
 * daemon per node, on per-node bridges joined by host-gw routes (host-gw/). runtime.ts holds the
 * ContainerRuntime; the other files are its pieces, each testable alone.
 */
import Docker from 'dockerode';
import { join } from 'node:path';
import type { RuntimeContext, RuntimeEntry } from '../registry.js';
import { DockerRuntime } from './runtime.js';

export { DockerRuntime, type DockerRuntimeOptions } from './runtime.js';
export { type ContainerMount, type DockerContainerConfig, type HostPathType } from './mounts.js';
export { ensureLabNetwork, inspectNetwork, removeNetwork, type LabNetworkSpec } from './network.js';
export { dockerAnswers } from './docker-api.js';
export { LAB_LABEL, NODE_LABEL, CONTAINER_TYPE_LABEL, SANDBOX_ID_LABEL } from './labels.js';

/** Lab-wide settings of a docker runtime entry, which RuntimeContext does not carry. */
export interface DockerRuntimeDefaults {
  /** Lab name (default the LAB_NAME environment variable, else "kubelab"). */
  lab?: string;
  /** Network name (default the lab's name). */
  network?: string;
  /** Cluster CIDR of the network (default "10.244.0.0/16"). */
  subnet?: string;
  /** The daemon (default dockerode's default). */
  docker?: Docker;
}

/**
 * The registry entry of the docker runtime, for `registerRuntime('docker', dockerRuntimeEntry())`:
 * state under the kubelet's rootDir (or /var/lib/kubelab/<node>/docker), the node's pod CIDR as
 * given at start or later through updateRuntimeConfig.
 */
export function dockerRuntimeEntry(d: DockerRuntimeDefaults = {}): RuntimeEntry {
  return {
    description: 'pods run as Docker containers (pause sandbox + app containers) on a lab bridge network',
    create: (ctx: RuntimeContext) => {
      const lab = ctx.lab ?? d.lab ?? process.env.LAB_NAME ?? 'kubelab';
      const subnet = ctx.network?.subnet ?? d.subnet;
      return new DockerRuntime({
        nodeName: ctx.nodeName,
        lab,
        network: { name: ctx.network?.name ?? d.network ?? lab, ...(subnet ? { subnet } : {}) },
        stateDir: join(ctx.rootDir ?? join('/var/lib/kubelab', ctx.nodeName), 'docker'),
        clock: ctx.clock,
        log: ctx.log,
        ...(ctx.podCIDR ? { podCIDR: ctx.podCIDR } : {}),
        ...(d.docker ? { docker: d.docker } : {}),
      });
    },
  };
}
