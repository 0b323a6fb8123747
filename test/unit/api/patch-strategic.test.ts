/**
 * Strategic merge patch, table-driven from the Kubernetes test suite
 * (k8s.io/apimachinery/pkg/util/strategicpatch/patch_test.go). Each Go case gives an original,
 * a patch and the expected result; "two-way" cases apply the twoWay patch to the original,
 * "three-way" cases the threeWay patch to the live ("current") object. The metadata mirrors the
 * suite's MergeItem struct tags. Inputs are frozen, so any mutation of them fails the test.
 */
import test from 'ava';
import { parse } from 'yaml';
import { isPatchError, type PatchErrorKind } from '../../../src/api/patch/errors.js';
import type { PatchMeta } from '../../../src/api/patch/meta.js';
import { applyStrategicMergePatch } from '../../../src/api/patch/strategic.js';

// MergeItem and RetainKeysMergeItem of patch_test.go, as a (recursive) metadata tree.
const mergeItemFields: Record<string, PatchMeta> = {};
const retainKeysItemFields: Record<string, PatchMeta> = {
  simpleMap: {},
  mergingIntList: { strategies: ['merge'] },
  mergingList: { strategies: ['merge'], mergeKey: 'name', fields: mergeItemFields },
  nonMergingList: { fields: mergeItemFields },
};
Object.assign(mergeItemFields, {
  mergingList: { strategies: ['merge'], mergeKey: 'name', fields: mergeItemFields },
  nonMergingList: { fields: mergeItemFields },
  mergingIntList: { strategies: ['merge'] },
  nonMergingIntList: {},
  mergeItemPtr: { strategies: ['merge'], mergeKey: 'name', fields: mergeItemFields },
  simpleMap: {},
  replacingItem: { strategies: ['replace'] },
  retainKeysMap: { strategies: ['retainKeys'], fields: retainKeysItemFields },
  retainKeysMergingList: { strategies: ['merge', 'retainKeys'], mergeKey: 'name', fields: mergeItemFields },
} satisfies Record<string, PatchMeta>);
const mergeItem: PatchMeta = { fields: mergeItemFields };

interface Case {
  description: string;
  original: string;
  patch: string;
  result?: string;
  error?: { kind: PatchErrorKind; message: RegExp };
}

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null) {
    Object.values(v).forEach(deepFreeze);
    Object.freeze(v);
  }
  return v;
}

function run(cases: Case[]): void {
  for (const c of cases) {
    test(`strategic merge (k8s suite): ${c.description}`, (t) => {
      const original = deepFreeze(parse(c.original) ?? {});
      const patch = deepFreeze(parse(c.patch) ?? {});
      if (c.error) {
        const err = t.throws(() => applyStrategicMergePatch(original, patch, mergeItem));
        t.true(isPatchError(err, c.error.kind), `expected a PatchError of kind ${c.error.kind}, got ${String(err)}`);
        t.regex(err?.message ?? '', c.error.message);
        return;
      }
      t.deepEqual(applyStrategicMergePatch(original, patch, mergeItem), parse(c.result as string) ?? {});
    });
  }
}

// ---- maps, nulls and $patch on maps ----
run([
  { description: 'nil original: the patch becomes the object', original: '', patch: 'name: 1\nvalue: 1', result: 'name: 1\nvalue: 1' },
  { description: 'nil patch leaves the object unchanged', original: 'name: 1', patch: '{}', result: 'name: 1' },
  {
    description: 'add field to map with conflict (three-way): patched fields win, others stay',
    original: 'name: a\nother: a',
    patch: 'name: 1\nvalue: 1',
    result: 'name: 1\nvalue: 1\nother: a',
  },
  {
    description: 'add field and delete field from map (three-way)',
    original: 'name: 1\nother: a',
    patch: 'name: null\nvalue: 1',
    result: 'value: 1\nother: a',
  },
  {
    description: 'delete field from nested map with conflict (three-way)',
    original: 'simpleMap:\n  key1: a\n  key2: 1\n  other: a',
    patch: 'simpleMap:\n  key1: 1\n  key2: null',
    result: 'simpleMap:\n  key1: 1\n  other: a',
  },
  {
    description: 'defined null values should propagate overwrite current fields (three-way)',
    original: 'name: a\nother: a',
    patch: 'name: 1\nvalue: 1\nother: null',
    result: 'name: 1\nvalue: 1',
  },
  {
    description: 'defined null values for fields the original lacks are not stored (two-way)',
    original: 'name: 2',
    patch: 'name: 1\nvalue: 1\nother: null',
    result: 'name: 1\nvalue: 1',
  },
  { description: 'delete map from nested map ($patch: delete leaves an empty map)', original: 'simpleMap:\n  key1: 1\n  key2: 1', patch: 'simpleMap:\n  $patch: delete', result: 'simpleMap: {}' },
  { description: 'delete all keys from map ($patch: replace at the top)', original: 'name: 1\nvalue: 1', patch: '$patch: replace', result: '{}' },
  { description: 'add key and delete all keys from map', original: 'name: 1\nvalue: 1', patch: 'other: a\n$patch: replace', result: 'other: a' },
  {
    description: 'replace non merging list nested in merging list with deletion conflict (three-way)',
    original: 'mergingList:\n  - name: 1\n    other: a\n    nonMergingList:\n      - name: 2\n        value: 2\n  - name: 2\n    other: b',
    patch: '$setElementOrder/mergingList:\n  - name: 1\n  - name: 2\nmergingList:\n  - name: 1\n    nonMergingList:\n      - name: 1\n        value: 1',
    result: 'mergingList:\n  - name: 1\n    other: a\n    nonMergingList:\n      - name: 1\n        value: 1\n  - name: 2\n    other: b',
  },
]);

// ---- lists of scalars ----
run([
  { description: 'unique scalars when merging lists', original: 'mergingIntList: [1, 2]', patch: 'mergingIntList: [2, 3]', result: 'mergingIntList: [1, 2, 3]' },
  { description: 'replace list of scalars with conflict (three-way)', original: 'nonMergingIntList: [1, 4]', patch: 'nonMergingIntList: [2, 3]', result: 'nonMergingIntList: [2, 3]' },
  { description: 'preserve the order from the patch in a merging int list', original: 'mergingIntList: [1, 2, 3]', patch: 'mergingIntList: [3, 1, 2]', result: 'mergingIntList: [3, 1, 2]' },
  { description: 'preserve the order from the patch in a merging int list with server-only items', original: 'mergingIntList: [1, 2, 3]', patch: 'mergingIntList: [3, 1]', result: 'mergingIntList: [2, 3, 1]' },
  {
    description: '$deleteFromPrimitiveList of nonexistent item in primitive list should not add the item to the list',
    original: 'mergingIntList: [1, 2]',
    patch: '$deleteFromPrimitiveList/mergingIntList: [3]',
    result: 'mergingIntList: [1, 2]',
  },
  { description: '$deleteFromPrimitiveList on empty primitive list should not add the item to the list', original: 'mergingIntList:', patch: '$deleteFromPrimitiveList/mergingIntList: [3]', result: 'mergingIntList:' },
  { description: '$deleteFromPrimitiveList on nonexistent primitive list should not add the primitive list', original: 'foo: [bar]', patch: '$deleteFromPrimitiveList/mergingIntList: [3]', result: 'foo: [bar]' },
  { description: '$deleteFromPrimitiveList should delete item from a list with merge patch strategy', original: 'mergingIntList: [1, 2, 3]', patch: '$deleteFromPrimitiveList/mergingIntList: [2]', result: 'mergingIntList: [1, 3]' },
  { description: '$deleteFromPrimitiveList should delete item from a list without merge patch strategy', original: 'nonMergingIntList: [1, 2, 3]', patch: '$deleteFromPrimitiveList/nonMergingIntList: [2]', result: 'nonMergingIntList: [1, 3]' },
  {
    description: 'delete items in lists of scalars (three-way)',
    original: 'mergingIntList: [1, 2, 3, 4]',
    patch: '$setElementOrder/mergingIntList: [1, 2]\n$deleteFromPrimitiveList/mergingIntList: [3]',
    result: 'mergingIntList: [1, 2, 4]',
  },
  {
    description: 'delete all duplicate items in lists of scalars (three-way)',
    original: 'mergingIntList: [1, 2, 3, 3, 4]',
    patch: '$setElementOrder/mergingIntList: [1, 2]\n$deleteFromPrimitiveList/mergingIntList: [3]',
    result: 'mergingIntList: [1, 2, 4]',
  },
  {
    description: 'add and delete items in lists of scalars (two-way)',
    original: 'mergingIntList: [1, 2, 3]',
    patch: '$setElementOrder/mergingIntList: [1, 2, 4]\n$deleteFromPrimitiveList/mergingIntList: [3]\nmergingIntList: [4]',
    result: 'mergingIntList: [1, 2, 4]',
  },
  { description: 'add an item in a int list and preserve order', original: 'mergingIntList: [1, 2]', patch: '$setElementOrder/mergingIntList: [3, 1, 2]\nmergingIntList: [3]', result: 'mergingIntList: [3, 1, 2]' },
  { description: 'add multiple items in a int list and preserve order', original: 'mergingIntList: [1, 2]', patch: '$setElementOrder/mergingIntList: [1, 4, 2, 3]\nmergingIntList: [4, 3]', result: 'mergingIntList: [1, 4, 2, 3]' },
  {
    description: 'delete an item in a int list and preserve order (three-way)',
    original: 'mergingIntList: [1, 2, 3]',
    patch: '$setElementOrder/mergingIntList: [2, 1]\n$deleteFromPrimitiveList/mergingIntList: [3]',
    result: 'mergingIntList: [2, 1]',
  },
  {
    description: 'add and delete an item in a int list and preserve order (three-way)',
    original: 'mergingIntList: [1, 2, 3]',
    patch: '$setElementOrder/mergingIntList: [4, 2, 1]\nmergingIntList: [4]\n$deleteFromPrimitiveList/mergingIntList: [3]',
    result: 'mergingIntList: [4, 2, 1]',
  },
  { description: 'set elements order in a int list', original: 'mergingIntList: [1, 3, 4, 2]', patch: '$setElementOrder/mergingIntList: [4, 2, 3, 1]', result: 'mergingIntList: [4, 2, 3, 1]' },
  { description: 'set elements order in a int list with server-only items', original: 'mergingIntList: [1, 3, 4, 2, 9]', patch: '$setElementOrder/mergingIntList: [4, 2, 3, 1]', result: 'mergingIntList: [4, 2, 3, 1, 9]' },
  { description: 'set elements order in a int list with server-only items 2', original: 'mergingIntList: [1, 2, 9, 3, 4]', patch: '$setElementOrder/mergingIntList: [2, 1, 4, 3]', result: 'mergingIntList: [2, 1, 9, 4, 3]' },
  { description: 'set elements order in a int list with server-only items 3', original: 'mergingIntList: [1, 2, 7, 9, 8, 3, 4]', patch: '$setElementOrder/mergingIntList: [2, 1, 4, 3]', result: 'mergingIntList: [2, 1, 7, 9, 8, 4, 3]' },
  { description: '$setElementOrder contains item that is not present in the int list to be merged', original: 'mergingIntList: [1, 3]', patch: '$setElementOrder/mergingIntList: [3, 2, 1]', result: 'mergingIntList: [3, 1]' },
  { description: 'behavior of set element order for a merging int list with duplicate', original: 'mergingIntList: [1, 2, 3, 2, 4]', patch: '$setElementOrder/mergingIntList: [2, 1, 4, 3, 2]', result: 'mergingIntList: [2, 2, 1, 4, 3]' },
]);

// ---- lists of maps merged by key, $patch on list items ----
run([
  { description: 'delete all items from merging list ($patch: replace item)', original: 'mergingList:\n  - name: 1\n  - name: 2', patch: 'mergingList:\n  - $patch: replace', result: 'mergingList: []' },
  { description: 'merge empty merging lists', original: 'mergingList: []', patch: 'mergingList: []', result: 'mergingList: []' },
  {
    description: 'delete all duplicate entries in a merging list',
    original: 'mergingList:\n  - name: 1\n  - name: 1\n  - name: 2\n    value: a\n  - name: 3\n  - name: 3',
    patch: 'mergingList:\n  - name: 1\n    $patch: delete\n  - name: 3\n    $patch: delete',
    result: 'mergingList:\n  - name: 2\n    value: a',
  },
  {
    description: 'delete all maps from merging list with conflict (three-way)',
    original: 'mergingList:\n  - name: 1\n    other: a\n  - name: 2\n    other: b',
    patch: 'mergingList:\n  - name: 1\n    $patch: delete\n  - name: 2\n    $patch: delete',
    result: 'mergingList: []',
  },
  {
    description: 'preserve the order from the patch in a merging list',
    original: 'mergingList:\n  - name: 1\n  - name: 2\n    value: b\n  - name: 3',
    patch: 'mergingList:\n  - name: 3\n    value: c\n  - name: 1\n    value: a\n  - name: 2\n    other: x',
    result: 'mergingList:\n  - name: 3\n    value: c\n  - name: 1\n    value: a\n  - name: 2\n    value: b\n    other: x',
  },
  {
    description: 'preserve the order from the patch in a merging list 2',
    original: 'mergingList:\n  - name: 1\n  - name: 2\n    value: b\n  - name: 3',
    patch: 'mergingList:\n  - name: 3\n    value: c\n  - name: 1\n    value: a',
    result: 'mergingList:\n  - name: 2\n    value: b\n  - name: 3\n    value: c\n  - name: 1\n    value: a',
  },
  {
    description: 'nested patch merge with empty list (two-way): a delete of a missing item is dropped',
    original: 'name: hi',
    patch: 'mergingList:\n- name: hello\n- $patch: delete\n  name: doesntexist',
    result: 'name: hi\nmergingList:\n- name: hello',
  },
  {
    description: 'nested patch merge with empty list (three-way)',
    original: 'name: hi\nmergingList:\n- name: hello2',
    patch: '$setElementOrder/mergingList:\n- name: hello\n- name: doesntexist\nmergingList:\n- name: hello\n- $patch: delete\n  name: doesntexist',
    result: 'name: hi\nmergingList:\n- name: hello\n- name: hello2',
  },
  {
    description: 'merge lists of maps (three-way)',
    original: 'mergingList:\n  - name: 1\n    other: a\n  - name: 2\n    value: 2\n    other: b',
    patch: '$setElementOrder/mergingList:\n  - name: 4\n  - name: 1\n  - name: 2\n  - name: 3\nmergingList:\n  - name: 4\n    value: 4\n  - name: 3\n    value: 3',
    result: 'mergingList:\n  - name: 4\n    value: 4\n  - name: 1\n    other: a\n  - name: 2\n    value: 2\n    other: b\n  - name: 3\n    value: 3',
  },
  {
    description: 'add field to map in merging list with conflict (three-way)',
    original: 'mergingList:\n  - name: 1\n    other: a\n  - name: 3\n    value: 2\n    other: b',
    patch: '$setElementOrder/mergingList:\n  - name: 1\n  - name: 2\nmergingList:\n  - name: 1\n    value: 1\n  - name: 2\n    value: 2',
    result: 'mergingList:\n  - name: 1\n    value: 1\n    other: a\n  - name: 2\n    value: 2\n  - name: 3\n    value: 2\n    other: b',
  },
  {
    description: 'delete map from merging list (three-way)',
    original: 'mergingList:\n  - name: 1\n  - name: 2\n    other: b',
    patch: '$setElementOrder/mergingList:\n  - name: 2\nmergingList:\n  - name: 1\n    $patch: delete',
    result: 'mergingList:\n  - name: 2\n    other: b',
  },
  {
    description: 'delete missing map from merging list with conflict (three-way)',
    original: 'mergingList:\n  - name: 3\n    other: a',
    patch: '$setElementOrder/mergingList:\n  - name: 2\nmergingList:\n  - name: 2\n  - name: 1\n    $patch: delete',
    result: 'mergingList:\n  - name: 2\n  - name: 3\n    other: a',
  },
  {
    description: 'add map and delete map from merging list (three-way)',
    original: 'mergingList:\n  - name: 1\n  - name: 2\n    other: b\n  - name: 4\n    other: c',
    patch: '$setElementOrder/mergingList:\n  - name: 2\n  - name: 3\nmergingList:\n  - name: 3\n  - name: 1\n    $patch: delete',
    result: 'mergingList:\n  - name: 2\n    other: b\n  - name: 4\n    other: c\n  - name: 3',
  },
  {
    description: 'add map and delete map from merging list with conflict (three-way)',
    original: 'mergingList:\n  - name: 1\n    other: a\n  - name: 4\n    other: c',
    patch: '$setElementOrder/mergingList:\n  - name: 2\n  - name: 3\nmergingList:\n  - name: 2\n  - name: 3\n  - name: 1\n    $patch: delete',
    result: 'mergingList:\n  - name: 4\n    other: c\n  - name: 2\n  - name: 3',
  },
  {
    description: 'delete field from map in merging list (three-way)',
    original: 'mergingList:\n  - name: 1\n    value: 1\n    other: a\n  - name: 2\n    value: 2\n    other: b',
    patch: '$setElementOrder/mergingList:\n  - name: 1\n  - name: 2\nmergingList:\n  - name: 1\n    value: null',
    result: 'mergingList:\n  - name: 1\n    other: a\n  - name: 2\n    value: 2\n    other: b',
  },
  {
    description: 'set elements order in a list with server-only items (three-way)',
    original: 'mergingList:\n  - name: 1\n    other: a\n  - name: 3\n    value: 3\n  - name: 4\n    value: 4\n  - name: 2\n    value: 2\n  - name: 9',
    patch: '$setElementOrder/mergingList:\n  - name: 4\n  - name: 2\n  - name: 3\n  - name: 1',
    result: 'mergingList:\n  - name: 4\n    value: 4\n  - name: 2\n    value: 2\n  - name: 3\n    value: 3\n  - name: 1\n    other: a\n  - name: 9',
  },
  {
    description: 'set elements order in a list with server-only items 3 (three-way)',
    original: 'mergingList:\n  - name: 1\n    other: a\n  - name: 2\n    value: 2\n  - name: 7\n  - name: 9\n  - name: 8\n  - name: 3\n    value: 3\n  - name: 4\n    value: 4',
    patch: '$setElementOrder/mergingList:\n  - name: 2\n  - name: 1\n  - name: 4\n  - name: 3',
    result: 'mergingList:\n  - name: 2\n    value: 2\n  - name: 1\n    other: a\n  - name: 7\n  - name: 9\n  - name: 8\n  - name: 4\n    value: 4\n  - name: 3\n    value: 3',
  },
  {
    description: '$setElementOrder contains item that is not present in the list to be merged',
    original: 'mergingList:\n  - name: 1\n  - name: 3',
    patch: '$setElementOrder/mergingList:\n  - name: 3\n  - name: 2\n  - name: 1\nmergingList:\n  - name: 3\n    value: 3\n  - name: 1\n    value: 1',
    result: 'mergingList:\n  - name: 3\n    value: 3\n  - name: 1\n    value: 1',
  },
  {
    description: 'behavior of set element order for a merging list with duplicate',
    original: 'mergingList:\n- name: 1\n- name: 2\n  value: dup1\n- name: 3\n- name: 2\n  value: dup2\n- name: 4',
    patch: '$setElementOrder/mergingList:\n- name: 2\n- name: 1\n- name: 4\n- name: 3\n- name: 2',
    result: 'mergingList:\n- name: 2\n  value: dup1\n- name: 2\n  value: dup2\n- name: 1\n- name: 4\n- name: 3',
  },
]);

// ---- $retainKeys ----
run([
  { description: 'retainKeys map can add a field when no retainKeys directive present', original: 'retainKeysMap:\n  name: foo', patch: 'retainKeysMap:\n  value: bar', result: 'retainKeysMap:\n  name: foo\n  value: bar' },
  { description: 'retainKeys map merge an empty map', original: 'retainKeysMap:\n  name: foo\n  value: a', patch: 'retainKeysMap: {}', result: 'retainKeysMap:\n  name: foo\n  value: a' },
  {
    description: 'retainKeys list can delete a field when no retainKeys directive present',
    original: 'retainKeysMergingList:\n- name: bar\n- name: foo\n  value: a',
    patch: 'retainKeysMergingList:\n- name: foo\n  value: null',
    result: 'retainKeysMergingList:\n- name: bar\n- name: foo',
  },
  { description: 'retainKeys map should clear defaulted field (three-way)', original: 'retainKeysMap:\n  value: foo', patch: 'retainKeysMap:\n  $retainKeys: [other]\n  other: bar', result: 'retainKeysMap:\n  other: bar' },
  {
    description: 'retainKeys map should clear defaulted field with conflict (discriminated union)',
    original: 'retainKeysMap:\n  name: type1\n  value: foo',
    patch: 'retainKeysMap:\n  $retainKeys: [name, other]\n  name: type2\n  other: bar',
    result: 'retainKeysMap:\n  name: type2\n  other: bar',
  },
  {
    description: 'retainKeys map deletes a field and clears a field (three-way)',
    original: 'retainKeysMap:\n  name: foo\n  value: bar\n  other: a',
    patch: 'retainKeysMap:\n  $retainKeys: [name]\n  value: null',
    result: 'retainKeysMap:\n  name: foo',
  },
  {
    description: 'retainKeys map adds an item in nested merging int list (three-way)',
    original: 'retainKeysMap:\n  name: foo\n  mergingIntList: [1, 2, 3]',
    patch: 'retainKeysMap:\n  $setElementOrder/mergingIntList: [1, 2, 4]\n  $retainKeys: [mergingIntList, name]\n  mergingIntList: [4]',
    result: 'retainKeysMap:\n  name: foo\n  mergingIntList: [1, 2, 4, 3]',
  },
  {
    description: 'retainKeys map deletes an item in nested merging int list (three-way)',
    original: 'retainKeysMap:\n  name: foo\n  mergingIntList: [1, 2, 3, 4]',
    patch: 'retainKeysMap:\n  $retainKeys: [mergingIntList, name]\n  $deleteFromPrimitiveList/mergingIntList: [2]\n  $setElementOrder/mergingIntList: [1, 3]',
    result: 'retainKeysMap:\n  name: foo\n  mergingIntList: [1, 3, 4]',
  },
  {
    description: 'retainKeys map nested merging list with no change (three-way)',
    original: 'retainKeysMap:\n  name: foo\n  mergingList:\n  - name: a\n  - name: b\n  - name: c',
    patch: 'retainKeysMap:\n  $retainKeys: [mergingList, name, value]\n  $setElementOrder/mergingList:\n    - name: a\n    - name: b\n  value: bar',
    result: 'retainKeysMap:\n  name: foo\n  value: bar\n  mergingList:\n  - name: a\n  - name: b\n  - name: c',
  },
  {
    description: 'retainKeys map deletes an item in nested merging list (three-way)',
    original: 'retainKeysMap:\n  name: foo\n  mergingList:\n  - name: a\n  - name: b\n  - name: x',
    patch: 'retainKeysMap:\n  $retainKeys: [mergingList, name]\n  $setElementOrder/mergingList:\n    - name: a\n  mergingList:\n  - name: b\n    $patch: delete',
    result: 'retainKeysMap:\n  name: foo\n  mergingList:\n  - name: a\n  - name: x',
  },
  {
    description: 'retainKeys list of maps clears a field (three-way)',
    original: 'retainKeysMergingList:\n- name: bar\n- name: foo\n  value: a\n  other: x',
    patch: '$setElementOrder/retainKeysMergingList:\n  - name: bar\n  - name: foo\nretainKeysMergingList:\n- $retainKeys: [name, value]\n  name: foo',
    result: 'retainKeysMergingList:\n- name: bar\n- name: foo\n  value: a',
  },
]);

// ---- errors: what Go rejects, we reject, naming the place ----
run([
  {
    description: 'should check if order in $setElementOrder and patch list match',
    original: 'mergingList:\n  - name: 1\n  - name: 3\n  - name: 2',
    patch: '$setElementOrder/mergingList:\n  - name: 1\n  - name: 2\n  - name: 3\nmergingList:\n  - name: 3\n    value: 3\n  - name: 1\n    value: 1',
    error: { kind: 'malformed', message: /"\["\$setElementOrder\/mergingList"\]".*does not match/ },
  },
  {
    description: 'should check if order in $setElementOrder and patch int list match',
    original: 'mergingIntList: [1, 3, 2]',
    patch: '$setElementOrder/mergingIntList: [1, 2, 3]\nmergingIntList: [3, 1]',
    error: { kind: 'malformed', message: /does not match/ },
  },
  {
    description: 'missing merge key should error out',
    original: 'mergingList:\n  - name: 1\n    value: a',
    patch: 'mergingList:\n  - value: b',
    error: { kind: 'malformed', message: /"mergingList\[0\]".*does not contain declared merge key "name"/ },
  },
]);
