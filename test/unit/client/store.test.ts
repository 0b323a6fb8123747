import test from 'ava';
import type { KObject } from '../../../src/api/types.js';
import { IndexedStore, keyOf, namespaceIndex, splitKey } from '../../../src/client/store.js';

const pod = (ns: string, name: string, node?: string): KObject => ({ kind: 'Pod', metadata: { namespace: ns, name }, spec: { nodeName: node } });
const byNode = (o: KObject) => {
  const n = (o.spec as { nodeName?: string }).nodeName;
  return n ? [n] : [];
};

test('keyOf is "ns/name" for namespaced objects and "name" otherwise; splitKey reverses it', (t) => {
  t.is(keyOf(pod('default', 'a')), 'default/a');
  t.is(keyOf({ metadata: { name: 'node-1' } }), 'node-1');
  t.deepEqual(splitKey('default/a'), { namespace: 'default', name: 'a' });
  t.deepEqual(splitKey('node-1'), { namespace: '', name: 'node-1' });
});

test('an index moves an object when its indexed value changes and drops it on delete', (t) => {
  const s = new IndexedStore<KObject>();
  s.addIndexer('node', byNode);
  s.set('default/a', pod('default', 'a', 'n1'));
  s.set('default/b', pod('default', 'b', 'n1'));
  t.deepEqual(s.indexKeys('node', 'n1').sort(), ['default/a', 'default/b']);
  s.set('default/a', pod('default', 'a', 'n2'));
  t.deepEqual(s.indexKeys('node', 'n1'), ['default/b']);
  t.deepEqual(s.byIndex('node', 'n2').map((o) => o.metadata.name), ['a']);
  s.delete('default/b');
  t.deepEqual(s.byIndex('node', 'n1'), []);
  t.deepEqual(s.indexValues('node'), ['n2'], 'empty index values are removed');
  s.set('default/a', pod('default', 'a'));
  t.deepEqual(s.indexValues('node'), [], 'an object with no values leaves the index');
});

test('an index added later covers objects already stored; names are unique', (t) => {
  const s = new IndexedStore<KObject>();
  s.set('x/a', pod('x', 'a'));
  s.set('y/b', pod('y', 'b'));
  s.addIndexer('namespace', namespaceIndex);
  t.deepEqual(s.byIndex('namespace', 'y').map((o) => o.metadata.name), ['b']);
  t.throws(() => s.addIndexer('namespace', namespaceIndex), { message: /"namespace": an indexer of that name exists/ });
});

test('an index function that throws is reported and the store stays consistent', (t) => {
  const errors: string[] = [];
  const s = new IndexedStore<KObject>((index, key, err) => errors.push(`${index} ${key} ${(err as Error).message}`));
  s.addIndexer('bad', (o) => {
    if (o.metadata.name === 'boom') throw new Error('no');
    return ['v'];
  });
  s.set('d/ok', pod('d', 'ok'));
  s.set('d/boom', pod('d', 'boom'));
  t.deepEqual(errors, ['bad d/boom no']);
  t.is(s.size, 2);
  t.deepEqual(s.indexKeys('bad', 'v'), ['d/ok']);
});
