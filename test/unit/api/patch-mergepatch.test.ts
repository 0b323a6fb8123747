/**
 * RFC 7386 JSON Merge Patch: the test cases of RFC 7386 appendix A, and the guarantees the API
 * server relies on (no mutation, no shared objects, no prototype pollution).
 */
import test from 'ava';
import { applyMergePatch } from '../../../src/api/patch/mergepatch.js';

// [original, patch, result] from RFC 7386 appendix A.
const RFC_7386: [unknown, unknown, unknown][] = [
  [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
  [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
  [{ a: 'b' }, { a: null }, {}],
  [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
  [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
  [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
  [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
  [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
  [['a', 'b'], ['c', 'd'], ['c', 'd']],
  [{ a: 'b' }, ['c'], ['c']],
  [{ a: 'foo' }, null, null],
  [{ a: 'foo' }, 'bar', 'bar'],
  [{ e: null }, { a: 1 }, { e: null, a: 1 }],
  [[1, 2], { a: 'b', c: null }, { a: 'b' }],
  [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
];

RFC_7386.forEach(([original, patch, expected], i) => {
  test(`merge patch: RFC 7386 appendix A case ${i + 1} (${JSON.stringify(patch)} on ${JSON.stringify(original)})`, (t) => {
    t.deepEqual(applyMergePatch(original, patch), expected);
  });
});

test('merge patch: kubectl scale sets spec.replicas and keeps the rest of the Scale', (t) => {
  const scale = { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'web', resourceVersion: '7' }, spec: { replicas: 2 }, status: { replicas: 2, selector: 'app=web' } };
  t.deepEqual(applyMergePatch(scale, { spec: { replicas: 5 } }), { ...scale, spec: { replicas: 5 } });
});

test('merge patch: neither input is mutated and the result shares no objects with them', (t) => {
  const original = { metadata: { labels: { a: '1' } }, spec: { list: [{ x: 1 }] } };
  const patch = { metadata: { labels: { b: '2' } }, extra: { deep: [1] } };
  const out = applyMergePatch(original, patch) as typeof original & typeof patch;
  out.metadata.labels.a = 'changed';
  (out.spec.list[0] as { x: number }).x = 9;
  out.extra.deep.push(2);
  t.deepEqual(original, { metadata: { labels: { a: '1' } }, spec: { list: [{ x: 1 }] } });
  t.deepEqual(patch, { metadata: { labels: { b: '2' } }, extra: { deep: [1] } });
});

test('merge patch: keeps the order of existing fields and appends new ones', (t) => {
  const out = applyMergePatch({ a: 1, b: 2, c: 3 }, { d: 4, a: 9 }) as Record<string, number>;
  t.deepEqual(Object.keys(out), ['a', 'b', 'c', 'd']);
});

test('merge patch: a "__proto__" member from JSON is stored as data, not as a prototype', (t) => {
  const out = applyMergePatch({}, JSON.parse('{"__proto__":{"polluted":true}}')) as Record<string, unknown>;
  t.deepEqual(Object.keys(out), ['__proto__']);
  t.is(Object.getPrototypeOf(out), Object.prototype);
  t.is(({} as Record<string, unknown>).polluted, undefined);
});
