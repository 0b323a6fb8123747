/** RevisionTracker: "synced to revision" waits, in resourceVersion order. */
import test from 'ava';
import { compareResourceVersions, RevisionTracker } from '../../../src/worker/proxy/revisions.js';

const order = [
  { a: '9', b: '10', want: -1 },
  { a: '10', b: '9', want: 1 },
  { a: '00012', b: '12', want: 0 },
  { a: '', b: '1', want: -1 },
  { a: '123456789012345678901', b: '123456789012345678900', want: 1 },
];
for (const c of order) {
  test(`compareResourceVersions("${c.a}", "${c.b}") is ${c.want}`, (t) => {
    t.is(Math.sign(compareResourceVersions(c.a, c.b)), c.want);
  });
}

test('wait() resolves when the kind reaches the revision, not before, and not for another kind', async (t) => {
  const r = new RevisionTracker<'A' | 'B'>();
  const seen: string[] = [];
  const w = r.wait('A', '10').then(() => seen.push('A10'));
  r.advance('B', '20');
  r.advance('A', '9');
  await Promise.resolve();
  t.deepEqual(seen, []);
  r.advance('A', '11');
  await w;
  t.deepEqual(seen, ['A10']);
  t.is(r.current('A'), '11');
  await r.wait('A', '5'); // already past: resolves at once
});

test('advance() never goes back', (t) => {
  const r = new RevisionTracker<'A'>();
  r.advance('A', '10');
  r.advance('A', '9');
  r.advance('A', '');
  t.is(r.current('A'), '10');
});

test('wait() rejects on abort and on close', async (t) => {
  const r = new RevisionTracker<'A'>();
  const ac = new AbortController();
  const aborted = r.wait('A', '5', ac.signal);
  ac.abort(new Error('gave up'));
  await t.throwsAsync(aborted, { message: 'gave up' });
  const pending = r.wait('A', '5');
  r.close(new Error('closed'));
  await t.throwsAsync(pending, { message: 'closed' });
  await t.throwsAsync(r.wait('A', '1'), { message: 'closed' });
});
