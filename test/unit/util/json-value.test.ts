import test from 'ava';
import { cloneJson, jsonEqual, jsonEqualExcept } from '../../../src/util/json-value.js';

const pod = () => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'a', labels: { app: 'web' }, resourceVersion: '7' },
  spec: { containers: [{ name: 'c', ports: [{ containerPort: 80 }], env: [] }], nodeName: null },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
});

test('a clone is equal and shares nothing with its source', (t) => {
  const a = pod();
  const b = cloneJson(a);
  t.deepEqual(b, a);
  b.spec.containers[0]!.ports[0]!.containerPort = 81;
  b.metadata.labels.app = 'db';
  t.is(a.spec.containers[0]!.ports[0]!.containerPort, 80);
  t.is(a.metadata.labels.app, 'web');
});

test('a clone keeps a "__proto__" key as a field and leaves the prototype alone', (t) => {
  const a = JSON.parse('{"metadata":{"labels":{"__proto__":{"polluted":true}}}}');
  const b = cloneJson(a);
  t.is(Object.getPrototypeOf(b.metadata.labels), Object.prototype);
  t.deepEqual(Object.keys(b.metadata.labels), ['__proto__']);
  t.is(({} as Record<string, unknown>).polluted, undefined);
  t.true(jsonEqual(a, b));
});

test('a clone drops undefined-valued keys, as JSON does', (t) => {
  t.deepEqual(Object.keys(cloneJson({ a: 1, b: undefined })), ['a']);
});

test('equality is JSON equality: key order ignored, array order kept, undefined same as absent', (t) => {
  t.true(jsonEqual({ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 }));
  t.false(jsonEqual({ a: [1, 2] }, { a: [2, 1] }));
  t.true(jsonEqual({ a: 1, b: undefined }, { a: 1 }));
  t.false(jsonEqual({ a: 1 }, { a: 1, b: null }));
  t.false(jsonEqual({ a: 1 }, { a: '1' }));
  t.false(jsonEqual([], {}));
  t.false(jsonEqual({ a: {} }, { a: null }));
  t.true(jsonEqual(null, null));
  t.false(jsonEqual(pod(), { ...pod(), spec: { ...pod().spec, nodeName: 'n1' } }));
  t.true(jsonEqual(pod(), cloneJson(pod())));
});

test('equality can skip one key at the top level only', (t) => {
  const a = pod().metadata;
  const b = { ...a, resourceVersion: '8' };
  t.true(jsonEqualExcept(a, b, 'resourceVersion'));
  t.false(jsonEqualExcept(a, { ...b, name: 'b' }, 'resourceVersion'));
  t.true(jsonEqualExcept({ x: 1 }, { x: 1, resourceVersion: '9' }, 'resourceVersion'));
});
