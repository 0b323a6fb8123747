/**
 * applyPatch: dispatch on Content-Type, and the patches real kubectl 1.32 sends (apply, scale,
 * label, annotate, rollout restart, cordon, taint, patch --type json), applied to objects as the
 * API server stores them.
 */
import test from 'ava';
import { applyPatch, isPatchError, PatchContentType } from '../../../src/api/patch/index.js';
import type { ConfigMap, Pod } from '../../../src/api/types.js';

const SMP = PatchContentType.strategic;
const MERGE = PatchContentType.merge;
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null) {
    Object.values(v).forEach(deepFreeze);
    Object.freeze(v);
  }
  return v;
}

/** A Deployment as the API server stores it after `kubectl apply`: defaulted, with status. */
function liveDeployment({ sidecar = true } = {}) {
  const web = {
    name: 'web',
    image: 'nginx:1.26',
    ports: [{ containerPort: 80, protocol: 'TCP' }],
    env: [{ name: 'A', value: '1' }],
    imagePullPolicy: 'IfNotPresent',
    terminationMessagePath: '/dev/termination-log',
  };
  const containers: (typeof web | { name: string; image: string; imagePullPolicy: string; env?: typeof web.env })[] = [web];
  if (sidecar) containers.push({ name: 'sidecar', image: 'busybox', imagePullPolicy: 'Always' });
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'default',
      uid: 'd1',
      resourceVersion: '42',
      generation: 1,
      labels: { app: 'web' },
      annotations: { 'deployment.kubernetes.io/revision': '1', [LAST_APPLIED]: '{"old":true}\n' },
    },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers,
          restartPolicy: 'Always',
          dnsPolicy: 'ClusterFirst',
        },
      },
    },
    status: { observedGeneration: 1, replicas: 2, readyReplicas: 2, conditions: [{ type: 'Available', status: 'True' }] },
  };
}

type Live = ReturnType<typeof liveDeployment>;

test('kubectl apply of an updated Deployment changes replicas and the image and keeps server-set fields', (t) => {
  // Exactly what kubectl 1.32 sends after the manifest's replicas and image changed.
  const live = deepFreeze(liveDeployment({ sidecar: false }));
  const patch = deepFreeze({
    metadata: { annotations: { [LAST_APPLIED]: '{"new":true}\n' } },
    spec: {
      replicas: 3,
      template: { spec: { '$setElementOrder/containers': [{ name: 'web' }], containers: [{ name: 'web', image: 'nginx:1.27' }] } },
    },
  });
  const out = applyPatch(SMP, live, patch, 'apps/v1', 'Deployment') as Live;

  const expected = liveDeployment({ sidecar: false });
  expected.metadata.annotations[LAST_APPLIED] = '{"new":true}\n';
  expected.spec.replicas = 3;
  (expected.spec.template.spec.containers[0] as { image: string }).image = 'nginx:1.27';
  t.deepEqual(out, expected);
});

test('kubectl apply of a changed image leaves containers the manifest still lists but did not change', (t) => {
  const patch = { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'web' }, { name: 'sidecar' }], containers: [{ name: 'web', image: 'nginx:1.27' }] } } } };
  const out = applyPatch(SMP, deepFreeze(liveDeployment()), patch, 'apps/v1', 'Deployment') as Live;
  t.deepEqual(out.spec.template.spec.containers.map((c) => [c.name, c.image]), [['web', 'nginx:1.27'], ['sidecar', 'busybox']]);
});

test('kubectl apply removes a container dropped from the manifest ($patch: delete in the list)', (t) => {
  const live = deepFreeze(liveDeployment());
  const patch = { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'web' }], containers: [{ $patch: 'delete', name: 'sidecar' }] } } } };
  const out = applyPatch(SMP, live, patch, 'apps/v1', 'Deployment') as Live;
  t.deepEqual(out.spec.template.spec.containers, [liveDeployment().spec.template.spec.containers[0]]);
});

test('kubectl apply adds a container where $setElementOrder puts it', (t) => {
  const live = liveDeployment();
  const patch = {
    spec: {
      template: {
        spec: {
          '$setElementOrder/containers': [{ name: 'web' }, { name: 'proxy' }, { name: 'sidecar' }],
          containers: [{ name: 'proxy', image: 'envoy:1.30' }],
        },
      },
    },
  };
  const out = applyPatch(SMP, live, patch, 'apps/v1', 'Deployment') as Live;
  t.deepEqual(out.spec.template.spec.containers.map((c) => c.name), ['web', 'proxy', 'sidecar']);
  t.deepEqual(out.spec.template.spec.containers[1], { name: 'proxy', image: 'envoy:1.30' });
});

test('kubectl apply adds an env var inside a container, ordered by the nested $setElementOrder/env', (t) => {
  const live = liveDeployment();
  const patch = {
    spec: {
      template: {
        spec: {
          '$setElementOrder/containers': [{ name: 'web' }, { name: 'sidecar' }],
          containers: [{ '$setElementOrder/env': [{ name: 'A' }, { name: 'B' }], env: [{ name: 'B', value: '2' }], name: 'web' }],
        },
      },
    },
  };
  const out = applyPatch(SMP, live, patch, 'apps/v1', 'Deployment') as Live;
  t.deepEqual(out.spec.template.spec.containers[0]?.env, [{ name: 'A', value: '1' }, { name: 'B', value: '2' }]);
});

test('kubectl apply switching the strategy to Recreate clears rollingUpdate via $retainKeys', (t) => {
  const out = applyPatch(SMP, liveDeployment(), { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: null, type: 'Recreate' } } }, 'apps/v1', 'Deployment') as Live;
  t.deepEqual(out.spec.strategy, { type: 'Recreate' } as Live['spec']['strategy']);
});

test('kubectl rollout restart stamps the pod template with restartedAt', (t) => {
  const patch = { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2025-01-01T00:00:00Z' } } } } };
  const out = applyPatch(SMP, liveDeployment(), patch, 'apps/v1', 'Deployment') as Live;
  t.deepEqual(out.spec.template.metadata, { labels: { app: 'web' }, annotations: { 'kubectl.kubernetes.io/restartedAt': '2025-01-01T00:00:00Z' } } as Live['spec']['template']['metadata']);
});

test('kubectl scale: a merge patch of spec.replicas on the scale subresource', (t) => {
  const scale = deepFreeze({ apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'web', namespace: 'default' }, spec: { replicas: 2 }, status: { replicas: 2, selector: 'app=web' } });
  const out = applyPatch(MERGE, scale, { spec: { replicas: 5 } }, 'autoscaling/v1', 'Scale');
  t.deepEqual(out, { ...scale, spec: { replicas: 5 } });
});

test('kubectl label adds a label and "app-" (null) removes one, keeping the others', (t) => {
  const pod = deepFreeze({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { app: 'web', env: 'prod' } }, spec: { containers: [{ name: 'c' }] } });
  const added = applyPatch(MERGE, pod, { metadata: { labels: { tier: 'frontend' } } }, 'v1', 'Pod') as Pod;
  t.deepEqual(added.metadata.labels, { app: 'web', env: 'prod', tier: 'frontend' });
  const removed = applyPatch(MERGE, pod, { metadata: { labels: { app: null } } }, 'v1', 'Pod') as Pod;
  t.deepEqual(removed.metadata.labels, { env: 'prod' });
  t.deepEqual(removed.spec, pod.spec);
});

test('kubectl annotate sets and removes annotations with a merge patch', (t) => {
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', annotations: { a: '1', b: '2' } }, data: { k: 'v' } };
  const out = applyPatch(MERGE, cm, { metadata: { annotations: { a: null, note: 'hello' } } }, 'v1', 'ConfigMap') as ConfigMap;
  t.deepEqual(out.metadata.annotations, { b: '2', note: 'hello' });
  t.deepEqual(out.data, { k: 'v' });
});

test('kubectl cordon and kubectl taint patch a Node; the taint list is replaced whole', (t) => {
  const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'w1' }, spec: { podCIDR: '10.244.1.0/24', taints: [{ key: 'old', effect: 'NoSchedule' }] } };
  const cordoned = applyPatch(SMP, node, { spec: { unschedulable: true } }, 'v1', 'Node') as { spec: Record<string, unknown> };
  t.deepEqual(cordoned.spec, { ...node.spec, unschedulable: true });
  const tainted = applyPatch(SMP, node, { spec: { taints: [{ effect: 'NoSchedule', key: 'dedicated', value: 'gpu' }] } }, 'v1', 'Node') as typeof node;
  t.deepEqual(tainted.spec.taints, [{ effect: 'NoSchedule', key: 'dedicated', value: 'gpu' }]);
});

test('kubectl patch --type json is applied as an RFC 6902 patch', (t) => {
  const out = applyPatch(PatchContentType.json, liveDeployment(), [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'nginx:1.28' }], 'apps/v1', 'Deployment') as Live;
  t.is(out.spec.template.spec.containers[0]?.image, 'nginx:1.28');
  t.is(out.spec.template.spec.containers[1]?.image, 'busybox');
});

test('applyPatch() ignores media type parameters and letter case in the content type', (t) => {
  const out = applyPatch('Application/Strategic-Merge-Patch+JSON; charset=utf-8', liveDeployment(), { spec: { template: { spec: { containers: [{ name: 'web', image: 'x' }] } } } }, 'apps/v1', 'Deployment') as Live;
  t.deepEqual(out.spec.template.spec.containers.map((c) => [c.name, c.image]), [['web', 'x'], ['sidecar', 'busybox']]);
});

test('applyPatch() refuses server-side apply with an "unsupported" error that points to client-side kubectl apply', (t) => {
  const err = t.throws(() => applyPatch('application/apply-patch+yaml', liveDeployment(), { spec: {} }, 'apps/v1', 'Deployment'));
  t.true(isPatchError(err, 'unsupported'));
  t.regex(err?.message ?? '', /[Ss]erver-side apply .*not supported.*"kubectl apply"/);
});

test('applyPatch() refuses an unknown content type with an "unsupported" error listing the supported ones', (t) => {
  const err = t.throws(() => applyPatch('application/json', {}, {}, 'v1', 'Pod'));
  t.true(isPatchError(err, 'unsupported'));
  t.regex(err?.message ?? '', /"application\/json".*application\/json-patch\+json.*application\/merge-patch\+json.*application\/strategic-merge-patch\+json/);
});

test('applyPatch() rejects merge and strategic patches that are not JSON objects as malformed', (t) => {
  for (const type of [MERGE, SMP]) {
    const err = t.throws(() => applyPatch(type, { a: 1 }, ['a'], 'v1', 'Pod'));
    t.true(isPatchError(err, 'malformed'), `${type}: ${String(err)}`);
  }
});

test('applyPatch() reports a strategic patch with a bad $patch value as malformed, naming the field', (t) => {
  const err = t.throws(() => applyPatch(SMP, liveDeployment(), { spec: { template: { spec: { containers: [{ name: 'web', $patch: 'remove' }] } } } }, 'apps/v1', 'Deployment'));
  t.true(isPatchError(err, 'malformed'));
  t.regex(err?.message ?? '', /spec\.template\.spec\.containers\[0\]/);
  t.regex(err?.message ?? '', /"remove"/);
});

test('applyPatch() reports a container without its merge key as malformed, naming the item', (t) => {
  const err = t.throws(() => applyPatch(SMP, liveDeployment(), { spec: { template: { spec: { containers: [{ image: 'x' }] } } } }, 'apps/v1', 'Deployment'));
  t.true(isPatchError(err, 'malformed'));
  t.regex(err?.message ?? '', /"spec\.template\.spec\.containers\[0\]".*merge key "name"/);
});

test('applyPatch() reports a strategic patch that sets a field missing from $retainKeys as malformed', (t) => {
  const err = t.throws(() => applyPatch(SMP, liveDeployment(), { spec: { strategy: { $retainKeys: ['type'], type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } } }, 'apps/v1', 'Deployment'));
  t.true(isPatchError(err, 'malformed'));
  t.regex(err?.message ?? '', /"spec\.strategy\["\$retainKeys"\]".*"rollingUpdate"/);
});

test('applyPatch() reports a strategic list patch whose items clash with the live list type as a conflict', (t) => {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', finalizers: ['a'] }, spec: { containers: [] } };
  const err = t.throws(() => applyPatch(SMP, pod, { metadata: { finalizers: [{ name: 'x' }] } }, 'v1', 'Pod'));
  t.true(isPatchError(err, 'conflict'));
  t.regex(err?.message ?? '', /"metadata\.finalizers"/);
});

test('applyPatch() with a strategic patch for an unknown kind replaces lists like a merge patch', (t) => {
  const widget = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { items: [{ name: 'a' }, { name: 'b' }] } };
  const out = applyPatch(SMP, widget, { spec: { items: [{ name: 'c' }] } }, 'example.com/v1', 'Widget') as typeof widget;
  t.deepEqual(out.spec.items, [{ name: 'c' }]);
});

test('applyPatch() strategic results never carry directives or nulls into the stored object', (t) => {
  const patch = {
    spec: {
      template: {
        spec: {
          // A new list (no live counterpart) with markers and nulls, and a new map marked for deletion.
          initContainers: [{ name: 'init', image: 'busybox', command: null, env: [{ $patch: 'delete', name: 'X' }] }, { $patch: 'replace' }],
          affinity: { $patch: 'delete' },
          securityContext: { $retainKeys: ['runAsUser'], runAsUser: 1000, fsGroup: null },
        },
      },
    },
  };
  const out = applyPatch(SMP, liveDeployment(), patch, 'apps/v1', 'Deployment') as Live;
  const spec = out.spec.template.spec as Record<string, unknown>;
  t.deepEqual(spec.initContainers, [{ name: 'init', image: 'busybox', env: [] }]);
  t.false('affinity' in spec);
  t.deepEqual(spec.securityContext, { runAsUser: 1000 });
});
