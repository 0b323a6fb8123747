import test from 'ava';
import { StatusError } from '../../../src/api/errors.js';
import type { KList } from '../../../src/api/types.js';
import { listAllPages, type PageRequest } from '../../../src/client/pager.js';

/** A paged list of n numbers; tokens are offsets. expireAt makes the continue at that offset answer 410. */
function pagedSource(n: number, expireAt?: number) {
  const requests: PageRequest[] = [];
  const list = async (req: PageRequest): Promise<KList<number>> => {
    requests.push(req);
    const start = req.continue ? Number(req.continue) : 0;
    if (req.continue && start === expireAt) throw new StatusError({ code: 410, reason: 'Expired', message: 'continue too old' });
    const end = req.limit ? Math.min(n, start + req.limit) : n;
    const items = Array.from({ length: end - start }, (_, i) => start + i);
    return { metadata: { resourceVersion: '7', ...(end < n ? { continue: String(end), remainingItemCount: n - end } : {}) }, items };
  };
  return { list, requests };
}

test('listAllPages follows continue tokens and joins the pages', async (t) => {
  const src = pagedSource(7);
  const all = await listAllPages(src.list, 3);
  t.deepEqual(all.items, [0, 1, 2, 3, 4, 5, 6]);
  t.deepEqual(all.metadata, { resourceVersion: '7' }, 'no continue token is left on the joined list');
  t.deepEqual(src.requests, [{ limit: 3 }, { limit: 3, continue: '3' }, { limit: 3, continue: '6' }]);
});

test('listAllPages falls back to one unpaged list when a continue token expires', async (t) => {
  const src = pagedSource(7, 6);
  const all = await listAllPages(src.list, 3);
  t.deepEqual(all.items, [0, 1, 2, 3, 4, 5, 6]);
  t.deepEqual(src.requests.at(-1), {});
});

test('listAllPages passes other errors through', async (t) => {
  await t.throwsAsync(
    () =>
      listAllPages(async () => {
        throw new Error('refused');
      }),
    { message: 'refused' },
  );
});
