/**
 * RFC 6902 JSON Patch: the examples of RFC 6902 appendix A, plus the errors Kubernetes clients
 * meet, each checked for its kind (malformed patch vs. patch that does not apply) and its path.
 */
import test from 'ava';
import { isPatchError, type PatchErrorKind } from '../../../src/api/patch/errors.js';
import { applyJsonPatch } from '../../../src/api/patch/jsonpatch.js';

// [description, document, patch, expected result]
const APPLIES: [string, unknown, unknown[], unknown][] = [
  ['A.1 adding an object member', { foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux' }], { foo: 'bar', baz: 'qux' }],
  ['A.2 adding an array element', { foo: ['bar', 'baz'] }, [{ op: 'add', path: '/foo/1', value: 'qux' }], { foo: ['bar', 'qux', 'baz'] }],
  ['A.3 removing an object member', { baz: 'qux', foo: 'bar' }, [{ op: 'remove', path: '/baz' }], { foo: 'bar' }],
  ['A.4 removing an array element', { foo: ['bar', 'qux', 'baz'] }, [{ op: 'remove', path: '/foo/1' }], { foo: ['bar', 'baz'] }],
  ['A.5 replacing a value', { baz: 'qux', foo: 'bar' }, [{ op: 'replace', path: '/baz', value: 'boo' }], { baz: 'boo', foo: 'bar' }],
  [
    'A.6 moving a value',
    { foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } },
    [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }],
    { foo: { bar: 'baz' }, qux: { corge: 'grault', thud: 'fred' } },
  ],
  ['A.7 moving an array element', { foo: ['all', 'grass', 'cows', 'eat'] }, [{ op: 'move', from: '/foo/1', path: '/foo/3' }], { foo: ['all', 'cows', 'eat', 'grass'] }],
  [
    'A.8 testing a value: success',
    { baz: 'qux', foo: ['a', 2, 'c'] },
    [{ op: 'test', path: '/baz', value: 'qux' }, { op: 'test', path: '/foo/1', value: 2 }],
    { baz: 'qux', foo: ['a', 2, 'c'] },
  ],
  ['A.10 adding a nested member object', { foo: 'bar' }, [{ op: 'add', path: '/child', value: { grandchild: {} } }], { foo: 'bar', child: { grandchild: {} } }],
  ['A.11 ignoring unrecognized elements', { foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux', xyz: 123 }], { foo: 'bar', baz: 'qux' }],
  ['A.14 ~ escape ordering', { '/': 9, '~1': 10 }, [{ op: 'test', path: '/~01', value: 10 }], { '/': 9, '~1': 10 }],
  ['A.16 adding an array value', { foo: ['bar'] }, [{ op: 'add', path: '/foo/-', value: ['abc', 'def'] }], { foo: ['bar', ['abc', 'def']] }],
  ['test compares objects regardless of key order', { a: { x: 1, y: [1, { z: 2 }] } }, [{ op: 'test', path: '/a', value: { y: [1, { z: 2 }], x: 1 } }], { a: { x: 1, y: [1, { z: 2 }] } }],
  ['add to an existing member replaces it', { a: 1 }, [{ op: 'add', path: '/a', value: 2 }], { a: 2 }],
  ['add at the end index of an array appends', { a: [1] }, [{ op: 'add', path: '/a/1', value: 2 }], { a: [1, 2] }],
  ['copy duplicates a value', { a: { b: 1 } }, [{ op: 'copy', from: '/a', path: '/c' }], { a: { b: 1 }, c: { b: 1 } }],
  ['an empty path replaces the whole document', { a: 1 }, [{ op: 'replace', path: '', value: { b: 2 } }], { b: 2 }],
  ['kubectl patch --type json replaces a container image', { spec: { containers: [{ name: 'web', image: 'a' }] } }, [{ op: 'replace', path: '/spec/containers/0/image', value: 'b' }], { spec: { containers: [{ name: 'web', image: 'b' }] } }],
  ['a "~1" escape reaches a label key with a slash', { metadata: { labels: { 'app.kubernetes.io/name': 'x' } } }, [{ op: 'remove', path: '/metadata/labels/app.kubernetes.io~1name' }], { metadata: { labels: {} } }],
];

for (const [description, document, patch, expected] of APPLIES) {
  test(`JSON patch: ${description}`, (t) => {
    t.deepEqual(applyJsonPatch(document, patch), expected);
  });
}

// [description, document, patch, kind, message pattern]
const FAILS: [string, unknown, unknown, PatchErrorKind, RegExp][] = [
  ['A.9 testing a value: error', { baz: 'qux' }, [{ op: 'test', path: '/baz', value: 'bar' }], 'conflict', /test failed: "\/baz"/],
  ['A.12 adding to a nonexistent target', { foo: 'bar' }, [{ op: 'add', path: '/baz/bat', value: 'qux' }], 'conflict', /"\/baz\/bat".*does not exist/],
  ['A.15 comparing strings and numbers', { '/': 9, '~1': 10 }, [{ op: 'test', path: '/~01', value: '10' }], 'conflict', /test failed/],
  ['removing a missing member', { a: 1 }, [{ op: 'remove', path: '/b' }], 'conflict', /path "\/b" does not exist/],
  ['replacing a missing member', { a: 1 }, [{ op: 'replace', path: '/b', value: 2 }], 'conflict', /path "\/b" does not exist/],
  ['an array index past the end', { a: [1] }, [{ op: 'add', path: '/a/5', value: 2 }], 'conflict', /index "5" is out of range/],
  ['an array index with a leading zero', { a: [1, 2] }, [{ op: 'replace', path: '/a/01', value: 3 }], 'conflict', /"\/a\/01" does not exist/],
  ['moving from a missing path', { a: 1 }, [{ op: 'move', from: '/x', path: '/y' }], 'conflict', /from "\/x" does not exist/],
  ['removing the whole document', { a: 1 }, [{ op: 'remove', path: '' }], 'conflict', /whole document/],
  ['a patch that is not an array', { a: 1 }, { op: 'add', path: '/a', value: 1 }, 'malformed', /must be an array/],
  ['an unknown op', { a: 1 }, [{ op: 'merge', path: '/a', value: 1 }], 'malformed', /operation 0 has unknown "op" "merge"/],
  ['an add without a value', { a: 1 }, [{ op: 'add', path: '/b' }], 'malformed', /needs a "value"/],
  ['a path that is not a JSON pointer', { a: 1 }, [{ op: 'remove', path: 'a' }], 'malformed', /"a", which is not a JSON pointer/],
  ['a bad "~" escape', { a: 1 }, [{ op: 'remove', path: '/a~2' }], 'malformed', /invalid "~" escape/],
  ['a move into its own child', { a: { b: 1 } }, [{ op: 'move', from: '/a', path: '/a/b/c' }], 'malformed', /into its own child/],
  ['a copy without from', { a: 1 }, [{ op: 'copy', path: '/b' }], 'malformed', /needs a string "from"/],
];

for (const [description, document, patch, kind, message] of FAILS) {
  test(`JSON patch fails with a ${kind} error: ${description}`, (t) => {
    const err = t.throws(() => applyJsonPatch(document, patch));
    t.true(isPatchError(err, kind), `expected PatchError ${kind}, got ${String(err)}`);
    t.regex(err?.message ?? '', message);
  });
}

test('JSON patch: a failing operation leaves the document untouched, even after earlier ones applied', (t) => {
  const doc = { a: 1, list: [1, 2] };
  t.throws(() => applyJsonPatch(doc, [{ op: 'add', path: '/b', value: 2 }, { op: 'remove', path: '/list/0' }, { op: 'test', path: '/a', value: 9 }]));
  t.deepEqual(doc, { a: 1, list: [1, 2] });
});

test('JSON patch: the result shares no objects with the document or the patch', (t) => {
  const doc = { keep: { x: 1 } };
  const value = { y: [1] };
  const out = applyJsonPatch(doc, [{ op: 'add', path: '/added', value }]) as { keep: { x: number }; added: { y: number[] } };
  out.keep.x = 2;
  out.added.y.push(2);
  t.deepEqual(doc, { keep: { x: 1 } });
  t.deepEqual(value, { y: [1] });
});

test('JSON patch: a "__proto__" member is added as data, not as a prototype', (t) => {
  const out = applyJsonPatch({}, [{ op: 'add', path: '/__proto__', value: { polluted: true } }]) as Record<string, unknown>;
  t.deepEqual(Object.keys(out), ['__proto__']);
  t.is(Object.getPrototypeOf(out), Object.prototype);
  t.is(({} as Record<string, unknown>).polluted, undefined);
});
