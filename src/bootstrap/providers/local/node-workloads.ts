/**
 * What runs on a local node besides its daemons: the pods' containers, which outlive the kubelet
 * on purpose (a restarted kubelet adopts them). Taking a lab down or crashing a node must stop
 * them too, so this opens the node's runtime the way its kubelet does (same runtime, same state
 * directory) and stops every container and sandbox through the CRI interface.
 */
import type { ContainerRuntime } from '../../../worker/kubelet/runtime.js';
import { createRuntime } from '../../../worker/kubelet/runtimes/registry.js';
import { systemClock } from '../../../util/clock.js';
import { nullLogger } from '../../../util/log.js';
import type { ComponentState } from '../../state.js';

/** The runtime flags of a node's kubelet, read back from its recorded command line. */
function kubeletFlags(kubelet: ComponentState): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < kubelet.argv.length; i++) {
    const a = kubelet.argv[i]!;
    if (a.startsWith('--') && i + 1 < kubelet.argv.length && !kubelet.argv[i + 1]!.startsWith('--')) flags.set(a.slice(2), kubelet.argv[i + 1]!);
  }
  return flags;
}

async function openRuntime(kubelet: ComponentState): Promise<ContainerRuntime | undefined> {
  const f = kubeletFlags(kubelet);
  const name = f.get('runtime') ?? 'fake';
  if (name === 'fake') return undefined; // nothing runs
  return createRuntime(name, {
    nodeName: f.get('node-name') ?? kubelet.node,
    nodeIP: f.get('node-ip') ?? '127.0.0.1',
    ...(f.get('root-dir') ? { rootDir: f.get('root-dir')! } : {}),
    ...(f.get('lab-name') ? { lab: f.get('lab-name')! } : {}),
    ...(f.get('docker-network') ? { network: { name: f.get('docker-network')!, ...(f.get('cluster-cidr') ? { subnet: f.get('cluster-cidr')! } : {}) } } : {}),
    clock: systemClock,
    log: nullLogger,
  });
}

/**
 * Stops every container and sandbox of the node whose kubelet this is. graceSeconds 0 is a
 * crash: processes are killed at once (SIGKILL where the runtime can, as a power loss would).
 * The kubelet must not be running (it holds the runtime's state).
 */
export async function stopNodeWorkloads(kubelet: ComponentState, graceSeconds: number): Promise<number> {
  const rt = await openRuntime(kubelet);
  if (!rt) return 0;
  try {
    const running = await rt.listContainers({ state: 'running' });
    const processInfo = (rt as { processInfo?(id: string): { pgid: number; shimPid: number } | undefined }).processInfo;
    if (graceSeconds === 0 && !processInfo) {
      // A runtime without processes of its own to kill (docker): stopping each sandbox kills its
      // containers with SIGKILL and takes the pod's network away, as a power loss does.
      await Promise.all((await rt.listPodSandboxes()).map((s) => rt.stopPodSandbox(s.id).catch(() => undefined)));
      return running.length;
    }
    await Promise.all(
      running.map(async (c) => {
        const info = graceSeconds === 0 ? processInfo?.call(rt, c.id) : undefined;
        if (info) {
          for (const pid of [-info.pgid, info.shimPid]) {
            try {
              process.kill(pid, 'SIGKILL');
            } catch {
              // already gone
            }
          }
        } else {
          await rt.stopContainer(c.id, graceSeconds);
        }
      }),
    );
    if (graceSeconds > 0) for (const s of await rt.listPodSandboxes()) await rt.removePodSandbox(s.id);
    return running.length;
  } finally {
    await rt.close();
  }
}
