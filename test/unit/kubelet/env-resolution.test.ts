/** Environment resolution and $(VAR) expansion, table-driven against Kubernetes' behaviour. */
import test from 'ava';
import type { ConfigMap, Container, Pod } from '../../../src/api/types.js';
import { containerConfigOf } from '../../../src/worker/kubelet/container-config.js';
import { ContainerConfigError, configMapNamesOf, envOf, resourceFieldRefValue, type EnvContext } from '../../../src/worker/kubelet/env.js';
import { expand, mappingFor } from '../../../src/worker/kubelet/expansion.js';

const vars = mappingFor(new Map([['VAR_A', 'A'], ['VAR_B', 'B'], ['VAR_EMPTY', '']]));

// Cases from third_party/forked/golang/expansion/expand_test.go.
for (const [input, want] of [
  ['$(VAR_A)', 'A'],
  ['___$(VAR_B)___', '___B___'],
  ['$(VAR_A)-$(VAR_A)', 'A-A'],
  ['$(VAR_A)$(VAR_B)', 'AB'],
  ['$(VAR_EMPTY)', ''],
  ['$(VAR_DNE)', '$(VAR_DNE)'],
  ['$$(VAR_A)', '$(VAR_A)'],
  ['$$$(VAR_A)', '$A'],
  ['$$$$(VAR_A)', '$$(VAR_A)'],
  ['f000-$$VAR_A', 'f000-$VAR_A'],
  ['$VAR_A', '$VAR_A'],
  ['$(VAR_A', '$(VAR_A'],
  ['$(VAR_A$(VAR_B)', '$(VAR_A$(VAR_B)'],
  ['$()', '$()'],
  ['$', '$'],
  ['foo$', 'foo$'],
  ['$(', '$('],
  ['$)', '$)'],
  ['$(VAR_A) $(VAR_B', 'A $(VAR_B'],
  ['no dollars', 'no dollars'],
] as [string, string][]) {
  test(`expand(${JSON.stringify(input)}) is ${JSON.stringify(want)}`, (t) => {
    t.is(expand(input, vars), want);
  });
}

const pod: Pod = {
  metadata: { name: 'web-1', namespace: 'shop', uid: 'u-1', labels: { app: 'web' }, annotations: { 'example.com/owner': 'team-a' } },
  spec: {
    nodeName: 'w1',
    serviceAccountName: 'builder',
    containers: [{ name: 'web', image: 'x', resources: { limits: { cpu: '250m', memory: '64Mi' }, requests: { cpu: '100m', memory: '32Mi' } } }, { name: 'side', image: 'x' }],
  },
};
const settings: ConfigMap = { metadata: { name: 'settings', namespace: 'shop' }, data: { MODE: 'fast', level: '3' } };
const ctx: EnvContext = {
  podIPs: ['127.77.0.2', 'fd00::2'],
  hostIPs: ['127.0.0.1'],
  configMaps: new Map([['settings', settings], ['absent', undefined]]),
  nodeAllocatable: { cpu: '4', memory: '8Gi' },
};

function env(c: Partial<Container>, context: EnvContext = ctx, p: Pod = pod): Record<string, string> {
  return Object.fromEntries(envOf(p, { name: 'web', ...c }, context).map((v) => [v.name, v.value]));
}

for (const [fieldPath, want] of [
  ['metadata.name', 'web-1'],
  ['metadata.namespace', 'shop'],
  ['metadata.uid', 'u-1'],
  ["metadata.labels['app']", 'web'],
  ["metadata.annotations['example.com/owner']", 'team-a'],
  ["metadata.labels['missing']", ''],
  ['spec.nodeName', 'w1'],
  ['spec.serviceAccountName', 'builder'],
  ['status.hostIP', '127.0.0.1'],
  ['status.podIP', '127.77.0.2'],
  ['status.podIPs', '127.77.0.2,fd00::2'],
]) {
  test(`fieldRef ${fieldPath} is ${JSON.stringify(want)}`, (t) => {
    t.deepEqual(env({ env: [{ name: 'V', valueFrom: { fieldRef: { fieldPath: fieldPath! } } }] }), { V: want });
  });
}

for (const [resource, divisor, container, want] of [
  ['limits.cpu', undefined, 'web', '1'],
  ['limits.cpu', '1m', 'web', '250'],
  ['requests.cpu', '1m', 'web', '100'],
  ['limits.memory', undefined, 'web', String(64 * 2 ** 20)],
  ['limits.memory', '1Mi', 'web', '64'],
  ['requests.memory', '1Mi', 'web', '32'],
  ['limits.memory', '1M', 'web', '68'],
  ['limits.cpu', '1m', 'side', '4000'],
  ['limits.memory', '1Gi', 'side', '8'],
  ['requests.cpu', undefined, 'side', '0'],
] as [string, string | undefined, string, string][]) {
  test(`resourceFieldRef ${resource} of ${container} with divisor ${divisor ?? '1'} is ${want}`, (t) => {
    t.is(resourceFieldRefValue({ resource, containerName: container, ...(divisor ? { divisor } : {}) }, pod, pod.spec.containers[0]!, ctx.nodeAllocatable), want);
  });
}

test('an unset limit without a known node allocatable, and unknown resources, are config errors', (t) => {
  t.throws(() => resourceFieldRefValue({ resource: 'limits.cpu' }, pod, pod.spec.containers[1]!), { instanceOf: ContainerConfigError });
  t.throws(() => resourceFieldRefValue({ resource: 'limits.gpu' }, pod, pod.spec.containers[0]!, ctx.nodeAllocatable), { message: 'unsupported container resource : limits.gpu' });
});

test('configMapKeyRef reads the key; optional references to what is missing are skipped', (t) => {
  t.deepEqual(
    env({
      env: [
        { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'settings', key: 'MODE' } } },
        { name: 'GONE', valueFrom: { configMapKeyRef: { name: 'absent', key: 'x', optional: true } } },
        { name: 'NOKEY', valueFrom: { configMapKeyRef: { name: 'settings', key: 'nope', optional: true } } },
      ],
    }),
    { MODE: 'fast' },
  );
});

for (const [ref, message] of [
  [{ name: 'absent', key: 'x' }, 'configmap "absent" not found'],
  [{ name: 'unfetched', key: 'x' }, 'configmap "unfetched" not found'],
  [{ name: 'settings', key: 'nope' }, "couldn't find key nope in ConfigMap shop/settings"],
] as [{ name: string; key: string }, string][]) {
  test(`a required configMapKeyRef to ${ref.name}/${ref.key} fails with: ${message}`, (t) => {
    t.throws(() => env({ env: [{ name: 'X', valueFrom: { configMapKeyRef: ref } }] }), { instanceOf: ContainerConfigError, message });
  });
}

test('envFrom brings every key with its prefix; env entries override them and may refer to them', (t) => {
  const c: Partial<Container> = {
    envFrom: [{ configMapRef: { name: 'settings' }, prefix: 'APP_' }, { configMapRef: { name: 'absent', optional: true } }],
    env: [
      { name: 'APP_level', value: '9' },
      { name: 'SUMMARY', value: '$(APP_MODE)/$(APP_level)/$(LATER)' },
      { name: 'LATER', value: 'x' },
      { name: 'EMPTY' },
    ],
  };
  t.deepEqual(envOf(pod, { name: 'web', ...c }, ctx), [
    { name: 'APP_MODE', value: 'fast' },
    { name: 'APP_level', value: '9' },
    { name: 'SUMMARY', value: 'fast/9/$(LATER)' },
    { name: 'LATER', value: 'x' },
    { name: 'EMPTY', value: '' },
  ]);
  t.throws(() => env({ envFrom: [{ configMapRef: { name: 'absent' } }] }), { message: 'configmap "absent" not found' });
  t.deepEqual(configMapNamesOf({ name: 'web', ...c, env: [...c.env!, { name: 'Y', valueFrom: { configMapKeyRef: { name: 'other', key: 'k' } } }] }), ['settings', 'absent', 'other']);
});

test('values from valueFrom are not expanded, plain values are', (t) => {
  const weird: ConfigMap = { metadata: { name: 'weird' }, data: { V: '$(HOME)' } };
  const e = env(
    { env: [{ name: 'HOME', value: '/root' }, { name: 'FROM_CM', valueFrom: { configMapKeyRef: { name: 'weird', key: 'V' } } }, { name: 'PLAIN', value: '$(HOME)/x' }] },
    { ...ctx, configMaps: new Map([['weird', weird]]) },
  );
  t.deepEqual(e, { HOME: '/root', FROM_CM: '$(HOME)', PLAIN: '/root/x' });
});

test('command and args expand against the final environment', (t) => {
  const c: Container = {
    name: 'web',
    image: 'x',
    command: ['/bin/$(BIN)'],
    args: ['--mode=$(MODE)', '--ip=$(POD_IP)', '$$(MODE)', '$(UNSET)'],
    env: [
      { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      { name: 'BIN', value: 'server' },
    ],
    envFrom: [{ configMapRef: { name: 'settings' } }],
  };
  const config = containerConfigOf(pod, c, 0, 'x', ctx);
  t.deepEqual(config.command, ['/bin/server']);
  t.deepEqual(config.args, ['--mode=fast', '--ip=127.77.0.2', '$(MODE)', '$(UNSET)']);
});
