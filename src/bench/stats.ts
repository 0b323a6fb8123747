/**
 * Latency and rate figures for benchmarks: HdrHistogram (microsecond resolution) for
 * percentiles, and a summary shape that every benchmark's JSON output shares.
 */
import * as hdr from 'hdr-histogram-js';

export interface LatencySummary {
  count: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
}

export class Latency {
  private readonly h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });

  /** Records one duration in milliseconds. */
  record(ms: number): void {
    this.h.recordValue(Math.max(1, Math.round(ms * 1000)));
  }

  /** Adds every value recorded in other. */
  add(other: Latency): void {
    this.h.add(other.h);
  }

  get count(): number {
    return this.h.totalCount;
  }

  summary(): LatencySummary {
    const ms = (us: number) => Math.round(us) / 1000;
    // A percentile is the top of its HdrHistogram bucket, which can lie a little above the largest
    // value recorded: no percentile is reported above the maximum.
    const at = (p: number) => ms(Math.min(this.h.getValueAtPercentile(p), this.h.maxValue));
    return {
      count: this.h.totalCount,
      p50Ms: at(50),
      p90Ms: at(90),
      p99Ms: at(99),
      maxMs: ms(this.h.maxValue),
      meanMs: ms(this.h.mean),
    };
  }
}

/** Runs `workers` loops concurrently until `total` operations ran or `deadlineMs` passed. */
export async function runConcurrent(
  workers: number,
  total: number,
  deadlineMs: number,
  op: (i: number) => Promise<void>,
): Promise<{ done: number; seconds: number }> {
  let next = 0;
  let done = 0;
  const started = performance.now();
  const end = started + deadlineMs;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < total && performance.now() < end) {
        const i = next++;
        await op(i);
        done++;
      }
    }),
  );
  return { done, seconds: (performance.now() - started) / 1000 };
}

export function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
