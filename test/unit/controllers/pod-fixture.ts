/** A pod behind a Service, for the endpoints and EndpointSlice controllers' table-driven tests. */
import type { Pod } from '../../../src/api/types.js';

export interface PodOpts {
  /** status.podIP alone. */
  ip?: string;
  /** status.podIPs, and podIP from the first. */
  ips?: string[];
  ready?: boolean;
  node?: string;
  ports?: { name?: string; containerPort: number; protocol?: 'TCP' | 'UDP' }[];
  labels?: Record<string, string>;
  deleting?: boolean;
  phase?: 'Running' | 'Succeeded' | 'Failed';
  restartPolicy?: 'Always' | 'Never' | 'OnFailure';
}

export function pod(name: string, o: PodOpts = {}): Pod {
  const ips = o.ips ?? [];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, labels: o.labels ?? { app: 'web' }, ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    spec: { nodeName: o.node ?? 'w1', restartPolicy: o.restartPolicy ?? 'Always', containers: [{ name: 'c', ports: o.ports ?? [{ name: 'http', containerPort: 8080 }] }] },
    status: {
      phase: o.phase ?? 'Running',
      ...(ips.length ? { podIP: ips[0], podIPs: ips.map((ip) => ({ ip })) } : o.ip === undefined ? {} : { podIP: o.ip }),
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }],
    },
  };
}
