/**
 * slowStartBatch, as the ReplicaSet controller of Kubernetes issues creates: batches of 1, 2,
 * 4, ... calls run concurrently, and the first batch with a failure is the last. A template the
 * API refuses (quota, admission, a bad field) therefore costs one request, not hundreds, while
 * a healthy one reaches full concurrency after a few round trips.
 */

/** SlowStartInitialBatchSize. */
export const SLOW_START_INITIAL_BATCH_SIZE = 1;

/** How a slow start ended: the calls that succeeded, and the first error, if any batch failed. */
export interface SlowStartResult {
  successes: number;
  error?: Error;
}

/**
 * Calls fn count times in doubling concurrent batches; stops after a batch in which any call
 * failed (the calls of that batch all finish). Calls never issued are count - successes -
 * (failures of the last batch).
 */
export async function slowStartBatch(count: number, initialBatchSize: number, fn: () => Promise<unknown>): Promise<SlowStartResult> {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer, not ${count}`);
  if (!Number.isInteger(initialBatchSize) || initialBatchSize < 1) throw new RangeError(`initialBatchSize must be a positive integer, not ${initialBatchSize}`);
  let remaining = count;
  let successes = 0;
  for (let batch = Math.min(remaining, initialBatchSize); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, async () => fn()));
    let error: Error | undefined;
    for (const r of results) {
      if (r.status === 'fulfilled') successes++;
      else error ??= r.reason instanceof Error ? r.reason : new Error(String(r.reason));
    }
    if (error) return { successes, error };
    remaining -= batch;
  }
  return { successes };
}
