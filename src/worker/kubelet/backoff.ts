/**
 * The kubelet's restart and image-pull back-off: a port of client-go's util/flowcontrol.Backoff
 * as the kubelet uses it (NewBackOff(10s, 300s), no jitter).
 *
 * Per key (a container of a pod, or an image of a pod): the first failure is retried at once and
 * arms a delay of `initial`; each later failure doubles it up to `max`. An entry whose last
 * restart was more than 2 x max before the failure has expired: the container ran for 10 minutes
 * with Kubernetes' numbers, so it starts over from `initial`.
 *
 * The CrashLoopBackOff decision in kuberuntime (doBackOff) is: isInBackOffSince(key, finishedAt)
 * ? wait and say "back-off <delay> restarting failed container" : next(key) and restart now.
 */
import type { Clock } from '../../util/clock.js';

export interface BackoffPolicy {
  /** First delay, ms (Kubernetes: 10 s). */
  initialMs: number;
  /** Largest delay, ms (Kubernetes: 300 s). */
  maxMs: number;
}

interface Entry {
  /** The current delay, ms. */
  backoffMs: number;
  /** Wall time of the last next() for this key. */
  lastUpdate: number;
}

export class RestartBackoff {
  private readonly entries = new Map<string, Entry>();

  constructor(
    readonly policy: BackoffPolicy,
    private readonly clock: Clock,
  ) {
    if (!(policy.initialMs > 0)) throw new RangeError(`the initial back-off must be > 0 ms, not ${policy.initialMs}`);
    if (!(policy.maxMs >= policy.initialMs)) throw new RangeError(`the largest back-off (${policy.maxMs} ms) must be >= the initial one (${policy.initialMs} ms)`);
  }

  /** The current delay of key, ms (0 when it has none). */
  get(key: string): number {
    return this.entries.get(key)?.backoffMs ?? 0;
  }

  /**
   * Records a restart of key whose previous run ended at eventTime: the first one (or the first
   * after expiry) arms `initial`, each later one doubles the delay up to `max`.
   */
  next(key: string, eventTime: number): void {
    const e = this.entries.get(key);
    if (!e || this.expired(eventTime, e)) {
      this.entries.set(key, { backoffMs: this.policy.initialMs, lastUpdate: this.clock.now() });
      return;
    }
    e.backoffMs = Math.min(e.backoffMs * 2, this.policy.maxMs);
    e.lastUpdate = this.clock.now();
  }

  /** Whether a failure at eventTime must still wait before the retry (flowcontrol's IsInBackOffSince). */
  isInBackOffSince(key: string, eventTime: number): boolean {
    const e = this.entries.get(key);
    if (!e || this.expired(eventTime, e)) return false;
    return this.clock.now() - eventTime < e.backoffMs;
  }

  /** Whether key must still wait after its last next() (flowcontrol's IsInBackOffSinceUpdate, for pulls). */
  isInBackOffSinceUpdate(key: string, eventTime: number): boolean {
    const e = this.entries.get(key);
    if (!e || this.expired(eventTime, e)) return false;
    return eventTime - e.lastUpdate < e.backoffMs;
  }

  /** How long until a failure at eventTime may be retried, ms (0 when it may be now). */
  remaining(key: string, eventTime: number): number {
    const e = this.entries.get(key);
    if (!e || this.expired(eventTime, e)) return 0;
    return Math.max(0, eventTime + e.backoffMs - this.clock.now());
  }

  /** How long until key may be retried after its last next(), ms. */
  remainingSinceUpdate(key: string): number {
    const e = this.entries.get(key);
    if (!e) return 0;
    return Math.max(0, e.lastUpdate + e.backoffMs - this.clock.now());
  }

  /** Forgets key (its pod is gone). */
  reset(key: string): void {
    this.entries.delete(key);
  }

  /** Forgets every key that starts with prefix. */
  resetPrefix(prefix: string): void {
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k);
  }

  /** Drops entries untouched for 2 x max (flowcontrol's GC), so the map does not grow forever. */
  gc(): void {
    const now = this.clock.now();
    for (const [k, e] of this.entries) if (now - e.lastUpdate > 2 * this.policy.maxMs) this.entries.delete(k);
  }

  /** Keys tracked, for tests and metrics. */
  get size(): number {
    return this.entries.size;
  }

  private expired(eventTime: number, e: Entry): boolean {
    return eventTime - e.lastUpdate > 2 * this.policy.maxMs;
  }
}

/** Seconds as Go prints a time.Duration in the kubelet's messages: "10s", "20s", "40s", "1m20s", "5m0s". */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s';
  const totalSeconds = ms / 1000;
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds - h * 3600 - m * 60;
  const sec = Number.isInteger(s) ? `${s}s` : `${Number(s.toFixed(9))}s`;
  if (h > 0) return `${h}h${m}m${sec}`;
  if (m > 0) return `${m}m${sec}`;
  if (totalSeconds < 1) return `${ms}ms`;
  return sec;
}
