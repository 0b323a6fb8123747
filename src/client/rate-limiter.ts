/**
 * How long a failed key waits before it is retried (client-go's workqueue.RateLimiter):
 * per-key exponential backoff (ItemExponentialFailureRateLimiter, 5 ms doubling to 1000 s),
 * optionally combined with an overall token bucket (BucketRateLimiter) taking the larger of
 * the two delays (MaxOfRateLimiter), so a storm of failures cannot retry faster than the bucket.
 */
import type { Clock } from '../util/clock.js';
import { TokenBucket } from './token-bucket.js';

export interface RateLimiterOptions {
  /** Delay after the first failure of a key, ms (default 5). */
  baseDelayMs?: number;
  /** Largest per-key delay, ms (default 1,000,000: 1000 s). */
  maxDelayMs?: number;
  /** An overall limit on retries of all keys together (default: none; client-go's default controller limiter uses 10 qps, burst 100). */
  bucket?: { qps: number; burst: number };
}

export class ItemRateLimiter<K> {
  private readonly failures = new Map<K, number>();
  private readonly base: number;
  private readonly max: number;
  private readonly bucket: TokenBucket | undefined;

  constructor(o: RateLimiterOptions, clock: Clock) {
    this.base = o.baseDelayMs ?? 5;
    this.max = o.maxDelayMs ?? 1_000_000;
    if (!(Number.isFinite(this.base) && this.base > 0)) throw new RangeError(`baseDelayMs must be a positive number, not ${o.baseDelayMs}`);
    if (!(this.max >= this.base)) throw new RangeError(`maxDelayMs (${o.maxDelayMs}) must be >= baseDelayMs (${this.base})`);
    this.bucket = o.bucket ? new TokenBucket({ ...o.bucket, clock }) : undefined;
  }

  /** Records a failure of key and returns how long it should wait, ms. */
  when(key: K): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    // The exponent is bounded so the product cannot overflow to Infinity before the cap applies.
    const own = Math.min(this.max, this.base * 2 ** Math.min(n, 62));
    return this.bucket ? Math.max(own, this.bucket.reserve()) : own;
  }

  /** Failures recorded for key since it was last forgotten. */
  numRequeues(key: K): number {
    return this.failures.get(key) ?? 0;
  }

  /** Clears the failure history of key. */
  forget(key: K): void {
    this.failures.delete(key);
  }
}
