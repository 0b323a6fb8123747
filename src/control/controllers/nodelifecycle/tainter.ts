/**
 * The per-zone, rate-limited queue of nodes waiting for a NoExecute taint
 * (pkg/controller/nodelifecycle/scheduler's RateLimitedTimedQueue): adding a NoExecute taint
 * starts evictions, so Kubernetes limits how many nodes per second get one (--node-eviction-rate,
 * one at once), per zone, and stops altogether when a zone or the whole cluster looks disrupted.
 *
 * A node stays a member after it was tainted (it is only taken off the queue), so it is not
 * queued again until remove() is called when it becomes Ready: that is how Kubernetes avoids
 * re-tainting a node, and re-stamping timeAdded, on every monitor pass.
 */
import type { Clock } from '../../../util/clock.js';

/** A token bucket of burst 1 that never waits (flowcontrol's TryAccept); qps <= 0 never accepts. */
export class TryLimiter {
  private tokens = 1;
  private last: number;

  constructor(
    readonly qps: number,
    private readonly clock: Clock,
  ) {
    this.last = clock.monotonic();
    if (!(qps > 0)) this.tokens = 0;
  }

  /** Takes a token if one is there. */
  tryAccept(): boolean {
    if (!(this.qps > 0)) return false;
    const now = this.clock.monotonic();
    this.tokens = Math.min(1, this.tokens + ((now - this.last) * this.qps) / 1000);
    this.last = now;
    // The epsilon absorbs float error: 0.9 s + 0.1 s of refill must make a whole token.
    if (this.tokens < 1 - 1e-9) return false;
    this.tokens = Math.max(0, this.tokens - 1);
    return true;
  }
}

interface Entry {
  value: string;
  uid: string;
  /** Monotonic ms before which the entry is not processed (a retry's wait). */
  processAt: number;
  seq: number;
}

/** What the action returns: done, or retry after ms. */
export type TryResult = { done: true } | { done: false; retryAfterMs: number };

export class RateLimitedTimedQueue {
  private queue: Entry[] = [];
  private readonly members = new Set<string>();
  private limiter: TryLimiter;
  private seq = 0;

  constructor(
    qps: number,
    private readonly clock: Clock,
  ) {
    this.limiter = new TryLimiter(qps, clock);
  }

  /** Queues value unless it is a member already; returns whether it was added. */
  add(value: string, uid: string): boolean {
    if (this.members.has(value)) return false;
    this.members.add(value);
    this.queue.push({ value, uid, processAt: this.clock.monotonic(), seq: this.seq++ });
    this.sort();
    return true;
  }

  /** Forgets value (queued or not); returns whether it was a member. */
  remove(value: string): boolean {
    this.queue = this.queue.filter((e) => e.value !== value);
    return this.members.delete(value);
  }

  /** Values waiting to be processed, in order. */
  pending(): string[] {
    return this.queue.map((e) => e.value);
  }

  /** The current rate, per second. */
  rate(): number {
    return this.limiter.qps;
  }

  /** Changes the rate; a limiter that is out of tokens hands its emptiness to the new one. */
  swapLimiter(qps: number): void {
    if (this.limiter.qps === qps) return;
    const next = new TryLimiter(qps, this.clock);
    if (qps > 0 && !this.limiter.tryAccept()) next.tryAccept();
    this.limiter = next;
  }

  /**
   * Processes due entries in order while the rate limit allows (Try): each takes a token; an
   * action that fails puts its entry back after retryAfterMs; a done entry leaves the queue but
   * stays a member.
   */
  async try(fn: (value: string, uid: string) => Promise<TryResult>): Promise<void> {
    for (;;) {
      const head = this.queue[0];
      if (!head) return;
      if (!this.limiter.tryAccept()) return;
      const now = this.clock.monotonic();
      if (now < head.processAt) return;
      const r = await fn(head.value, head.uid);
      // The entry may have been removed (node Ready again) while fn ran.
      const i = this.queue.indexOf(head);
      if (i < 0) continue;
      if (r.done) this.queue.splice(i, 1);
      else {
        head.processAt = this.clock.monotonic() + r.retryAfterMs + 1;
        this.sort();
      }
    }
  }

  private sort(): void {
    this.queue.sort((a, b) => a.processAt - b.processAt || a.seq - b.seq);
  }
}
