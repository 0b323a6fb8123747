/**
 * The embedded storage backend: SQLite through better-sqlite3, in WAL mode with
 * synchronous=FULL, so a write is acknowledged only once it is on disk.
 *
 * Layout (as kine does it): one append-only `log` table, one row per revision, holding the key,
 * its create revision, the revision it replaces, a deleted flag and the value. The current state
 * is the newest row of each key; history for watch is the rows themselves; compaction removes
 * rows that a newer row supersedes.
 *
 * Group commit: the writes waiting when the writer thread is free go to it as one batch, one
 * transaction and one fsync, and are acknowledged together once durable; while a batch is on
 * disk its way, the next one gathers, so the event loop never waits for the disk (see
 * sqlite-threads.ts). Compare-and-swap checks run here, against an in-memory index of key ->
 * (createRevision, modRevision) that this single writer keeps exact, with values of rows still
 * in flight kept until they are committed; a failed batch rolls the index back and rejects
 * every write in it.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Worker } from 'node:worker_threads';
import {
  CompactedError,
  KeyExistsError,
  KeyNotFoundError,
  RevisionConflictError,
  prefixEnd,
  type KeyValue,
  type ListOptions,
  type ListResult,
  type Storage,
  type StorageEvent,
  type WatchHandler,
} from './interface.js';
import { startCheckpointer, startWriter, type LogRow, type WriterCommand, type WriterReply, type WriterRequest } from './sqlite-threads.js';

/** Observes commits, for metrics; every method is optional. */
export interface StorageObserver {
  /** One group commit of `ops` writes took `seconds`. */
  commit?(ops: number, seconds: number): void;
  /** The background WAL checkpoint failed. */
  checkpointError?(err: Error): void;
}

export interface SqliteStorageOptions {
  /** Database file; created with its directory when missing. */
  path: string;
  observer?: StorageObserver;
  /** How often a background thread checkpoints the WAL into the database file, ms (default 1000). */
  checkpointIntervalMs?: number;
}


interface IndexEntry {
  createRevision: number;
  modRevision: number;
}

type Op =
  | { kind: 'create'; key: string; value: string; object: unknown; done: Settle }
  | { kind: 'update'; key: string; value: string; expected: number; object: unknown; done: Settle }
  | { kind: 'delete'; key: string; expected: number | undefined; done: Settle };

/** A batch sent to the writer thread. */
interface Batch {
  /** The revision before the batch: what is durable while it is in flight. */
  startRev: number;
  /** Resolves when the writer has answered (committed or failed). */
  done: Promise<void>;
}

interface Settle {
  resolve(kv: KeyValue): void;
  reject(err: Error): void;
}

interface Row {
  rev: number;
  key: string;
  create_rev: number;
  prev_rev: number;
  deleted: number;
  value: string;
}

interface Watcher {
  prefix: string;
  end: string;
  handler: WatchHandler;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS log (
  rev INTEGER PRIMARY KEY,
  key TEXT NOT NULL,
  create_rev INTEGER NOT NULL,
  prev_rev INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  value TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS log_key_rev ON log(key, rev);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
`;

export class SqliteStorage implements Storage {
  private readonly db: Database.Database;
  private readonly index = new Map<string, IndexEntry>();
  private rev = 0;
  private compactRev = 0;
  private queue: Op[] = [];
  private flushScheduled = false;
  private closed = false;
  /** The batch the writer thread is committing, if any: only one at a time. */
  private inflight: Batch | undefined;
  /** Values of rows sent to the writer and not yet committed, by revision (the main connection cannot read them yet). */
  private readonly pendingValues = new Map<number, string>();
  private readonly writer: Worker;
  private nextRequest = 0;
  private readonly replies = new Map<number, (r: WriterReply) => void>();
  private readonly watchers = new Set<Watcher>();
  private readonly observer: StorageObserver;
  private readonly stmt: ReturnType<SqliteStorage['prepare']>;
  private readonly checkpointer: Worker;

  constructor(options: SqliteStorageOptions) {
    mkdirSync(dirname(options.path), { recursive: true });
    this.db = new Database(options.path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('wal_autocheckpoint = 0');
    this.db.exec(SCHEMA);
    this.observer = options.observer ?? {};
    this.stmt = this.prepare();
    this.load();
    this.writer = startWriter(options.path);
    this.writer.on('message', (r: WriterReply) => {
      const settle = this.replies.get(r.id);
      this.replies.delete(r.id);
      settle?.(r);
    });
    this.writer.on('error', (err) => {
      // The writer died: nothing more can be made durable. Fail what waits, refuse what comes.
      for (const settle of this.replies.values()) settle({ id: -1, ok: false, message: `the storage writer thread failed: ${err.message}` });
      this.replies.clear();
    });
    this.writer.unref();
    this.checkpointer = startCheckpointer(options.path, options.checkpointIntervalMs ?? 1000);
    // A failing checkpointer costs disk space (the WAL grows), not correctness: report it.
    this.checkpointer.on('error', (err) => this.observer.checkpointError?.(err));
    this.checkpointer.on('message', (m) => this.observer.checkpointError?.(new Error(String(m))));
  }

  /** Sends a request to the writer thread; resolves with its reply (the thread is referenced while busy). */
  private request(req: WriterCommand): Promise<WriterReply> {
    const id = this.nextRequest++;
    return new Promise((resolve) => {
      this.replies.set(id, (r) => {
        if (this.replies.size === 0) this.writer.unref();
        resolve(r);
      });
      this.writer.ref();
      this.writer.postMessage({ ...req, id } as WriterRequest);
    });
  }

  private prepare() {
    const db = this.db;
    return {
      valueAt: db.prepare<[number], { value: string }>('SELECT value FROM log WHERE rev = ?'),
      latest: db.prepare<[string], Row>('SELECT * FROM log WHERE key = ? ORDER BY rev DESC LIMIT 1'),
      listAt: db.prepare<[string, string, number, number], Row>(
        `SELECT l.* FROM log l JOIN (SELECT key, MAX(rev) AS r FROM log WHERE key >= ? AND key < ? AND rev <= ? GROUP BY key) m
         ON l.rev = m.r WHERE l.deleted = 0 ORDER BY l.key LIMIT ?`,
      ),
      countAt: db.prepare<[string, string, number], { n: number }>(
        `SELECT COUNT(*) AS n FROM log l JOIN (SELECT key, MAX(rev) AS r FROM log WHERE key >= ? AND key < ? AND rev <= ? GROUP BY key) m
         ON l.rev = m.r WHERE l.deleted = 0`,
      ),
      history: db.prepare<[number, string, string], Row & { prev_value: string | null; prev_create: number | null; prev_mod: number | null }>(
        `SELECT l.*, p.value AS prev_value, p.create_rev AS prev_create, p.rev AS prev_mod FROM log l
         LEFT JOIN log p ON p.rev = l.prev_rev
         WHERE l.rev >= ? AND l.key >= ? AND l.key < ? ORDER BY l.rev`,
      ),
    };
  }

  /** Rebuilds the in-memory index and the revision counters from disk. */
  private load(): void {
    const maxRow = this.db.prepare<[], { r: number | null }>('SELECT MAX(rev) AS r FROM log').get();
    const meta = this.db.prepare<[], { name: string; value: number }>('SELECT name, value FROM meta').all();
    this.compactRev = meta.find((m) => m.name === 'compact_rev')?.value ?? 0;
    // Revisions never move backwards: a compaction can remove the newest row (a tombstone), so
    // the compacted revision bounds the counter from below.
    this.rev = Math.max(maxRow?.r ?? 0, this.compactRev);
    const rows = this.db
      .prepare<[], Row>('SELECT l.key, l.rev, l.create_rev, l.deleted FROM log l JOIN (SELECT key, MAX(rev) AS r FROM log GROUP BY key) m ON l.rev = m.r')
      .all();
    for (const r of rows) if (!r.deleted) this.index.set(r.key, { createRevision: r.create_rev, modRevision: r.rev });
  }

  revision(): number {
    return this.rev;
  }

  compactedRevision(): number {
    return this.compactRev;
  }

  async get(key: string): Promise<KeyValue | undefined> {
    this.assertOpen();
    const row = this.stmt.latest.get(key);
    return row && !row.deleted ? toKv(row) : undefined;
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    this.assertOpen();
    const revision = options.revision ?? this.rev;
    if (revision < this.compactRev) throw new CompactedError(revision, this.compactRev);
    // The smallest string after startAfter is startAfter + NUL, so one `key >= ?` serves both pages.
    const start = options.startAfter && options.startAfter >= prefix ? options.startAfter + '\u0000' : prefix;
    const end = prefixEnd(prefix);
    const limit = options.limit && options.limit > 0 ? options.limit : -1;
    const rows = this.stmt.listAt.all(start, end, revision, limit === -1 ? -1 : limit + 1);
    const more = limit !== -1 && rows.length > limit;
    const items = (more ? rows.slice(0, limit) : rows).map(toKv);
    const result: ListResult = { items, revision, more };
    if (more) {
      const last = items[items.length - 1]!.key;
      result.remaining = this.stmt.countAt.get(last + '\u0000', end, revision)!.n;
    }
    return result;
  }

  create(key: string, value: string, object?: unknown): Promise<KeyValue> {
    return this.enqueue((done) => ({ kind: 'create', key, value, object, done }));
  }

  update(key: string, value: string, expectedModRevision: number, object?: unknown): Promise<KeyValue> {
    return this.enqueue((done) => ({ kind: 'update', key, value, expected: expectedModRevision, object, done }));
  }

  delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    return this.enqueue((done) => ({ kind: 'delete', key, expected: expectedModRevision, done }));
  }

  watch(prefix: string, fromRevision: number, handler: WatchHandler, signal: AbortSignal): void {
    this.assertOpen();
    if (signal.aborted) return;
    if (fromRevision <= this.compactRev && this.compactRev > 0) throw new CompactedError(fromRevision, this.compactRev);
    const end = prefixEnd(prefix);
    if (fromRevision <= this.rev) {
      // Replay synchronously, then register: nothing can be written in between.
      let batch: StorageEvent[] = [];
      for (const row of this.stmt.history.iterate(fromRevision, prefix, end)) {
        const ev: StorageEvent = { type: row.deleted ? 'delete' : 'put', kv: toKv(row) };
        if (row.prev_value !== null) ev.prevKv = { key: row.key, value: row.prev_value, createRevision: row.prev_create!, modRevision: row.prev_mod! };
        batch.push(ev);
        if (batch.length === 1000) {
          handler(batch);
          batch = [];
        }
      }
      if (batch.length) handler(batch);
    }
    const w: Watcher = { prefix, end, handler };
    this.watchers.add(w);
    signal.addEventListener('abort', () => this.watchers.delete(w), { once: true });
  }

  async compact(revision: number): Promise<void> {
    this.assertOpen();
    // Only what is committed can be compacted: never past a batch still in flight.
    const committed = this.inflight ? this.inflight.startRev : this.rev;
    const target = Math.min(revision, committed);
    if (target <= this.compactRev) return;
    const r = await this.request({ type: 'compact', rev: target });
    if (!r.ok) throw new Error(`compaction to revision ${target} failed: ${r.message}`);
    this.compactRev = Math.max(this.compactRev, target);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Writes already accepted are finished, not dropped.
    while (this.inflight || this.queue.length) {
      if (this.inflight) await this.inflight.done;
      else this.flush();
    }
    this.watchers.clear();
    this.checkpointer.ref();
    const stopped = new Promise((resolve) => this.checkpointer.once('exit', resolve));
    this.checkpointer.postMessage('stop');
    await stopped;
    // The writer's last act is a full checkpoint, so the database file alone holds everything.
    const exited = new Promise((resolve) => this.writer.once('exit', resolve));
    const closing = this.request({ type: 'close' });
    this.writer.ref(); // until it has exited, whatever the reply does
    await closing;
    this.writer.ref();
    await exited;
    this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('storage is closed');
  }

  private enqueue(make: (done: Settle) => Op): Promise<KeyValue> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new Error('storage is closed'));
      this.queue.push(make({ resolve, reject }));
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.inflight) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  /**
   * Decides every queued write against the index (revisions, compare-and-swap), sends the rows
   * to the writer thread as one batch, and acknowledges them once it reports them durable.
   */
  private flush(): void {
    this.flushScheduled = false;
    if (this.inflight || this.queue.length === 0) return;
    const ops = this.queue;
    this.queue = [];
    const started = performance.now();
    const startRev = this.rev;
    const undo: [string, IndexEntry | undefined][] = [];
    const outcomes: { op: Op; kv?: KeyValue; error?: Error }[] = [];
    const events: StorageEvent[] = [];
    const rows: LogRow[] = [];
    for (const op of ops) {
      const out = this.apply(op, undo, rows);
      outcomes.push({ op, ...out });
      if (out.event) events.push(out.event);
    }
    if (rows.length === 0) {
      for (const o of outcomes) o.op.done.reject(o.error!);
      return;
    }
    for (const r of rows) this.pendingValues.set(r[0], r[5]);
    let finished!: () => void;
    const batch: Batch = { startRev, done: new Promise<void>((r) => (finished = r)) };
    this.inflight = batch;
    void this.request({ type: 'write', rows }).then((reply) => {
      for (const r of rows) this.pendingValues.delete(r[0]);
      this.inflight = undefined;
      if (reply.ok) {
        this.observer.commit?.(rows.length, (performance.now() - started) / 1000);
        if (events.length) this.dispatch(events);
        for (const o of outcomes) (o.error ? o.op.done.reject(o.error) : o.op.done.resolve(o.kv!));
      } else {
        // Nothing of the batch is on disk: undo its decisions (no later batch was decided on them).
        for (let i = undo.length - 1; i >= 0; i--) {
          const [key, prev] = undo[i]!;
          if (prev) this.index.set(key, prev);
          else this.index.delete(key);
        }
        this.rev = startRev;
        const error = new Error(`storage write failed: ${reply.message}`);
        for (const o of outcomes) o.op.done.reject(o.error ?? error);
      }
      finished();
      this.scheduleFlush();
    });
  }

  /** The value of the row at rev: in flight, or on disk. */
  private valueAt(rev: number): string {
    return this.pendingValues.get(rev) ?? this.stmt.valueAt.get(rev)!.value;
  }

  /** The value of the row at rev, or undefined once a compaction removed it. */
  private valueIfKept(rev: number): string | undefined {
    return this.pendingValues.get(rev) ?? this.stmt.valueAt.get(rev)?.value;
  }

  private apply(op: Op, undo: [string, IndexEntry | undefined][], rows: LogRow[]): { kv?: KeyValue; error?: Error; event?: StorageEvent } {
    const cur = this.index.get(op.key);
    switch (op.kind) {
      case 'create': {
        if (cur) return { error: new KeyExistsError(op.key) };
        const rev = ++this.rev;
        rows.push([rev, op.key, rev, 0, 0, op.value]);
        undo.push([op.key, undefined]);
        this.index.set(op.key, { createRevision: rev, modRevision: rev });
        const kv = { key: op.key, value: op.value, createRevision: rev, modRevision: rev };
        return { kv, event: { type: 'put', kv, ...(op.object !== undefined ? { object: op.object } : {}) } };
      }
      case 'update': {
        if (!cur) return { error: new KeyNotFoundError(op.key) };
        if (cur.modRevision !== op.expected) return { error: new RevisionConflictError(op.key, op.expected, cur.modRevision) };
        const rev = ++this.rev;
        rows.push([rev, op.key, cur.createRevision, cur.modRevision, 0, op.value]);
        undo.push([op.key, cur]);
        this.index.set(op.key, { createRevision: cur.createRevision, modRevision: rev });
        const kv = { key: op.key, value: op.value, createRevision: cur.createRevision, modRevision: rev };
        // The previous value is read only if a watcher asks for it: the API server's watch cache
        // keeps the previous object itself, and reading it here cost a query per update.
        const read = (r: number) => this.valueIfKept(r);
        const prev = cur;
        const event: StorageEvent = {
          type: 'put',
          kv,
          get prevKv() {
            const value = read(prev.modRevision);
            return value === undefined ? undefined : { key: op.key, value, ...prev };
          },
          ...(op.object !== undefined ? { object: op.object } : {}),
        };
        return { kv, event };
      }
      case 'delete': {
        if (!cur) return { error: new KeyNotFoundError(op.key) };
        if (op.expected !== undefined && cur.modRevision !== op.expected) {
          return { error: new RevisionConflictError(op.key, op.expected, cur.modRevision) };
        }
        const prevValue = this.valueAt(cur.modRevision);
        const rev = ++this.rev;
        rows.push([rev, op.key, cur.createRevision, cur.modRevision, 1, prevValue]);
        undo.push([op.key, cur]);
        this.index.delete(op.key);
        const kv = { key: op.key, value: prevValue, createRevision: cur.createRevision, modRevision: rev };
        return { kv, event: { type: 'delete', kv, prevKv: { key: op.key, value: prevValue, ...cur } } };
      }
    }
  }

  private dispatch(events: StorageEvent[]): void {
    for (const w of this.watchers) {
      const mine = events.filter((e) => e.kv.key >= w.prefix && e.kv.key < w.end);
      if (mine.length === 0) continue;
      try {
        w.handler(mine);
      } catch (err) {
        // A watcher's failure must not fail the writes already committed, nor other watchers.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }
}

function toKv(row: Row): KeyValue {
  return { key: row.key, value: row.value, createRevision: row.create_rev, modRevision: row.rev };
}
