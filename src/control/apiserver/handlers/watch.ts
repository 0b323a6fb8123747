/**
 * Watch responses: a chunked stream of JSON lines {"type": ..., "object": ...} as kube-apiserver
 * sends them, from the watch cache. Each event's text is built once and shared by every watcher
 * that receives the same form of it. A resourceVersion the cache no longer covers yields one
 * ERROR event carrying a 410 Expired Status, after which the client relists. Slow readers that
 * let too much pile up are disconnected, as Kubernetes does, so they cannot hold memory.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errors } from '../../../api/errors.js';
import { apiVersionOf, type ResourceInfo } from '../../../api/resources.js';
import { buildTable } from '../../../api/tables.js';
import type { KObject } from '../../../api/types.js';
import type { Clock } from '../../../util/clock.js';
import { TooOldError, type CacheEvent, type EventType, type WatchCache } from '../cache.js';
import { jsonOf } from '../json.js';
import type { Predicate } from '../registry/list.js';

export interface WatchParams {
  resource: ResourceInfo;
  namespace: string;
  match: Predicate;
  /** undefined: start with ADDED events for the current state. */
  fromRev: number | undefined;
  table: boolean;
  includeObject: 'None' | 'Metadata' | 'Object';
  timeoutSeconds: number;
  bookmarks: boolean;
}

export interface WatchEnv {
  cache: WatchCache;
  clock: Clock;
  /** Interval of BOOKMARK events for watchers that allow them (ms). */
  bookmarkIntervalMs: number;
  /** Bytes a watcher may have unsent before it is disconnected. */
  maxBufferedBytes: number;
  /**
   * At most one write per watcher per this many ms (0: a write per batch of events). Under load
   * every socket write costs a TLS record and a system call per watcher, so a busy watcher's
   * events are gathered for up to this long; an idle one's first event goes out at once.
   */
  coalesceMs: number;
  /** Counts watchers open, for metrics. */
  onOpen(r: ResourceInfo): void;
  onClose(r: ResourceInfo): void;
}

function line(type: string, objectJson: string): string {
  return `{"type":"${type}","object":${objectJson}}\n`;
}

export function serveWatch(env: WatchEnv, req: IncomingMessage, res: ServerResponse, p: WatchParams): void {
  const contentType = p.table ? 'application/json;as=Table;v=v1;g=meta.k8s.io' : 'application/json';
  res.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  let headersSent = false; // table column definitions go in the first event only
  let closed = false;
  let unregister = () => {};
  const timers: (() => void)[] = [];

  const close = () => {
    if (closed) return;
    if (pending && !res.destroyed) res.write(pending);
    closed = true;
    unregister();
    flushTimer?.();
    for (const t of timers) t();
    env.onClose(p.resource);
    res.end();
  };

  const format = (type: EventType, ev: CacheEvent, obj: KObject): string => {
    if (p.table) {
      const table = buildTable(p.resource.kind, [obj], { now: env.clock.now(), includeObject: p.includeObject });
      if (headersSent) table.columnDefinitions = [];
      headersSent = true;
      return line(type, JSON.stringify(table));
    }
    if (obj !== ev.obj) return line(type, JSON.stringify(obj));
    let s = ev.memo.get(type);
    if (s === undefined) {
      s = line(type, jsonOf(obj));
      ev.memo.set(type, s);
    }
    return s;
  };

  let pending = '';
  let lastFlush = 0;
  let flushTimer: (() => void) | undefined;
  const flush = () => {
    flushTimer = undefined;
    if (closed || pending === '') return;
    lastFlush = env.clock.monotonic();
    res.write(pending);
    pending = '';
    if (res.writableLength > env.maxBufferedBytes) close();
  };
  const write = (chunk: string) => {
    if (closed) return;
    pending += chunk;
    if (flushTimer) return;
    const wait = env.coalesceMs - (env.clock.monotonic() - lastFlush);
    if (wait <= 0) flush();
    else flushTimer = env.clock.setTimer(wait, flush);
  };

  env.onOpen(p.resource);
  try {
    unregister = env.cache.watch(
      {
        resource: p.resource,
        filter: { ...(p.namespace ? { namespace: p.namespace } : {}), matches: p.match },
        deliver(events) {
          if (closed) return;
          let chunk = '';
          for (const e of events) chunk += format(e.type, e.ev, e.obj);
          write(chunk);
        },
      },
      p.fromRev,
    );
  } catch (err) {
    if (err instanceof TooOldError) {
      const status = errors.gone(err.message).status;
      res.write(line('ERROR', JSON.stringify(status)));
      close();
      return;
    }
    close();
    throw err;
  }

  req.on('close', close);
  res.on('error', close);
  timers.push(env.clock.setTimer(p.timeoutSeconds * 1000, close));
  if (p.bookmarks) {
    const tick = () => {
      if (closed) return;
      const bookmark = { kind: p.resource.kind, apiVersion: apiVersionOf(p.resource), metadata: { resourceVersion: String(env.cache.revision()) } };
      write(line('BOOKMARK', JSON.stringify(bookmark)));
      timers.push(env.clock.setTimer(env.bookmarkIntervalMs, tick));
    };
    timers.push(env.clock.setTimer(env.bookmarkIntervalMs, tick));
  }
}
