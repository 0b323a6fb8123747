/**
 * The standard worker loop of a controller (client-go's processNextWorkItem):
 * get key -> sync(key) -> forget on success, addRateLimited on failure (logged) -> done.
 * A failing sync never ends a worker; only the queue's shutdown or the signal does.
 */
import { nullLogger, type Logger } from '../util/log.js';
import { isConflict } from './errors.js';
import type { WorkQueue } from './workqueue.js';

export interface RunWorkersOptions {
  /** Workers stop taking keys when it aborts; a sync in progress finishes (it gets the signal too). */
  signal: AbortSignal;
  log?: Logger;
  /** Name in log lines (default "worker"). */
  name?: string;
  /**
   * After this many consecutive failures a key is dropped (forgotten, not re-added) with a log
   * line, as some Kubernetes controllers do (default: never dropped).
   */
  maxRetries?: number;
}

/**
 * Runs n workers over queue; resolves when all have stopped (queue shut down and empty, or
 * signal aborted). sync receives the key and the signal.
 */
export async function runWorkers<K>(queue: WorkQueue<K>, n: number, sync: (key: K, signal: AbortSignal) => Promise<void>, o: RunWorkersOptions): Promise<void> {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`the number of workers must be a positive integer, not ${n}`);
  const log = o.log ?? nullLogger;
  const name = o.name ?? 'worker';
  const maxRetries = o.maxRetries ?? Infinity;
  const { signal } = o;

  const worker = async (): Promise<void> => {
    for (;;) {
      const key = await queue.get(signal);
      if (key === undefined) return;
      try {
        await sync(key, signal);
        queue.forget(key);
      } catch (err) {
        if (signal.aborted) {
          // Shutdown interrupted the sync: not a failure, and nobody will process a retry.
        } else if (queue.numRequeues(key) >= maxRetries) {
          log.error(`${name}: dropping ${String(key)} after ${queue.numRequeues(key)} retries`, err);
          queue.forget(key);
        } else {
          // A conflict is routine (another writer changed the object first; the retry reads it
          // again), so it is not logged as an error with its stack.
          if (isConflict(err)) log.v(2).info(`${name}: ${String(key)} changed meanwhile (conflict); retrying`, { retries: queue.numRequeues(key) });
          else log.error(`${name}: sync of ${String(key)} failed; retrying`, err, { retries: queue.numRequeues(key) });
          queue.addRateLimited(key);
        }
      } finally {
        queue.done(key);
      }
    }
  };
  await Promise.all(Array.from({ length: n }, worker));
}
