/**
 * One worker per pod (pkg/kubelet/pod_workers.go): syncs of a pod never overlap, requests that
 * arrive while one runs are coalesced into one more sync after it, and different pods sync
 * concurrently, so a pod whose containers take 30 s to stop holds up nobody else.
 *
 * A sync may ask to be run again later (a back-off expiring); a failed sync is retried after a
 * growing delay. pause() stops every pod from being touched (a hollow node that "vanished"):
 * queued work is dropped, timers cancelled, and the signal of syncs in flight aborted.
 */
import type { Clock } from '../../util/clock.js';
import type { Logger } from '../../util/log.js';

export interface PodWorkersOptions {
  /** Syncs one pod; resolves with ms until it should be synced again, if it should. */
  sync(uid: string, signal: AbortSignal): Promise<number | void>;
  clock: Clock;
  log: Logger;
  /** Delay before retrying a failed sync, ms (default 1000), doubling per failure. */
  retryInitialMs?: number;
  /** Largest retry delay, ms (default 10,000: the kubelet's backOffPeriod). */
  retryMaxMs?: number;
}

interface Worker {
  running: boolean;
  /** Asked again while running: run once more when done. */
  again: boolean;
  /** A delayed request: when (monotonic) and how to cancel it. */
  timer?: { at: number; cancel: () => void };
  failures: number;
}

export class PodWorkers {
  private readonly workers = new Map<string, Worker>();
  private readonly idleWaiters: (() => void)[] = [];
  private active = 0;
  private ac = new AbortController();
  private paused = false;
  private closed = false;
  private readonly retryInitialMs: number;
  private readonly retryMaxMs: number;

  constructor(private readonly o: PodWorkersOptions) {
    this.retryInitialMs = o.retryInitialMs ?? 1000;
    this.retryMaxMs = o.retryMaxMs ?? 10_000;
  }

  /** Syncs uid as soon as its worker is free. Ignored while paused or closed. */
  enqueue(uid: string): void {
    if (this.paused || this.closed) return;
    const w = this.worker(uid);
    if (w.running) {
      w.again = true;
      return;
    }
    this.cancelTimer(w);
    void this.run(uid, w);
  }

  /** Syncs uid after ms; an earlier request wins over a later one. */
  enqueueAfter(uid: string, ms: number): void {
    if (this.paused || this.closed) return;
    if (ms <= 0) return this.enqueue(uid);
    const w = this.worker(uid);
    const at = this.o.clock.monotonic() + ms;
    if (w.timer && w.timer.at <= at) return;
    this.cancelTimer(w);
    const cancel = this.o.clock.setTimer(ms, () => {
      if (w.timer?.cancel === cancel) w.timer = undefined;
      this.enqueue(uid);
    });
    w.timer = { at, cancel };
  }

  /** Drops uid's timers and retry history (its pod is gone for good). A sync in flight finishes. */
  forget(uid: string): void {
    const w = this.workers.get(uid);
    if (!w) return;
    this.cancelTimer(w);
    w.again = false;
    if (!w.running) this.workers.delete(uid);
  }

  /** Stops touching pods: drops queued work and timers, aborts syncs in flight. */
  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.ac.abort(new Error('pod workers paused'));
    for (const [uid, w] of this.workers) {
      this.cancelTimer(w);
      w.again = false;
      if (!w.running) this.workers.delete(uid);
    }
  }

  /** Accepts work again after pause(); the caller enqueues what needs a look. */
  resume(): void {
    if (!this.paused || this.closed) return;
    this.paused = false;
    this.ac = new AbortController();
  }

  isPaused(): boolean {
    return this.paused;
  }

  /** Pods with a worker: syncing, queued or waiting for a timer. */
  get size(): number {
    return this.workers.size;
  }

  /** Resolves when no sync is running. */
  idle(): Promise<void> {
    if (this.active === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops for good: like pause(), then waits for syncs in flight. */
  async close(): Promise<void> {
    this.pause();
    this.closed = true;
    await this.idle();
  }

  private worker(uid: string): Worker {
    let w = this.workers.get(uid);
    if (!w) this.workers.set(uid, (w = { running: false, again: false, failures: 0 }));
    return w;
  }

  private cancelTimer(w: Worker): void {
    w.timer?.cancel();
    w.timer = undefined;
  }

  private async run(uid: string, w: Worker): Promise<void> {
    w.running = true;
    this.active++;
    try {
      do {
        w.again = false;
        const signal = this.ac.signal;
        if (signal.aborted) break;
        try {
          const after = await this.o.sync(uid, signal);
          w.failures = 0;
          if (typeof after === 'number' && after >= 0 && !signal.aborted) this.later(uid, w, after);
        } catch (err) {
          if (signal.aborted) break;
          const delay = Math.min(this.retryMaxMs, this.retryInitialMs * 2 ** Math.min(w.failures, 30));
          w.failures++;
          this.o.log.error(`sync of pod ${uid} failed; retrying in ${delay} ms`, err);
          this.later(uid, w, delay);
        }
      } while (w.again && !this.paused);
    } finally {
      w.running = false;
      this.active--;
      if (!w.timer && !w.again && this.workers.get(uid) === w) this.workers.delete(uid);
      if (this.active === 0) for (const r of this.idleWaiters.splice(0)) r();
    }
  }

  private later(uid: string, w: Worker, ms: number): void {
    if (this.paused || this.closed) return;
    if (ms <= 0) {
      w.again = true;
      return;
    }
    const at = this.o.clock.monotonic() + ms;
    if (w.timer && w.timer.at <= at) return;
    this.cancelTimer(w);
    const cancel = this.o.clock.setTimer(ms, () => {
      if (w.timer?.cancel === cancel) w.timer = undefined;
      this.enqueue(uid);
    });
    w.timer = { at, cancel };
  }
}
