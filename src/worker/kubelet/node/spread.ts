/**
 * Runs a task per key every interval, with the keys' runs spread evenly over the interval: one
 * timer and one heap for any number of keys. Hollow nodes use it so 5,000 leases are renewed
 * at an even 500 per second rather than in bursts, and a kubelet uses it with one key.
 *
 * Each key keeps its phase: the next run is due one interval after the previous one was due, not
 * after it finished, so a slow API server does not make the renewals drift. A run may ask for an
 * earlier retry (a failed renewal) by resolving with a delay. At most `concurrency` runs are in
 * flight; the rest wait their turn in due order.
 */
import type { Clock } from '../../../util/clock.js';
import type { Logger } from '../../../util/log.js';

export interface SpreadSchedulerOptions<K> {
  /** Time between two runs of a key, ms. */
  intervalMs: number;
  /** The task; resolves with ms until its next run to override the interval (a retry). */
  run(key: K): Promise<number | void>;
  clock: Clock;
  log: Logger;
  /** Runs in flight at once (default 32). */
  concurrency?: number;
}

interface Entry<K> {
  key: K;
  /** Monotonic ms when the next run is due. */
  due: number;
  /** Bumped on remove/re-add, so a stale heap slot or a run finishing late is ignored. */
  gen: number;
  removed: boolean;
}

const GOLDEN = 0.6180339887498949;

/** Where in the interval the n-th key runs: the golden-ratio sequence fills any prefix evenly. */
export function spreadOffset(n: number, intervalMs: number): number {
  return Math.floor(((n * GOLDEN) % 1) * intervalMs);
}

export class SpreadScheduler<K> {
  private readonly heap: { e: Entry<K>; due: number; gen: number }[] = [];
  private readonly entries = new Map<K, Entry<K>>();
  private readonly ready: { e: Entry<K>; gen: number }[] = [];
  private readonly concurrency: number;
  private inFlight = 0;
  private added = 0;
  private cancelTimer: (() => void) | undefined;
  private timerAt = Infinity;
  private stopped = false;

  constructor(private readonly o: SpreadSchedulerOptions<K>) {
    if (!(o.intervalMs > 0)) throw new RangeError(`intervalMs must be > 0, not ${o.intervalMs}`);
    this.concurrency = o.concurrency ?? 32;
    if (!(Number.isInteger(this.concurrency) && this.concurrency > 0)) throw new RangeError(`concurrency must be a positive integer, not ${o.concurrency}`);
  }

  /**
   * Schedules key: its first run after firstInMs (default: its spread offset in the interval),
   * then every interval. Adding a key again reschedules it.
   */
  add(key: K, firstInMs?: number): void {
    if (this.stopped) return;
    const old = this.entries.get(key);
    if (old) old.removed = true;
    const first = firstInMs ?? spreadOffset(this.added++, this.o.intervalMs);
    const e: Entry<K> = { key, due: this.o.clock.monotonic() + Math.max(0, first), gen: (old?.gen ?? 0) + 1, removed: false };
    this.entries.set(key, e);
    this.push(e);
  }

  /** Stops running key's task (a run in flight finishes). */
  remove(key: K): void {
    const e = this.entries.get(key);
    if (!e) return;
    e.removed = true;
    this.entries.delete(key);
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Monotonic time the next run of key is due, if it is scheduled. */
  dueAt(key: K): number | undefined {
    return this.entries.get(key)?.due;
  }

  /** Stops every task; runs in flight finish. */
  stop(): void {
    this.stopped = true;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.entries.clear();
    this.heap.length = 0;
    this.ready.length = 0;
  }

  private push(e: Entry<K>): void {
    const h = this.heap;
    h.push({ e, due: e.due, gen: e.gen });
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]!.due <= h[i]!.due) break;
      [h[p], h[i]] = [h[i]!, h[p]!];
      i = p;
    }
    this.arm();
  }

  private pop(): { e: Entry<K>; due: number; gen: number } | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && h[l]!.due < h[m]!.due) m = l;
        if (r < h.length && h[r]!.due < h[m]!.due) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i]!, h[m]!];
        i = m;
      }
    }
    return top;
  }

  private arm(): void {
    if (this.stopped) return;
    // Drop stale slots at the top so the timer aims at a live entry.
    while (this.heap.length > 0 && this.stale(this.heap[0]!)) this.pop();
    const top = this.heap[0];
    if (!top) return;
    if (top.due >= this.timerAt && this.cancelTimer) return;
    this.cancelTimer?.();
    this.timerAt = top.due;
    this.cancelTimer = this.o.clock.setTimer(Math.max(0, top.due - this.o.clock.monotonic()), () => {
      this.cancelTimer = undefined;
      this.timerAt = Infinity;
      this.fire();
    });
  }

  private stale(slot: { e: Entry<K>; due: number; gen: number }): boolean {
    return slot.e.removed || slot.gen !== slot.e.gen || slot.due !== slot.e.due;
  }

  private fire(): void {
    const now = this.o.clock.monotonic();
    while (this.heap.length > 0 && this.heap[0]!.due <= now) {
      const slot = this.pop()!;
      if (this.stale(slot)) continue;
      this.ready.push({ e: slot.e, gen: slot.gen });
    }
    this.drain();
    this.arm();
  }

  private drain(): void {
    while (this.inFlight < this.concurrency && this.ready.length > 0) {
      const { e, gen } = this.ready.shift()!;
      if (e.removed || e.gen !== gen) continue;
      this.inFlight++;
      void this.runOne(e, gen);
    }
  }

  private async runOne(e: Entry<K>, gen: number): Promise<void> {
    let override: number | void = undefined;
    try {
      override = await this.o.run(e.key);
    } catch (err) {
      this.o.log.error('periodic task failed', err, { key: String(e.key) });
    } finally {
      this.inFlight--;
    }
    if (!this.stopped && !e.removed && e.gen === gen) {
      const now = this.o.clock.monotonic();
      if (typeof override === 'number' && override >= 0) e.due = now + override;
      else {
        // Keep the phase; if we fell behind by whole intervals, skip them rather than run in a burst.
        e.due += this.o.intervalMs;
        if (e.due <= now) e.due += Math.ceil((now - e.due) / this.o.intervalMs) * this.o.intervalMs;
      }
      this.push(e);
    }
    this.drain();
  }
}
