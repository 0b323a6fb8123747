import test from 'ava';
import { StatusError } from '../../../src/api/errors.js';
import {
  EVERYTHING,
  NOTHING,
  checkFieldSelectorSupported,
  fieldSelectorToString,
  fieldsOf,
  formatLabelSelector,
  isEmptySelector,
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
  selectorFromLabelSelector,
  selectorToString,
} from '../../../src/api/selectors.js';
import type { KObject } from '../../../src/api/types.js';

const web = { app: 'web', tier: 'front' };
const db = { app: 'db' };
const none = {};

/** [selector, labels, matches] */
const matching: [string, Record<string, string>, boolean][] = [
  ['app=web', web, true],
  ['app=web', db, false],
  ['app==web', web, true],
  ['app==web', none, false],
  ['app!=web', db, true],
  ['app!=web', web, false],
  ['app!=web', none, true], // != matches objects without the key
  ['app in (web,db)', db, true],
  ['app in (web,db)', { app: 'cache' }, false],
  ['app in (web,db)', none, false],
  ['app notin (web)', db, true],
  ['app notin (web)', web, false],
  ['app notin (web)', none, true], // notin matches objects without the key
  ['tier', web, true],
  ['tier', db, false],
  ['!tier', db, true],
  ['!tier', web, false],
  ['app=web,tier=front', web, true],
  ['app=web,tier=back', web, false],
  ['  app = web ,  tier  in ( front , back ) ', web, true],
  ['app in (in)', { app: 'in' }, true], // keywords are values inside parentheses
  ['app=', { app: '' }, true],
  ['app=', web, false],
  ['app in ()', { app: '' }, true],
  ['app in (,web)', { app: '' }, true],
  ['n>3', { n: '4' }, true],
  ['n>3', { n: '3' }, false],
  ['n<3', { n: '-1' }, true],
  ['n>3', { n: 'x' }, false],
  ['example.com/role=db', { 'example.com/role': 'db' }, true],
  ['', web, true],
];
for (const [sel, labels, want] of matching) {
  test(`label selector: "${sel}" ${want ? 'matches' : 'does not match'} ${JSON.stringify(labels)}`, (t) => {
    t.is(matchesLabels(parseLabelSelector(sel), labels), want);
  });
}

/** [selector, Kubernetes' error message] */
const malformed: [string, string][] = [
  ['app web', "unable to parse requirement: found 'web', expected: in, notin, =, ==, !=, gt, lt"],
  ['app in (a', "unable to parse requirement: found '', expected: ',' or ')'"],
  ['app in a', "unable to parse requirement: found 'a' expected: '('"],
  ['app in (=)', "unable to parse requirement: found '=', expected: ',', ')' or identifier"],
  ['app=web,', "found '', expected: identifier after ','"],
  ['!app=web', "found '=', expected: ',' or 'end of string'"],
  ['=web', "found '=', expected: !, identifier, or 'end of string'"],
  ['app=(web)', "unable to parse requirement: found '(', expected: identifier"],
  ['app gt 1', "unable to parse requirement: found 'gt', expected: in, notin, =, ==, !=, gt, lt"],
  [
    '-app=web',
    "unable to parse requirement: <nil>: Invalid value: \"-app\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
  ],
  [
    'app=we@b',
    "unable to parse requirement: values[0][app]: Invalid value: \"we@b\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
  ],
  ['n>x', "unable to parse requirement: values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value must be an integer"],
];
for (const [sel, message] of malformed) {
  test(`label selector: "${sel}" is a 400 BadRequest with Kubernetes' message`, (t) => {
    const err = t.throws(() => parseLabelSelector(sel), { instanceOf: StatusError });
    t.is(err.code, 400);
    t.is(err.reason, 'BadRequest');
    t.is(err.message, message);
  });
}

test('label selector: a value longer than 63 characters is refused', (t) => {
  const err = t.throws(() => parseLabelSelector(`app=${'a'.repeat(64)}`), { instanceOf: StatusError });
  t.true(err.message.includes('must be no more than 63 characters'));
});

test('label selector: requirements print sorted by key, set values sorted', (t) => {
  t.is(selectorToString(parseLabelSelector('tier notin (b,a),app==web,!canary,x,n>1')), 'app==web,!canary,n>1,tier notin (a,b),x');
});

test('label selector: duplicate and empty set values collapse as in a set', (t) => {
  t.is(selectorToString(parseLabelSelector('a in (b,,c,b)')), 'a in (,b,c)');
});

test('label selector: matchLabels and matchExpressions convert to requirements', (t) => {
  const sel = selectorFromLabelSelector({
    matchLabels: { tier: 'front', app: 'web' },
    matchExpressions: [
      { key: 'env', operator: 'In', values: ['prod', 'dev'] },
      { key: 'zone', operator: 'NotIn', values: ['b'] },
      { key: 'gpu', operator: 'Exists' },
      { key: 'canary', operator: 'DoesNotExist' },
    ],
  });
  t.is(selectorToString(sel), 'app=web,!canary,env in (dev,prod),gpu,tier=front,zone notin (b)');
  t.true(matchesLabels(sel, { app: 'web', tier: 'front', env: 'prod', gpu: '' }));
  t.false(matchesLabels(sel, { app: 'web', tier: 'front', env: 'prod', gpu: '', canary: 'y' }));
  t.false(matchesLabels(sel, { app: 'web', tier: 'front', env: 'prod', gpu: '', zone: 'b' }));
  t.false(matchesLabels(sel, { app: 'web', tier: 'front', env: 'test', gpu: '' }));
});

test('label selector: an empty LabelSelector matches everything, a missing one nothing', (t) => {
  const empty = selectorFromLabelSelector({});
  t.true(matchesLabels(empty, web));
  t.true(matchesLabels(empty, none));
  t.true(isEmptySelector(empty));
  const nil = selectorFromLabelSelector(undefined);
  t.false(matchesLabels(nil, web));
  t.false(matchesLabels(nil, none));
  t.false(isEmptySelector(nil));
  t.is(nil, NOTHING);
  t.is(empty, EVERYTHING);
  t.is(selectorToString(nil), '');
});

test('label selector: an invalid LabelSelector is refused with Kubernetes messages', (t) => {
  const badOp = t.throws(() => selectorFromLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Equals' as never }] }), { instanceOf: StatusError });
  t.is(badOp.message, '"Equals" is not a valid label selector operator');
  const noValues = t.throws(() => selectorFromLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }), { instanceOf: StatusError });
  t.is(noValues.message, "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty");
  const badKey = t.throws(() => selectorFromLabelSelector({ matchLabels: { 'a b': 'c' } }), { instanceOf: StatusError });
  t.true(badKey.message.startsWith('key: Invalid value: "a b": name part must consist of'));
});

test('label selector: formatLabelSelector prints <none> for an empty selector', (t) => {
  t.is(formatLabelSelector({}), '<none>');
  t.is(formatLabelSelector({ matchLabels: { app: 'web' } }), 'app=web');
  t.is(formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Bad' as never }] }), '<error>');
});

/** [selector, fields, matches] */
const fieldMatching: [string, Record<string, string>, boolean][] = [
  ['status.phase=Running', { 'status.phase': 'Running' }, true],
  ['status.phase==Running', { 'status.phase': 'Running' }, true],
  ['status.phase!=Running', { 'status.phase': 'Running' }, false],
  ['status.phase!=Running', { 'status.phase': 'Pending' }, true],
  ['spec.nodeName=', { 'spec.nodeName': '' }, true],
  ['spec.nodeName=', {}, true], // a field the set lacks reads as ""
  ['spec.nodeName!=', { 'spec.nodeName': 'w1' }, true],
  ['metadata.name=a,metadata.namespace=b', { 'metadata.name': 'a', 'metadata.namespace': 'b' }, true],
  ['metadata.name=a,metadata.namespace=b', { 'metadata.name': 'a', 'metadata.namespace': 'c' }, false],
  ['metadata.name=a\\,b', { 'metadata.name': 'a,b' }, true],
  ['metadata.name=a\\=b\\\\', { 'metadata.name': 'a=b\\' }, true],
  ['', { x: 'y' }, true],
];
for (const [sel, fields, want] of fieldMatching) {
  test(`field selector: "${sel}" ${want ? 'matches' : 'does not match'} ${JSON.stringify(fields)}`, (t) => {
    t.is(matchesFields(parseFieldSelector(sel), fields), want);
  });
}

const badFields: [string, string][] = [
  ['status.phase', "invalid selector: 'status.phase'; can't understand 'status.phase'"],
  ['a=b\\x', 'invalid field selector: invalid escape sequence: \\x'],
  ['a=b\\', 'invalid field selector: invalid escape sequence: \\'],
  ['a=b=c', 'invalid field selector: unescaped character in value: 61'],
];
for (const [sel, message] of badFields) {
  test(`field selector: "${sel}" is a 400 BadRequest with Kubernetes' message`, (t) => {
    const err = t.throws(() => parseFieldSelector(sel), { instanceOf: StatusError });
    t.is(err.code, 400);
    t.is(err.message, message);
  });
}

test('field selector: terms print sorted, with == as = and values escaped', (t) => {
  t.is(fieldSelectorToString(parseFieldSelector('spec.nodeName!=,metadata.name==a\\,b')), 'metadata.name=a\\,b,spec.nodeName!=');
});

const pod: KObject = {
  metadata: { name: 'web-1', namespace: 'prod' },
  spec: { nodeName: 'w1', restartPolicy: 'Always', schedulerName: 'default-scheduler', serviceAccountName: 'default', containers: [] },
  status: { phase: 'Running', podIPs: [{ ip: '10.0.0.5' }], nominatedNodeName: '' },
};

test('field selector: a pod exposes the fields Kubernetes lets pods be selected by', (t) => {
  t.deepEqual(fieldsOf('Pod', pod), {
    'metadata.name': 'web-1',
    'metadata.namespace': 'prod',
    'spec.nodeName': 'w1',
    'spec.restartPolicy': 'Always',
    'spec.schedulerName': 'default-scheduler',
    'spec.serviceAccountName': 'default',
    'spec.hostNetwork': 'false',
    'status.phase': 'Running',
    'status.podIP': '10.0.0.5',
    'status.nominatedNodeName': '',
  });
  t.true(matchesFields(parseFieldSelector('spec.nodeName=w1,status.phase!=Failed'), fieldsOf('Pod', pod)));
});

test('field selector: nodes, namespaces, events, replicasets and services expose their fields', (t) => {
  t.is(fieldsOf('Node', { metadata: { name: 'w1' }, spec: { unschedulable: true } })['spec.unschedulable'], 'true');
  t.is(fieldsOf('Node', { metadata: { name: 'w1' }, spec: {} })['spec.unschedulable'], 'false');
  t.is(fieldsOf('Namespace', { metadata: { name: 'a' }, status: { phase: 'Terminating' } })['status.phase'], 'Terminating');
  t.is(fieldsOf('ReplicaSet', { metadata: { name: 'a' }, status: { replicas: 3 } })['status.replicas'], '3');
  t.is(fieldsOf('Service', { metadata: { name: 'a' }, spec: { type: 'NodePort', clusterIP: '10.96.0.9' } })['spec.type'], 'NodePort');
  const ev = fieldsOf('Event', {
    metadata: { name: 'e', namespace: 'default' },
    involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'default', uid: 'u1', apiVersion: 'v1', resourceVersion: '7', fieldPath: 'spec.containers{a}' },
    reason: 'Scheduled',
    type: 'Normal',
    reportingComponent: 'default-scheduler',
  });
  t.like(ev, {
    'involvedObject.kind': 'Pod',
    'involvedObject.name': 'web-1',
    'involvedObject.uid': 'u1',
    'involvedObject.fieldPath': 'spec.containers{a}',
    reason: 'Scheduled',
    type: 'Normal',
    reportingComponent: 'default-scheduler',
    source: 'default-scheduler', // falls back to the reporting component
  });
  t.is(fieldsOf('Event', { metadata: { name: 'e' }, source: { component: 'kubelet' }, involvedObject: {} }).source, 'kubelet');
  t.deepEqual(fieldsOf('ConfigMap', { metadata: { name: 'c', namespace: 'n' } }), { 'metadata.name': 'c', 'metadata.namespace': 'n' });
});

const supported: [string, string, string | undefined][] = [
  ['Pod', 'spec.nodeName=w1', undefined],
  ['Pod', 'status.podIP=1.2.3.4', undefined],
  ['Pod', 'spec.host=w1', 'field label not supported: spec.host'],
  ['Pod', 'spec.containers=x', 'field label not supported: spec.containers'],
  ['Node', 'spec.unschedulable=true', undefined],
  ['Node', 'metadata.namespace=x', 'field label not supported: metadata.namespace'],
  ['Namespace', 'status.phase=Active', undefined],
  ['Event', 'involvedObject.name=web', undefined],
  ['Event', 'message=x', 'field label not supported: message'],
  ['ReplicaSet', 'status.replicas=0', undefined],
  ['ConfigMap', 'metadata.name=a', undefined],
  ['ConfigMap', 'data.x=1', '"data.x" is not a known field selector: only "metadata.name", "metadata.namespace"'],
  ['Deployment', 'spec.replicas=1', '"spec.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"'],
];
for (const [kind, sel, message] of supported) {
  test(`field selector: ${kind} ${message ? 'refuses' : 'accepts'} "${sel}"`, (t) => {
    const parsed = parseFieldSelector(sel);
    if (!message) {
      t.notThrows(() => checkFieldSelectorSupported(kind, parsed));
      return;
    }
    const err = t.throws(() => checkFieldSelectorSupported(kind, parsed), { instanceOf: StatusError });
    t.is(err.code, 400);
    t.is(err.message, message);
  });
}
