/**
 * The embedded storage backend: SQLite through better-sqlite3, in WAL mode with
 * synchronous=FULL, so a write is acknowledged only once it is on disk.
 *
 * Layout (as kine does it): one append-only `log` table, one row per revision, holding the key,
 * its create revision, the revision it replaces, a deleted flag and the value. The current state
 * is the newest row of each key; history for watch is the rows themselves; compaction removes
 * rows that a newer row supersedes.
 *
 * Group commit: writes that arrive in the same turn of the event loop are applied in one
 * transaction with one fsync, then acknowledged together. Compare-and-swap checks run against
 * an in-memory index of key -> (createRevision, modRevision), which the single writer keeps
 * exact; a failed transaction rolls the index back and rejects the whole batch.
 */
import Database from 'better-sqlite3';
import { Worker } from 'node:worker_threads';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
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

/** Observes commits, for metrics; every method is optional. */
export interface StorageObserver {
  /** One group commit of `ops` writes took `seconds`. */
  commit?(ops: number, seconds: number): void;
  /** The background WAL checkpoint failed. */
  checkpointError?(err: Error): void;
}

export interface SqliteStorageOptions {
  /** Database file; created with its directory when missing. ':memory:' for tests that need no durability. */
  path: string;
  observer?: StorageObserver;
  /** How often a background thread checkpoints the WAL into the database file, ms (default 1000). */
  checkpointIntervalMs?: number;
}

/**
 * The checkpointer: a worker thread with its own connection that copies the WAL into the
 * database file (PASSIVE: never blocks the writer). SQLite's automatic checkpoint would run
 * inside a commit on the API server's event loop and stall every request for tens of ms.
 */
const CHECKPOINTER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 5000');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (err) { parentPort.postMessage(String(err && err.message)); }
}, workerData.intervalMs);
parentPort.on('message', (m) => { if (m === 'stop') { clearInterval(timer); db.close(); process.exit(0); } });
`;

interface IndexEntry {
  createRevision: number;
  modRevision: number;
}

type Op =
  | { kind: 'create'; key: string; value: string; done: Settle }
  | { kind: 'update'; key: string; value: string; expected: number; done: Settle }
  | { kind: 'delete'; key: string; expected: number | undefined; done: Settle };

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

const require = createRequire(import.meta.url);

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
  private readonly watchers = new Set<Watcher>();
  private readonly observer: StorageObserver;
  private readonly stmt: ReturnType<SqliteStorage['prepare']>;
  private readonly checkpointer: Worker | undefined;

  constructor(options: SqliteStorageOptions) {
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
    this.db = new Database(options.path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    if (options.path !== ':memory:') {
      this.db.pragma('wal_autocheckpoint = 0');
      this.checkpointer = new Worker(CHECKPOINTER, {
        eval: true,
        workerData: { path: options.path, intervalMs: options.checkpointIntervalMs ?? 1000, module: require.resolve('better-sqlite3') },
      });
      // A failing checkpointer costs disk space (the WAL grows), not correctness: report it.
      this.checkpointer.on('error', (err) => this.observer.checkpointError?.(err));
      this.checkpointer.on('message', (m) => this.observer.checkpointError?.(new Error(String(m))));
      this.checkpointer.unref();
    }
    this.observer = options.observer ?? {};
    this.stmt = this.prepare();
    this.load();
  }

  private prepare() {
    const db = this.db;
    return {
      insert: db.prepare('INSERT INTO log (rev, key, create_rev, prev_rev, deleted, value) VALUES (?, ?, ?, ?, ?, ?)'),
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
      compact: db.prepare<[number, number]>(
        `DELETE FROM log WHERE rev <= ? AND (deleted = 1 OR EXISTS (
           SELECT 1 FROM log n WHERE n.key = log.key AND n.rev > log.rev AND n.rev <= ?))`,
      ),
      setMeta: db.prepare<[string, number]>('INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value'),
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

  create(key: string, value: string): Promise<KeyValue> {
    return this.enqueue((done) => ({ kind: 'create', key, value, done }));
  }

  update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    return this.enqueue((done) => ({ kind: 'update', key, value, expected: expectedModRevision, done }));
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
    const target = Math.min(revision, this.rev);
    if (target <= this.compactRev) return;
    this.db.transaction(() => {
      this.stmt.compact.run(target, target);
      this.stmt.setMeta.run('compact_rev', target);
    })();
    this.compactRev = target;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.queue.length) this.flush();
    this.closed = true;
    this.watchers.clear();
    if (this.checkpointer) {
      this.checkpointer.ref();
      const exited = new Promise((resolve) => this.checkpointer!.once('exit', resolve));
      this.checkpointer.postMessage('stop');
      await exited;
    }
    // A last full checkpoint so the database file alone holds everything.
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('storage is closed');
  }

  private enqueue(make: (done: Settle) => Op): Promise<KeyValue> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new Error('storage is closed'));
      this.queue.push(make({ resolve, reject }));
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Applies every queued write in one transaction (one fsync), then acknowledges them. */
  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    const started = performance.now();
    const startRev = this.rev;
    const undo: [string, IndexEntry | undefined][] = [];
    const outcomes: { op: Op; kv?: KeyValue; error?: Error }[] = [];
    const events: StorageEvent[] = [];
    try {
      this.db.transaction(() => {
        for (const op of batch) {
          const out = this.apply(op, undo);
          outcomes.push({ op, ...out });
          if (out.event) events.push(out.event);
        }
      })();
    } catch (err) {
      for (let i = undo.length - 1; i >= 0; i--) {
        const [key, prev] = undo[i]!;
        if (prev) this.index.set(key, prev);
        else this.index.delete(key);
      }
      this.rev = startRev;
      const error = new Error(`storage write failed: ${(err as Error).message}`, { cause: err });
      for (const op of batch) op.done.reject(error);
      return;
    }
    this.observer.commit?.(batch.length, (performance.now() - started) / 1000);
    if (events.length) this.dispatch(events);
    for (const o of outcomes) (o.error ? o.op.done.reject(o.error) : o.op.done.resolve(o.kv!));
  }

  private apply(op: Op, undo: [string, IndexEntry | undefined][]): { kv?: KeyValue; error?: Error; event?: StorageEvent } {
    const cur = this.index.get(op.key);
    switch (op.kind) {
      case 'create': {
        if (cur) return { error: new KeyExistsError(op.key) };
        const rev = ++this.rev;
        this.stmt.insert.run(rev, op.key, rev, 0, 0, op.value);
        undo.push([op.key, undefined]);
        this.index.set(op.key, { createRevision: rev, modRevision: rev });
        const kv = { key: op.key, value: op.value, createRevision: rev, modRevision: rev };
        return { kv, event: { type: 'put', kv } };
      }
      case 'update': {
        if (!cur) return { error: new KeyNotFoundError(op.key) };
        if (cur.modRevision !== op.expected) return { error: new RevisionConflictError(op.key, op.expected, cur.modRevision) };
        const prevValue = this.stmt.valueAt.get(cur.modRevision)!.value;
        const rev = ++this.rev;
        this.stmt.insert.run(rev, op.key, cur.createRevision, cur.modRevision, 0, op.value);
        undo.push([op.key, cur]);
        this.index.set(op.key, { createRevision: cur.createRevision, modRevision: rev });
        const kv = { key: op.key, value: op.value, createRevision: cur.createRevision, modRevision: rev };
        return { kv, event: { type: 'put', kv, prevKv: { key: op.key, value: prevValue, ...cur } } };
      }
      case 'delete': {
        if (!cur) return { error: new KeyNotFoundError(op.key) };
        if (op.expected !== undefined && cur.modRevision !== op.expected) {
          return { error: new RevisionConflictError(op.key, op.expected, cur.modRevision) };
        }
        const prevValue = this.stmt.valueAt.get(cur.modRevision)!.value;
        const rev = ++this.rev;
        this.stmt.insert.run(rev, op.key, cur.createRevision, cur.modRevision, 1, prevValue);
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
