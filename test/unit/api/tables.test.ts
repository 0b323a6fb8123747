import test from 'ava';
import { buildTable, formatEndpoints, humanDuration, tableColumns, tableRow } from '../../../src/api/tables.js';
import { RESOURCES } from '../../../src/api/resources.js';
import type { Endpoints, KObject } from '../../../src/api/types.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

function cells(kind: string, obj: unknown): unknown[] {
  return tableRow(kind, obj as KObject, NOW);
}
function cell(kind: string, obj: unknown, column: string): unknown {
  const i = tableColumns(kind).findIndex((c) => c.name === column);
  if (i < 0) throw new Error(`no column ${column} for ${kind}`);
  return cells(kind, obj)[i];
}

// ---- AGE ----

const durations: [number, string][] = [
  [0, '0s'],
  [-1 * S, '0s'],
  [-3 * S, '<invalid>'],
  [59 * S, '59s'],
  [119 * S, '119s'],
  [2 * M, '2m'],
  [5 * M, '5m'],
  [5 * M + 30 * S, '5m30s'],
  [10 * M + 30 * S, '10m'],
  [179 * M, '179m'],
  [3 * H, '3h'],
  [3 * H + 10 * M, '3h10m'],
  [8 * H + 10 * M, '8h'],
  [47 * H, '47h'],
  [2 * D, '2d'],
  [2 * D + 5 * H, '2d5h'],
  [8 * D + 5 * H, '8d'],
  [400 * D, '400d'],
  [730 * D, '2y'],
  [760 * D, '2y30d'],
  [9 * 365 * D + 40 * D, '9y'],
];
for (const [ms, text] of durations) {
  test(`humanDuration(${ms}ms) is "${text}" as HumanDuration prints it`, (t) => {
    t.is(humanDuration(ms), text);
  });
}

test('AGE counts from creationTimestamp, and is "<unknown>" without one', (t) => {
  t.is(cell('ConfigMap', { metadata: { name: 'a', creationTimestamp: ago(3 * H) } }, 'Age'), '3h');
  t.is(cell('ConfigMap', { metadata: { name: 'a' } }, 'Age'), '<unknown>');
});

// ---- Pod ----

const podBase = (status: object, spec: object = {}, metadata: object = {}) => ({
  metadata: { name: 'p', namespace: 'default', creationTimestamp: ago(10 * M), ...metadata },
  spec: { containers: [{ name: 'app', image: 'nginx' }], ...spec },
  status,
});
const running = (name = 'app', ready = true, restartCount = 0) => ({ name, ready, restartCount, image: 'nginx', imageID: '', state: { running: { startedAt: ago(M) } } });
const waiting = (reason: string, name = 'app', restartCount = 0) => ({ name, ready: false, restartCount, image: 'nginx', imageID: '', state: { waiting: { reason } } });
const terminated = (exitCode: number, reason?: string, name = 'app') => ({
  name,
  ready: false,
  restartCount: 0,
  image: 'nginx',
  imageID: '',
  state: { terminated: { exitCode, ...(reason ? { reason } : {}) } },
});

const podCases: [string, object, string, string][] = [
  ['a pod not yet scheduled is Pending', podBase({ phase: 'Pending' }), 'Pending', '0/1'],
  ['a pod pulling its image is ContainerCreating', podBase({ phase: 'Pending', containerStatuses: [waiting('ContainerCreating')] }), 'ContainerCreating', '0/1'],
  ['a pod with its ready container running is Running 1/1', podBase({ phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [running()] }), 'Running', '1/1'],
  ['a crash-looping container shows CrashLoopBackOff', podBase({ phase: 'Running', containerStatuses: [waiting('CrashLoopBackOff', 'app', 5)] }), 'CrashLoopBackOff', '0/1'],
  ['a container that exited 0 shows Completed', podBase({ phase: 'Succeeded', containerStatuses: [terminated(0, 'Completed')] }), 'Completed', '0/1'],
  ['a container that failed shows Error', podBase({ phase: 'Failed', containerStatuses: [terminated(1, 'Error')] }), 'Error', '0/1'],
  ['a terminated container without a reason shows its exit code', podBase({ phase: 'Failed', containerStatuses: [terminated(137)] }), 'ExitCode:137', '0/1'],
  [
    'a terminated container killed by a signal shows Signal:N',
    podBase({ phase: 'Failed', containerStatuses: [{ ...terminated(0), state: { terminated: { exitCode: 0, signal: 9 } } }] }),
    'Signal:9',
    '0/1',
  ],
  [
    'a running pod being deleted is Terminating',
    podBase({ phase: 'Running', containerStatuses: [running()] }, {}, { deletionTimestamp: ago(S) }),
    'Terminating',
    '1/1',
  ],
  [
    'a succeeded pod being deleted stays Completed',
    podBase({ phase: 'Succeeded', containerStatuses: [terminated(0, 'Completed')] }, {}, { deletionTimestamp: ago(S) }),
    'Completed',
    '0/1',
  ],
  [
    'a pod being deleted from a lost node is Unknown',
    podBase({ phase: 'Running', reason: 'NodeLost', containerStatuses: [running()] }, {}, { deletionTimestamp: ago(S) }),
    'Unknown',
    '1/1',
  ],
  [
    'a pod whose first init container runs is Init:0/1',
    podBase(
      { phase: 'Pending', initContainerStatuses: [{ ...running('init', false), state: { running: {} } }], containerStatuses: [waiting('PodInitializing')] },
      { initContainers: [{ name: 'init', image: 'busybox' }] },
    ),
    'Init:0/1',
    '0/1',
  ],
  [
    'a pod whose second init container runs is Init:1/2',
    podBase(
      { phase: 'Pending', initContainerStatuses: [terminated(0, 'Completed', 'a'), { ...running('b', false) }] },
      { initContainers: [{ name: 'a' }, { name: 'b' }] },
    ),
    'Init:1/2',
    '0/1',
  ],
  [
    'a crash-looping init container shows Init:CrashLoopBackOff',
    podBase({ phase: 'Pending', initContainerStatuses: [waiting('CrashLoopBackOff', 'init')] }, { initContainers: [{ name: 'init' }] }),
    'Init:CrashLoopBackOff',
    '0/1',
  ],
  [
    'a failed init container shows Init:Error',
    podBase({ phase: 'Pending', initContainerStatuses: [terminated(1, 'Error', 'init')] }, { initContainers: [{ name: 'init' }] }),
    'Init:Error',
    '0/1',
  ],
  [
    'a sidecar (restartable init container) counts towards READY',
    podBase(
      { phase: 'Running', conditions: [{ type: 'Initialized', status: 'True' }], initContainerStatuses: [{ ...running('proxy'), started: true }], containerStatuses: [running()] },
      { initContainers: [{ name: 'proxy', restartPolicy: 'Always' }] },
    ),
    'Running',
    '2/2',
  ],
  [
    'one completed and one running container read Running when the pod is ready',
    podBase(
      { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [running('a'), terminated(0, 'Completed', 'b')] },
      { containers: [{ name: 'a' }, { name: 'b' }] },
    ),
    'Running',
    '1/2',
  ],
  [
    'one completed and one running container read NotReady when the pod is not ready',
    podBase({ phase: 'Running', containerStatuses: [running('a'), terminated(0, 'Completed', 'b')] }, { containers: [{ name: 'a' }, { name: 'b' }] }),
    'NotReady',
    '1/2',
  ],
  [
    'a pod held by a scheduling gate is SchedulingGated',
    podBase({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] }),
    'SchedulingGated',
    '0/1',
  ],
];
for (const [name, pod, status, ready] of podCases) {
  test(`pod STATUS: ${name}`, (t) => {
    t.is(cell('Pod', pod, 'Status'), status);
    t.is(cell('Pod', pod, 'Ready'), ready);
  });
}

test('pod RESTARTS shows how long ago the last restart finished', (t) => {
  const status = {
    phase: 'Running',
    containerStatuses: [{ ...running('app', true, 3), lastState: { terminated: { exitCode: 1, finishedAt: ago(2 * M) } } }],
  };
  t.is(cell('Pod', podBase(status), 'Restarts'), '3 (2m ago)');
});

test('pod RESTARTS is a bare count when no container has a last termination', (t) => {
  t.is(cell('Pod', podBase({ phase: 'Running', containerStatuses: [running('app', true, 4)] }), 'Restarts'), '4');
  t.is(cell('Pod', podBase({ phase: 'Pending' }), 'Restarts'), '0');
});

test('pod wide cells show IP, node, nominated node and readiness gates', (t) => {
  const pod = podBase(
    {
      phase: 'Running',
      podIPs: [{ ip: '10.244.1.7' }],
      nominatedNodeName: 'w2',
      conditions: [{ type: 'example.com/gate-a', status: 'True' }, { type: 'example.com/gate-b', status: 'False' }],
    },
    { nodeName: 'w1', readinessGates: [{ conditionType: 'example.com/gate-a' }, { conditionType: 'example.com/gate-b' }] },
  );
  t.deepEqual(cells('Pod', pod).slice(5), ['10.244.1.7', 'w1', 'w2', '1/2']);
  t.deepEqual(cells('Pod', podBase({ phase: 'Pending' })).slice(5), ['<none>', '<none>', '<none>', '<none>']);
});

test('a finished pod row carries the Completed condition, as printPod sets it', (t) => {
  const table = buildTable('Pod', [podBase({ phase: 'Succeeded' }) as KObject, podBase({ phase: 'Running' }) as KObject], { now: NOW, includeObject: 'None' });
  t.deepEqual(table.rows[0]!.conditions, [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }]);
  t.is(table.rows[1]!.conditions, undefined);
});

// ---- Node ----

const node = (conditions: object[], labels: Record<string, string> = {}, spec: object = {}) => ({
  metadata: { name: 'n1', creationTimestamp: ago(2 * D), labels },
  spec,
  status: {
    conditions,
    addresses: [{ type: 'Hostname', address: 'n1' }, { type: 'InternalIP', address: '192.168.56.10' }],
    nodeInfo: { kubeletVersion: 'v1.32.0', osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.1.0-18-amd64', containerRuntimeVersion: 'docker://27.3.1' },
  },
});

test('node STATUS is Ready, NotReady or Unknown from the Ready condition', (t) => {
  t.is(cell('Node', node([{ type: 'Ready', status: 'True' }]), 'Status'), 'Ready');
  t.is(cell('Node', node([{ type: 'Ready', status: 'False' }]), 'Status'), 'NotReady');
  t.is(cell('Node', node([{ type: 'Ready', status: 'Unknown' }]), 'Status'), 'NotReady');
  t.is(cell('Node', node([{ type: 'MemoryPressure', status: 'False' }]), 'Status'), 'Unknown');
});

test('a cordoned node adds SchedulingDisabled to its status', (t) => {
  t.is(cell('Node', node([{ type: 'Ready', status: 'True' }], {}, { unschedulable: true }), 'Status'), 'Ready,SchedulingDisabled');
  t.is(cell('Node', node([], {}, { unschedulable: true }), 'Status'), 'Unknown,SchedulingDisabled');
});

test('node ROLES come from node-role.kubernetes.io/* and kubernetes.io/role labels, sorted', (t) => {
  t.is(cell('Node', node([], { 'node-role.kubernetes.io/worker': '', 'node-role.kubernetes.io/control-plane': '' }), 'Roles'), 'control-plane,worker');
  t.is(cell('Node', node([], { 'kubernetes.io/role': 'master', 'node-role.kubernetes.io/': '' }), 'Roles'), 'master');
  t.is(cell('Node', node([], { 'kubernetes.io/hostname': 'n1' }), 'Roles'), '<none>');
});

test('node cells show version and the wide addresses and system info', (t) => {
  t.deepEqual(cells('Node', node([{ type: 'Ready', status: 'True' }])), [
    'n1',
    'Ready',
    '<none>',
    '2d',
    'v1.32.0',
    '192.168.56.10',
    '<none>',
    'Debian GNU/Linux 12 (bookworm)',
    '6.1.0-18-amd64',
    'docker://27.3.1',
  ]);
  t.deepEqual(cells('Node', { metadata: { name: 'bare' }, spec: {} }).slice(5), ['<none>', '<none>', '<unknown>', '<unknown>', '<unknown>']);
});

// ---- workloads ----

const deployment = {
  metadata: { name: 'web', creationTimestamp: ago(5 * M) },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['b', 'a'] }, { key: 'canary', operator: 'DoesNotExist' }] },
    template: { spec: { containers: [{ name: 'web', image: 'nginx:1.27' }, { name: 'log', image: 'fluent-bit:3' }] } },
  },
  status: { replicas: 3, readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
};

test('deployment READY is ready/desired, then up-to-date and available counts', (t) => {
  t.deepEqual(cells('Deployment', deployment), ['web', '2/3', 3, 2, '5m', 'web,log', 'nginx:1.27,fluent-bit:3', 'app=web,!canary,tier in (a,b)']);
});

test('a deployment without status reads 0/<replicas>, replicas defaulting to 1', (t) => {
  t.is(cell('Deployment', { metadata: { name: 'x' }, spec: { selector: {}, template: { spec: { containers: [] } } } }, 'Ready'), '0/1');
});

test('replica set cells are desired, current, ready, and its selector, "<none>" when empty', (t) => {
  const rs = {
    metadata: { name: 'web-abc', creationTimestamp: ago(5 * M) },
    spec: { replicas: 3, selector: { matchLabels: { app: 'web', 'pod-template-hash': 'abc' } }, template: { spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
    status: { replicas: 3, readyReplicas: 1 },
  };
  t.deepEqual(cells('ReplicaSet', rs), ['web-abc', 3, 3, 1, '5m', 'web', 'nginx', 'app=web,pod-template-hash=abc']);
  t.is(cell('ReplicaSet', { metadata: { name: 'x' }, spec: { selector: {} } }, 'Selector'), '<none>');
});

// ---- Service, Endpoints ----

test('service cells: type, cluster IP, external IP, ports and the wide selector', (t) => {
  const svc = {
    metadata: { name: 'web', creationTimestamp: ago(H) },
    spec: { type: 'ClusterIP', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ports: [{ port: 80, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }], selector: { app: 'web', tier: 'fe' } },
  };
  t.deepEqual(cells('Service', svc), ['web', 'ClusterIP', '10.96.0.10', '<none>', '80/TCP,53/UDP', '60m', 'app=web,tier=fe']);
});

test('service PORT(S) shows node ports, and defaults absent type and protocol like Kubernetes', (t) => {
  const svc = { metadata: { name: 'np' }, spec: { type: 'NodePort', clusterIP: '10.96.1.1', ports: [{ port: 80, nodePort: 30080 }] } };
  t.is(cell('Service', svc, 'Port(s)'), '80:30080/TCP');
  t.is(cell('Service', { metadata: { name: 'd' }, spec: {} }, 'Type'), 'ClusterIP');
  t.is(cell('Service', { metadata: { name: 'd' }, spec: {} }, 'Port(s)'), '<none>');
  t.is(cell('Service', { metadata: { name: 'd' }, spec: {} }, 'Cluster-IP'), '<none>');
});

test('service EXTERNAL-IP: pending load balancer, its ingress, external IPs and ExternalName', (t) => {
  const lb = (status: object, extra: object = {}) => ({ metadata: { name: 'lb' }, spec: { type: 'LoadBalancer', ...extra }, status });
  t.is(cell('Service', lb({}), 'External-IP'), '<pending>');
  t.is(cell('Service', lb({ loadBalancer: { ingress: [{ ip: '203.0.113.9' }, { hostname: 'lb.example.com' }] } }), 'External-IP'), '203.0.113.9,lb.example.com');
  t.is(cell('Service', lb({ loadBalancer: { ingress: [{ ip: '203.0.113.9' }] } }, { externalIPs: ['198.51.100.1'] }), 'External-IP'), '203.0.113.9,198.51.100.1');
  t.is(cell('Service', { metadata: { name: 'x' }, spec: { type: 'ClusterIP', externalIPs: ['198.51.100.1', '198.51.100.2'] } }, 'External-IP'), '198.51.100.1,198.51.100.2');
  t.is(cell('Service', { metadata: { name: 'x' }, spec: { type: 'ExternalName', externalName: 'db.example.com' } }, 'External-IP'), 'db.example.com');
});

const ep = (subsets: object[]): Endpoints => ({ metadata: { name: 'web' }, subsets }) as Endpoints;

test('endpoints list ip:port pairs', (t) => {
  t.is(formatEndpoints(ep([{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ port: 80 }] }])), '10.0.0.1:80,10.0.0.2:80');
});

test('endpoints beyond three read "+ N more..."', (t) => {
  const addresses = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'].map((ip) => ({ ip }));
  t.is(formatEndpoints(ep([{ addresses, ports: [{ port: 80 }] }])), '10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 1 more...');
  t.is(
    formatEndpoints(ep([{ addresses: addresses.slice(0, 2), ports: [{ port: 80 }, { port: 443 }] }, { addresses: addresses.slice(2), ports: [{ port: 80 }] }])),
    '10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 3 more...',
  );
});

test('endpoints without subsets read <none>; port-less subsets list bare IPs; IPv6 is bracketed', (t) => {
  t.is(formatEndpoints(ep([])), '<none>');
  t.is(formatEndpoints(ep([{ addresses: [{ ip: '10.0.0.1' }] }])), '10.0.0.1');
  t.is(formatEndpoints(ep([{ addresses: [{ ip: 'fd00::1' }], ports: [{ port: 80 }] }])), '[fd00::1]:80');
  t.deepEqual(cells('Endpoints', { ...ep([]), metadata: { name: 'web', creationTimestamp: ago(M) } }), ['web', '<none>', '60s']);
});

// ---- Event, ConfigMap, Namespace, Lease ----

test('event cells: last seen, type, reason, object, message, then the wide ones', (t) => {
  const ev = {
    metadata: { name: 'web-1.17a', namespace: 'default' },
    involvedObject: { kind: 'Pod', name: 'web-1', fieldPath: 'spec.containers{web}' },
    reason: 'Pulled',
    message: 'Container image "nginx" already present on machine\n',
    source: { component: 'kubelet', host: 'w1' },
    firstTimestamp: ago(10 * M),
    lastTimestamp: ago(2 * M),
    count: 4,
    type: 'Normal',
  };
  t.deepEqual(cells('Event', ev), ['2m', 'Normal', 'Pulled', 'pod/web-1', 'spec.containers{web}', 'kubelet, w1', 'Container image "nginx" already present on machine', '10m', 4, 'web-1.17a']);
});

test('an event without timestamps falls back to eventTime, counts 1, and uses reporting fields', (t) => {
  const ev = {
    metadata: { name: 'e' },
    involvedObject: { kind: 'Node' },
    eventTime: '2026-01-01T11:59:00.000000Z',
    reportingComponent: 'scheduler',
    type: 'Warning',
    reason: 'FailedScheduling',
    message: 'no nodes',
  };
  const c = cells('Event', ev);
  t.is(c[0], '60s');
  t.is(c[3], 'node');
  t.is(c[5], 'scheduler');
  t.is(c[7], '60s');
  t.is(c[8], 1);
});

test('configmap DATA counts data and binaryData keys', (t) => {
  t.is(cell('ConfigMap', { metadata: { name: 'c' }, data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }, 'Data'), 3);
});

test('namespace STATUS is its phase; lease HOLDER its holder identity', (t) => {
  t.deepEqual(cells('Namespace', { metadata: { name: 'default', creationTimestamp: ago(D) }, status: { phase: 'Active' } }), ['default', 'Active', '24h']);
  t.deepEqual(cells('Lease', { metadata: { name: 'kube-scheduler', creationTimestamp: ago(H) }, spec: { holderIdentity: 'm1_abc' } }), ['kube-scheduler', 'm1_abc', '60m']);
  t.is(cell('Lease', { metadata: { name: 'l' } }, 'Holder'), '');
});

// ---- every kind, fallback, Table ----

for (const r of RESOURCES) {
  test(`${r.kind} has its own printer columns, each with a cell in its row`, (t) => {
    const cols = tableColumns(r.kind);
    t.false(cols.some((c) => c.name === 'Created At'), 'falls back to the default convertor');
    t.true(cols.every((c) => c.priority === 0 || c.priority === 1));
    t.true(cols.every((c) => c.description.length > 0 && ['string', 'integer', 'date'].includes(c.type)));
    t.is(cols.filter((c) => c.format === 'name' && c.priority === 0).length, r.kind === 'Event' ? 0 : 1);
    t.is(cells(r.kind, { metadata: { name: 'x' }, spec: {} }).length, cols.length);
  });
}

test('the wide columns kubectl hides without -o wide have priority 1', (t) => {
  const wide = (kind: string) => tableColumns(kind).filter((c) => c.priority === 1).map((c) => c.name);
  t.deepEqual(wide('Pod'), ['IP', 'Node', 'Nominated Node', 'Readiness Gates']);
  t.deepEqual(wide('Node'), ['Internal-IP', 'External-IP', 'OS-Image', 'Kernel-Version', 'Container-Runtime']);
  t.deepEqual(wide('Deployment'), ['Containers', 'Images', 'Selector']);
  t.deepEqual(wide('Service'), ['Selector']);
  t.deepEqual(wide('Event'), ['Subobject', 'Source', 'First Seen', 'Count', 'Name']);
});

test('a kind without a printer gets the default convertor: Name and Created At in RFC 3339', (t) => {
  t.deepEqual(
    tableColumns('Widget').map((c) => [c.name, c.type, c.format]),
    [
      ['Name', 'string', 'name'],
      ['Created At', 'date', ''],
    ],
  );
  t.deepEqual(cells('Widget', { metadata: { name: 'w', creationTimestamp: '2025-06-01T10:00:00Z' } }), ['w', '2025-06-01T10:00:00Z']);
  t.deepEqual(cells('Widget', { metadata: { name: 'w' } }), ['w', '0001-01-01T00:00:00Z']);
});

const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default', resourceVersion: '12' }, data: { a: '1' } } as KObject;

test('buildTable is a meta.k8s.io/v1 Table carrying the list metadata', (t) => {
  const table = buildTable('ConfigMap', [cm], { now: NOW, includeObject: 'Metadata', resourceVersion: '40', continue: 'tok' });
  t.is(table.kind, 'Table');
  t.is(table.apiVersion, 'meta.k8s.io/v1');
  t.deepEqual(table.metadata, { resourceVersion: '40', continue: 'tok' });
  t.deepEqual(table.columnDefinitions, tableColumns('ConfigMap'));
  t.deepEqual(table.rows[0]!.cells, ['c', 1, '<unknown>']);
});

test('buildTable rows hold PartialObjectMetadata, the object, or nothing, per includeObject', (t) => {
  const meta = buildTable('ConfigMap', [cm], { now: NOW, includeObject: 'Metadata' }).rows[0]!;
  t.deepEqual(meta.object, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: cm.metadata });
  t.is(buildTable('ConfigMap', [cm], { now: NOW, includeObject: 'Object' }).rows[0]!.object, cm);
  t.false('object' in buildTable('ConfigMap', [cm], { now: NOW, includeObject: 'None' }).rows[0]!);
  t.throws(() => buildTable('ConfigMap', [cm], { now: NOW, includeObject: 'All' as never }), { instanceOf: RangeError });
});
