/**
 * The work queue of controllers, with client-go's util/workqueue semantics:
 *
 * - A key is queued at most once however often it is added (dirty set), and
 * - is never handed to two workers at once: a key added while a worker holds it is queued again
 *   only when that worker calls done(key), so the next sync sees the newest state.
 * - addAfter(key, ms) adds later (an earlier request for the same key wins), via the Clock.
 * - addRateLimited(key) adds after a per-key exponential backoff (and an optional overall token
 *   bucket); forget(key) clears it after a success.
 * - get() waits for a key; after shutDown() it returns what is still queued, then undefined.
 *
 * Keys are compared as Map keys: strings compare by value, objects by identity.
 */
import { systemClock, type Clock } from '../util/clock.js';
import { ItemRateLimiter, type RateLimiterOptions } from './rate-limiter.js';

export { runWorkers, type RunWorkersOptions } from './workers.js';

/**
 * Observations of a queue, for metrics (client-go's workqueue MetricsProvider); every method is
 * optional. Wiring them to prom-client is the caller's business.
 */
export interface WorkQueueMetrics {
  /** The number of keys waiting for a worker changed to n. */
  depth?(n: number): void;
  /** A key not already queued was added. */
  add?(): void;
  /** A worker took a key that had waited this long since it was added, seconds. */
  queueLatency?(seconds: number): void;
  /** A worker held a key this long (get to done), seconds. */
  workDuration?(seconds: number): void;
  /** A key was re-added through addRateLimited. */
  retry?(): void;
}

export interface WorkQueueOptions extends RateLimiterOptions {
  /** Time source of addAfter, backoff and metrics (default: the system clock). */
  clock?: Clock;
  metrics?: WorkQueueMetrics;
}

interface Getter<K> {
  resolve(key: K | undefined): void;
}

export class WorkQueue<K = string> {
  /** FIFO of keys ready for a worker: items[head..] (an array with a moving head, so taking is O(1)). */
  private items: K[] = [];
  private head = 0;
  /** Keys that need processing: queued, or added again while being processed. */
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  private readonly addedAt = new Map<K, number>();
  private readonly startedAt = new Map<K, number>();
  private readonly waiting = new Map<K, { at: number; cancel: () => void }>();
  private readonly getters = new Set<Getter<K>>();
  private readonly drainWaiters: (() => void)[] = [];
  private readonly limiter: ItemRateLimiter<K>;
  private readonly clock: Clock;
  private readonly metrics: WorkQueueMetrics;
  private shuttingDown = false;

  constructor(o: WorkQueueOptions = {}) {
    this.clock = o.clock ?? systemClock;
    this.metrics = o.metrics ?? {};
    this.limiter = new ItemRateLimiter<K>(o, this.clock);
  }

  /** Queues key unless it is queued already; ignored after shutDown. */
  add(key: K): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    this.addedAt.set(key, this.clock.monotonic());
    this.metrics.add?.();
    // A key being processed is queued again by done(), never handed to a second worker.
    if (this.processing.has(key)) return;
    this.enqueue(key);
  }

  /** Adds key after ms (at once when ms <= 0). While it waits, an earlier request replaces a later one. */
  addAfter(key: K, ms: number): void {
    if (this.shuttingDown) return;
    if (!(ms > 0)) return this.add(key);
    const at = this.clock.monotonic() + ms;
    const pending = this.waiting.get(key);
    if (pending && pending.at <= at) return;
    pending?.cancel();
    const cancel = this.clock.setTimer(ms, () => {
      this.waiting.delete(key);
      this.add(key);
    });
    this.waiting.set(key, { at, cancel });
  }

  /** Adds key after its backoff: base * 2^failures, capped (and the overall bucket, if any). */
  addRateLimited(key: K): void {
    if (this.shuttingDown) return;
    this.metrics.retry?.();
    this.addAfter(key, this.limiter.when(key));
  }

  /** Clears key's failure history (call after a successful sync). */
  forget(key: K): void {
    this.limiter.forget(key);
  }

  /** How many times key was re-added with addRateLimited since it was last forgotten. */
  numRequeues(key: K): number {
    return this.limiter.numRequeues(key);
  }

  /**
   * The next key; the caller owns it until done(key). Waits while the queue is empty. Resolves
   * undefined when the queue is shut down and empty, or when signal aborts.
   */
  get(signal?: AbortSignal): Promise<K | undefined> {
    if (this.head < this.items.length) return Promise.resolve(this.take());
    if (this.shuttingDown || signal?.aborted) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const onAbort = () => {
        this.getters.delete(g);
        resolve(undefined);
      };
      const g: Getter<K> = {
        resolve: (k) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(k);
        },
      };
      this.getters.add(g);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Marks key processed; if it was added meanwhile, it is queued again now. */
  done(key: K): void {
    if (!this.processing.delete(key)) return;
    const started = this.startedAt.get(key);
    this.startedAt.delete(key);
    if (started !== undefined) this.metrics.workDuration?.((this.clock.monotonic() - started) / 1000);
    if (this.dirty.has(key)) this.enqueue(key);
    this.checkDrained();
  }

  /** Keys waiting for a worker (not those being processed or waiting for addAfter). */
  len(): number {
    return this.items.length - this.head;
  }

  /** Whether shutDown was called. */
  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /**
   * Stops accepting keys and drops pending addAfter timers. get() still returns what is queued,
   * then undefined; getters that are waiting get undefined at once.
   */
  shutDown(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    for (const w of this.waiting.values()) w.cancel();
    this.waiting.clear();
    for (const g of this.getters) g.resolve(undefined);
    this.getters.clear();
    this.checkDrained();
  }

  /**
   * Shuts down, then resolves once every key queued or being processed has been handed out and
   * marked done, so workers finish their work. Resolves early (without waiting) when signal aborts.
   */
  shutDownWithDrain(signal?: AbortSignal): Promise<void> {
    this.shutDown();
    if (this.drained() || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const finish = () => {
        signal?.removeEventListener('abort', finish);
        const i = this.drainWaiters.indexOf(finish);
        if (i >= 0) this.drainWaiters.splice(i, 1);
        resolve();
      };
      this.drainWaiters.push(finish);
      signal?.addEventListener('abort', finish, { once: true });
    });
  }

  private drained(): boolean {
    return this.len() === 0 && this.processing.size === 0;
  }

  private checkDrained(): void {
    if (this.drainWaiters.length && this.shuttingDown && this.drained()) for (const w of [...this.drainWaiters]) w();
  }

  private enqueue(key: K): void {
    // A waiting worker gets the key directly: the queue is empty whenever a getter waits.
    const first = this.getters.values().next();
    if (!first.done) {
      this.getters.delete(first.value);
      first.value.resolve(this.hand(key));
      return;
    }
    this.items.push(key);
    this.metrics.depth?.(this.len());
  }

  private take(): K {
    const key = this.items[this.head]!;
    this.items[this.head] = undefined as K; // let it be collected
    this.head++;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    this.metrics.depth?.(this.len());
    return this.hand(key);
  }

  private hand(key: K): K {
    this.dirty.delete(key);
    this.processing.add(key);
    const now = this.clock.monotonic();
    const added = this.addedAt.get(key);
    this.addedAt.delete(key);
    if (added !== undefined) this.metrics.queueLatency?.((now - added) / 1000);
    this.startedAt.set(key, now);
    return key;
  }
}
