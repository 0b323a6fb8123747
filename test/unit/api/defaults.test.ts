import test from 'ava';
import { applyDefaults, imageTag, qosClass } from '../../../src/api/defaults.js';
import { resourceByKind } from '../../../src/api/resources.js';
import type { Container, Deployment, KObject, Pod, ReplicaSet, Service } from '../../../src/api/types.js';

const kind = (k: string) => resourceByKind(k)!;

function defaulted<T extends KObject = KObject>(k: string, obj: T): T {
  applyDefaults(obj, kind(k));
  return obj;
}

const pod = (containers: Container[], spec: Partial<Pod['spec']> = {}): Pod => ({
  metadata: { name: 'p', namespace: 'default' },
  spec: { containers, ...spec },
});

test('defaults: a pod spec gets restart, DNS, scheduler, grace period and service link defaults', (t) => {
  const p = defaulted('Pod', pod([{ name: 'a', image: 'nginx:1.25' }]));
  t.like(p.spec, {
    restartPolicy: 'Always',
    dnsPolicy: 'ClusterFirst',
    schedulerName: 'default-scheduler',
    terminationGracePeriodSeconds: 30,
    enableServiceLinks: true,
    securityContext: {},
  });
});

test('defaults: what a pod sets is kept', (t) => {
  const p = defaulted('Pod', pod([{ name: 'a', image: 'x:1' }], { restartPolicy: 'Never', terminationGracePeriodSeconds: 0, enableServiceLinks: false, dnsPolicy: 'Default' }));
  t.like(p.spec, { restartPolicy: 'Never', terminationGracePeriodSeconds: 0, enableServiceLinks: false, dnsPolicy: 'Default' });
});

test('defaults: containers get termination message defaults and TCP ports', (t) => {
  const p = defaulted('Pod', pod([{ name: 'a', image: 'x:1', ports: [{ containerPort: 80 }, { containerPort: 53, protocol: 'UDP' }] }]));
  const c = p.spec.containers[0]!;
  t.is(c.terminationMessagePath, '/dev/termination-log');
  t.is(c.terminationMessagePolicy, 'File');
  t.deepEqual(c.ports, [
    { containerPort: 80, protocol: 'TCP' },
    { containerPort: 53, protocol: 'UDP' },
  ]);
});

const pullPolicies: [string, Container['imagePullPolicy']][] = [
  ['nginx', 'Always'],
  ['nginx:latest', 'Always'],
  ['nginx:1.25', 'IfNotPresent'],
  ['localhost:5000/nginx', 'Always'],
  ['localhost:5000/nginx:2', 'IfNotPresent'],
  ['nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', 'IfNotPresent'],
  ['', 'IfNotPresent'],
];
for (const [image, policy] of pullPolicies) {
  test(`defaults: image "${image}" gets imagePullPolicy ${policy}`, (t) => {
    t.is(defaulted('Pod', pod([{ name: 'a', image }])).spec.containers[0]!.imagePullPolicy, policy);
  });
}

test('defaults: an explicit imagePullPolicy is kept', (t) => {
  t.is(defaulted('Pod', pod([{ name: 'a', image: 'nginx', imagePullPolicy: 'Never' }])).spec.containers[0]!.imagePullPolicy, 'Never');
});

test('defaults: imageTag reads the tag after the last slash only', (t) => {
  t.is(imageTag('registry:5000/team/app:v2'), 'v2');
  t.is(imageTag('registry:5000/team/app'), '');
});

test('defaults: probes get timeouts, periods, thresholds, and httpGet path and scheme', (t) => {
  const p = defaulted('Pod', pod([{ name: 'a', image: 'x:1', livenessProbe: { httpGet: { port: 8080 } }, readinessProbe: { tcpSocket: { port: 80 }, periodSeconds: 5 } }]));
  const c = p.spec.containers[0]!;
  t.deepEqual(c.livenessProbe, { httpGet: { port: 8080, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
  t.like(c.readinessProbe, { periodSeconds: 5, timeoutSeconds: 1, failureThreshold: 3 });
});

test('defaults: a volume without a source becomes an emptyDir', (t) => {
  const p = defaulted('Pod', pod([{ name: 'a', image: 'x:1' }], { volumes: [{ name: 'scratch' }, { name: 'cfg', configMap: { name: 'c' } }] }));
  t.deepEqual(p.spec.volumes, [
    { name: 'scratch', emptyDir: {} },
    { name: 'cfg', configMap: { name: 'c', defaultMode: 0o644 } },
  ]);
});

test('defaults: a pod container with limits only gets requests equal to them', (t) => {
  const p = defaulted('Pod', pod([{ name: 'a', image: 'x:1', resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '100m' } } }]));
  t.deepEqual(p.spec.containers[0]!.resources, { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '100m', memory: '128Mi' } });
});

test('defaults: resource quantities are stored in canonical form, rounded up to millis', (t) => {
  const p = defaulted('Pod', pod([{ name: 'a', image: 'x:1', resources: { requests: { cpu: 0.5, memory: '1024Mi', 'example.com/gpu': '0.0001' } } }]));
  t.deepEqual(p.spec.containers[0]!.resources!.requests, { cpu: '500m', memory: '1Gi', 'example.com/gpu': '1m' });
});

test('defaults: a malformed quantity is left for validation to report', (t) => {
  const p = defaulted('Pod', pod([{ name: 'a', image: 'x:1', resources: { requests: { cpu: 'lots' } } }]));
  t.is(p.spec.containers[0]!.resources!.requests!.cpu, 'lots');
});

test('defaults: a host-network pod gets host ports equal to its container ports', (t) => {
  const p = defaulted('Pod', pod([{ name: 'a', image: 'x:1', ports: [{ containerPort: 9100 }] }], { hostNetwork: true }));
  t.is(p.spec.containers[0]!.ports![0]!.hostPort, 9100);
});

function deployment(spec: Partial<Deployment['spec']> = {}): Deployment {
  return {
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx', resources: { limits: { cpu: '1' } } }] } },
      ...spec,
    },
  };
}

test('defaults: a deployment gets one replica, a 25% rolling update, history 10 and deadline 600', (t) => {
  const d = defaulted('Deployment', deployment());
  t.like(d.spec, {
    replicas: 1,
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    revisionHistoryLimit: 10,
    progressDeadlineSeconds: 600,
  });
});

test('defaults: a deployment template is defaulted as a pod spec, without the pod-only defaults', (t) => {
  const d = defaulted('Deployment', deployment());
  const spec = d.spec.template.spec;
  t.is(spec.restartPolicy, 'Always');
  t.is(spec.containers[0]!.imagePullPolicy, 'Always');
  // Requests come from limits for pods only, not for templates.
  t.is(spec.containers[0]!.resources!.requests, undefined);
});

test('defaults: explicit zeros and Recreate are kept', (t) => {
  const d = defaulted('Deployment', deployment({ replicas: 0, revisionHistoryLimit: 0, strategy: { type: 'Recreate' } }));
  t.is(d.spec.replicas, 0);
  t.is(d.spec.revisionHistoryLimit, 0);
  t.deepEqual(d.spec.strategy, { type: 'Recreate' });
  const z = defaulted('Deployment', deployment({ strategy: { rollingUpdate: { maxSurge: 0 } } }));
  t.deepEqual(z.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: '25%' } });
});

test('defaults: a replicaset gets one replica and a defaulted template', (t) => {
  const rs = defaulted<ReplicaSet>('ReplicaSet', { metadata: { name: 'r', namespace: 'd' }, spec: { selector: {}, template: { spec: { containers: [{ name: 'a', image: 'a:1' }] } } } });
  t.is(rs.spec.replicas, 1);
  t.is(rs.spec.template!.spec.dnsPolicy, 'ClusterFirst');
});

const svc = (spec: Partial<Service['spec']>): Service => ({ metadata: { name: 's', namespace: 'default' }, spec: { ports: [{ port: 80 }], ...spec } });

test('defaults: a service is ClusterIP, no affinity, TCP, targetPort = port, single-stack IPv4', (t) => {
  const s = defaulted('Service', svc({ selector: { app: 'web' } }));
  t.deepEqual(s.spec, {
    selector: { app: 'web' },
    ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
    type: 'ClusterIP',
    sessionAffinity: 'None',
    internalTrafficPolicy: 'Cluster',
    ipFamilyPolicy: 'SingleStack',
    ipFamilies: ['IPv4'],
  });
});

test('defaults: NodePort and LoadBalancer services get externalTrafficPolicy Cluster', (t) => {
  t.is(defaulted('Service', svc({ type: 'NodePort' })).spec.externalTrafficPolicy, 'Cluster');
  const lb = defaulted('Service', svc({ type: 'LoadBalancer' })).spec as Record<string, unknown>;
  t.is(lb.externalTrafficPolicy, 'Cluster');
  t.is(lb.allocateLoadBalancerNodePorts, true);
  t.is(defaulted('Service', svc({})).spec.externalTrafficPolicy, undefined);
});

test('defaults: an ExternalName service gets no IP families nor traffic policy', (t) => {
  const s = defaulted('Service', svc({ type: 'ExternalName', externalName: 'db.example.com', ports: [] }));
  t.is(s.spec.ipFamilies, undefined);
  t.is(s.spec.internalTrafficPolicy, undefined);
});

test('defaults: a ClientIP service gets the 3 hour affinity timeout', (t) => {
  const s = defaulted('Service', svc({ sessionAffinity: 'ClientIP' }));
  t.deepEqual((s.spec as Record<string, unknown>).sessionAffinityConfig, { clientIP: { timeoutSeconds: 10800 } });
});

test('defaults: a named targetPort is kept', (t) => {
  t.is(defaulted('Service', svc({ ports: [{ port: 80, targetPort: 'http' }] })).spec.ports![0]!.targetPort, 'http');
});

test('defaults: a new namespace gets the kubernetes finalizer, its name label and phase Active', (t) => {
  const ns = defaulted<KObject>('Namespace', { metadata: { name: 'team-a' } });
  t.deepEqual(ns.spec, { finalizers: ['kubernetes'] });
  t.deepEqual(ns.metadata.labels, { 'kubernetes.io/metadata.name': 'team-a' });
  t.deepEqual(ns.status, { phase: 'Active' });
});

test('defaults: a stored namespace whose finalizer was removed does not get it back', (t) => {
  const ns = defaulted('Namespace', { metadata: { name: 'team-a', resourceVersion: '9' }, spec: { finalizers: [] }, status: { phase: 'Terminating' } });
  t.deepEqual(ns.spec, { finalizers: [] });
  t.deepEqual(ns.status, { phase: 'Terminating' });
});

test('defaults: endpoints ports are TCP unless said otherwise', (t) => {
  const ep = defaulted('Endpoints', { metadata: { name: 'e', namespace: 'd' }, subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }] });
  t.deepEqual((ep.subsets as { ports: unknown[] }[])[0]!.ports, [{ port: 80, protocol: 'TCP' }]);
});

test('defaults: a node without allocatable gets its capacity', (t) => {
  const node = defaulted('Node', { metadata: { name: 'w1' }, spec: {}, status: { capacity: { cpu: '4', memory: '8192Mi' } } });
  t.deepEqual(node.status, { capacity: { cpu: '4', memory: '8Gi' }, allocatable: { cpu: '4', memory: '8Gi' } });
});

test('defaults: configmaps and leases are left as they are', (t) => {
  const cm = { metadata: { name: 'c', namespace: 'd' }, data: { a: '1' } };
  t.deepEqual(defaulted('ConfigMap', structuredClone(cm)), cm);
  const lease = { metadata: { name: 'l', namespace: 'd' }, spec: {} };
  t.deepEqual(defaulted('Lease', structuredClone(lease)), lease);
});

const qos: [string, Container[], ReturnType<typeof qosClass>][] = [
  ['no resources', [{ name: 'a' }], 'BestEffort'],
  ['zero requests only', [{ name: 'a', resources: { requests: { cpu: '0' } } }], 'BestEffort'],
  ['requests only', [{ name: 'a', resources: { requests: { cpu: '100m' } } }], 'Burstable'],
  ['limits equal requests for cpu and memory', [{ name: 'a', resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1000m', memory: '1024Mi' } } }], 'Guaranteed'],
  ['limits alone (requests default to them)', [{ name: 'a', resources: { limits: { cpu: '1', memory: '1Gi' } } }], 'Guaranteed'],
  ['requests below limits', [{ name: 'a', resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } } }], 'Burstable'],
  ['a cpu limit without a memory limit', [{ name: 'a', resources: { limits: { cpu: '1' } } }], 'Burstable'],
  [
    'one guaranteed and one best-effort container',
    [
      { name: 'a', resources: { limits: { cpu: '1', memory: '1Gi' } } },
      { name: 'b', resources: {} },
    ],
    'Burstable',
  ],
  ['other resources do not count', [{ name: 'a', resources: { limits: { 'example.com/gpu': '1' } } }], 'BestEffort'],
];
for (const [what, containers, want] of qos) {
  test(`qosClass: ${what} is ${want}`, (t) => {
    t.is(qosClass(pod(containers)), want);
  });
}

test('qosClass: init containers count too', (t) => {
  const p = pod([{ name: 'a', resources: { limits: { cpu: '1', memory: '1Gi' } } }], { initContainers: [{ name: 'i', resources: { requests: { cpu: '1' } } }] });
  t.is(qosClass(p), 'Burstable');
});
