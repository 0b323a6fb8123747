import test from 'ava';
import { applyDefaults } from '../../../src/api/defaults.js';
import { formatFieldError } from '../../../src/api/errors.js';
import { resourceByKind } from '../../../src/api/resources.js';
import type { KObject, ObjectMeta } from '../../../src/api/types.js';
import { validateObject } from '../../../src/api/validation/index.js';

/** Kubernetes' messages for creating (or, with old, updating) an object of the kind. */
function messages(kind: string, obj: KObject, old?: KObject): string[] {
  const r = resourceByKind(kind)!;
  applyDefaults(obj, r);
  return validateObject(obj, r, old).map(formatFieldError);
}

const cm = (metadata: ObjectMeta): KObject => ({ metadata: { namespace: 'default', ...metadata }, data: {} });

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const QUALIFIED_NAME_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

test('metadata: a well-formed object has no errors', (t) => {
  t.deepEqual(messages('ConfigMap', cm({ name: 'app-config.v1', labels: { 'app.kubernetes.io/name': 'web', tier: '' }, annotations: { 'Example.com/Note': 'x' } })), []);
});

test('metadata: a name is required unless generateName is set', (t) => {
  t.deepEqual(messages('ConfigMap', cm({})), ['metadata.name: Required value: name or generateName is required']);
  t.deepEqual(messages('ConfigMap', cm({ generateName: 'web-' })), []);
});

test('metadata: most names are DNS-1123 subdomains', (t) => {
  t.deepEqual(messages('ConfigMap', cm({ name: 'Web_1' })), [`metadata.name: Invalid value: "Web_1": ${SUBDOMAIN_MSG}`]);
  t.deepEqual(messages('ConfigMap', cm({ name: 'a'.repeat(254) })).length, 1);
  t.true(messages('ConfigMap', cm({ name: 'a'.repeat(254) }))[0]!.endsWith('must be no more than 253 characters'));
});

test('metadata: a generateName prefix may end with a dash but must otherwise be a valid name', (t) => {
  t.deepEqual(messages('ConfigMap', cm({ generateName: 'Bad-' })), [`metadata.generateName: Invalid value: "Bad-": ${SUBDOMAIN_MSG}`]);
});

test('metadata: namespace names are DNS labels, without dots', (t) => {
  t.deepEqual(messages('Namespace', { metadata: { name: 'team.a' } }), ['metadata.name: Invalid value: "team.a": must not contain dots']);
});

test('metadata: service names are RFC 1035 labels and start with a letter', (t) => {
  const svc = { metadata: { name: '1web', namespace: 'default' }, spec: { ports: [{ port: 80 }] } };
  t.deepEqual(messages('Service', svc), [
    `metadata.name: Invalid value: "1web": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
  ]);
});

test('metadata: namespaced kinds need a namespace, cluster-scoped kinds may not have one', (t) => {
  t.deepEqual(messages('ConfigMap', { metadata: { name: 'c' } }), ['metadata.namespace: Required value']);
  t.deepEqual(messages('Node', { metadata: { name: 'w1', namespace: 'default' }, spec: {} }), ['metadata.namespace: Forbidden: not allowed on this type']);
  t.deepEqual(messages('ConfigMap', cm({ name: 'c', namespace: 'Team_A' })).length, 1);
});

const labelCases: [Record<string, string>, string][] = [
  [{ 'bad key': 'v' }, `metadata.labels: Invalid value: "bad key": ${QUALIFIED_NAME_MSG}`],
  [{ 'Example.com/app': 'v' }, `metadata.labels: Invalid value: "Example.com/app": prefix part ${SUBDOMAIN_MSG}`],
  [{ '/app': 'v' }, 'metadata.labels: Invalid value: "/app": prefix part must be non-empty'],
  [{ 'a/b/c': 'v' }, `metadata.labels: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`],
  [{ app: 'a b' }, `metadata.labels: Invalid value: "a b": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`],
  [{ app: 'x'.repeat(64) }, `metadata.labels: Invalid value: "${'x'.repeat(64)}": must be no more than 63 characters`],
];
for (const [labels, message] of labelCases) {
  test(`metadata: labels ${JSON.stringify(labels).slice(0, 40)} are refused`, (t) => {
    t.deepEqual(messages('ConfigMap', cm({ name: 'c', labels })), [message]);
  });
}

test('metadata: annotation keys are qualified names, in any case', (t) => {
  t.deepEqual(messages('ConfigMap', cm({ name: 'c', annotations: { 'Kubectl.Kubernetes.IO/Last': 'x' } })), []);
  t.deepEqual(messages('ConfigMap', cm({ name: 'c', annotations: { 'no spaces': 'x' } })), [`metadata.annotations: Invalid value: "no spaces": ${QUALIFIED_NAME_MSG}`]);
});

test('metadata: annotations may hold 256 KiB in all', (t) => {
  t.deepEqual(messages('ConfigMap', cm({ name: 'c', annotations: { a: 'x'.repeat(256 * 1024 - 1) } })), []);
  t.deepEqual(messages('ConfigMap', cm({ name: 'c', annotations: { a: 'x'.repeat(256 * 1024) } })), ['metadata.annotations: Too long: must have at most 262144 bytes']);
});

test('metadata: owner references need apiVersion, kind, name and uid', (t) => {
  const ownerReferences = [{ apiVersion: '', kind: '', name: '', uid: '' }];
  t.deepEqual(messages('ConfigMap', cm({ name: 'c', ownerReferences })), [
    'metadata.ownerReferences.apiVersion: Invalid value: "": version must not be empty',
    'metadata.ownerReferences.kind: Invalid value: "": must not be empty',
    'metadata.ownerReferences.name: Invalid value: "": must not be empty',
    'metadata.ownerReferences.uid: Invalid value: "": must not be empty',
  ]);
});

test('metadata: at most one owner reference is the controller', (t) => {
  const ref = (name: string) => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name, uid: `u-${name}`, controller: true });
  const errs = messages('ConfigMap', cm({ name: 'c', ownerReferences: [ref('a'), ref('b')] }));
  t.is(errs.length, 1);
  t.true(errs[0]!.startsWith('metadata.ownerReferences: Invalid value: '));
  t.true(errs[0]!.endsWith('Only one reference can have Controller set to true. Found "true" in references for ReplicaSet/a and ReplicaSet/b'));
  t.deepEqual(messages('ConfigMap', cm({ name: 'c', ownerReferences: [ref('a'), { ...ref('b'), controller: false }] })), []);
});

test('metadata: finalizers are standard names or domain-qualified', (t) => {
  t.deepEqual(messages('ConfigMap', cm({ name: 'c', finalizers: ['kubernetes', 'orphan', 'example.com/cleanup'] })), []);
  t.deepEqual(messages('ConfigMap', cm({ name: 'c', finalizers: ['cleanup'] })), [
    'metadata.finalizers: Invalid value: "cleanup": name is neither a standard finalizer name nor is it fully qualified',
  ]);
  t.deepEqual(messages('ConfigMap', cm({ name: 'c', finalizers: ['orphan', 'foregroundDeletion'] })), [
    'metadata.finalizers: Invalid value: ["orphan","foregroundDeletion"]: finalizer orphan and foregroundDeletion cannot be both set',
  ]);
});

function stored(): KObject {
  return cm({ name: 'c', uid: 'u1', resourceVersion: '5', creationTimestamp: '2026-01-01T00:00:00Z', labels: { a: 'b' } });
}

test('metadata update: name, namespace, uid and creationTimestamp are immutable', (t) => {
  const old = stored();
  const next = structuredClone(old);
  next.metadata.name = 'd';
  next.metadata.namespace = 'other';
  next.metadata.uid = 'u2';
  next.metadata.creationTimestamp = '2027-01-01T00:00:00Z';
  t.deepEqual(messages('ConfigMap', next, old), [
    'metadata.name: Invalid value: "d": field is immutable',
    'metadata.namespace: Invalid value: "other": field is immutable',
    'metadata.uid: Invalid value: "u2": field is immutable',
    'metadata.creationTimestamp: Invalid value: "2027-01-01T00:00:00Z": field is immutable',
  ]);
});

test('metadata update: labels may change and an omitted uid counts as unchanged', (t) => {
  const old = stored();
  const next = structuredClone(old);
  next.metadata.labels = { a: 'c', d: 'e' };
  delete next.metadata.uid;
  t.deepEqual(messages('ConfigMap', next, old), []);
});

test('metadata update: a resourceVersion is required', (t) => {
  const old = stored();
  const next = structuredClone(old);
  delete next.metadata.resourceVersion;
  t.deepEqual(messages('ConfigMap', next, old), ['metadata.resourceVersion: Invalid value: "": must be specified for an update']);
});

test('metadata update: an object being deleted may lose finalizers but not gain them', (t) => {
  const old = stored();
  old.metadata.deletionTimestamp = '2026-01-02T00:00:00Z';
  old.metadata.finalizers = ['example.com/a'];
  const fewer = structuredClone(old);
  fewer.metadata.finalizers = [];
  t.deepEqual(messages('ConfigMap', fewer, old), []);
  const more = structuredClone(old);
  more.metadata.finalizers = ['example.com/a', 'example.com/b'];
  t.deepEqual(messages('ConfigMap', more, old), [
    'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/b"}',
  ]);
});

test('metadata update: a deletion timestamp cannot be set by an update', (t) => {
  const old = stored();
  const next = structuredClone(old);
  next.metadata.deletionTimestamp = '2026-01-02T00:00:00Z';
  t.deepEqual(messages('ConfigMap', next, old), ['metadata.deletionTimestamp: Invalid value: "2026-01-02T00:00:00Z": field is immutable']);
});
