/**
 * Waits for a condition instead of sleeping: calls fn until it returns a value other than
 * false/undefined/null without throwing, and resolves with that value. Fails with the last
 * error (or the message) when timeoutMs passes first.
 */
import { setTimeout as delay } from 'node:timers/promises';

export interface EventuallyOptions {
  /** Give up after this long, ms (default 5000). */
  timeoutMs?: number;
  /** Pause between attempts, ms (default 10). */
  intervalMs?: number;
  /** Says what was awaited, for the failure message. */
  message?: string;
}

export async function eventually<T>(fn: () => T | Promise<T>, o: EventuallyOptions = {}): Promise<NonNullable<Exclude<T, false>>> {
  const timeoutMs = o.timeoutMs ?? 5000;
  const deadline = performance.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== false && v !== undefined && v !== null) return v as NonNullable<Exclude<T, false>>;
      last = undefined;
    } catch (err) {
      last = err;
    }
    if (performance.now() >= deadline) {
      const what = o.message ?? 'condition';
      const why = last instanceof Error ? `: ${last.message}` : last !== undefined ? `: ${String(last)}` : '';
      throw new Error(`${what} not met within ${timeoutMs} ms${why}`, { cause: last });
    }
    await delay(o.intervalMs ?? 10);
  }
}
