/**
 * The Node object a kubelet registers and the status it reports, as pure functions (the setters
 * of pkg/kubelet/nodestatus and initialNode in kubelet_node_status.go): labels, taints given at
 * registration, capacity and allocatable, addresses, nodeInfo, daemonEndpoints and the
 * conditions MemoryPressure, DiskPressure, PIDPressure (False: nothing measures pressure here)
 * and Ready (True while the runtime says RuntimeReady and NetworkReady).
 *
 * With node leases, the kubelet writes node status only when it changed (heartbeat times aside)
 * or when node-status-report-frequency has passed since the last report; nodeStatusChanged is
 * that comparison.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Condition, Node, NodeStatus, NodeSystemInfo, Taint } from '../../../api/types.js';
import { rfc3339 } from '../../../util/clock.js';
import type { RuntimeCondition } from '../runtime.js';

/** The kubelet version every kubelab kubelet reports. */
export const KUBELET_VERSION = 'v1.32.0-kubelab';

/** What a kubelet knows about the node it registers. */
export interface NodeConfig {
  name: string;
  /** The node's IP (its InternalIP address). */
  ip: string;
  /** Hostname address and kubernetes.io/hostname label (default: the node name). */
  hostname?: string;
  /** cpu, memory and pods (and any other resource) as quantities. */
  capacity: Record<string, string>;
  /** Capacity minus reservations (default: capacity). */
  allocatable?: Record<string, string>;
  /** node-role.kubernetes.io/<role> label. */
  role?: string;
  /** More labels (--node-labels). */
  labels?: Record<string, string>;
  /** Taints the node registers with (--register-with-taints); later changes are the API's. */
  taints?: Taint[];
  /** The kubelet's HTTP port, where the API server proxies logs to. */
  kubeletPort: number;
  /** "<runtime>://<version>". */
  containerRuntimeVersion: string;
  /** kubernetes.io/arch value (Go's GOARCH names: amd64, arm64). */
  arch: string;
  /** Machine facts for nodeInfo (machineID, bootID, kernelVersion, osImage ...). */
  systemInfo?: Partial<NodeSystemInfo>;
}

/** Go's GOARCH for Node.js's process.arch. */
export function goArch(arch: string = process.arch): string {
  const map: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  return map[arch] ?? arch;
}

/** The labels the kubelet sets on its node (well-known ones, the role, then --node-labels). */
export function nodeLabels(cfg: NodeConfig): Record<string, string> {
  return {
    'beta.kubernetes.io/arch': cfg.arch,
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': cfg.arch,
    'kubernetes.io/hostname': cfg.hostname ?? cfg.name,
    'kubernetes.io/os': 'linux',
    ...(cfg.role ? { [`node-role.kubernetes.io/${cfg.role}`]: '' } : {}),
    ...cfg.labels,
  };
}

/**
 * Labels an existing Node lacks or has wrong, as a registering kubelet reconciles them
 * (updateDefaultLabels); undefined when there is nothing to change.
 */
export function labelsToReconcile(node: Node, cfg: NodeConfig): Record<string, string> | undefined {
  const want = nodeLabels(cfg);
  const have = node.metadata.labels ?? {};
  const patch: Record<string, string> = {};
  for (const [k, v] of Object.entries(want)) if (have[k] !== v) patch[k] = v;
  return Object.keys(patch).length ? patch : undefined;
}

interface PartialCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
}

/** Why the node is not ready, from the runtime's conditions; undefined when it is. */
export function runtimeNotReadyMessage(runtime: readonly RuntimeCondition[] | undefined): string | undefined {
  if (!runtime) return 'container runtime status check may not have completed yet';
  const msgs: string[] = [];
  const rt = runtime.find((c) => c.type === 'RuntimeReady');
  const net = runtime.find((c) => c.type === 'NetworkReady');
  if (!rt?.status) msgs.push(`container runtime is down${rt?.message ? `: ${rt.message}` : ''}`);
  if (!net?.status) msgs.push(`container runtime network not ready: NetworkReady=false reason:${net?.reason ?? ''} message:${net?.message ?? ''}`);
  return msgs.length ? msgs.join(', ') : undefined;
}

/** The node's conditions now, keeping each lastTransitionTime while its status stays. */
export function nodeConditions(runtime: readonly RuntimeCondition[] | undefined, now: number, old: readonly Condition[] | undefined): Condition[] {
  const notReady = runtimeNotReadyMessage(runtime);
  const conds: PartialCondition[] = [
    { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
    { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
    { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
    notReady
      ? { type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: notReady }
      : { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
  ];
  const t = rfc3339(now);
  return conds.map((c) => {
    const prev = old?.find((o) => o.type === c.type);
    const since = prev && prev.status === c.status && prev.lastTransitionTime ? prev.lastTransitionTime : t;
    return { type: c.type, status: c.status, lastHeartbeatTime: t, lastTransitionTime: since, reason: c.reason, message: c.message };
  });
}

/** The status the kubelet reports: everything it owns in NodeStatus. */
export function nodeStatusOf(cfg: NodeConfig, runtime: readonly RuntimeCondition[] | undefined, now: number, old?: NodeStatus): NodeStatus {
  return {
    capacity: { ...cfg.capacity },
    allocatable: { ...(cfg.allocatable ?? cfg.capacity) },
    conditions: nodeConditions(runtime, now, old?.conditions),
    addresses: [
      { type: 'InternalIP', address: cfg.ip },
      { type: 'Hostname', address: cfg.hostname ?? cfg.name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: cfg.kubeletPort } },
    nodeInfo: {
      machineID: '',
      systemUUID: '',
      bootID: '',
      kernelVersion: '',
      osImage: '',
      ...cfg.systemInfo,
      containerRuntimeVersion: cfg.containerRuntimeVersion,
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: cfg.arch,
    },
  };
}

/** The Node a kubelet registers (initialNode). */
export function buildNode(cfg: NodeConfig, runtime: readonly RuntimeCondition[] | undefined, now: number): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: cfg.name, labels: nodeLabels(cfg), annotations: { 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' } },
    spec: cfg.taints?.length ? { taints: cfg.taints.map((t) => ({ ...t })) } : {},
    status: nodeStatusOf(cfg, runtime, now),
  };
}

/** A condition list without heartbeat times, for comparison. */
function withoutHeartbeats(conds: readonly Condition[] | undefined): Condition[] {
  return (conds ?? []).map(({ lastHeartbeatTime: _h, ...rest }) => rest as Condition).sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
}

/**
 * Whether next differs from what the API has in anything the kubelet reports, heartbeat times
 * aside (nodeStatusHasChanged). Conditions of others (NetworkUnavailable) are not compared.
 */
export function nodeStatusChanged(current: NodeStatus | undefined, next: NodeStatus): boolean {
  if (!current) return true;
  const ours = new Set((next.conditions ?? []).map((c) => c.type));
  const cur = JSON.parse(JSON.stringify({ ...pick(current), conditions: withoutHeartbeats(current.conditions?.filter((c) => ours.has(c.type))) }));
  const want = JSON.parse(JSON.stringify({ ...pick(next), conditions: withoutHeartbeats(next.conditions) }));
  return !isDeepStrictEqual(cur, want);
}

function pick(s: NodeStatus) {
  return { capacity: s.capacity, allocatable: s.allocatable, addresses: s.addresses, daemonEndpoints: s.daemonEndpoints, nodeInfo: s.nodeInfo };
}

/** Whether a report is due: the status changed, or reportFrequency passed since the last one. */
export function nodeReportDue(changed: boolean, lastReportAt: number | undefined, now: number, reportFrequencyMs: number): boolean {
  return changed || lastReportAt === undefined || now - lastReportAt >= reportFrequencyMs;
}

/** The strategic merge patch of nodes/status that reports status (conditions merge by type). */
export function nodeStatusPatch(status: NodeStatus): { status: NodeStatus } {
  return { status };
}
