/**
 * The scheduling queue (kube-scheduler's PriorityQueue), three places a pending pod can wait:
 *
 * - activeQ: pods to try now, highest spec.priority first, then earliest arrival (PrioritySort).
 * - backoffQ: pods that failed recently, each waiting out its own exponential backoff
 *   (initial doubling per attempt up to max; 1 s and 10 s by default). A flush every second
 *   moves the ones whose backoff expired to activeQ.
 * - unschedulablePods: pods no node fits. Trying them again is pointless until the cluster
 *   changes, so they wait for moveAllToActiveOrBackoff (a node added or changed in a way that
 *   can help, an assigned pod deleted), or, as a safety net, for the periodic flush (every
 *   30 s) of those that waited longer than maxInUnschedulableMs (5 min by default).
 *
 * A move request that happens while a pod is being tried (its scheduling cycle is not older
 * than the move) sends the pod, should it then fail, to backoffQ rather than unschedulablePods:
 * the cluster changed under it, so it must not sleep through the event that could help it
 * (kube-scheduler's moveRequestCycle).
 *
 * Pods are keyed by "namespace/name". Times come from the Clock's monotonic milliseconds.
 */
import { systemClock, type Clock } from '../../util/clock.js';
import { KeyedHeap } from './heap.js';
import type { PodInfo } from './podinfo.js';

/** A pod in the queue with its scheduling history (framework.QueuedPodInfo). */
export interface QueuedPodInfo {
  info: PodInfo;
  /** When the pod first entered the queue (monotonic ms): the start of its scheduling latency. */
  readonly initialAttemptTimestamp: number;
  /** When it was last added or failed (monotonic ms): arrival order in activeQ, start of backoff. */
  timestamp: number;
  /** How many times it has been popped. */
  attempts: number;
}

export interface SchedulingQueueOptions {
  clock?: Clock;
  /** Backoff after the first failed attempt, ms (default 1000: --pod-initial-backoff-seconds). */
  initialBackoffMs?: number;
  /** Most backoff, ms (default 10,000: --pod-max-backoff-seconds). */
  maxBackoffMs?: number;
  /** How long a pod stays unschedulable before the periodic flush retries it, ms (default 300,000). */
  maxInUnschedulableMs?: number;
  /** Period of the backoffQ flush, ms (default 1000). */
  backoffFlushIntervalMs?: number;
  /** Period of the unschedulablePods flush, ms (default 30,000). */
  unschedulableFlushIntervalMs?: number;
}

/** Pods waiting in each part of the queue. */
export interface QueueCounts {
  active: number;
  backoff: number;
  unschedulable: number;
}

function positive(name: string, v: number): number {
  if (!(Number.isFinite(v) && v > 0)) throw new RangeError(`${name} must be a positive number of milliseconds, not ${v}`);
  return v;
}

/** Whether a pod changed in a way that can change where it fits: anything but status and bookkeeping metadata. */
export function podChangedForScheduling(oldPod: PodInfo['pod'], newPod: PodInfo['pod']): boolean {
  if (oldPod === newPod) return false;
  const a = oldPod.metadata;
  const b = newPod.metadata;
  return JSON.stringify([a.labels, a.annotations, oldPod.spec]) !== JSON.stringify([b.labels, b.annotations, newPod.spec]);
}

export class SchedulingQueue {
  private readonly clock: Clock;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxInUnschedulableMs: number;
  private readonly backoffFlushMs: number;
  private readonly unschedulableFlushMs: number;
  private readonly activeQ: KeyedHeap<string, QueuedPodInfo>;
  private readonly backoffQ: KeyedHeap<string, QueuedPodInfo>;
  private readonly unschedulable = new Map<string, QueuedPodInfo>();
  private cycle = 0;
  private moveRequestCycle = -1;
  private waiters: (() => void)[] = [];
  private closed = false;

  constructor(o: SchedulingQueueOptions = {}) {
    this.clock = o.clock ?? systemClock;
    this.initialBackoffMs = positive('initialBackoffMs', o.initialBackoffMs ?? 1000);
    this.maxBackoffMs = positive('maxBackoffMs', o.maxBackoffMs ?? 10_000);
    if (this.maxBackoffMs < this.initialBackoffMs) throw new RangeError(`maxBackoffMs (${this.maxBackoffMs}) must not be less than initialBackoffMs (${this.initialBackoffMs})`);
    this.maxInUnschedulableMs = o.maxInUnschedulableMs ?? 300_000;
    if (!(this.maxInUnschedulableMs >= 0)) throw new RangeError(`maxInUnschedulableMs must be >= 0, not ${o.maxInUnschedulableMs}`);
    this.backoffFlushMs = positive('backoffFlushIntervalMs', o.backoffFlushIntervalMs ?? 1000);
    this.unschedulableFlushMs = positive('unschedulableFlushIntervalMs', o.unschedulableFlushIntervalMs ?? 30_000);
    this.activeQ = new KeyedHeap(
      (q) => q.info.key,
      (a, b) => a.info.priority > b.info.priority || (a.info.priority === b.info.priority && a.timestamp < b.timestamp),
    );
    this.backoffQ = new KeyedHeap(
      (q) => q.info.key,
      (a, b) => this.backoffExpiry(a) < this.backoffExpiry(b),
    );
  }

  /** Runs the periodic flushes until signal aborts. */
  run(signal: AbortSignal): void {
    const every = (ms: number, fn: () => void) => {
      let cancel = () => {};
      const tick = () => {
        if (signal.aborted) return;
        fn();
        cancel = this.clock.setTimer(ms, tick);
      };
      cancel = this.clock.setTimer(ms, tick);
      signal.addEventListener('abort', () => cancel(), { once: true });
    };
    every(this.backoffFlushMs, () => this.flushBackoffCompleted());
    every(this.unschedulableFlushMs, () => this.flushUnschedulableLeftover());
    signal.addEventListener('abort', () => this.close(), { once: true });
  }

  /** A new pending pod: to activeQ (out of the other queues if it was there). */
  add(info: PodInfo): void {
    const now = this.clock.monotonic();
    const prev = this.take(info.key);
    this.pushActive({ info, initialAttemptTimestamp: prev?.initialAttemptTimestamp ?? now, timestamp: now, attempts: prev?.attempts ?? 0 });
  }

  /**
   * A new version of a pending pod. In activeQ or backoffQ it is replaced where it stands; an
   * unschedulable pod whose spec or labels changed may fit now and moves on; a pod in no queue
   * (the caller checked it is not being bound) is added.
   */
  update(info: PodInfo): void {
    const key = info.key;
    const active = this.activeQ.get(key);
    if (active) {
      active.info = info;
      this.activeQ.addOrUpdate(active);
      return;
    }
    const backoff = this.backoffQ.get(key);
    if (backoff) {
      backoff.info = info;
      this.backoffQ.addOrUpdate(backoff);
      return;
    }
    const u = this.unschedulable.get(key);
    if (u) {
      const changed = podChangedForScheduling(u.info.pod, info.pod);
      u.info = info;
      if (changed) {
        this.unschedulable.delete(key);
        this.requeue(u);
      }
      return;
    }
    this.add(info);
  }

  /** The pod is gone or no longer pending. */
  delete(key: string): void {
    this.take(key);
  }

  /** Whether key waits in any part of the queue. */
  has(key: string): boolean {
    return this.activeQ.has(key) || this.backoffQ.has(key) || this.unschedulable.has(key);
  }

  /**
   * Takes the next pod from activeQ, or undefined when it is empty. Starts a scheduling cycle
   * (see schedulingCycle) and counts an attempt.
   */
  pop(): QueuedPodInfo | undefined {
    const q = this.activeQ.pop();
    if (!q) return undefined;
    this.cycle++;
    q.attempts++;
    return q;
  }

  /** The cycle of the last pop; pass it back with addUnschedulableIfNotPresent. */
  schedulingCycle(): number {
    return this.cycle;
  }

  /** Resolves when activeQ has a pod, the queue is closed, or signal aborts. */
  waitForPod(signal?: AbortSignal): Promise<void> {
    if (this.activeQ.size > 0 || this.closed || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.waiters.push(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /**
   * Puts back a pod whose attempt failed in cycle podCycle: to unschedulablePods when no node
   * fit (unschedulable), to backoffQ after an error, or when the cluster changed since the
   * attempt started. Does nothing if the pod is queued again already (a newer version arrived).
   */
  addUnschedulableIfNotPresent(q: QueuedPodInfo, podCycle: number, unschedulable: boolean): void {
    if (this.closed || this.has(q.info.key)) return;
    q.timestamp = this.clock.monotonic();
    if (!unschedulable || this.moveRequestCycle >= podCycle) this.backoffQ.addOrUpdate(q);
    else this.unschedulable.set(q.info.key, q);
  }

  /**
   * The cluster changed in a way that may let unschedulable pods fit: moves them (those passing
   * preCheck, when given) to activeQ, or to backoffQ if still backing off. Returns how many moved.
   */
  moveAllToActiveOrBackoff(preCheck?: (info: PodInfo) => boolean): number {
    this.moveRequestCycle = this.cycle;
    let moved = 0;
    for (const [key, q] of this.unschedulable) {
      if (preCheck && !preCheck(q.info)) continue;
      this.unschedulable.delete(key);
      this.requeue(q);
      moved++;
    }
    return moved;
  }

  /** Moves pods whose backoff expired from backoffQ to activeQ. */
  flushBackoffCompleted(): void {
    const now = this.clock.monotonic();
    for (;;) {
      const q = this.backoffQ.peek();
      if (!q || this.backoffExpiry(q) > now) break;
      this.backoffQ.pop();
      this.pushActive(q);
    }
  }

  /** Retries pods that have been unschedulable for longer than maxInUnschedulableMs. */
  flushUnschedulableLeftover(): void {
    const now = this.clock.monotonic();
    const stale: QueuedPodInfo[] = [];
    for (const q of this.unschedulable.values()) if (now - q.timestamp > this.maxInUnschedulableMs) stale.push(q);
    if (stale.length === 0) return;
    this.moveRequestCycle = this.cycle;
    for (const q of stale) {
      this.unschedulable.delete(q.info.key);
      this.requeue(q);
    }
  }

  /** Backoff after `attempts` attempts: initial doubled per attempt after the first, capped. */
  backoffDuration(attempts: number): number {
    let d = this.initialBackoffMs;
    for (let i = 1; i < attempts; i++) {
      d *= 2;
      if (d >= this.maxBackoffMs) return this.maxBackoffMs;
    }
    return d;
  }

  counts(): QueueCounts {
    return { active: this.activeQ.size, backoff: this.backoffQ.size, unschedulable: this.unschedulable.size };
  }

  /** Stops the queue: waiters are released, nothing is queued any more. */
  close(): void {
    this.closed = true;
    this.wake();
  }

  private backoffExpiry(q: QueuedPodInfo): number {
    return q.timestamp + this.backoffDuration(q.attempts);
  }

  private requeue(q: QueuedPodInfo): void {
    if (this.backoffExpiry(q) > this.clock.monotonic()) this.backoffQ.addOrUpdate(q);
    else this.pushActive(q);
  }

  private pushActive(q: QueuedPodInfo): void {
    if (this.closed) return;
    this.activeQ.addOrUpdate(q);
    this.wake();
  }

  private wake(): void {
    if (this.waiters.length === 0) return;
    const w = this.waiters;
    this.waiters = [];
    for (const fn of w) fn();
  }

  private take(key: string): QueuedPodInfo | undefined {
    const u = this.unschedulable.get(key);
    if (u) {
      this.unschedulable.delete(key);
      return u;
    }
    return this.activeQ.delete(key) ?? this.backoffQ.delete(key);
  }
}
