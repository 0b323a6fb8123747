/**
 * `lab bench api`: the API server and its embedded store under load. Starts an API server as its
 * own process (HTTPS, token, SQLite with every write durable) and measures, at concurrency 1 and
 * 32: creates, updates (PUT with resourceVersion) and lists, as writes/s and p50/p99 latency; then
 * watch delivery: events/s and write-to-event latency for 1 and 100 live watchers while 32 clients
 * write (and whether those watchers slow the writes down), and replay from history for 1 and 100
 * watchers. Every loop is bounded by a count and a deadline.
 */
import { Client } from '../client/rest.js';
import type { ConfigMap } from '../api/types.js';
import { startBenchApiServer } from './apiserver-process.js';
import { Latency, round, runConcurrent, type LatencySummary } from './stats.js';
import { openWatchCounter } from './watch-counter.js';

export interface ApiBenchOptions {
  /** Operations per phase at concurrency 32 (1 runs a tenth). */
  ops: number;
  /** Events per watch phase. */
  watchEvents: number;
  /** Watchers in the many-watchers phases. */
  watchers: number;
  /** Creates and updates at concurrency 32 before measuring, not measured (the server's code gets compiled and optimised). */
  warmupOps: number;
  /** Upper bound of any one phase, ms. */
  phaseDeadlineMs: number;
  progress(line: string): void;
}

export interface OpResult {
  op: 'create' | 'update' | 'list';
  concurrency: number;
  ops: number;
  seconds: number;
  perSecond: number;
  latency: LatencySummary;
  /** For lists: objects per list. */
  items?: number;
}

export interface WatchResult {
  mode: 'live' | 'replay';
  watchers: number;
  events: number;
  /** Events per second delivered to each watcher (the slowest one). */
  eventsPerSecondPerWatcher: number;
  /** Events per second delivered to all watchers together. */
  eventsPerSecondTotal: number;
  /** For live: writes/s achieved by the 32 writers while the watchers were attached. */
  writesPerSecond?: number;
  /** For live: from the write being sent to the event arriving, sampled. */
  latency?: LatencySummary;
}

export interface ApiBenchResult {
  benchmark: 'api';
  startedAt: string;
  machine: { cpus: number; node: string; platform: string };
  options: Omit<ApiBenchOptions, 'progress'>;
  ops: OpResult[];
  watch: WatchResult[];
}

const payload = () => ({ sentAt: String(performance.timeOrigin + performance.now()), blob: 'x'.repeat(200) });

export async function runApiBench(o: ApiBenchOptions): Promise<ApiBenchResult> {
  const server = await startBenchApiServer(['--watch-cache-size', '100000']);
  const client = new Client({ server: server.url, token: server.token, ca: server.ca, maxSockets: 128 });
  const cms = client.resource<ConfigMap>('ConfigMap');
  const ns = client.resource('Namespace');
  const result: ApiBenchResult = {
    benchmark: 'api',
    startedAt: new Date().toISOString(),
    machine: { cpus: (await import('node:os')).cpus().length, node: process.version, platform: `${process.platform}/${process.arch}` },
    options: { ops: o.ops, watchEvents: o.watchEvents, watchers: o.watchers, warmupOps: o.warmupOps, phaseDeadlineMs: o.phaseDeadlineMs },
    ops: [],
    watch: [],
  };
  try {
    if (o.warmupOps > 0) {
      // Measured: a fresh server answers the first ~20,000 writes at 32 clients up to twice as
      // slowly as later ones, while V8 compiles and optimises its hot paths.
      o.progress(`warming up: ${o.warmupOps} creates and as many updates at concurrency 32 (not measured)`);
      await ns.create('', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench-warmup' } });
      const rvs: string[] = [];
      const made = await runConcurrent(32, o.warmupOps, o.phaseDeadlineMs, async (i) => {
        rvs[i] = (await cms.create('bench-warmup', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `warm-${i}` }, data: payload() })).metadata.resourceVersion!;
      });
      await runConcurrent(32, made.done, o.phaseDeadlineMs, async (i) => {
        await cms.update({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `warm-${i}`, namespace: 'bench-warmup', resourceVersion: rvs[i]! }, data: payload() });
      });
    }
    for (const c of [1, 32]) {
      const n = c === 1 ? Math.max(100, Math.floor(o.ops / 10)) : o.ops;
      const space = `bench-c${c}`;
      await ns.create('', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: space } });
      const rvs: string[] = new Array(n);

      o.progress(`create at concurrency ${c} (${n} ConfigMaps)`);
      let lat = new Latency();
      let run = await runConcurrent(c, n, o.phaseDeadlineMs, async (i) => {
        const t0 = performance.now();
        const made = await cms.create(space, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}` }, data: payload() });
        lat.record(performance.now() - t0);
        rvs[i] = made.metadata.resourceVersion!;
      });
      result.ops.push(opResult('create', c, run, lat));
      const created = run.done;

      o.progress(`update at concurrency ${c}`);
      lat = new Latency();
      run = await runConcurrent(c, created, o.phaseDeadlineMs, async (i) => {
        const t0 = performance.now();
        await cms.update({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, namespace: space, resourceVersion: rvs[i]! }, data: payload() });
        lat.record(performance.now() - t0);
      });
      result.ops.push(opResult('update', c, run, lat));

      o.progress(`list at concurrency ${c} (${created} objects per list)`);
      lat = new Latency();
      const lists = c === 1 ? 20 : 64;
      run = await runConcurrent(c, lists, o.phaseDeadlineMs, async () => {
        const t0 = performance.now();
        await cms.list(space);
        lat.record(performance.now() - t0);
      });
      result.ops.push({ ...opResult('list', c, run, lat), items: created });
    }

    for (const watchers of o.watchers === 1 ? [1] : [1, o.watchers]) {
      const space = `bench-watch-${watchers}`;
      await ns.create('', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: space } });
      const from = (await cms.list(space, { limit: 1 })).metadata.resourceVersion!;
      const path = `/api/v1/namespaces/${space}/configmaps?watch=1&resourceVersion=${from}`;
      o.progress(`live watch: ${watchers} watcher(s), ${o.watchEvents} writes at concurrency 32`);
      const counters = await Promise.all(Array.from({ length: watchers }, () => openWatchCounter({ url: server.url, path, token: server.token, ca: server.ca })));
      const t0 = performance.now();
      const writes = await runConcurrent(32, o.watchEvents, o.phaseDeadlineMs, async (i) => {
        await cms.create(space, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `w-${i}` }, data: payload() });
      });
      let deadlineTimer: NodeJS.Timeout | undefined;
      const deadline = new Promise<number>((r) => (deadlineTimer = setTimeout(() => r(Number.NaN), o.phaseDeadlineMs)));
      const lasts = await Promise.all(counters.map((w) => Promise.race([w.reached(writes.done), deadline])));
      const slowest = Math.max(...lasts.map((t) => (Number.isNaN(t) ? performance.now() : t)));
      const seconds = (slowest - t0) / 1000;
      const merged = new Latency();
      for (const w of counters) merged.add(w.latency);
      result.watch.push({
        mode: 'live',
        watchers,
        events: writes.done,
        eventsPerSecondPerWatcher: round(Math.min(...counters.map((w) => w.count)) / seconds),
        eventsPerSecondTotal: round(counters.reduce((a, w) => a + w.count, 0) / seconds),
        writesPerSecond: round(writes.done / writes.seconds),
        latency: merged.summary(),
      });
      for (const w of counters) w.close();

      o.progress(`replay: ${watchers} watcher(s) from resourceVersion ${from} (${writes.done} events in history)`);
      const r0 = performance.now();
      const replays = await Promise.all(Array.from({ length: watchers }, () => openWatchCounter({ url: server.url, path, token: server.token, ca: server.ca, sampleEvery: 1_000_000 })));
      const ends = await Promise.all(replays.map((w) => Promise.race([w.reached(writes.done), deadline])));
      const rs = (Math.max(...ends.map((t) => (Number.isNaN(t) ? performance.now() : t))) - r0) / 1000;
      result.watch.push({
        mode: 'replay',
        watchers,
        events: writes.done,
        eventsPerSecondPerWatcher: round(Math.min(...replays.map((w) => w.count)) / rs),
        eventsPerSecondTotal: round(replays.reduce((a, w) => a + w.count, 0) / rs),
      });
      for (const w of replays) w.close();
      clearTimeout(deadlineTimer);
    }
  } finally {
    client.close();
    await server.stop();
  }
  return result;
}

function opResult(op: OpResult['op'], concurrency: number, run: { done: number; seconds: number }, lat: Latency): OpResult {
  return { op, concurrency, ops: run.done, seconds: round(run.seconds, 2), perSecond: round(run.done / run.seconds), latency: lat.summary() };
}
