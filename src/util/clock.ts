/**
 * The one clock of the lab. Every timestamp the lab writes or reports (object metadata,
 * conditions, events, scenario timelines, benchmark samples) comes from a Clock, so tests run
 * on a FakeClock and reports from different components line up.
 */

export interface Clock {
  /** Wall-clock milliseconds since the epoch. */
  now(): number;
  /** Monotonic milliseconds, for measuring durations; unrelated to now(). */
  monotonic(): number;
  /** Resolves after ms, or rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Runs fn after ms; returns a cancel function. */
  setTimer(ms: number, fn: () => void): () => void;
}

/** RFC 3339 with seconds, as Kubernetes writes metav1.Time: "2026-11-25T04:22:35Z". */
export function rfc3339(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s !== lastSecond) {
    lastSecond = s;
    lastText = new Date(s * 1000).toISOString().replace('.000Z', 'Z');
  }
  return lastText;
}
// Most timestamps written in one second are the same second: formatted once.
let lastSecond = NaN;
let lastText = '';

/** RFC 3339 with microseconds, as Kubernetes writes metav1.MicroTime. */
export function rfc3339Micro(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export function parseTime(s: string | undefined | null): number | undefined {
  if (!s) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}

function abortable(ms: number, signal: AbortSignal | undefined, arm: (fn: () => void) => () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      cancel();
      reject(signal!.reason);
    };
    const cancel = arm(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    void ms;
  });
}

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  sleep: (ms, signal) =>
    abortable(ms, signal, (fn) => {
      const t = setTimeout(fn, ms);
      return () => clearTimeout(t);
    }),
  setTimer(ms, fn) {
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  },
};

/** A clock that moves only when told to: for tests of time-based decisions. */
export class FakeClock implements Clock {
  private t: number;
  private mono = 0;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 0;

  constructor(start = Date.parse('2026-01-01T00:00:00Z')) {
    this.t = start;
  }
  now(): number {
    return this.t;
  }
  monotonic(): number {
    return this.mono;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return abortable(ms, signal, (fn) => this.setTimer(ms, fn));
  }
  setTimer(ms: number, fn: () => void): () => void {
    const id = this.nextId++;
    this.timers.push({ at: this.mono + ms, fn, id });
    return () => {
      this.timers = this.timers.filter((x) => x.id !== id);
    };
  }
  /** Moves time forward by ms, firing due timers in order. */
  advance(ms: number): void {
    const end = this.mono + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.t += next.at - this.mono;
      this.mono = next.at;
      next.fn();
    }
    this.t += end - this.mono;
    this.mono = end;
  }
  /** Number of timers still pending. */
  pending(): number {
    return this.timers.length;
  }
}
