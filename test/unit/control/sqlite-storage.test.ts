import test from 'ava';
import { join } from 'node:path';
import {
  CompactedError,
  KeyExistsError,
  KeyNotFoundError,
  RevisionConflictError,
  type StorageEvent,
} from '../../../src/control/apiserver/storage/interface.js';
import { SqliteStorage } from '../../../src/control/apiserver/storage/sqlite.js';
import { tempDir } from '../../helpers/tmp.js';

function open(t: Parameters<typeof tempDir>[0], dir = tempDir(t)) {
  const s = new SqliteStorage({ path: join(dir, 'state.db') });
  t.teardown(() => s.close());
  return { s, dir };
}

test('sqlite storage: every write moves the one cluster revision forward by one', async (t) => {
  const { s } = open(t);
  t.is(s.revision(), 0);
  const a = await s.create('/a/1', 'one');
  const b = await s.create('/b/1', 'two');
  const a2 = await s.update('/a/1', 'one-b', a.modRevision);
  const d = await s.delete('/b/1');
  t.deepEqual([a.modRevision, b.modRevision, a2.modRevision, d.modRevision], [1, 2, 3, 4]);
  t.is(a2.createRevision, 1);
  t.is(d.value, 'two');
  t.is(s.revision(), 4);
});

test('sqlite storage: create of an existing key fails with KeyExistsError', async (t) => {
  const { s } = open(t);
  await s.create('/k', 'v');
  await t.throwsAsync(s.create('/k', 'w'), { instanceOf: KeyExistsError });
  t.is((await s.get('/k'))?.value, 'v');
});

test('sqlite storage: update guarded by a stale revision fails and writes nothing', async (t) => {
  const { s } = open(t);
  const kv = await s.create('/k', 'v1');
  await s.update('/k', 'v2', kv.modRevision);
  const err = await t.throwsAsync(s.update('/k', 'v3', kv.modRevision), { instanceOf: RevisionConflictError });
  t.is(err?.actual, 2);
  t.is((await s.get('/k'))?.value, 'v2');
  await t.throwsAsync(s.update('/missing', 'x', 1), { instanceOf: KeyNotFoundError });
  await t.throwsAsync(s.delete('/k', kv.modRevision), { instanceOf: RevisionConflictError });
});

test('sqlite storage: concurrent writes in one turn are committed together and all acknowledged', async (t) => {
  const { s } = open(t);
  const results = await Promise.allSettled([
    s.create('/c/1', 'a'),
    s.create('/c/2', 'b'),
    s.create('/c/1', 'dup'), // conflicts inside the same batch
    s.create('/c/3', 'c'),
  ]);
  t.deepEqual(results.map((r) => r.status), ['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
  const list = await s.list('/c/');
  t.deepEqual(list.items.map((i) => i.value), ['a', 'b', 'c']);
  t.is(list.revision, 3);
});

test('sqlite storage: list pages by key and can read an older revision', async (t) => {
  const { s } = open(t);
  for (const n of ['b', 'a', 'd', 'c']) await s.create(`/p/${n}`, n);
  await s.create('/q/x', 'other prefix');
  const first = await s.list('/p/', { limit: 3 });
  t.deepEqual(first.items.map((i) => i.key), ['/p/a', '/p/b', '/p/c']);
  t.true(first.more);
  t.is(first.remaining, 1);
  const second = await s.list('/p/', { limit: 3, startAfter: '/p/c' });
  t.deepEqual(second.items.map((i) => i.key), ['/p/d']);
  t.false(second.more);
  const rev = s.revision();
  const cur = await s.get('/p/a');
  await s.update('/p/a', 'a2', cur!.modRevision);
  await s.delete('/p/b');
  const old = await s.list('/p/', { revision: rev });
  t.deepEqual(old.items.map((i) => `${i.key}=${i.value}`), ['/p/a=a', '/p/b=b', '/p/c=c', '/p/d=d']);
  const now = await s.list('/p/');
  t.deepEqual(now.items.map((i) => `${i.key}=${i.value}`), ['/p/a=a2', '/p/c=c', '/p/d=d']);
});

test('sqlite storage: watch replays history from a revision, then streams, with previous values', async (t) => {
  const { s } = open(t);
  const a = await s.create('/w/a', '1');
  await s.create('/other/z', 'skip');
  await s.update('/w/a', '2', a.modRevision);
  const seen: StorageEvent[] = [];
  const ac = new AbortController();
  t.teardown(() => ac.abort());
  s.watch('/w/', 2, (evs) => seen.push(...evs), ac.signal);
  t.deepEqual(seen.map((e) => [e.type, e.kv.modRevision, e.kv.value, e.prevKv?.value]), [['put', 3, '2', '1']]);
  await s.delete('/w/a');
  await s.create('/other/y', 'skip');
  t.deepEqual(seen.map((e) => [e.type, e.kv.modRevision, e.kv.value]), [
    ['put', 3, '2'],
    ['delete', 4, '2'],
  ]);
  ac.abort();
  await s.create('/w/b', 'after abort');
  t.is(seen.length, 2);
});

test('sqlite storage: compaction keeps the current state, refuses older watches and lists', async (t) => {
  const { s } = open(t);
  const a = await s.create('/k/a', '1');
  await s.update('/k/a', '2', a.modRevision);
  await s.create('/k/b', 'x');
  await s.delete('/k/b');
  await s.compact(4);
  t.is(s.compactedRevision(), 4);
  t.deepEqual((await s.list('/k/')).items.map((i) => i.value), ['2']);
  t.throws(() => s.watch('/k/', 3, () => {}, new AbortController().signal), { instanceOf: CompactedError });
  await t.throwsAsync(s.list('/k/', { revision: 2 }), { instanceOf: CompactedError });
});

test('sqlite storage: state and revision survive a reopen, and revisions never move backwards', async (t) => {
  const dir = tempDir(t);
  const first = new SqliteStorage({ path: join(dir, 'state.db') });
  const kv = await first.create('/r/a', 'a');
  await first.create('/r/b', 'b');
  await first.delete('/r/b');
  await first.compact(3); // removes the tombstone, the newest row
  await first.close();
  const second = new SqliteStorage({ path: join(dir, 'state.db') });
  t.teardown(() => second.close());
  t.is(second.revision(), 3);
  const next = await second.update('/r/a', 'a2', kv.modRevision);
  t.is(next.modRevision, 4);
  t.is((await second.get('/r/b')), undefined);
});
