/** Pods and nodes for the scheduler's unit tests, with only the fields a test cares about. */
import type { Container, Node, Pod, Taint, Toleration } from '../../../src/api/types.js';

export interface PodSpecInput {
  name?: string;
  namespace?: string;
  uid?: string;
  cpu?: string;
  memory?: string;
  containers?: Container[];
  initContainers?: Container[];
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  tolerations?: Toleration[];
  hostPorts?: { port: number; ip?: string; protocol?: 'TCP' | 'UDP' }[];
  owner?: string;
  priority?: number;
  schedulerName?: string;
  affinity?: Pod['spec']['affinity'];
}

let seq = 0;

export function pod(o: PodSpecInput = {}): Pod {
  const name = o.name ?? `p${++seq}`;
  const requests: Record<string, string> = {};
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  const c: Container = { name: 'c', image: 'busybox', ...(o.cpu || o.memory ? { resources: { requests } } : {}) };
  if (o.hostPorts) c.ports = o.hostPorts.map((p) => ({ containerPort: p.port, hostPort: p.port, ...(p.ip ? { hostIP: p.ip } : {}), protocol: p.protocol ?? 'TCP' }));
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: o.namespace ?? 'default',
      uid: o.uid ?? `uid-${name}`,
      ...(o.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: o.owner, uid: `rs-${o.owner}`, controller: true }] } : {}),
    },
    spec: {
      containers: o.containers ?? [c],
      ...(o.initContainers ? { initContainers: o.initContainers } : {}),
      ...(o.nodeName ? { nodeName: o.nodeName } : {}),
      ...(o.nodeSelector ? { nodeSelector: o.nodeSelector } : {}),
      ...(o.tolerations ? { tolerations: o.tolerations } : {}),
      ...(o.priority !== undefined ? { priority: o.priority } : {}),
      ...(o.affinity ? { affinity: o.affinity } : {}),
      schedulerName: o.schedulerName ?? 'default-scheduler',
    },
    status: { phase: 'Pending' },
  };
}

export interface NodeInput {
  name: string;
  cpu?: string;
  memory?: string;
  pods?: string;
  ready?: boolean | 'none';
  unschedulable?: boolean;
  taints?: Taint[];
  labels?: Record<string, string>;
}

export function node(o: NodeInput): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: o.name, uid: `uid-${o.name}`, labels: { 'kubernetes.io/hostname': o.name, ...o.labels } },
    spec: { ...(o.unschedulable ? { unschedulable: true } : {}), ...(o.taints ? { taints: o.taints } : {}) },
    status: {
      allocatable: { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: o.pods ?? '110' },
      conditions: o.ready === 'none' ? [] : [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }],
    },
  };
}

/** A container with requests, for init-container tables. */
export function container(name: string, cpu?: string, memory?: string, restartPolicy?: 'Always'): Container {
  const requests: Record<string, string> = {};
  if (cpu) requests.cpu = cpu;
  if (memory) requests.memory = memory;
  return { name, image: 'busybox', ...(cpu || memory ? { resources: { requests } } : {}), ...(restartPolicy ? { restartPolicy } : {}) };
}
