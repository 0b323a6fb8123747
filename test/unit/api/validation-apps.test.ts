import test from 'ava';
import { applyDefaults } from '../../../src/api/defaults.js';
import { formatFieldError } from '../../../src/api/errors.js';
import { resourceByKind } from '../../../src/api/resources.js';
import type { Deployment, ReplicaSet } from '../../../src/api/types.js';
import { validateObject } from '../../../src/api/validation/index.js';

const DEPLOYMENTS = resourceByKind('Deployment')!;
const REPLICASETS = resourceByKind('ReplicaSet')!;

function deployment(edit: (d: Deployment) => void = () => {}): Deployment {
  const d: Deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web', tier: 'front' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] } },
    },
  };
  edit(d);
  return d;
}

function messages(d: Deployment, old?: Deployment): string[] {
  applyDefaults(d, DEPLOYMENTS);
  return validateObject(d, DEPLOYMENTS, old).map(formatFieldError);
}

/** A stored deployment and Kubernetes' messages for an update of it made by edit. */
function updateMessages(edit: (d: Deployment) => void): string[] {
  const old = deployment();
  applyDefaults(old, DEPLOYMENTS);
  old.metadata = { ...old.metadata, uid: 'u1', resourceVersion: '7', creationTimestamp: '2026-01-01T00:00:00Z', generation: 1 };
  const next = structuredClone(old);
  edit(next);
  return messages(next, old);
}

test('deployment: a defaulted, well-formed deployment is valid', (t) => {
  t.deepEqual(messages(deployment()), []);
});

/** [what, edit, Kubernetes' messages] */
const cases: [string, (d: Deployment) => void, string[]][] = [
  ['negative replicas', (d) => (d.spec.replicas = -1), ['spec.replicas: Invalid value: -1: must be greater than or equal to 0']],
  [
    'a missing selector',
    (d) => delete (d.spec as Partial<Deployment['spec']>).selector,
    ['spec.selector: Required value', 'spec.template.metadata.labels: Invalid value: {"app":"web","tier":"front"}: `selector` does not match template `labels`'],
  ],
  ['an empty selector', (d) => (d.spec.selector = {}), ['spec.selector: Invalid value: {}: empty selector is invalid for deployment']],
  [
    'a selector that does not match the template',
    (d) => (d.spec.selector = { matchLabels: { app: 'api' } }),
    ['spec.template.metadata.labels: Invalid value: {"app":"web","tier":"front"}: `selector` does not match template `labels`'],
  ],
  [
    'a matchExpressions operator that does not exist',
    (d) => (d.spec.selector = { matchExpressions: [{ key: 'app', operator: 'Is' as never, values: ['web'] }] }),
    ['spec.selector.matchExpressions[0].operator: Invalid value: "Is": not a valid selector operator', 'spec.selector: Invalid value: {"matchExpressions":[{"key":"app","operator":"Is","values":["web"]}]}: invalid label selector'],
  ],
  [
    'In without values',
    (d) => (d.spec.selector = { matchExpressions: [{ key: 'app', operator: 'In', values: [] }] }),
    ["spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'", 'spec.selector: Invalid value: {"matchExpressions":[{"key":"app","operator":"In","values":[]}]}: invalid label selector'],
  ],
  [
    'a template restartPolicy other than Always',
    (d) => (d.spec.template.spec.restartPolicy = 'Never'),
    ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'],
  ],
  [
    'a template with activeDeadlineSeconds',
    (d) => (d.spec.template.spec.activeDeadlineSeconds = 10),
    ['spec.template.spec.activeDeadlineSeconds: Invalid value: 10: activeDeadlineSeconds in ReplicaSet is not Supported'],
  ],
  ['a template container without image', (d) => (d.spec.template.spec.containers[0]!.image = ''), ['spec.template.spec.containers[0].image: Required value']],
  [
    'an invalid template label',
    (d) => (d.spec.template.metadata!.labels!.tier = 'front end'),
    [
      `spec.template.labels: Invalid value: "front end": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
    ],
  ],
  [
    'an unknown strategy type',
    (d) => (d.spec.strategy = { type: 'BlueGreen' as never }),
    ['spec.strategy: Unsupported value: {"type":"BlueGreen"}: supported values: "Recreate", "RollingUpdate"'],
  ],
  [
    'Recreate with rollingUpdate parameters',
    (d) => (d.spec.strategy = { type: 'Recreate', rollingUpdate: { maxSurge: 1 } }),
    ["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"],
  ],
  [
    'maxSurge and maxUnavailable both 0',
    (d) => (d.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } }),
    ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0'],
  ],
  [
    'maxSurge and maxUnavailable both 0%',
    (d) => (d.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: '0%', maxUnavailable: '0%' } }),
    ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "0%": may not be 0 when `maxSurge` is 0'],
  ],
  [
    'maxUnavailable above 100%',
    (d) => (d.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '110%' } }),
    ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "110%": must not be greater than 100%'],
  ],
  [
    'a maxSurge that is neither int nor percent',
    (d) => (d.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 'two' } }),
    [
      "spec.strategy.rollingUpdate.maxSurge: Invalid value: \"two\": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
    ],
  ],
  [
    'a negative maxSurge',
    (d) => (d.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: -1 } }),
    ['spec.strategy.rollingUpdate.maxSurge: Invalid value: -1: must be greater than or equal to 0'],
  ],
  ['a negative revisionHistoryLimit', (d) => (d.spec.revisionHistoryLimit = -1), ['spec.revisionHistoryLimit: Invalid value: -1: must be greater than or equal to 0']],
  ['a negative minReadySeconds', (d) => (d.spec.minReadySeconds = -1), ['spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0']],
  [
    'a progress deadline not above minReadySeconds',
    (d) => {
      d.spec.minReadySeconds = 30;
      d.spec.progressDeadlineSeconds = 30;
    },
    ['spec.progressDeadlineSeconds: Invalid value: 30: must be greater than minReadySeconds'],
  ],
];
for (const [what, edit, want] of cases) {
  test(`deployment: ${what} is refused`, (t) => {
    t.deepEqual(messages(deployment(edit)), want);
  });
}

test('deployment: maxSurge 0 with maxUnavailable 1 is fine', (t) => {
  t.deepEqual(messages(deployment((d) => (d.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } }))), []);
});

test('deployment: zero replicas is fine', (t) => {
  t.deepEqual(messages(deployment((d) => (d.spec.replicas = 0))), []);
});

test('deployment update: replicas, image and template labels may change', (t) => {
  t.deepEqual(
    updateMessages((d) => {
      d.spec.replicas = 5;
      d.spec.template.spec.containers[0]!.image = 'nginx:1.26';
      d.spec.template.metadata!.labels!.tier = 'back';
    }),
    [],
  );
});

test('deployment update: the selector is immutable in apps/v1', (t) => {
  t.deepEqual(
    updateMessages((d) => {
      d.spec.selector = { matchLabels: { app: 'web', tier: 'front' } };
    }),
    ['spec.selector: Invalid value: {"matchLabels":{"app":"web","tier":"front"}}: field is immutable'],
  );
});

function replicaSet(edit: (rs: ReplicaSet) => void = () => {}): ReplicaSet {
  const rs: ReplicaSet = {
    metadata: { name: 'web-5d4f', namespace: 'default' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web', 'pod-template-hash': '5d4f' } },
      template: { metadata: { labels: { app: 'web', 'pod-template-hash': '5d4f' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } },
    },
  };
  edit(rs);
  return rs;
}

function rsMessages(rs: ReplicaSet, old?: ReplicaSet): string[] {
  applyDefaults(rs, REPLICASETS);
  return validateObject(rs, REPLICASETS, old).map(formatFieldError);
}

test('replicaset: a well-formed replicaset is valid', (t) => {
  t.deepEqual(rsMessages(replicaSet()), []);
});

test('replicaset: replicas, selector and template follow the deployment rules', (t) => {
  t.deepEqual(rsMessages(replicaSet((rs) => (rs.spec.replicas = -2))), ['spec.replicas: Invalid value: -2: must be greater than or equal to 0']);
  t.deepEqual(rsMessages(replicaSet((rs) => (rs.spec.selector = {}))), ['spec.selector: Invalid value: {}: empty selector is invalid for deployment']);
  t.deepEqual(rsMessages(replicaSet((rs) => (rs.spec.selector = { matchLabels: { app: 'db' } }))), [
    'spec.template.metadata.labels: Invalid value: {"app":"web","pod-template-hash":"5d4f"}: `selector` does not match template `labels`',
  ]);
  t.deepEqual(rsMessages(replicaSet((rs) => (rs.spec.template!.spec.restartPolicy = 'OnFailure'))), [
    'spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"',
  ]);
});

test('replicaset update: the selector is immutable, replicas are not', (t) => {
  const old = replicaSet();
  applyDefaults(old, REPLICASETS);
  old.metadata = { ...old.metadata, uid: 'u', resourceVersion: '1' };
  const scaled = structuredClone(old);
  scaled.spec.replicas = 0;
  t.deepEqual(rsMessages(scaled, old), []);
  const moved = structuredClone(old);
  moved.spec.selector = { matchLabels: { app: 'web' } };
  t.deepEqual(rsMessages(moved, old), ['spec.selector: Invalid value: {"matchLabels":{"app":"web"}}: field is immutable']);
});
