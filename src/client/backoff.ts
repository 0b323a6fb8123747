/**
 * Capped exponential backoff with jitter for reconnect loops (client-go's
 * wait.Backoff / BackoffManager as the reflector uses it). Jitter spreads the retries of many
 * clients that lost the same server, so they do not all come back in the same millisecond.
 */

export interface BackoffOptions {
  /** First delay, ms (default 100). */
  initialMs?: number;
  /** Largest delay, ms (default 10,000). */
  maxMs?: number;
  /** Growth per failure (default 2). */
  factor?: number;
  /**
   * Fraction of each delay that is random (default 0.5): a delay d becomes a value in
   * [d * (1 - jitter), d], so the cap is never exceeded.
   */
  jitter?: number;
  /** Random source in [0, 1) (default Math.random); tests pass a fixed one. */
  random?: () => number;
}

export class Backoff {
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly factor: number;
  private readonly jitter: number;
  private readonly random: () => number;
  private failures = 0;

  constructor(o: BackoffOptions = {}) {
    this.initialMs = o.initialMs ?? 100;
    this.maxMs = o.maxMs ?? 10_000;
    this.factor = o.factor ?? 2;
    this.jitter = o.jitter ?? 0.5;
    this.random = o.random ?? Math.random;
    if (!(this.initialMs >= 0)) throw new RangeError(`initialMs must be >= 0, not ${o.initialMs}`);
    if (!(this.maxMs >= this.initialMs)) throw new RangeError(`maxMs (${o.maxMs}) must be >= initialMs (${this.initialMs})`);
    if (!(this.factor >= 1)) throw new RangeError(`factor must be >= 1, not ${o.factor}`);
    if (!(this.jitter >= 0 && this.jitter <= 1)) throw new RangeError(`jitter must be within [0, 1], not ${o.jitter}`);
  }

  /** The delay before the next attempt, growing with each call until reset(). */
  next(): number {
    // The exponent is bounded so that a long outage cannot overflow it to Infinity (0 * Infinity is NaN).
    const base = Math.min(this.maxMs, this.initialMs * this.factor ** Math.min(this.failures, 64));
    this.failures++;
    return Math.round(base * (1 - this.jitter * this.random()));
  }

  /** Forgets past failures: the next delay is initialMs again. */
  reset(): void {
    this.failures = 0;
  }

  /** Failures counted since the last reset. */
  get attempts(): number {
    return this.failures;
  }
}
