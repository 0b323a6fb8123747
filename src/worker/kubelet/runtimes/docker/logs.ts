/**
 * Container logs from `docker logs`: the daemon multiplexes stdout and stderr of a container
 * without a TTY into frames (an 8-byte header: stream, 3 zero bytes, big-endian payload length),
 * and with timestamps=true each message starts with its RFC 3339 nano time and a space.
 * DockerLogDecoder turns such bytes, cut anywhere, into LogEntry lines.
 */
import type Docker from 'dockerode';
import type { LogEntry, LogOptions } from '../../runtime.js';

const STREAMS: Record<number, 'stdout' | 'stderr' | undefined> = { 1: 'stdout', 2: 'stderr' };
const TIMESTAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)) /;

/** Milliseconds of an RFC 3339 time with up to nanoseconds ("2026-01-01T00:00:00.123456789Z"). */
export function parseNanoTime(s: string): number | undefined {
  // Date.parse reads at most milliseconds reliably: cut the fraction to three digits.
  const t = Date.parse(s.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isNaN(t) ? undefined : t;
}

/** Docker's since/until value for ms since the epoch: "seconds.nanoseconds". */
export function dockerTimeArg(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${s}.${String(Math.round(ms - s * 1000) * 1_000_000).padStart(9, '0')}`;
}

/** Decodes multiplexed, timestamped log frames into lines. */
export class DockerLogDecoder {
  private pending: Buffer = Buffer.alloc(0);
  /** Per stream: an unfinished line (a message without its newline yet) and its time. */
  private partial: Record<'stdout' | 'stderr', { text: string; time: number } | undefined> = { stdout: undefined, stderr: undefined };

  /** @param now time of lines that carry no timestamp (default Date.now). */
  constructor(private readonly now: () => number = Date.now) {}

  /** Feeds bytes; returns the lines they complete. */
  push(chunk: Buffer): LogEntry[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const out: LogEntry[] = [];
    while (this.pending.length >= 8) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + size) break;
      const stream = STREAMS[this.pending[0]!];
      const payload = this.pending.subarray(8, 8 + size).toString('utf8');
      this.pending = this.pending.subarray(8 + size);
      // stdin (0) never carries output; anything else is not a log frame.
      if (stream) this.message(stream, payload, out);
    }
    return out;
  }

  /** Flushes unfinished lines (the stream ended without their newline). */
  end(): LogEntry[] {
    const out: LogEntry[] = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      const p = this.partial[stream];
      if (p) out.push({ time: p.time, stream, line: p.text });
      this.partial[stream] = undefined;
    }
    return out;
  }

  private message(stream: 'stdout' | 'stderr', payload: string, out: LogEntry[]): void {
    let rest = payload;
    while (rest.length > 0) {
      // Every message starts with its time; Docker splits long lines into several messages, each
      // timestamped, and the continuation joins the unfinished line.
      let time: number | undefined;
      const m = TIMESTAMP.exec(rest);
      if (m) {
        time = parseNanoTime(m[1]!);
        rest = rest.slice(m[0].length);
      }
      const nl = rest.indexOf('\n');
      const text = nl < 0 ? rest : rest.slice(0, nl);
      rest = nl < 0 ? '' : rest.slice(nl + 1);
      const p = this.partial[stream];
      const line = { text: (p?.text ?? '') + text, time: p?.time ?? time ?? this.now() };
      if (nl < 0) {
        this.partial[stream] = line;
      } else {
        this.partial[stream] = undefined;
        out.push({ time: line.time, stream, line: line.text });
      }
    }
  }
}

/**
 * A container's log lines through `docker logs`. The container must exist (the caller checks, to
 * throw NotFoundError); follow ends when the container exits or signal aborts.
 */
export async function* dockerLogs(container: Docker.Container, o: LogOptions = {}): AsyncIterable<LogEntry> {
  const query = {
    stdout: true,
    stderr: true,
    timestamps: true,
    tail: o.tailLines !== undefined ? Math.max(0, Math.floor(o.tailLines)) : 'all',
    ...(o.sinceTime !== undefined ? { since: dockerTimeArg(o.sinceTime) } : {}),
  };
  const keep = (e: LogEntry) => o.sinceTime === undefined || e.time >= o.sinceTime;
  const decoder = new DockerLogDecoder();
  if (!o.follow) {
    // Docker's tail=0 means "no lines", but some versions answer all: enforce it.
    if (o.tailLines !== undefined && o.tailLines <= 0) return;
    const buf = (await container.logs({ ...query, follow: false } as Docker.ContainerLogsOptions & { follow: false })) as unknown as Buffer;
    for (const e of [...decoder.push(Buffer.isBuffer(buf) ? buf : Buffer.from(String(buf))), ...decoder.end()]) if (keep(e)) yield e;
    return;
  }
  if (o.signal?.aborted) return;
  const stream = (await container.logs({ ...query, follow: true, ...(o.signal ? { abortSignal: o.signal } : {}) } as Docker.ContainerLogsOptions & { follow: true })) as NodeJS.ReadableStream & { destroy(): void };
  const onAbort = () => stream.destroy();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      for (const e of decoder.push(chunk)) if (keep(e)) yield e;
    }
  } catch (err) {
    // An abort is the caller ending the follow, not a failure.
    if (!o.signal?.aborted) throw err;
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    stream.destroy();
  }
  for (const e of decoder.end()) if (keep(e)) yield e;
}
