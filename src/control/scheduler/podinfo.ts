/**
 * What the scheduler needs to know about a pod, computed once per pod version rather than once
 * per node it is checked against: its requests as plain numbers (the effective request
 * Kubernetes computes, init containers included), the "non-zero" requests the scorers use,
 * its host ports, its compiled node selector and affinity, and its controller owner.
 *
 * Filtering a pod against 500 nodes must not parse "250m" 500 times: everything here is
 * parsed once, and quantity strings are memoized besides, because a thousand replicas of one
 * template repeat the same few strings.
 */
import { bytes, cpuMillis } from '../../api/quantity.js';
import type { Container, Pod, Quantity, Toleration } from '../../api/types.js';
import { compileNodeSelector, type CompiledNodeSelector } from './affinity.js';
import { UNSCHEDULABLE_TAINT, NOT_READY_TAINT, toleratesTaint } from './taints.js';

/** CPU in millicores and memory in bytes. */
export interface Resources {
  milliCPU: number;
  memory: number;
}

/** A host port a pod asks for: Kubernetes' HostPortInfo entry. */
export interface HostPort {
  /** "0.0.0.0" when the pod left hostIP empty: it then takes the port on every address. */
  ip: string;
  /** "TCP/8080": protocol and port, the unit conflicts are counted in. */
  protoPort: string;
}

/** A pod as the scheduler sees it. Immutable: a new pod version gets a new PodInfo. */
export interface PodInfo {
  readonly pod: Pod;
  /** "namespace/name": the queue's key. */
  readonly key: string;
  /** metadata.uid: the cache's key (a recreated pod of the same name is another pod). */
  readonly uid: string;
  /** spec.priority (default 0). */
  readonly priority: number;
  /** The effective request: max(max(init containers), sum(containers)) plus overhead. */
  readonly request: Resources;
  /** The same with 100m CPU / 200Mi memory for containers that request none, as the scorers count. */
  readonly nonZero: Resources;
  readonly hostPorts: readonly HostPort[];
  readonly tolerations: readonly Toleration[];
  /** spec.nodeSelector as pairs (empty when unset). */
  readonly nodeSelector: readonly (readonly [string, string])[];
  /** Required node affinity, compiled; undefined when the pod has none. */
  readonly requiredAffinity: CompiledNodeSelector | undefined;
  /** uid of the controller ownerReference, for spreading; undefined when there is none. */
  readonly ownerUid: string | undefined;
  /** Tolerations with effect PreferNoSchedule or none, for the taint scorer. */
  readonly preferTolerations: readonly Toleration[];
  /** Whether the pod tolerates node.kubernetes.io/unschedulable:NoSchedule (DaemonSet pods do). */
  readonly toleratesUnschedulable: boolean;
  /** Whether the pod tolerates node.kubernetes.io/not-ready:NoSchedule, and may go to a node that is not Ready. */
  readonly toleratesNotReady: boolean;
  /** Whether metadata.deletionTimestamp is set. */
  readonly terminating: boolean;
}

/** schedutil.DefaultMilliCPURequest: what a container without a CPU request counts as when scoring. */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
/** schedutil.DefaultMemoryRequest: 200 MiB. */
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

const MEMO_LIMIT = 10_000;
const cpuMemo = new Map<string | number, number>();
const memMemo = new Map<string | number, number>();

function memo(cache: Map<string | number, number>, q: Quantity, parse: (q: Quantity) => number): number {
  let v = cache.get(q);
  if (v === undefined) {
    v = parse(q);
    // A bound keeps a stream of distinct values from growing the memo without end.
    if (cache.size >= MEMO_LIMIT) cache.clear();
    cache.set(q, v);
  }
  return v;
}

/** Quantity.MilliValue of a CPU quantity, memoized. Throws naming the value when it is not a quantity. */
export function milliCPUOf(q: Quantity): number {
  return memo(cpuMemo, q, cpuMillis);
}

/** Quantity.Value of a memory (or count) quantity, memoized. */
export function valueOf(q: Quantity): number {
  return memo(memMemo, q, bytes);
}

interface ContainerRequest {
  cpu: number;
  memory: number;
  nzCpu: number;
  nzMemory: number;
}

function containerRequest(c: Container): ContainerRequest {
  const req = c.resources?.requests;
  const cpuQ = req?.cpu;
  const memQ = req?.memory;
  const cpu = cpuQ === undefined ? 0 : milliCPUOf(cpuQ);
  const memory = memQ === undefined ? 0 : valueOf(memQ);
  // A request that is present, even "0", is kept; only a missing one gets the default.
  return { cpu, memory, nzCpu: cpuQ === undefined ? DEFAULT_MILLI_CPU_REQUEST : cpu, nzMemory: memQ === undefined ? DEFAULT_MEMORY_REQUEST : memory };
}

/**
 * The effective request of a pod, as resourcehelper.PodRequests computes it: the sum over its
 * containers, raised to what any init container needs while it runs (restartable "sidecar"
 * init containers keep running, so they add to the sum and to every later init container),
 * plus spec.overhead. Returns the request and its non-zero variant.
 */
export function podRequests(pod: Pod): { request: Resources; nonZero: Resources } {
  const sum: ContainerRequest = { cpu: 0, memory: 0, nzCpu: 0, nzMemory: 0 };
  for (const c of pod.spec.containers ?? []) add(sum, containerRequest(c));
  const sidecars: ContainerRequest = { cpu: 0, memory: 0, nzCpu: 0, nzMemory: 0 };
  const initMax: ContainerRequest = { cpu: 0, memory: 0, nzCpu: 0, nzMemory: 0 };
  for (const c of pod.spec.initContainers ?? []) {
    const r = containerRequest(c);
    let during: ContainerRequest;
    if (c.restartPolicy === 'Always') {
      add(sum, r);
      add(sidecars, r);
      during = sidecars;
    } else {
      during = { ...r };
      add(during, sidecars);
    }
    max(initMax, during);
  }
  max(sum, initMax);
  const overhead = (pod.spec as { overhead?: Record<string, Quantity> }).overhead;
  if (overhead) {
    const cpu = overhead.cpu === undefined ? 0 : milliCPUOf(overhead.cpu);
    const memory = overhead.memory === undefined ? 0 : valueOf(overhead.memory);
    add(sum, { cpu, memory, nzCpu: cpu, nzMemory: memory });
  }
  return { request: { milliCPU: sum.cpu, memory: sum.memory }, nonZero: { milliCPU: sum.nzCpu, memory: sum.nzMemory } };
}

function add(a: ContainerRequest, b: ContainerRequest): void {
  a.cpu += b.cpu;
  a.memory += b.memory;
  a.nzCpu += b.nzCpu;
  a.nzMemory += b.nzMemory;
}

function max(a: ContainerRequest, b: ContainerRequest): void {
  a.cpu = Math.max(a.cpu, b.cpu);
  a.memory = Math.max(a.memory, b.memory);
  a.nzCpu = Math.max(a.nzCpu, b.nzCpu);
  a.nzMemory = Math.max(a.nzMemory, b.nzMemory);
}

/** The host ports of a pod's containers (hostPort > 0), hostIP defaulting to 0.0.0.0 and protocol to TCP. */
export function hostPortsOf(pod: Pod): HostPort[] {
  const out: HostPort[] = [];
  for (const c of pod.spec.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort || p.hostPort <= 0) continue;
      out.push({ ip: p.hostIP || '0.0.0.0', protoPort: `${p.protocol || 'TCP'}/${p.hostPort}` });
    }
  }
  return out;
}

/** uid of the ownerReference with controller: true. */
export function controllerUid(pod: Pod): string | undefined {
  for (const ref of pod.metadata.ownerReferences ?? []) if (ref.controller) return ref.uid;
  return undefined;
}

/**
 * Builds the PodInfo of a pod. Throws an Error naming the pod when a request is not a quantity
 * or the affinity cannot be compiled (the API server's validation normally prevents both).
 */
export function podInfoOf(pod: Pod): PodInfo {
  const m = pod.metadata;
  const key = `${m.namespace ?? ''}/${m.name ?? ''}`;
  let requests: { request: Resources; nonZero: Resources };
  try {
    requests = podRequests(pod);
  } catch (err) {
    throw new Error(`Cannot read the resource requests of pod "${key}": ${(err as Error).message}`, { cause: err });
  }
  const tolerations = pod.spec.tolerations ?? [];
  const required = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  return {
    pod,
    key,
    uid: m.uid ?? '',
    priority: pod.spec.priority ?? 0,
    request: requests.request,
    nonZero: requests.nonZero,
    hostPorts: hostPortsOf(pod),
    tolerations,
    nodeSelector: Object.entries(pod.spec.nodeSelector ?? {}),
    requiredAffinity: required ? compileNodeSelector(required.nodeSelectorTerms ?? []) : undefined,
    ownerUid: controllerUid(pod),
    preferTolerations: tolerations.filter((t) => !t.effect || t.effect === 'PreferNoSchedule'),
    toleratesUnschedulable: tolerations.some((t) => toleratesTaint(t, UNSCHEDULABLE_TAINT)),
    toleratesNotReady: tolerations.some((t) => toleratesTaint(t, NOT_READY_TAINT)),
    terminating: !!m.deletionTimestamp,
  };
}
