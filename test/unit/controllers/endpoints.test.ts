import test from 'ava';
import type { Endpoints, EndpointSubset, Service, ServicePort } from '../../../src/api/types.js';
import { pod } from './pod-fixture.js';
import { computeSubsets, desiredEndpoints, findPort, managesEndpoints, repackSubsets, shouldPodBeInEndpoints } from '../../../src/control/controllers/endpoints/sync.js';

function svc(ports: ServicePort[], o: { selector?: Record<string, string>; publishNotReady?: boolean; clusterIP?: string; labels?: Record<string, string> } = {}): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default', ...(o.labels ? { labels: o.labels } : {}) },
    spec: { selector: o.selector ?? { app: 'web' }, ports, clusterIP: o.clusterIP ?? '10.96.0.10', ...(o.publishNotReady ? { publishNotReadyAddresses: true } : {}) },
  };
}

const addr = (name: string, ip: string, node = 'w1') => ({ ip, nodeName: node, targetRef: { kind: 'Pod', namespace: 'default', name, uid: `uid-${name}` } });

test('computeSubsets() lists ready and not-ready pods with the target port', (t) => {
  const s = svc([{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }]);
  const got = computeSubsets(s, [pod('b', { ip: '10.0.0.2' }), pod('a', { ip: '10.0.0.1' }), pod('c', { ip: '10.0.0.3', ready: false })]);
  t.deepEqual(got, [
    {
      addresses: [addr('a', '10.0.0.1'), addr('b', '10.0.0.2')],
      notReadyAddresses: [addr('c', '10.0.0.3')],
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    },
  ]);
});

test('computeSubsets() resolves named target ports per pod and groups pods by their port sets', (t) => {
  const s = svc([{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }]);
  const got = computeSubsets(s, [
    pod('a', { ip: '10.0.0.1', ports: [{ name: 'http', containerPort: 8080 }] }),
    pod('b', { ip: '10.0.0.2', ports: [{ name: 'http', containerPort: 9090 }] }),
    pod('c', { ip: '10.0.0.3', ports: [{ name: 'http', containerPort: 8080 }] }),
    pod('d', { ip: '10.0.0.4', ports: [{ name: 'metrics', containerPort: 8080 }] }),
    pod('e', { ip: '10.0.0.5', ports: [{ name: 'http', containerPort: 8080, protocol: 'UDP' }] }),
  ]);
  const byPort = new Map(got.map((x) => [x.ports![0]!.port, x.addresses!.map((a) => a.ip)]));
  t.is(got.length, 2);
  t.deepEqual(byPort.get(8080), ['10.0.0.1', '10.0.0.3']);
  t.deepEqual(byPort.get(9090), ['10.0.0.2']);
});

test('computeSubsets() leaves out pods without an IP, terminating pods and finished pods', (t) => {
  const s = svc([{ port: 80, targetPort: 8080, protocol: 'TCP' }]);
  const got = computeSubsets(s, [
    pod('noip'),
    pod('term', { ip: '10.0.0.2', deleting: true }),
    pod('done', { ip: '10.0.0.3', restartPolicy: 'Never', phase: 'Succeeded' }),
    pod('ok', { ip: '10.0.0.4' }),
  ]);
  t.deepEqual(got, [{ addresses: [addr('ok', '10.0.0.4')], ports: [{ port: 8080, protocol: 'TCP' }] }]);
});

test('computeSubsets() publishes not-ready and terminating pods as ready with publishNotReadyAddresses', (t) => {
  const s = svc([{ port: 80, targetPort: 8080, protocol: 'TCP' }], { publishNotReady: true });
  const got = computeSubsets(s, [pod('a', { ip: '10.0.0.1', ready: false }), pod('b', { ip: '10.0.0.2', deleting: true })]);
  t.deepEqual(got[0]!.addresses!.map((a) => a.ip), ['10.0.0.1', '10.0.0.2']);
  t.is(got[0]!.notReadyAddresses, undefined);
});

test('computeSubsets() gives a headless service without ports its addresses alone', (t) => {
  const s = svc([], { clusterIP: 'None' });
  t.deepEqual(computeSubsets(s, [pod('a', { ip: '10.0.0.1' })]), [{ addresses: [addr('a', '10.0.0.1')] }]);
  t.deepEqual(computeSubsets(svc([]), [pod('a', { ip: '10.0.0.1' })]), [], 'a service with a cluster IP and no ports has no endpoints');
});

test('repackSubsets() merges subsets with equal port sets and lets not-ready win for an address', (t) => {
  const p80 = { port: 80, protocol: 'TCP' as const };
  const p81 = { port: 81, protocol: 'TCP' as const };
  const a = { ip: '10.0.0.1' };
  const b = { ip: '10.0.0.2' };
  const input: EndpointSubset[] = [
    { addresses: [a], ports: [p80] },
    { addresses: [b], ports: [p80] },
    { addresses: [a], ports: [p81] },
    { notReadyAddresses: [b], ports: [p81] },
    { addresses: [a], ports: [p81] },
  ];
  const got = repackSubsets(input);
  t.is(got.length, 2);
  const s80 = got.find((s) => s.ports!.some((p) => p.port === 80))!;
  const s81 = got.find((s) => s.ports!.some((p) => p.port === 81))!;
  t.deepEqual(s80.addresses, [a, b]);
  t.deepEqual(s81, { addresses: [a], notReadyAddresses: [b], ports: [p81] });
  t.deepEqual(repackSubsets(got), got, 'repacking is idempotent');
  t.deepEqual(repackSubsets([...input].reverse()), got, 'the order of the input does not matter');
});

test('findPort() resolves numbers as they are and names against container ports and protocol', (t) => {
  const p = pod('a', { ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }, { name: 'http', containerPort: 8080 }] });
  const cases: { sp: ServicePort; want: number | undefined }[] = [
    { sp: { port: 80, targetPort: 9000 }, want: 9000 },
    { sp: { port: 80 }, want: 80 },
    { sp: { port: 80, targetPort: 'http' }, want: 8080 },
    { sp: { port: 53, targetPort: 'dns', protocol: 'UDP' }, want: 53 },
    { sp: { port: 53, targetPort: 'dns', protocol: 'TCP' }, want: undefined },
    { sp: { port: 80, targetPort: 'nope' }, want: undefined },
  ];
  for (const c of cases) t.is(findPort(p, c.sp), c.want, JSON.stringify(c.sp));
});

test('shouldPodBeInEndpoints() follows the restart policy for finished pods', (t) => {
  t.true(shouldPodBeInEndpoints(pod('a', { ip: '1.1.1.1', phase: 'Succeeded', restartPolicy: 'Always' }), false));
  t.false(shouldPodBeInEndpoints(pod('a', { ip: '1.1.1.1', phase: 'Succeeded', restartPolicy: 'OnFailure' }), false));
  t.true(shouldPodBeInEndpoints(pod('a', { ip: '1.1.1.1', phase: 'Failed', restartPolicy: 'OnFailure' }), false));
  t.false(shouldPodBeInEndpoints(pod('a', { ip: '1.1.1.1', phase: 'Failed', restartPolicy: 'Never' }), false));
  t.true(shouldPodBeInEndpoints(pod('a', { ip: '1.1.1.1', deleting: true }), true));
});

test('desiredEndpoints() creates, updates only on change, and selects by the service selector', (t) => {
  const s = svc([{ port: 80, targetPort: 8080, protocol: 'TCP' }], { labels: { tier: 'front' } });
  const pods = [pod('a', { ip: '10.0.0.1' }), pod('other', { ip: '10.0.0.9', labels: { app: 'db' } })];
  const create = desiredEndpoints(s, pods, undefined);
  t.is(create.op, 'create');
  const ep = (create as { endpoints: Endpoints }).endpoints;
  t.deepEqual(ep.metadata, { name: 'web', namespace: 'default', labels: { tier: 'front' } });
  t.deepEqual(ep.subsets!.flatMap((x) => x.addresses!.map((a) => a.ip)), ['10.0.0.1']);
  const stored: Endpoints = { ...structuredClone(ep), metadata: { ...ep.metadata, resourceVersion: '7', uid: 'e1' } };
  t.deepEqual(desiredEndpoints(s, pods, stored), { op: 'none' });
  const moved = desiredEndpoints(s, [pod('a', { ip: '10.0.0.1', ready: false })], stored);
  t.is(moved.op, 'update');
  const upd = (moved as { endpoints: Endpoints }).endpoints;
  t.is(upd.metadata.resourceVersion, '7', 'an update carries the resourceVersion it is based on');
  t.deepEqual(upd.subsets![0]!.notReadyAddresses!.map((a) => a.ip), ['10.0.0.1']);
  const empty = desiredEndpoints(s, [], stored);
  t.is(empty.op, 'update');
  t.is((empty as { endpoints: Endpoints }).endpoints.subsets, undefined);
  const headless = desiredEndpoints(svc([], { clusterIP: 'None' }), [], undefined) as { endpoints: Endpoints };
  t.deepEqual(headless.endpoints.metadata.labels, { 'service.kubernetes.io/headless': '' });
});

test('managesEndpoints() leaves services without a selector and ExternalName services to their users', (t) => {
  t.true(managesEndpoints(svc([{ port: 80 }])));
  t.false(managesEndpoints({ ...svc([{ port: 80 }]), spec: { ports: [{ port: 80 }] } }));
  t.false(managesEndpoints({ ...svc([{ port: 80 }]), spec: { ports: [{ port: 80 }], selector: {} } }));
  t.false(managesEndpoints({ ...svc([]), spec: { type: 'ExternalName', externalName: 'example.com', selector: { app: 'web' } } }));
});
