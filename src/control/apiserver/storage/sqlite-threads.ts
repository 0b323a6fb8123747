/**
 * The SQLite backend's two helper threads, each with its own connection to the database file:
 *
 * - the writer commits batches of rows (one transaction and one fsync per batch) and runs
 *   compactions, so the API server's event loop never waits for the disk: while one batch is
 *   being made durable, the next one gathers;
 * - the checkpointer copies the WAL into the database file now and then (PASSIVE: it never
 *   blocks the writer). SQLite's automatic checkpoint would run inside a commit.
 *
 * Both are plain CommonJS run with `eval`, so they need no TypeScript loader.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const require = createRequire(import.meta.url);

/** A row of the log table: [rev, key, create_rev, prev_rev, deleted (0/1), value]. */
export type LogRow = [number, string, number, number, number, string];

export type WriterCommand = { type: 'write'; rows: LogRow[] } | { type: 'compact'; rev: number } | { type: 'close' };

export type WriterRequest = WriterCommand & { id: number };

export type WriterReply = { id: number; ok: true; ms: number } | { id: number; ok: false; message: string };

const WRITER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.path);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.pragma('busy_timeout = 5000');
db.pragma('wal_autocheckpoint = 0');
const insert = db.prepare('INSERT INTO log (rev, key, create_rev, prev_rev, deleted, value) VALUES (?, ?, ?, ?, ?, ?)');
const compact = db.prepare(\`DELETE FROM log WHERE rev <= ? AND (deleted = 1 OR EXISTS (
  SELECT 1 FROM log n WHERE n.key = log.key AND n.rev > log.rev AND n.rev <= ?))\`);
const setMeta = db.prepare('INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value');
const write = db.transaction((rows) => { for (const r of rows) insert.run(r[0], r[1], r[2], r[3], r[4], r[5]); });
const compactTo = db.transaction((rev) => { compact.run(rev, rev); setMeta.run('compact_rev', rev); });
parentPort.on('message', (m) => {
  const t0 = performance.now();
  try {
    if (m.type === 'write') write(m.rows);
    else if (m.type === 'compact') compactTo(m.rev);
    else if (m.type === 'close') { db.pragma('wal_checkpoint(TRUNCATE)'); db.close(); }
    parentPort.postMessage({ id: m.id, ok: true, ms: performance.now() - t0 });
    if (m.type === 'close') process.exit(0);
  } catch (err) {
    parentPort.postMessage({ id: m.id, ok: false, message: String((err && err.message) || err) });
  }
});
`;

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

const sqliteModule = () => require.resolve('better-sqlite3');

/** The writer thread; replies arrive on 'message' in request order. */
export function startWriter(path: string): Worker {
  return new Worker(WRITER, { eval: true, workerData: { path, module: sqliteModule() } });
}

/** The checkpointer thread; a message is an error text. Stop it by posting 'stop'. */
export function startCheckpointer(path: string, intervalMs: number): Worker {
  const w = new Worker(CHECKPOINTER, { eval: true, workerData: { path, intervalMs, module: sqliteModule() } });
  w.unref();
  return w;
}
