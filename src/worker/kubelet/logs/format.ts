/**
 * How the kubelet writes log lines back (pkg/kubelet/kuberuntime/logs): lines older than `since`
 * are skipped, `timestamps` prefixes each line with its time in Go's RFC3339Nano (trailing zeros
 * of the fraction dropped: "2026-01-01T00:00:00.12Z", "2026-01-01T00:00:01Z"), and `limitBytes`
 * cuts the output (mid-line if need be) and ends it. Tail is applied before since, as the kubelet
 * seeks to the last lines of the file first and then skips the old ones.
 */
import type { LogEntry, LogOptions } from '../runtime.js';
import type { LogRequest } from './options.js';

/** A time (ms since the epoch, fractions allowed) as Go's time.RFC3339Nano in UTC. */
export function rfc3339Nano(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const nanos = Math.round((ms - seconds * 1000) * 1e6);
  const base = new Date(seconds * 1000).toISOString().slice(0, 19);
  if (nanos === 0) return `${base}Z`;
  return `${base}.${String(nanos).padStart(9, '0').replace(/0+$/, '')}Z`;
}

/**
 * What to ask the runtime for: tailLines as asked, and sinceTime only without a tail (a runtime
 * would otherwise take the last n lines after since, not the lines after since among the last n).
 */
export function runtimeLogOptions(r: LogRequest, signal?: AbortSignal): LogOptions {
  return {
    follow: r.follow,
    ...(r.tailLines !== undefined ? { tailLines: r.tailLines } : r.since !== undefined ? { sinceTime: r.since } : {}),
    ...(signal ? { signal } : {}),
  };
}

/** Turns log entries into the bytes of the response: since filter, timestamps, limitBytes. */
export class LogWriter {
  private remaining: number;

  constructor(private readonly r: Pick<LogRequest, 'since' | 'timestamps' | 'limitBytes'>) {
    this.remaining = r.limitBytes ?? Infinity;
  }

  /** Whether limitBytes has been reached: nothing more will be written. */
  get done(): boolean {
    return this.remaining <= 0;
  }

  /** The bytes to send for entry, or undefined when it is skipped (too old, or the limit was reached). */
  format(e: LogEntry): Buffer | undefined {
    if (this.done) return undefined;
    if (this.r.since !== undefined && e.time < this.r.since) return undefined;
    let line = Buffer.from(`${this.r.timestamps ? `${rfc3339Nano(e.time)} ` : ''}${e.line}\n`, 'utf8');
    if (line.length > this.remaining) line = line.subarray(0, this.remaining);
    this.remaining -= line.length;
    return line;
  }
}

/** Writes every entry of source through a LogWriter; stops at limitBytes. Resolves with the bytes written. */
export async function writeLogs(source: AsyncIterable<LogEntry>, r: Pick<LogRequest, 'since' | 'timestamps' | 'limitBytes'>, write: (chunk: Buffer) => Promise<void> | void): Promise<number> {
  const w = new LogWriter(r);
  let written = 0;
  if (w.done) return 0;
  for await (const e of source) {
    const chunk = w.format(e);
    if (chunk) {
      written += chunk.length;
      await write(chunk);
    }
    if (w.done) break;
  }
  return written;
}
