/**
 * A real API server in the test process with a scheduler against it, and Node objects created
 * through the client standing in for kubelets (Ready, allocatable, taints, labels).
 */
import type { ExecutionContext } from 'ava';
import type { Event, Node, Pod, Taint } from '../../../src/api/types.js';
import { Client } from '../../../src/client/rest.js';
import { startScheduler, type RunningScheduler, type SchedulerOptions } from '../../../src/control/scheduler/server.js';
import { testApiServer } from '../../helpers/apiserver.js';
import { eventually } from '../../helpers/eventually.js';

export interface Lab {
  client: Client;
  scheduler: RunningScheduler;
  addNode(o: NodeSpec): Promise<Node>;
  addPod(o: PodSpec): Promise<Pod>;
  getPod(name: string): Promise<Pod>;
  pods(): Promise<Pod[]>;
  events(pod: string): Promise<Event[]>;
}

export interface NodeSpec {
  name: string;
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  taints?: Taint[];
}

export interface PodSpec {
  name: string;
  cpu?: string;
  owner?: { name: string; uid: string };
  nodeSelector?: Record<string, string>;
  tolerations?: Pod['spec']['tolerations'];
}

export async function lab(t: ExecutionContext, o: Partial<SchedulerOptions> = {}): Promise<Lab> {
  const server = await testApiServer(t);
  const client = new Client({ server: server.url });
  t.teardown(() => client.close());
  const scheduler = await startScheduler({ client, ...o });
  // Registered after the server's teardown, so it runs first (ava runs teardowns in reverse).
  t.teardown(() => scheduler.close());
  await eventually(() => scheduler.hasSynced(), { message: 'scheduler caches synced' });
  const podsApi = client.resource<Pod>('Pod');
  return {
    client,
    scheduler,
    addNode: (n) =>
      client.resource<Node>('Node').create('', {
        metadata: { name: n.name, labels: { 'kubernetes.io/hostname': n.name, ...n.labels } },
        spec: n.taints ? { taints: n.taints } : {},
        status: {
          allocatable: { cpu: n.cpu ?? '4', memory: n.memory ?? '8Gi', pods: n.pods ?? '110' },
          capacity: { cpu: n.cpu ?? '4', memory: n.memory ?? '8Gi', pods: n.pods ?? '110' },
          conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }],
        },
      }),
    addPod: (p) =>
      podsApi.create('default', {
        metadata: {
          name: p.name,
          ...(p.owner ? { labels: { app: p.owner.name }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: p.owner.name, uid: p.owner.uid, controller: true }] } : {}),
        },
        spec: {
          containers: [{ name: 'c', image: 'busybox', ...(p.cpu ? { resources: { requests: { cpu: p.cpu } } } : {}) }],
          ...(p.nodeSelector ? { nodeSelector: p.nodeSelector } : {}),
          ...(p.tolerations ? { tolerations: p.tolerations } : {}),
        },
      }),
    getPod: (name) => podsApi.get('default', name),
    pods: async () => (await podsApi.list('default')).items,
    events: async (pod) => (await client.resource<Event>('Event').list('default', { fieldSelector: `involvedObject.name=${pod}` })).items,
  };
}
