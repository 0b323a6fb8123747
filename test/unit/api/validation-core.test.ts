import test from 'ava';
import { applyDefaults } from '../../../src/api/defaults.js';
import { formatFieldError } from '../../../src/api/errors.js';
import { resourceByKind } from '../../../src/api/resources.js';
import type { KObject } from '../../../src/api/types.js';
import { validateObject } from '../../../src/api/validation/index.js';

function messages(kind: string, obj: KObject, old?: KObject): string[] {
  const r = resourceByKind(kind)!;
  applyDefaults(obj, r);
  return validateObject(obj, r, old).map(formatFieldError);
}

/** obj as if stored, for update tests. */
function stored<T extends KObject>(kind: string, obj: T): T {
  applyDefaults(obj, resourceByKind(kind)!);
  obj.metadata = { ...obj.metadata, uid: 'u1', resourceVersion: '2' };
  return obj;
}

// ---- Node

const node = (spec: Record<string, unknown> = {}, status: Record<string, unknown> = {}): KObject => ({ metadata: { name: 'worker-1' }, spec, status });

test('node: a node with taints and capacity is valid', (t) => {
  t.deepEqual(messages('Node', node({ taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }], podCIDRs: ['10.244.1.0/24'] }, { capacity: { cpu: '4', memory: '8Gi', pods: '110' } })), []);
});

test('node: taints are reported under metadata.taints, as Kubernetes does', (t) => {
  t.deepEqual(messages('Node', node({ taints: [{ key: 'k', effect: 'NoRun' }] })), [
    'metadata.taints[0].effect: Unsupported value: "NoRun": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
  ]);
  t.deepEqual(messages('Node', node({ taints: [{ key: 'k' }] })), ['metadata.taints[0].effect: Required value']);
});

test('node: a taint is unique by key and effect', (t) => {
  const taints = [
    { key: 'k', value: 'a', effect: 'NoSchedule' },
    { key: 'k', value: 'b', effect: 'NoExecute' },
    { key: 'k', value: 'c', effect: 'NoSchedule' },
  ];
  t.deepEqual(messages('Node', node({ taints })), ['metadata.taints[2]: Duplicate value: {"key":"k","value":"c","effect":"NoSchedule"}: taints must be unique by key and effect pair']);
});

test('node: capacity quantities must be valid and non-negative', (t) => {
  t.deepEqual(messages('Node', node({}, { capacity: { cpu: '-1' } })), [
    'status.capacity.cpu: Invalid value: "-1": must be greater than or equal to 0',
    'status.allocatable.cpu: Invalid value: "-1": must be greater than or equal to 0',
  ]);
});

test('node: a pod CIDR must be a CIDR', (t) => {
  t.deepEqual(messages('Node', node({ podCIDRs: ['10.244.1.0'] })), ['spec.podCIDRs[0]: Invalid value: "10.244.1.0": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)']);
});

test('node update: unschedulable and taints may change; podCIDRs and providerID only from unset', (t) => {
  const old = stored('Node', node({ podCIDRs: ['10.244.1.0/24'], providerID: 'kind://w1' }));
  const cordoned = structuredClone(old);
  (cordoned.spec as Record<string, unknown>).unschedulable = true;
  t.deepEqual(messages('Node', cordoned, old), []);
  const moved = structuredClone(old);
  (moved.spec as Record<string, unknown>).podCIDRs = ['10.244.2.0/24'];
  (moved.spec as Record<string, unknown>).providerID = 'kind://w2';
  t.deepEqual(messages('Node', moved, old), [
    'spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid',
    'spec.providerID: Forbidden: node updates may not change providerID except from "" to valid',
  ]);
  const fresh = stored('Node', node());
  const assigned = structuredClone(fresh);
  (assigned.spec as Record<string, unknown>).podCIDRs = ['10.244.3.0/24'];
  t.deepEqual(messages('Node', assigned, fresh), []);
});

// ---- Namespace

test('namespace: names are lowercase DNS labels', (t) => {
  t.deepEqual(messages('Namespace', { metadata: { name: 'team-a' } }), []);
  t.deepEqual(messages('Namespace', { metadata: { name: 'Team-A' } }), [
    `metadata.name: Invalid value: "Team-A": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
  ]);
});

test('namespace: spec.finalizers must be standard or qualified', (t) => {
  t.deepEqual(messages('Namespace', { metadata: { name: 'a' }, spec: { finalizers: ['cleanup'] } }), [
    'spec.finalizers: Invalid value: "cleanup": name is neither a standard finalizer name nor is it fully qualified',
  ]);
});

// ---- ConfigMap

const cm = (extra: Record<string, unknown>): KObject => ({ metadata: { name: 'cfg', namespace: 'default' }, ...extra });

test('configmap: keys of data and binaryData are config keys', (t) => {
  t.deepEqual(messages('ConfigMap', cm({ data: { 'app.properties': 'x', KEY_1: 'y' }, binaryData: { 'logo.png': 'iVBORw0=' } })), []);
  t.deepEqual(messages('ConfigMap', cm({ data: { 'a/b': 'x' } })), [
    "data[a/b]: Invalid value: \"a/b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
  ]);
  t.deepEqual(messages('ConfigMap', cm({ data: { '..x': 'x' } })), ["data[..x]: Invalid value: \"..x\": must not start with '..'"]);
});

test('configmap: a key may not be in both data and binaryData', (t) => {
  t.deepEqual(messages('ConfigMap', cm({ data: { k: 'x' }, binaryData: { k: 'eA==' } })), [
    'data[k]: Invalid value: "k": duplicate of key present in binaryData',
    'binaryData[k]: Invalid value: "k": duplicate of key present in data',
  ]);
});

test('configmap: the data may hold 1 MiB in all', (t) => {
  t.deepEqual(messages('ConfigMap', cm({ data: { a: 'x'.repeat(1024 * 1024) } })), []);
  t.deepEqual(messages('ConfigMap', cm({ data: { a: 'x'.repeat(1024 * 1024), b: 'y' } })), [': Too long: must have at most 1048576 bytes']);
});

test('configmap update: an immutable configmap keeps its data', (t) => {
  const old = stored('ConfigMap', cm({ data: { a: '1' }, immutable: true }));
  const edited = structuredClone(old);
  edited.data = { a: '2' };
  t.deepEqual(messages('ConfigMap', edited, old), ['data: Forbidden: field is immutable when `immutable` is set']);
  const relabelled = structuredClone(old);
  relabelled.metadata.labels = { x: 'y' };
  t.deepEqual(messages('ConfigMap', relabelled, old), []);
  const thawed = structuredClone(old);
  thawed.immutable = false;
  t.deepEqual(messages('ConfigMap', thawed, old), ['immutable: Forbidden: field is immutable when `immutable` is set']);
});

// ---- Endpoints

const endpoints = (subsets: unknown[]): KObject => ({ metadata: { name: 'web', namespace: 'default' }, subsets });

test('endpoints: addresses with valid IPs and ports are valid', (t) => {
  t.deepEqual(messages('Endpoints', endpoints([{ addresses: [{ ip: '10.244.1.5', nodeName: 'w1' }], notReadyAddresses: [{ ip: 'fd00::5' }], ports: [{ port: 8080 }] }])), []);
});

const endpointCases: [string, unknown[], string[]][] = [
  ['a subset without addresses', [{ ports: [{ port: 80 }] }], ['subsets[0]: Required value: must specify `addresses` or `notReadyAddresses`']],
  ['an invalid IP', [{ addresses: [{ ip: 'pod-1' }] }], ['subsets[0].addresses[0].ip: Invalid value: "pod-1": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']],
  ['a loopback IP', [{ addresses: [{ ip: '127.0.0.1' }] }], ['subsets[0].addresses[0].ip: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)']],
  ['a link-local IP', [{ addresses: [{ ip: '169.254.1.1' }] }], ['subsets[0].addresses[0].ip: Invalid value: "169.254.1.1": may not be in the link-local range (169.254.0.0/16, fe80::/10)']],
  ['port 0', [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 0 }] }], ['subsets[0].ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive']],
  [
    'two ports without names',
    [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }, { port: 81 }] }],
    ['subsets[0].ports[0].name: Required value', 'subsets[0].ports[1].name: Required value'],
  ],
];
for (const [what, subsets, want] of endpointCases) {
  test(`endpoints: ${what} is refused`, (t) => {
    t.deepEqual(messages('Endpoints', endpoints(subsets)), want);
  });
}

// ---- Event

const event = (namespace: string, involvedNamespace: string | undefined, extra: Record<string, unknown> = {}): KObject => ({
  metadata: { name: 'web.17a', namespace },
  involvedObject: { kind: 'Pod', name: 'web', ...(involvedNamespace === undefined ? {} : { namespace: involvedNamespace }) },
  reason: 'Started',
  ...extra,
});

test('event: it lives in the namespace of the object it is about', (t) => {
  t.deepEqual(messages('Event', event('default', 'default')), []);
  t.deepEqual(messages('Event', event('default', 'other')), ['involvedObject.namespace: Invalid value: "other": does not match event.namespace']);
});

test('event: events about cluster-scoped objects live in default', (t) => {
  t.deepEqual(messages('Event', event('default', undefined)), []);
  t.deepEqual(messages('Event', event('team-a', undefined)), ['involvedObject.namespace: Invalid value: "": does not match event.namespace']);
});

test('event: an event with eventTime names its reporter, instance and action', (t) => {
  const ev = event('default', 'default', { eventTime: '2026-01-01T00:00:00.000000Z' });
  const errs = messages('Event', ev);
  t.true(errs.includes('reportingComponent: Required value'));
  t.true(errs.includes('reportingInstance: Required value'));
  t.true(errs.includes('action: Required value'));
  const full = event('default', 'default', { eventTime: '2026-01-01T00:00:00.000000Z', reportingComponent: 'kubelab.io/scheduler', reportingInstance: 'scheduler-1', action: 'Binding' });
  t.deepEqual(messages('Event', full), []);
});

// ---- Lease

const lease = (spec: Record<string, unknown>): KObject => ({ metadata: { name: 'kube-scheduler', namespace: 'kube-system' }, spec });

test('lease: a lease with holder and duration is valid', (t) => {
  t.deepEqual(messages('Lease', lease({ holderIdentity: 'a', leaseDurationSeconds: 15, leaseTransitions: 0 })), []);
  t.deepEqual(messages('Lease', lease({})), []);
});

test('lease: the duration must be positive and transitions non-negative', (t) => {
  t.deepEqual(messages('Lease', lease({ leaseDurationSeconds: 0 })), ['spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0']);
  t.deepEqual(messages('Lease', lease({ leaseTransitions: -1 })), ['spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0']);
});
