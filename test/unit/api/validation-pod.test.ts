import test from 'ava';
import { applyDefaults } from '../../../src/api/defaults.js';
import { formatFieldError } from '../../../src/api/errors.js';
import { resourceByKind } from '../../../src/api/resources.js';
import type { Container, Pod, PodSpec } from '../../../src/api/types.js';
import { validateObject } from '../../../src/api/validation/index.js';

const PODS = resourceByKind('Pod')!;

function pod(spec: Partial<PodSpec> = {}, container: Partial<Container> = {}): Pod {
  return {
    metadata: { name: 'web', namespace: 'default' },
    spec: { containers: [{ name: 'web', image: 'nginx:1.25', ...container }], ...spec },
  };
}

/** Kubernetes' messages for creating the pod, after defaulting it as the API server does. */
function messages(p: Pod): string[] {
  applyDefaults(p, PODS);
  return validateObject(p, PODS).map(formatFieldError);
}

/** Kubernetes' messages for updating a stored pod with a change made by edit. */
function updateMessages(base: Pod, edit: (p: Pod) => void): string[] {
  applyDefaults(base, PODS);
  base.metadata = { ...base.metadata, uid: 'u1', resourceVersion: '3', creationTimestamp: '2026-01-01T00:00:00Z' };
  const next = structuredClone(base);
  edit(next);
  applyDefaults(next, PODS);
  return validateObject(next, PODS, base).map(formatFieldError);
}

const RELAXED_ENV_MSG = "a valid environment variable name must consist only of printable ASCII characters other than '='";

test('pod: a defaulted, well-formed pod is valid', (t) => {
  const p = pod(
    { volumes: [{ name: 'data' }], tolerations: [{ key: 'k', operator: 'Equal', value: 'v', effect: 'NoSchedule' }], nodeSelector: { disk: 'ssd' } },
    {
      ports: [{ name: 'http', containerPort: 80 }],
      env: [{ name: 'MODE', value: 'prod' }, { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }],
      volumeMounts: [{ name: 'data', mountPath: '/data' }],
      resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '1', memory: '128Mi' } },
      livenessProbe: { httpGet: { port: 'http' } },
      readinessProbe: { exec: { command: ['true'] } },
    },
  );
  t.deepEqual(messages(p), []);
});

/** [what, pod, Kubernetes' messages] */
const cases: [string, Pod, string[]][] = [
  ['no containers', { metadata: { name: 'p', namespace: 'd' }, spec: { containers: [] } }, ['spec.containers: Required value']],
  ['a container without image', pod({}, { image: '' }), ['spec.containers[0].image: Required value']],
  [
    'a container name that is not a DNS label',
    pod({}, { name: 'Web' }),
    [
      `spec.containers[0].name: Invalid value: "Web": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
    ],
  ],
  [
    'two containers with one name',
    { metadata: { name: 'p', namespace: 'd' }, spec: { containers: [{ name: 'a', image: 'x' }, { name: 'a', image: 'y' }] } },
    ['spec.containers[1].name: Duplicate value: "a"'],
  ],
  ['a container port of 0', pod({}, { ports: [{ containerPort: 0 }] }), ['spec.containers[0].ports[0].containerPort: Required value']],
  ['a container port above 65535', pod({}, { ports: [{ containerPort: 70000 }] }), ['spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive']],
  [
    'an unknown protocol',
    pod({}, { ports: [{ containerPort: 80, protocol: 'HTTP' as never }] }),
    ['spec.containers[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"'],
  ],
  [
    'a port name that is too long',
    pod({}, { ports: [{ containerPort: 80, name: 'a-very-long-port-name' }] }),
    ['spec.containers[0].ports[0].name: Invalid value: "a-very-long-port-name": must be no more than 15 characters'],
  ],
  [
    'a port name without letters',
    pod({}, { ports: [{ containerPort: 80, name: '8080' }] }),
    ['spec.containers[0].ports[0].name: Invalid value: "8080": must contain at least one letter (a-z)'],
  ],
  [
    'two ports with one name',
    pod({}, { ports: [{ containerPort: 80, name: 'http' }, { containerPort: 81, name: 'http' }] }),
    ['spec.containers[0].ports[1].name: Duplicate value: "http"'],
  ],
  [
    'an unknown restart policy',
    pod({ restartPolicy: 'Sometimes' as never }),
    ['spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'],
  ],
  ['a negative grace period', pod({ terminationGracePeriodSeconds: -1 }), ['spec.terminationGracePeriodSeconds: Invalid value: -1: must be greater than or equal to 0']],
  ['an active deadline of 0', pod({ activeDeadlineSeconds: 0 }), ['spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive']],
  ['dnsPolicy None without dnsConfig', pod({ dnsPolicy: 'None' }), ['spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None']],
  ['an environment variable name with =', pod({}, { env: [{ name: 'A=B', value: '1' }] }), [`spec.containers[0].env[0].name: Invalid value: "A=B": ${RELAXED_ENV_MSG}`]],
  [
    'an environment variable with both value and valueFrom',
    pod({}, { env: [{ name: 'A', value: '1', valueFrom: { configMapKeyRef: { name: 'c', key: 'k' } } }] }),
    ['spec.containers[0].env[0].valueFrom: Invalid value: "": may not be specified when `value` is not empty'],
  ],
  [
    'an unsupported downward API field',
    pod({}, { env: [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'spec.schedulerName' } } }] }),
    [
      'spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Unsupported value: "spec.schedulerName": supported values: "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"',
    ],
  ],
  [
    'a malformed quantity',
    pod({}, { resources: { requests: { cpu: 'two' } } }),
    ["spec.containers[0].resources.requests[cpu]: Invalid value: \"two\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"],
  ],
  ['a negative quantity', pod({}, { resources: { requests: { memory: '-1Mi' } } }), ['spec.containers[0].resources.requests[memory]: Invalid value: "-1Mi": must be greater than or equal to 0']],
  [
    'a request above its limit',
    pod({}, { resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } }),
    ['spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1'],
  ],
  [
    'a resource name that is not standard (requests default from limits, so both are reported)',
    pod({}, { resources: { limits: { gpu: '1' } } }),
    [
      'spec.containers[0].resources.limits[gpu]: Invalid value: "gpu": must be a standard resource type or fully qualified',
      'spec.containers[0].resources.limits[gpu]: Invalid value: "gpu": must be a standard resource for containers',
      'spec.containers[0].resources.requests[gpu]: Invalid value: "gpu": must be a standard resource type or fully qualified',
      'spec.containers[0].resources.requests[gpu]: Invalid value: "gpu": must be a standard resource for containers',
    ],
  ],
  [
    'an extended resource requested below its limit',
    pod({}, { resources: { requests: { 'example.com/gpu': '1' }, limits: { 'example.com/gpu': '2' } } }),
    ['spec.containers[0].resources.requests: Invalid value: "1": must be equal to example.com/gpu limit of 2'],
  ],
  ['a probe without handler', pod({}, { livenessProbe: {} }), ['spec.containers[0].livenessProbe: Required value: must specify a handler type']],
  [
    'a probe with two handlers',
    pod({}, { readinessProbe: { exec: { command: ['true'] }, tcpSocket: { port: 80 } } }),
    ['spec.containers[0].readinessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type'],
  ],
  ['a negative probe period', pod({}, { readinessProbe: { tcpSocket: { port: 80 }, periodSeconds: -1 } }), ['spec.containers[0].readinessProbe.periodSeconds: Invalid value: -1: must be greater than or equal to 0']],
  ['a liveness probe with successThreshold 2', pod({}, { livenessProbe: { tcpSocket: { port: 80 }, successThreshold: 2 } }), ['spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1']],
  ['an exec probe without command', pod({}, { startupProbe: { exec: {} } }), ['spec.containers[0].startupProbe.exec.command: Required value']],
  [
    'an httpGet probe on an invalid port',
    pod({}, { livenessProbe: { httpGet: { port: 0 } } }),
    ['spec.containers[0].livenessProbe.httpGet.port: Invalid value: 0: must be between 1 and 65535, inclusive'],
  ],
  [
    'two volumes with one name',
    pod({ volumes: [{ name: 'v' }, { name: 'v' }] }),
    ['spec.volumes[1].name: Duplicate value: "v"'],
  ],
  [
    'a volume with two sources',
    pod({ volumes: [{ name: 'v', emptyDir: {}, hostPath: { path: '/x' } }] }),
    ['spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type'],
  ],
  ['a mount of a volume that does not exist', pod({}, { volumeMounts: [{ name: 'data', mountPath: '/data' }] }), ['spec.containers[0].volumeMounts[0].name: Invalid value: "data": not found']],
  [
    'two mounts on one path',
    pod({ volumes: [{ name: 'a' }, { name: 'b' }] }, { volumeMounts: [{ name: 'a', mountPath: '/x' }, { name: 'b', mountPath: '/x' }] }),
    ['spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/x": must be unique'],
  ],
  [
    'a toleration with operator Exists and a value',
    pod({ tolerations: [{ key: 'k', operator: 'Exists', value: 'v' }] }),
    ['spec.tolerations[0].operator: Invalid value: {"key":"k","operator":"Exists","value":"v"}: value must be empty when `operator` is \'Exists\''],
  ],
  [
    'a toleration without key that is not Exists',
    pod({ tolerations: [{ operator: 'Equal', value: 'v' }] }),
    ['spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"'],
  ],
  [
    'a node affinity operator that does not exist',
    pod({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'Near' as never }] }] } } } }),
    ['spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator: Invalid value: "Near": not a valid selector operator'],
  ],
  [
    'an image with surrounding whitespace',
    pod({}, { image: ' nginx ' }),
    ['spec.containers[0].image: Invalid value: " nginx ": must not have leading or trailing whitespace'],
  ],
  [
    'two containers on one host port',
    { metadata: { name: 'p', namespace: 'd' }, spec: { containers: [{ name: 'a', image: 'x', ports: [{ containerPort: 80, hostPort: 8080 }] }, { name: 'b', image: 'x', ports: [{ containerPort: 81, hostPort: 8080 }] }] } },
    ['spec.containers[1].ports[0].hostPort: Duplicate value: "/TCP/8080"'],
  ],
  [
    'a string where a number belongs',
    pod({}, { ports: [{ containerPort: '80' as never }] }),
    ['spec.containers[0].ports[0].containerPort: Invalid value: "80": must be an integer', 'spec.containers[0].ports[0].containerPort: Required value'],
  ],
];
for (const [what, p, want] of cases) {
  test(`pod: ${what} is refused`, (t) => {
    t.deepEqual(messages(p), want);
  });
}

test('pod: an init container is validated like a container and named uniquely among all', (t) => {
  const p = pod({ initContainers: [{ name: 'web', image: '' }] });
  t.deepEqual(messages(p), ['spec.initContainers[0].image: Required value', 'spec.initContainers[0].name: Duplicate value: "web"']);
});

test('pod: only sidecar init containers may have probes', (t) => {
  const p = pod({ initContainers: [{ name: 'init', image: 'x', readinessProbe: { tcpSocket: { port: 1 } } }] });
  t.deepEqual(messages(p), ['spec.initContainers[0].readinessProbe: Forbidden: may not be set for init containers without restartPolicy=Always']);
  const sidecar = pod({ initContainers: [{ name: 'init', image: 'x', restartPolicy: 'Always', readinessProbe: { tcpSocket: { port: 1 } } }] });
  t.deepEqual(messages(sidecar), []);
});

const POD_UPDATE_MSG =
  'spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

test('pod update: the image may change', (t) => {
  t.deepEqual(
    updateMessages(pod(), (p) => (p.spec.containers[0]!.image = 'nginx:1.26')),
    [],
  );
});

test('pod update: labels may change, the spec stays', (t) => {
  t.deepEqual(
    updateMessages(pod(), (p) => (p.metadata.labels = { a: 'b' })),
    [],
  );
});

test('pod update: any other spec change is forbidden with Kubernetes message', (t) => {
  t.deepEqual(
    updateMessages(pod(), (p) => (p.spec.containers[0]!.env = [{ name: 'A', value: '1' }])),
    [POD_UPDATE_MSG],
  );
  t.deepEqual(
    updateMessages(pod(), (p) => (p.spec.restartPolicy = 'Never')),
    [POD_UPDATE_MSG],
  );
});

test('pod update: spec.nodeName is set through binding, not by an update', (t) => {
  t.deepEqual(
    updateMessages(pod(), (p) => (p.spec.nodeName = 'w1')),
    [POD_UPDATE_MSG],
  );
  t.deepEqual(
    updateMessages(pod({ nodeName: 'w1' }), (p) => (p.spec.nodeName = 'w2')),
    [POD_UPDATE_MSG],
  );
});

test('pod update: containers may not be added or removed', (t) => {
  t.deepEqual(
    updateMessages(pod(), (p) => p.spec.containers.push({ name: 'b', image: 'x' })),
    ['spec.containers: Forbidden: pod updates may not add or remove containers'],
  );
});

test('pod update: tolerations may be added, not changed', (t) => {
  const base = pod({ tolerations: [{ key: 'a', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }] });
  t.deepEqual(
    updateMessages(structuredClone(base), (p) => p.spec.tolerations!.push({ key: 'b', operator: 'Exists' })),
    [],
  );
  t.deepEqual(
    updateMessages(structuredClone(base), (p) => (p.spec.tolerations![0]!.tolerationSeconds = 60)),
    [],
  );
  t.deepEqual(
    updateMessages(structuredClone(base), (p) => (p.spec.tolerations = [])),
    ['spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds'],
  );
});

test('pod update: activeDeadlineSeconds may be set or lowered, not raised or removed', (t) => {
  t.deepEqual(
    updateMessages(pod(), (p) => (p.spec.activeDeadlineSeconds = 100)),
    [],
  );
  t.deepEqual(
    updateMessages(pod({ activeDeadlineSeconds: 100 }), (p) => (p.spec.activeDeadlineSeconds = 50)),
    [],
  );
  t.deepEqual(
    updateMessages(pod({ activeDeadlineSeconds: 100 }), (p) => (p.spec.activeDeadlineSeconds = 200)),
    ['spec.activeDeadlineSeconds: Invalid value: 200: must be less than or equal to previous value'],
  );
  t.deepEqual(
    updateMessages(pod({ activeDeadlineSeconds: 100 }), (p) => delete p.spec.activeDeadlineSeconds),
    ['spec.activeDeadlineSeconds: Invalid value: null: must not update from a positive integer to nil value'],
  );
});

test('pod update: a negative grace period may become 1, nothing else', (t) => {
  const negative = () => pod({ terminationGracePeriodSeconds: -5 });
  t.deepEqual(
    updateMessages(negative(), (p) => (p.spec.terminationGracePeriodSeconds = 1)),
    [],
  );
  t.true(
    updateMessages(pod(), (p) => (p.spec.terminationGracePeriodSeconds = 10)).includes(POD_UPDATE_MSG),
  );
});
