/**
 * Strategic merge patch metadata of our kinds: the table must match the Go struct tags of
 * k8s.io/api, and strategic patches of our objects must merge (or replace) accordingly.
 */
import test from 'ava';
import { fieldMeta, hasPatchMeta, patchMetaFor, type PatchMeta } from '../../../src/api/patch/meta.js';
import { applyStrategicMergePatch } from '../../../src/api/patch/strategic.js';

function metaAt(apiVersion: string, kind: string, path: string): PatchMeta {
  return path.split('.').reduce(fieldMeta, patchMetaFor(apiVersion, kind));
}

type Tag = { strategy?: string; mergeKey?: string };

// [apiVersion, kind, field path, expected tags] where the tags are patchStrategy/patchMergeKey.
const TAGS: [string, string, string, Tag][] = [
  ['v1', 'Pod', 'metadata.finalizers', { strategy: 'merge' }],
  ['v1', 'Pod', 'metadata.ownerReferences', { strategy: 'merge', mergeKey: 'uid' }],
  ['v1', 'Pod', 'metadata.labels', {}],
  ['v1', 'Pod', 'spec.containers', { strategy: 'merge', mergeKey: 'name' }],
  ['v1', 'Pod', 'spec.initContainers', { strategy: 'merge', mergeKey: 'name' }],
  ['v1', 'Pod', 'spec.ephemeralContainers', { strategy: 'merge', mergeKey: 'name' }],
  ['v1', 'Pod', 'spec.containers.ports', { strategy: 'merge', mergeKey: 'containerPort' }],
  ['v1', 'Pod', 'spec.containers.env', { strategy: 'merge', mergeKey: 'name' }],
  ['v1', 'Pod', 'spec.containers.volumeMounts', { strategy: 'merge', mergeKey: 'mountPath' }],
  ['v1', 'Pod', 'spec.initContainers.volumeDevices', { strategy: 'merge', mergeKey: 'devicePath' }],
  ['v1', 'Pod', 'spec.containers.args', {}],
  ['v1', 'Pod', 'spec.volumes', { strategy: 'merge,retainKeys', mergeKey: 'name' }],
  ['v1', 'Pod', 'spec.imagePullSecrets', { strategy: 'merge', mergeKey: 'name' }],
  ['v1', 'Pod', 'spec.hostAliases', { strategy: 'merge', mergeKey: 'ip' }],
  ['v1', 'Pod', 'spec.topologySpreadConstraints', { strategy: 'merge', mergeKey: 'topologyKey' }],
  ['v1', 'Pod', 'spec.tolerations', {}],
  ['v1', 'Pod', 'status.conditions', { strategy: 'merge', mergeKey: 'type' }],
  ['v1', 'Pod', 'status.podIPs', { strategy: 'merge', mergeKey: 'ip' }],
  ['v1', 'Pod', 'status.hostIPs', { strategy: 'merge', mergeKey: 'ip' }],
  ['v1', 'Pod', 'status.containerStatuses', {}],
  ['v1', 'Node', 'spec.taints', {}],
  ['v1', 'Node', 'spec.podCIDRs', { strategy: 'merge' }],
  ['v1', 'Node', 'status.conditions', { strategy: 'merge', mergeKey: 'type' }],
  ['v1', 'Node', 'status.addresses', { strategy: 'merge', mergeKey: 'type' }],
  ['v1', 'Service', 'spec.ports', { strategy: 'merge', mergeKey: 'port' }],
  ['v1', 'Service', 'status.conditions', { strategy: 'merge', mergeKey: 'type' }],
  ['v1', 'Namespace', 'status.conditions', { strategy: 'merge', mergeKey: 'type' }],
  ['v1', 'Endpoints', 'subsets', {}],
  ['v1', 'ConfigMap', 'metadata.finalizers', { strategy: 'merge' }],
  ['apps/v1', 'Deployment', 'spec.strategy', { strategy: 'retainKeys' }],
  ['apps/v1', 'Deployment', 'spec.template.metadata.finalizers', { strategy: 'merge' }],
  ['apps/v1', 'Deployment', 'spec.template.spec.containers', { strategy: 'merge', mergeKey: 'name' }],
  ['apps/v1', 'Deployment', 'spec.template.spec.containers.env', { strategy: 'merge', mergeKey: 'name' }],
  ['apps/v1', 'Deployment', 'spec.template.spec.volumes', { strategy: 'merge,retainKeys', mergeKey: 'name' }],
  ['apps/v1', 'Deployment', 'status.conditions', { strategy: 'merge', mergeKey: 'type' }],
  ['apps/v1', 'ReplicaSet', 'spec.template.spec.containers.ports', { strategy: 'merge', mergeKey: 'containerPort' }],
  ['apps/v1', 'ReplicaSet', 'status.conditions', { strategy: 'merge', mergeKey: 'type' }],
  ['coordination.k8s.io/v1', 'Lease', 'metadata.ownerReferences', { strategy: 'merge', mergeKey: 'uid' }],
  ['discovery.k8s.io/v1', 'EndpointSlice', 'endpoints', {}],
  ['discovery.k8s.io/v1', 'EndpointSlice', 'ports', {}],
  ['discovery.k8s.io/v1', 'EndpointSlice', 'metadata.ownerReferences', { strategy: 'merge', mergeKey: 'uid' }],
];

for (const [apiVersion, kind, path, tag] of TAGS) {
  const expected = tag.strategy ? `patchStrategy:"${tag.strategy}"${tag.mergeKey ? ` patchMergeKey:"${tag.mergeKey}"` : ''}` : 'no patch tags';
  test(`patchMetaFor(${apiVersion} ${kind}).${path} has ${expected}`, (t) => {
    const meta = metaAt(apiVersion, kind, path);
    t.deepEqual({ strategy: meta.strategies?.join(','), mergeKey: meta.mergeKey }, { strategy: tag.strategy, mergeKey: tag.mergeKey });
  });
}

test('patchMetaFor() returns empty metadata for kinds it does not know, and hasPatchMeta() says so', (t) => {
  t.deepEqual(patchMetaFor('example.com/v1', 'Widget'), {});
  t.false(hasPatchMeta('example.com/v1', 'Widget'));
  t.false(hasPatchMeta('v1', 'Deployment'), 'the group is part of the lookup');
  t.true(hasPatchMeta('apps/v1', 'Deployment'));
});

test('patchMetaFor() metadata is frozen, so no caller can change it for everyone', (t) => {
  const meta = patchMetaFor('v1', 'Pod');
  t.throws(() => {
    (meta.fields as Record<string, PatchMeta>).spec = {};
  });
  t.throws(() => {
    (metaAt('v1', 'Pod', 'spec.containers').strategies as string[]).push('replace');
  });
});

// ---- behaviour of strategic merge patches on our kinds ----

const pod = (spec: unknown, extra: Record<string, unknown> = {}) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec, ...extra });
const podMeta = patchMetaFor('v1', 'Pod');

test('strategic merge: containers merged by name keep fields the patch omits', (t) => {
  const original = pod({
    containers: [
      { name: 'web', image: 'nginx:1.26', ports: [{ containerPort: 80 }], imagePullPolicy: 'IfNotPresent' },
      { name: 'log', image: 'busybox' },
    ],
  });
  const out = applyStrategicMergePatch(original, { spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } }, podMeta);
  t.deepEqual((out.spec as { containers: unknown[] }).containers, [
    { name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80 }], imagePullPolicy: 'IfNotPresent' },
    { name: 'log', image: 'busybox' },
  ]);
});

test('strategic merge: env merged by name, ports by containerPort, volumeMounts by mountPath', (t) => {
  const original = pod({
    containers: [
      {
        name: 'web',
        env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }],
        ports: [{ containerPort: 80, name: 'http' }],
        volumeMounts: [{ name: 'data', mountPath: '/data' }],
      },
    ],
  });
  const patch = {
    spec: {
      containers: [
        {
          name: 'web',
          env: [{ name: 'B', value: 'two' }, { name: 'C', value: '3' }],
          ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 443 }],
          volumeMounts: [{ mountPath: '/data', readOnly: true }],
        },
      ],
    },
  };
  const out = applyStrategicMergePatch(original, patch, podMeta) as { spec: { containers: Record<string, unknown>[] } };
  const web = out.spec.containers[0] as Record<string, unknown>;
  t.deepEqual(web.env, [{ name: 'A', value: '1' }, { name: 'B', value: 'two' }, { name: 'C', value: '3' }]);
  t.deepEqual(web.ports, [{ containerPort: 80, name: 'http', protocol: 'TCP' }, { containerPort: 443 }]);
  t.deepEqual(web.volumeMounts, [{ name: 'data', mountPath: '/data', readOnly: true }]);
});

test('strategic merge: lists without merge metadata (tolerations, args) are replaced whole', (t) => {
  const original = pod({
    containers: [{ name: 'web', args: ['-a', '-b'] }],
    tolerations: [{ key: 'a', operator: 'Exists' }, { key: 'b', operator: 'Exists' }],
  });
  const patch = { spec: { containers: [{ name: 'web', args: ['-c'] }], tolerations: [{ key: 'c', operator: 'Exists' }] } };
  const out = applyStrategicMergePatch(original, patch, podMeta) as { spec: { containers: { args: string[] }[]; tolerations: unknown[] } };
  t.deepEqual(out.spec.containers[0]?.args, ['-c']);
  t.deepEqual(out.spec.tolerations, [{ key: 'c', operator: 'Exists' }]);
});

test('strategic merge: a volume whose source changes is cleared by $retainKeys', (t) => {
  const original = pod({ containers: [{ name: 'web' }], volumes: [{ name: 'data', emptyDir: {} }, { name: 'cfg', configMap: { name: 'c' } }] });
  const patch = { spec: { volumes: [{ $retainKeys: ['hostPath', 'name'], name: 'data', hostPath: { path: '/srv' } }] } };
  const out = applyStrategicMergePatch(original, patch, podMeta) as { spec: { volumes: unknown[] } };
  t.deepEqual(out.spec.volumes, [{ name: 'data', hostPath: { path: '/srv' } }, { name: 'cfg', configMap: { name: 'c' } }]);
});

test('strategic merge: finalizers merge as a set and $deleteFromPrimitiveList/finalizers removes one', (t) => {
  const original = pod({ containers: [] }, { metadata: { name: 'p', finalizers: ['a', 'b'] } });
  const added = applyStrategicMergePatch(original, { metadata: { finalizers: ['b', 'c'] } }, podMeta) as { metadata: { finalizers: string[] } };
  t.deepEqual(added.metadata.finalizers, ['a', 'b', 'c']);
  const removed = applyStrategicMergePatch(original, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }, podMeta) as { metadata: { finalizers: string[] } };
  t.deepEqual(removed.metadata.finalizers, ['b']);
  const cleared = applyStrategicMergePatch(original, { metadata: { finalizers: null } }, podMeta) as { metadata: Record<string, unknown> };
  t.false('finalizers' in cleared.metadata);
});

test('strategic merge: ownerReferences merge by uid', (t) => {
  const ref = (uid: string, controller: boolean) => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `rs-${uid}`, uid, controller });
  const original = pod({ containers: [] }, { metadata: { name: 'p', ownerReferences: [ref('1', true)] } });
  const out = applyStrategicMergePatch(original, { metadata: { ownerReferences: [{ uid: '1', controller: false }, ref('2', true)] } }, podMeta) as {
    metadata: { ownerReferences: unknown[] };
  };
  t.deepEqual(out.metadata.ownerReferences, [ref('1', false), ref('2', true)]);
});

test('strategic merge: pod conditions merge by type, containerStatuses are replaced whole', (t) => {
  const original = pod({ containers: [] }, {
    status: {
      conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'False' }],
      containerStatuses: [{ name: 'a', ready: false }, { name: 'b', ready: false }],
    },
  });
  const patch = { status: { conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ name: 'a', ready: true }] } };
  const out = applyStrategicMergePatch(original, patch, podMeta) as { status: { conditions: unknown[]; containerStatuses: unknown[] } };
  t.deepEqual(out.status.conditions, [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'True' }]);
  t.deepEqual(out.status.containerStatuses, [{ name: 'a', ready: true }]);
});

test('strategic merge: node addresses and conditions merge by type, taints are replaced whole', (t) => {
  const node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'w1' },
    spec: { taints: [{ key: 'a', effect: 'NoSchedule' }] },
    status: {
      addresses: [{ type: 'InternalIP', address: '10.0.0.1' }, { type: 'Hostname', address: 'w1' }],
      conditions: [{ type: 'Ready', status: 'True' }, { type: 'MemoryPressure', status: 'False' }],
    },
  };
  const patch = {
    spec: { taints: [{ key: 'b', effect: 'NoExecute' }] },
    status: { addresses: [{ type: 'InternalIP', address: '10.0.0.9' }], conditions: [{ type: 'Ready', status: 'Unknown' }] },
  };
  const out = applyStrategicMergePatch(node, patch, patchMetaFor('v1', 'Node')) as typeof node;
  t.deepEqual(out.spec.taints, [{ key: 'b', effect: 'NoExecute' }]);
  t.deepEqual(out.status.addresses, [{ type: 'InternalIP', address: '10.0.0.9' }, { type: 'Hostname', address: 'w1' }]);
  t.deepEqual(out.status.conditions, [{ type: 'Ready', status: 'Unknown' }, { type: 'MemoryPressure', status: 'False' }]);
});

test('strategic merge: service ports merge by port', (t) => {
  const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80, targetPort: 8080, nodePort: 30080 }, { port: 443 }] } };
  const out = applyStrategicMergePatch(svc, { spec: { ports: [{ port: 80, targetPort: 9090 }] } }, patchMetaFor('v1', 'Service')) as typeof svc;
  t.deepEqual(out.spec.ports, [{ port: 80, targetPort: 9090, nodePort: 30080 }, { port: 443 }]);
});

test('strategic merge: endpoints subsets are replaced whole', (t) => {
  const ep = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 's' }, subsets: [{ addresses: [{ ip: '10.1.0.1' }] }] };
  const out = applyStrategicMergePatch(ep, { subsets: [{ addresses: [{ ip: '10.1.0.2' }] }] }, patchMetaFor('v1', 'Endpoints')) as typeof ep;
  t.deepEqual(out.subsets, [{ addresses: [{ ip: '10.1.0.2' }] }]);
});

test('strategic merge: a Deployment pod template merges containers like a Pod spec', (t) => {
  const deploy = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd' },
    spec: { template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'web', image: 'a', env: [{ name: 'X', value: '1' }] }] } } },
  };
  const patch = { spec: { template: { metadata: { labels: { tier: 'fe' } }, spec: { containers: [{ name: 'web', env: [{ name: 'Y', value: '2' }] }] } } } };
  const out = applyStrategicMergePatch(deploy, patch, patchMetaFor('apps/v1', 'Deployment')) as typeof deploy;
  t.deepEqual(out.spec.template.metadata.labels, { app: 'd', tier: 'fe' });
  // Without $setElementOrder, Go puts items new to the list before the server-only ones.
  t.deepEqual(out.spec.template.spec.containers, [{ name: 'web', image: 'a', env: [{ name: 'Y', value: '2' }, { name: 'X', value: '1' }] }]);
});

test('strategic merge: with the metadata of an unknown kind, lists are replaced as in a JSON merge patch', (t) => {
  const widget = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b' }] } };
  const out = applyStrategicMergePatch(widget, { spec: { containers: [{ name: 'a', image: 'y' }] } }, patchMetaFor('example.com/v1', 'Widget')) as typeof widget;
  t.deepEqual(out.spec.containers, [{ name: 'a', image: 'y' }]);
});
