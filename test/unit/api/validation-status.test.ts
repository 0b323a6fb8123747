import test from 'ava';
import { applyDefaults } from '../../../src/api/defaults.js';
import { formatFieldError } from '../../../src/api/errors.js';
import { resourceByKind } from '../../../src/api/resources.js';
import type { KObject, Pod } from '../../../src/api/types.js';
import { validateStatusUpdate } from '../../../src/api/validation/index.js';

/** Kubernetes' messages for a status write that edit makes to the stored object. */
function statusMessages<T extends KObject>(kind: string, stored: T, edit: (o: T) => void): string[] {
  const r = resourceByKind(kind)!;
  applyDefaults(stored, r);
  stored.metadata = { ...stored.metadata, uid: 'u1', resourceVersion: '3' };
  const next = structuredClone(stored);
  edit(next);
  return validateStatusUpdate(next, r, stored).map(formatFieldError);
}

const pod = (restartPolicy: Pod['spec']['restartPolicy'] = 'Always'): Pod => ({
  metadata: { name: 'web', namespace: 'default' },
  spec: { nodeName: 'w1', restartPolicy, containers: [{ name: 'web', image: 'nginx' }] },
  status: { phase: 'Pending', qosClass: 'BestEffort' },
});

const terminated = { name: 'web', ready: false, restartCount: 0, image: 'nginx', imageID: '', state: { terminated: { exitCode: 0 } } };
const running = { name: 'web', ready: true, restartCount: 1, image: 'nginx', imageID: '', state: { running: { startedAt: '2026-01-01T00:00:00Z' } } };

test('pod status: a kubelet status report is valid', (t) => {
  t.deepEqual(
    statusMessages('Pod', pod(), (p) => {
      p.status = {
        phase: 'Running',
        qosClass: 'BestEffort',
        podIP: '10.244.1.5',
        podIPs: [{ ip: '10.244.1.5' }],
        hostIP: '192.168.56.11',
        conditions: [
          { type: 'Ready', status: 'True' },
          { type: 'example.com/Warm', status: 'False' },
        ],
        containerStatuses: [running],
      };
    }),
    [],
  );
});

test('pod status: the phase is one of Kubernetes phases', (t) => {
  t.deepEqual(
    statusMessages('Pod', pod(), (p) => (p.status!.phase = 'Done' as never)),
    ['status.phase: Unsupported value: "Done": supported values: "Pending", "Running", "Succeeded", "Failed", "Unknown"'],
  );
});

test('pod status: conditions have a qualified type and a True/False/Unknown status', (t) => {
  t.deepEqual(
    statusMessages('Pod', pod(), (p) => (p.status!.conditions = [{ type: 'Ready', status: 'Maybe' as never }])),
    ['status.conditions[0].status: Unsupported value: "Maybe": supported values: "True", "False", "Unknown"'],
  );
  t.deepEqual(
    statusMessages('Pod', pod(), (p) => (p.status!.conditions = [{ type: 'not ready', status: 'True' }])).length,
    1,
  );
});

test('pod status: a container that finished under restartPolicy Never may not run again', (t) => {
  const done = pod('Never');
  done.status!.containerStatuses = [terminated];
  t.deepEqual(
    statusMessages('Pod', done, (p) => (p.status!.containerStatuses = [running])),
    ['status.containerStatuses[0].state: Forbidden: may not be transitioned to non-terminated state'],
  );
});

test('pod status: under restartPolicy Always a finished container may run again', (t) => {
  const done = pod('Always');
  done.status!.containerStatuses = [terminated];
  t.deepEqual(
    statusMessages('Pod', done, (p) => (p.status!.containerStatuses = [running])),
    [],
  );
});

test('pod status: under OnFailure only a failed container may run again', (t) => {
  const failed = pod('OnFailure');
  failed.status!.containerStatuses = [{ ...terminated, state: { terminated: { exitCode: 1 } } }];
  t.deepEqual(
    statusMessages('Pod', failed, (p) => (p.status!.containerStatuses = [running])),
    [],
  );
  const succeeded = pod('OnFailure');
  succeeded.status!.containerStatuses = [terminated];
  t.is(statusMessages('Pod', succeeded, (p) => (p.status!.containerStatuses = [running])).length, 1);
});

test('pod status: the pod IP must be an IP and the QoS class cannot change', (t) => {
  t.deepEqual(
    statusMessages('Pod', pod(), (p) => (p.status!.podIP = '10.244.1')),
    ['status.podIP: Invalid value: "10.244.1": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'],
  );
  t.deepEqual(
    statusMessages('Pod', pod(), (p) => (p.status!.qosClass = 'Guaranteed')),
    ['status.qosClass: Invalid value: "Guaranteed": field is immutable'],
  );
});

test('pod status: a status write may not move the pod to another node', (t) => {
  t.deepEqual(
    statusMessages('Pod', pod(), (p) => (p.spec.nodeName = 'w2')),
    ['status.nodeName: Forbidden: may not be changed directly'],
  );
});

const deployment = (): KObject => ({
  metadata: { name: 'web', namespace: 'default' },
  spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'a', image: 'a' }] } } },
  status: { replicas: 3, readyReplicas: 3, availableReplicas: 3, updatedReplicas: 3, collisionCount: 2 },
});

test('deployment status: counters are non-negative and within status.replicas', (t) => {
  const set = (o: KObject, s: Record<string, unknown>) => (o.status = { ...(o.status as object), ...s });
  t.deepEqual(
    statusMessages('Deployment', deployment(), (d) => set(d, { replicas: 3, readyReplicas: 2, availableReplicas: 2, observedGeneration: 1 })),
    [],
  );
  t.deepEqual(
    statusMessages('Deployment', deployment(), (d) => set(d, { readyReplicas: 4, availableReplicas: 4 })),
    ['status.readyReplicas: Invalid value: 4: cannot be greater than status.replicas', 'status.availableReplicas: Invalid value: 4: cannot be greater than status.replicas'],
  );
  t.deepEqual(
    statusMessages('Deployment', deployment(), (d) => set(d, { readyReplicas: 1 })),
    ['status.availableReplicas: Invalid value: 3: cannot be greater than readyReplicas'],
  );
  t.deepEqual(
    statusMessages('Deployment', deployment(), (d) => set(d, { unavailableReplicas: -1 })),
    ['status.unavailableReplicas: Invalid value: -1: must be greater than or equal to 0'],
  );
});

test('deployment status: the collision count cannot go down', (t) => {
  t.deepEqual(
    statusMessages('Deployment', deployment(), (d) => ((d.status as Record<string, unknown>).collisionCount = 1)),
    ['status.collisionCount: Invalid value: 1: cannot be decremented'],
  );
});

test('replicaset status: replicas may not be negative (and zero counters then exceed them, as Kubernetes reports)', (t) => {
  const rs: KObject = { metadata: { name: 'r', namespace: 'default' }, spec: {}, status: { replicas: 1 } };
  t.deepEqual(
    statusMessages('ReplicaSet', rs, (r) => (r.status = { replicas: -1 })),
    [
      'status.replicas: Invalid value: -1: must be greater than or equal to 0',
      'status.fullyLabeledReplicas: Invalid value: 0: cannot be greater than status.replicas',
      'status.readyReplicas: Invalid value: 0: cannot be greater than status.replicas',
      'status.availableReplicas: Invalid value: 0: cannot be greater than status.replicas',
    ],
  );
  t.deepEqual(
    statusMessages('ReplicaSet', rs, (r) => (r.status = { replicas: 2, fullyLabeledReplicas: 2, readyReplicas: 1, availableReplicas: 1 })),
    [],
  );
});

test('namespace status: Active until deletion begins, Terminating after', (t) => {
  t.deepEqual(
    statusMessages<KObject>('Namespace', { metadata: { name: 'a' } }, (n) => (n.status = { phase: 'Terminating' })),
    ["status.Phase: Invalid value: \"Terminating\": may only be 'Active' if `deletionTimestamp` is empty"],
  );
  const deleting: KObject = { metadata: { name: 'a', deletionTimestamp: '2026-01-01T00:00:00Z' } };
  t.deepEqual(
    statusMessages('Namespace', deleting, (n) => (n.status = { phase: 'Terminating' })),
    [],
  );
});

test('node status: capacity and conditions are checked', (t) => {
  const n: KObject = { metadata: { name: 'w1' }, spec: {}, status: {} };
  t.deepEqual(
    statusMessages('Node', n, (x) => (x.status = { capacity: { cpu: '4', memory: '8Gi' }, allocatable: { cpu: '3800m' }, conditions: [{ type: 'Ready', status: 'True' }] })),
    [],
  );
  t.deepEqual(
    statusMessages('Node', n, (x) => (x.status = { capacity: { memory: 'lots' }, conditions: [{ type: 'Ready', status: 'Yes' }] })),
    [
      "status.capacity.memory: Invalid value: \"lots\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
      'status.conditions[0].status: Unsupported value: "Yes": supported values: "True", "False", "Unknown"',
    ],
  );
});

test('status: kinds without status rules check the metadata only', (t) => {
  const svc: KObject = { metadata: { name: 's', namespace: 'default' }, spec: { ports: [{ port: 80 }] }, status: {} };
  t.deepEqual(
    statusMessages('Service', svc, (s) => (s.status = { loadBalancer: { ingress: [{ ip: '192.168.56.200' }] } })),
    [],
  );
  t.deepEqual(
    statusMessages('Service', svc, (s) => (s.metadata.name = 't')),
    ['metadata.name: Invalid value: "t": field is immutable'],
  );
});
