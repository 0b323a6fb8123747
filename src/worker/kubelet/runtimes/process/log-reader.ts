/**
 * Reading a container's CRI log file for containerLogs: the lines selected by tail and since,
 * then, when following, the lines appended until the container exits. Reads only up to the last
 * complete line, so a line being written is never cut; the shim writes the exit record after the
 * last line, so one read after the exit has everything.
 */
import { existsSync, watch, type FSWatcher } from 'node:fs';
import { open } from 'node:fs/promises';
import type { LogEntry, LogOptions } from '../../runtime.js';
import { CriLogDecoder, selectLogs } from './cri-log.js';

/** What the reader needs to know of the container while following. */
export interface FollowedContainer {
  /** Whether the container has exited or was removed (its log will not grow). */
  finished(): boolean;
  /** Called by the runtime on exit and removal; the reader adds a wake-up here while following. */
  waiters: Set<() => void>;
}

/** The lines of file as containerLogs gives them; fallbackMs bounds each wait where fs.watch misses changes. */
export async function* readContainerLog(file: string, o: LogOptions, c: FollowedContainer, fallbackMs: number): AsyncIterable<LogEntry> {
  const decoder = new CriLogDecoder();
  let offset = 0;
  const readMore = async (): Promise<LogEntry[]> => {
    let fh;
    try {
      fh = await open(file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    try {
      const size = (await fh.stat()).size;
      if (size <= offset) return [];
      const buf = Buffer.alloc(size - offset);
      const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
      const end = buf.subarray(0, bytesRead).lastIndexOf(10);
      if (end < 0) return [];
      offset += end + 1;
      return decoder.push(buf.subarray(0, end + 1).toString('utf8'));
    } finally {
      await fh.close();
    }
  };
  for (const e of selectLogs(await readMore(), o)) yield e;
  if (!o.follow) return;
  const change = changeNotifier(file, c, o.signal, fallbackMs);
  try {
    for (;;) {
      if (o.signal?.aborted) return;
      // Looked at before reading: lines written before the exit are all in this read.
      const finished = c.finished();
      for (const e of await readMore()) if (o.sinceTime === undefined || e.time >= o.sinceTime) yield e;
      if (finished) return;
      await change.next();
    }
  } finally {
    change.close();
  }
}

/**
 * Wakes a follower when the file grows (fs.watch), the container exits or is removed, or the
 * follow is aborted; a timer covers file systems where watching does not work.
 */
function changeNotifier(file: string, c: FollowedContainer, signal: AbortSignal | undefined, fallbackMs: number): { next(): Promise<void>; close(): void } {
  let dirty = false;
  let wake: (() => void) | undefined;
  const poke = () => {
    dirty = true;
    wake?.();
  };
  let watcher: FSWatcher | undefined;
  if (existsSync(file)) {
    try {
      watcher = watch(file, poke);
      watcher.on('error', () => watcher?.close());
    } catch {
      watcher = undefined;
    }
  }
  c.waiters.add(poke);
  signal?.addEventListener('abort', poke);
  return {
    async next() {
      if (!dirty) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, fallbackMs);
          wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        wake = undefined;
      }
      dirty = false;
    },
    close() {
      watcher?.close();
      c.waiters.delete(poke);
      signal?.removeEventListener('abort', poke);
    },
  };
}
