/**
 * Lists in pages (limit + continue) and joins them, as client-go's tools/pager does. The pages
 * of one list are a snapshot at the first page's resourceVersion; when that snapshot is
 * compacted before the last page (410 on a continue token), the list falls back to one unpaged
 * request, which is always consistent.
 */
import type { KList } from '../api/types.js';
import { isGone } from './errors.js';

/** What one page request asks for. */
export interface PageRequest {
  limit?: number;
  continue?: string;
  resourceVersion?: string;
}

/** Default page size, as client-go's pager. */
export const DEFAULT_PAGE_SIZE = 500;

/**
 * Calls listPage until the server sends no continue token and returns every item in one list
 * whose resourceVersion is that of the snapshot. pageSize 0 asks for everything at once.
 */
export async function listAllPages<T>(listPage: (req: PageRequest) => Promise<KList<T>>, pageSize = DEFAULT_PAGE_SIZE, resourceVersion?: string): Promise<KList<T>> {
  if (!Number.isInteger(pageSize) || pageSize < 0) throw new RangeError(`pageSize must be a non-negative integer, not ${pageSize}`);
  const first = await listPage({ ...(pageSize ? { limit: pageSize } : {}), ...(resourceVersion ? { resourceVersion } : {}) });
  let token = first.metadata.continue;
  if (!token) return first;
  const items = [...first.items];
  try {
    while (token) {
      const page = await listPage({ limit: pageSize, continue: token });
      for (const item of page.items) items.push(item);
      token = page.metadata.continue;
    }
  } catch (err) {
    if (!isGone(err)) throw err;
    // The snapshot is gone: the remaining pages cannot be had consistently, so start over unpaged.
    return listPage(resourceVersion ? { resourceVersion } : {});
  }
  const { continue: _drop, remainingItemCount: _n, ...meta } = first.metadata;
  return { ...first, metadata: meta, items };
}
