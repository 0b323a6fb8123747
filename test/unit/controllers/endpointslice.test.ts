import test from 'ava';
import type { EndpointSlice, Pod, Service, ServicePort } from '../../../src/api/types.js';
import { pod } from './pod-fixture.js';
import {
  addressTypesFor,
  CONTROLLER_NAME,
  desiredSlices,
  MANAGED_BY_LABEL,
  reconcileSlices,
  SERVICE_NAME_LABEL,
  serviceKeyOfSlice,
  sliceEndpoint,
  staleSlices,
  type SliceExpectation,
} from '../../../src/control/controllers/endpoints/endpointslice-sync.js';

interface SvcOpts {
  selector?: Record<string, string> | null;
  publishNotReady?: boolean;
  clusterIP?: string;
  ipFamilies?: string[];
  labels?: Record<string, string>;
  type?: 'ClusterIP' | 'ExternalName';
}

function svc(ports: ServicePort[], o: SvcOpts = {}): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default', uid: 'svc-uid', ...(o.labels ? { labels: o.labels } : {}) },
    spec: {
      ...(o.selector === null ? {} : { selector: o.selector ?? { app: 'web' } }),
      ports,
      clusterIP: o.clusterIP ?? '10.96.0.10',
      ipFamilies: o.ipFamilies ?? ['IPv4'],
      ...(o.type ? { type: o.type } : {}),
      ...(o.publishNotReady ? { publishNotReadyAddresses: true } : {}),
    },
  };
}

const ref = (name: string) => ({ kind: 'Pod', namespace: 'default', name, uid: `uid-${name}` });
const ep = (name: string, ip: string, c: { ready: boolean; serving: boolean; terminating: boolean } = { ready: true, serving: true, terminating: false }) => ({
  addresses: [ip],
  conditions: c,
  nodeName: 'w1',
  targetRef: ref(name),
});
const HTTP: ServicePort = { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' };
const LABELS = { [SERVICE_NAME_LABEL]: 'web', [MANAGED_BY_LABEL]: CONTROLLER_NAME };
const OWNER = { apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'svc-uid', controller: true, blockOwnerDeletion: true };

function slice(name: string, over: Partial<EndpointSlice> = {}, meta: Partial<EndpointSlice['metadata']> = {}): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: 'default', resourceVersion: '7', generation: 1, labels: LABELS, ownerReferences: [OWNER], ...meta },
    addressType: 'IPv4',
    endpoints: [],
    ports: [],
    ...over,
  };
}

// ---- desiredSlices ----

const DESIRED: { name: string; svc: Service; pods: Pod[]; want: ReturnType<typeof desiredSlices> }[] = [
  {
    name: 'ready and not-ready pods, sorted by address, with the resolved named port',
    svc: svc([HTTP]),
    pods: [pod('b', { ips: ['10.0.0.2'] }), pod('a', { ips: ['10.0.0.1'] }), pod('c', { ips: ['10.0.0.3'], ready: false })],
    want: [
      {
        addressType: 'IPv4',
        ports: [{ name: 'http', protocol: 'TCP', port: 8080 }],
        endpoints: [ep('a', '10.0.0.1'), ep('b', '10.0.0.2'), ep('c', '10.0.0.3', { ready: false, serving: false, terminating: false })],
      },
    ],
  },
  {
    name: 'a terminating pod stays, not ready but still serving',
    svc: svc([{ port: 80, targetPort: 8080, protocol: 'TCP' }]),
    pods: [pod('t', { ips: ['10.0.0.4'], deleting: true })],
    want: [{ addressType: 'IPv4', ports: [{ name: '', protocol: 'TCP', port: 8080 }], endpoints: [ep('t', '10.0.0.4', { ready: false, serving: true, terminating: true })] }],
  },
  {
    name: 'publishNotReadyAddresses makes every endpoint ready',
    svc: svc([{ port: 80, targetPort: 8080, protocol: 'TCP' }], { publishNotReady: true }),
    pods: [pod('n', { ips: ['10.0.0.5'], ready: false })],
    want: [{ addressType: 'IPv4', ports: [{ name: '', protocol: 'TCP', port: 8080 }], endpoints: [ep('n', '10.0.0.5', { ready: true, serving: false, terminating: false })] }],
  },
  {
    name: 'pods without an IP, finished pods and unselected pods are left out; an empty placeholder remains',
    svc: svc([HTTP]),
    pods: [pod('noip'), pod('done', { ips: ['10.0.0.6'], restartPolicy: 'Never', phase: 'Succeeded' }), pod('other', { ips: ['10.0.0.7'], labels: { app: 'db' } })],
    want: [{ addressType: 'IPv4', ports: [], endpoints: [] }],
  },
  {
    name: 'a named targetPort resolving to different numbers splits the pods into one slice per port set',
    svc: svc([HTTP]),
    pods: [pod('a', { ips: ['10.0.0.1'] }), pod('b', { ips: ['10.0.0.2'], ports: [{ name: 'http', containerPort: 9090 }] })],
    want: [
      { addressType: 'IPv4', ports: [{ name: 'http', protocol: 'TCP', port: 8080 }], endpoints: [ep('a', '10.0.0.1')] },
      { addressType: 'IPv4', ports: [{ name: 'http', protocol: 'TCP', port: 9090 }], endpoints: [ep('b', '10.0.0.2')] },
    ],
  },
  {
    name: 'only the addresses of the slice\'s family; a dual-stack service gets a slice per family',
    svc: svc([{ port: 80, targetPort: 8080, protocol: 'TCP' }], { ipFamilies: ['IPv4', 'IPv6'] }),
    pods: [pod('d', { ips: ['10.0.0.8', 'fd00::8'] })],
    want: [
      { addressType: 'IPv4', ports: [{ name: '', protocol: 'TCP', port: 8080 }], endpoints: [ep('d', '10.0.0.8')] },
      { addressType: 'IPv6', ports: [{ name: '', protocol: 'TCP', port: 8080 }], endpoints: [ep('d', 'fd00::8')] },
    ],
  },
];

for (const c of DESIRED) {
  test(`desiredSlices(): ${c.name}`, (t) => {
    t.deepEqual(desiredSlices(c.svc, c.pods), c.want);
  });
}

test('addressTypesFor() follows ipFamilies, else the cluster IP, else both families for a headless service', (t) => {
  t.deepEqual(addressTypesFor(svc([], { ipFamilies: ['IPv6'] })), ['IPv6']);
  t.deepEqual(addressTypesFor(svc([], { ipFamilies: [], clusterIP: 'fd00::10' })), ['IPv6']);
  t.deepEqual(addressTypesFor(svc([], { ipFamilies: [], clusterIP: '10.96.0.1' })), ['IPv4']);
  t.deepEqual(addressTypesFor(svc([], { ipFamilies: [], clusterIP: 'None' })), ['IPv4', 'IPv6']);
});

test('sliceEndpoint() sets the hostname only for a pod in the service\'s subdomain', (t) => {
  const p = pod('h', { ips: ['10.0.0.9'] });
  p.spec['hostname'] = 'h0';
  t.is(sliceEndpoint(p, svc([]), ['10.0.0.9']).hostname, undefined);
  p.spec['subdomain'] = 'web';
  t.is(sliceEndpoint(p, svc([]), ['10.0.0.9']).hostname, 'h0');
});

// ---- reconcileSlices ----

const ready = [pod('a', { ips: ['10.0.0.1'] })];
const readyEndpoints = [ep('a', '10.0.0.1')];
const httpPorts = [{ name: 'http', protocol: 'TCP' as const, port: 8080 }];

const RECONCILE: {
  name: string;
  svc: Service;
  pods: Pod[];
  existing: EndpointSlice[];
  want: { create: number; update: string[]; delete: string[] };
}[] = [
  { name: 'creates the first slice of a new service', svc: svc([HTTP]), pods: ready, existing: [], want: { create: 1, update: [], delete: [] } },
  {
    name: 'leaves a slice that already says it all',
    svc: svc([HTTP]),
    pods: ready,
    existing: [slice('web-abcde', { endpoints: readyEndpoints, ports: httpPorts })],
    want: { create: 0, update: [], delete: [] },
  },
  {
    name: 'updates a slice whose endpoints changed (readiness)',
    svc: svc([HTTP]),
    pods: [pod('a', { ips: ['10.0.0.1'], ready: false })],
    existing: [slice('web-abcde', { endpoints: readyEndpoints, ports: httpPorts })],
    want: { create: 0, update: ['web-abcde'], delete: [] },
  },
  {
    name: 'updates a slice whose labels follow the service\'s',
    svc: svc([HTTP], { labels: { tier: 'front' } }),
    pods: ready,
    existing: [slice('web-abcde', { endpoints: readyEndpoints, ports: httpPorts })],
    want: { create: 0, update: ['web-abcde'], delete: [] },
  },
  {
    name: 'updates a slice that lost its owner reference',
    svc: svc([HTTP]),
    pods: ready,
    existing: [slice('web-abcde', { endpoints: readyEndpoints, ports: httpPorts }, { ownerReferences: [] })],
    want: { create: 0, update: ['web-abcde'], delete: [] },
  },
  {
    name: 'reuses the placeholder for the same (empty) port set and deletes a duplicate',
    svc: svc([HTTP]),
    pods: [],
    existing: [slice('web-aaaaa'), slice('web-bbbbb')],
    want: { create: 0, update: [], delete: ['web-bbbbb'] },
  },
  {
    name: 'replaces a slice whose port set is no longer wanted',
    svc: svc([{ name: 'http', port: 80, targetPort: 9000, protocol: 'TCP' }]),
    pods: ready,
    existing: [slice('web-abcde', { endpoints: readyEndpoints, ports: httpPorts })],
    want: { create: 1, update: [], delete: ['web-abcde'] },
  },
  {
    name: 'deletes every slice of a service that lost its selector',
    svc: svc([HTTP], { selector: null }),
    pods: ready,
    existing: [slice('web-abcde', { endpoints: readyEndpoints, ports: httpPorts })],
    want: { create: 0, update: [], delete: ['web-abcde'] },
  },
  {
    name: 'deletes every slice of an ExternalName service',
    svc: svc([HTTP], { type: 'ExternalName' }),
    pods: ready,
    existing: [slice('web-abcde')],
    want: { create: 0, update: [], delete: ['web-abcde'] },
  },
];

for (const c of RECONCILE) {
  test(`reconcileSlices() ${c.name}`, (t) => {
    const got = reconcileSlices(c.svc, c.pods, c.existing);
    t.is(got.create.length, c.want.create);
    t.deepEqual(got.update.map((s) => s.metadata.name), c.want.update);
    t.deepEqual(got.delete.map((s) => s.metadata.name), c.want.delete);
  });
}

test('reconcileSlices() creates a slice named by generateName, labelled and owned by the service', (t) => {
  const [created] = reconcileSlices(svc([HTTP], { labels: { tier: 'front' } }), ready, []).create;
  t.deepEqual(created, {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { generateName: 'web-', namespace: 'default', labels: { tier: 'front', ...LABELS }, ownerReferences: [OWNER] },
    addressType: 'IPv4',
    endpoints: readyEndpoints,
    ports: httpPorts,
  });
});

test('reconcileSlices() updates keep the resourceVersion (optimistic concurrency) and other owners', (t) => {
  const other = { apiVersion: 'example.com/v1', kind: 'Thing', name: 'x', uid: 'x-uid' };
  const cur = slice('web-abcde', { endpoints: readyEndpoints, ports: httpPorts }, { ownerReferences: [other] });
  const [updated] = reconcileSlices(svc([HTTP]), [pod('a', { ips: ['10.0.0.1'], ready: false })], [cur]).update;
  t.is(updated!.metadata.resourceVersion, '7');
  t.deepEqual(updated!.metadata.ownerReferences, [other, OWNER]);
  t.deepEqual(updated!.endpoints[0]!.conditions, { ready: false, serving: false, terminating: false });
  t.deepEqual(cur.endpoints, readyEndpoints, 'the cached slice is not changed in place');
});

// ---- serviceKeyOfSlice, staleSlices ----

test('serviceKeyOfSlice() names the service of our slices only', (t) => {
  t.is(serviceKeyOfSlice(slice('web-abcde')), 'default/web');
  t.is(serviceKeyOfSlice(slice('x', {}, { labels: { [SERVICE_NAME_LABEL]: 'web', [MANAGED_BY_LABEL]: 'someone-else' } })), undefined);
  t.is(serviceKeyOfSlice(slice('x', {}, { labels: { [MANAGED_BY_LABEL]: CONTROLLER_NAME } })), undefined);
});

const STALE: { name: string; expected: [string, SliceExpectation][]; cached: EndpointSlice[]; stale: boolean; met: string[] }[] = [
  { name: 'nothing expected: fresh', expected: [], cached: [slice('web-a')], stale: false, met: [] },
  { name: 'a created slice not seen yet: stale', expected: [['web-a', 1]], cached: [], stale: true, met: [] },
  { name: 'a created slice seen: met', expected: [['web-a', 1]], cached: [slice('web-a')], stale: false, met: ['web-a'] },
  { name: 'an updated slice seen at an older generation: stale', expected: [['web-a', 3]], cached: [slice('web-a', {}, { generation: 2 })], stale: true, met: [] },
  { name: 'an updated slice seen newer than written: met', expected: [['web-a', 3]], cached: [slice('web-a', {}, { generation: 4 })], stale: false, met: ['web-a'] },
  { name: 'a deleted slice still cached: stale', expected: [['web-a', 'deleted']], cached: [slice('web-a')], stale: true, met: [] },
  { name: 'a deleted slice gone: met', expected: [['web-a', 'deleted'], ['web-b', 1]], cached: [], stale: true, met: ['web-a'] },
];

for (const c of STALE) {
  test(`staleSlices(): ${c.name}`, (t) => {
    t.deepEqual(staleSlices(new Map(c.expected), c.cached), { stale: c.stale, met: c.met });
  });
}
