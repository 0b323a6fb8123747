/**
 * A token bucket, as golang.org/x/time/rate's Limiter that client-go's flowcontrol and
 * workqueue.BucketRateLimiter use: qps tokens per second refill a bucket of burst tokens; a
 * caller that finds it empty reserves a future token and is told how long to wait, so waiters
 * are served in order and the long-run rate never exceeds qps.
 */
import { systemClock, type Clock } from '../util/clock.js';

export interface TokenBucketOptions {
  /** Tokens added per second; must be a positive finite number. */
  qps: number;
  /** Bucket size, the largest burst let through at once (default: ceil(qps), at least 1). */
  burst?: number;
  /** Time source (default: the system clock). */
  clock?: Clock;
}

export class TokenBucket {
  readonly qps: number;
  readonly burst: number;
  private readonly clock: Clock;
  private tokens: number;
  private last: number;

  constructor(o: TokenBucketOptions) {
    if (!(typeof o.qps === 'number' && Number.isFinite(o.qps) && o.qps > 0)) throw new RangeError(`qps must be a positive number, not ${JSON.stringify(o.qps)}`);
    const burst = o.burst ?? Math.max(1, Math.ceil(o.qps));
    if (!Number.isInteger(burst) || burst < 1) throw new RangeError(`burst must be an integer of at least 1, not ${JSON.stringify(o.burst)}`);
    this.qps = o.qps;
    this.burst = burst;
    this.clock = o.clock ?? systemClock;
    this.tokens = burst;
    this.last = this.clock.monotonic();
  }

  /**
   * Takes one token and returns how many ms the caller must wait before using it (0 when one
   * was available). The token is reserved even if the caller then gives up.
   */
  reserve(): number {
    const now = this.clock.monotonic();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.qps) / 1000);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens * 1000) / this.qps;
  }

  /** Waits for a token; rejects with the signal's reason when aborted first. */
  async wait(signal?: AbortSignal): Promise<void> {
    const ms = this.reserve();
    if (ms > 0) await this.clock.sleep(ms, signal);
  }
}
