/**
 * Container log files in CRI's format, as containerd and CRI-O write them and the kubelet reads
 * them (k8s.io/kubernetes pkg/kubelet/kuberuntime/logs): one line per record,
 *
 *   <RFC 3339 time with nanoseconds> <stdout|stderr> <F|P> <text>
 *
 * where P marks a partial record (a long line cut into pieces) that continues in the next record
 * of the same stream, and F the full or final piece. The shim (shim.mjs) writes these files; this
 * module reads them: parsing, decoding partial records, and the tail/since selection of
 * `kubectl logs`.
 */
import type { LogEntry } from '../../runtime.js';

/** Longest piece of a line the shim writes before cutting it into a partial record (containerd's 16 KiB). */
export const MAX_RECORD_BYTES = 16 * 1024;

/** One record of a log file. */
export interface CriRecord {
  /** Milliseconds since the epoch (the nanoseconds below a millisecond are dropped). */
  time: number;
  stream: 'stdout' | 'stderr';
  /** A piece of a longer line that continues in the next record of this stream. */
  partial: boolean;
  text: string;
}

/** The time of a record: ms since the epoch plus nanoseconds within that ms, as RFC 3339 with 9 digits. */
export function criTimestamp(ms: number, subMsNanos = 0): string {
  const whole = Math.floor(ms);
  const iso = new Date(whole).toISOString(); // 2026-01-01T00:00:00.123Z
  const nanos = String(Math.floor(subMsNanos)).padStart(6, '0').slice(0, 6);
  return `${iso.slice(0, 23)}${nanos}Z`;
}

/** One record as a line of the file, with its newline. */
export function formatCriRecord(r: { time: number; stream: 'stdout' | 'stderr'; partial?: boolean; text: string }, subMsNanos = 0): string {
  return `${criTimestamp(r.time, subMsNanos)} ${r.stream} ${r.partial ? 'P' : 'F'} ${r.text}\n`;
}

const RECORD = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d) (stdout|stderr) (F|P) (.*)$/s;

/** Parses one line of a log file (without its newline); undefined when it is not a CRI record. */
export function parseCriRecord(line: string): CriRecord | undefined {
  const m = RECORD.exec(line);
  if (!m) return undefined;
  const seconds = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(seconds)) return undefined;
  const ms = m[2] ? Number(m[2].padEnd(9, '0').slice(0, 3)) : 0;
  return { time: seconds + ms, stream: m[4] as 'stdout' | 'stderr', partial: m[5] === 'P', text: m[6]! };
}

/**
 * Turns records into lines, joining the pieces of partial records per stream: stdout and stderr
 * interleave in the file, so a partial stdout record may be followed by stderr records before its
 * final piece comes. Incremental: push() text as it is read, in any chunks.
 */
export class CriLogDecoder {
  private rest = '';
  private readonly pending: Record<'stdout' | 'stderr', { time: number; text: string } | undefined> = { stdout: undefined, stderr: undefined };
  /** Lines that were not CRI records, skipped. */
  malformed = 0;

  /** Decodes the complete lines of chunk (a trailing piece without newline waits for the next push). */
  push(chunk: string): LogEntry[] {
    const text = this.rest + chunk;
    const end = text.lastIndexOf('\n');
    if (end < 0) {
      this.rest = text;
      return [];
    }
    this.rest = text.slice(end + 1);
    const out: LogEntry[] = [];
    for (const line of text.slice(0, end).split('\n')) {
      const r = parseCriRecord(line);
      if (!r) {
        if (line !== '') this.malformed++;
        continue;
      }
      const p = this.pending[r.stream];
      if (r.partial) {
        this.pending[r.stream] = p ? { time: p.time, text: p.text + r.text } : { time: r.time, text: r.text };
        continue;
      }
      this.pending[r.stream] = undefined;
      out.push(p ? { time: p.time, stream: r.stream, line: p.text + r.text } : { time: r.time, stream: r.stream, line: r.text });
    }
    return out;
  }
}

/** All lines of a whole log file's text. */
export function decodeCriLog(text: string): LogEntry[] {
  return new CriLogDecoder().push(text.endsWith('\n') || text === '' ? text : text + '\n');
}

/**
 * The lines `kubectl logs --since-time --tail` shows: those since sinceTime, then the last
 * tailLines of them (a negative tailLines means all, as --tail=-1 does).
 */
export function selectLogs(entries: LogEntry[], o: { tailLines?: number; sinceTime?: number }): LogEntry[] {
  let out = o.sinceTime !== undefined ? entries.filter((e) => e.time >= o.sinceTime!) : entries;
  if (o.tailLines !== undefined && o.tailLines >= 0) out = out.slice(out.length - Math.min(o.tailLines, out.length));
  return out;
}
