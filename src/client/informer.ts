/**
 * The informer: a local cache of one kind, kept current by list + watch, that tells event
 * handlers what changed (client-go's Reflector + SharedIndexInformer).
 *
 * Its loop: list (in pages) -> watch from the list's resourceVersion -> when the watch ends
 * normally, watch again from the last resourceVersion seen (BOOKMARKs included) -> on 410 Gone,
 * whether an HTTP answer or an ERROR event, relist and deliver the differences (adds, updates,
 * and deletes for objects that vanished while it was away) -> on any other failure, log it at
 * level 0 and retry after a capped exponential backoff with jitter that resets after a success.
 * It never stops on its own: only its signal ends run(). That is the property whose absence is
 * the most reported bug of the official JavaScript client's informer.
 *
 * Handlers run synchronously, in event order, after the cache has the change; they should only
 * compute a key and enqueue it. One that throws is logged and does not disturb the others.
 */
import type { KList, KObject, Status, WatchEvent } from '../api/types.js';
import { systemClock, type Clock } from '../util/clock.js';
import { nullLogger, type Logger } from '../util/log.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import { isGone, statusErrorOf } from './errors.js';
import { DEFAULT_PAGE_SIZE, listAllPages } from './pager.js';
import type { ListOptions, WatchOptions } from './resource.js';
import { IndexedStore, keyOf, type IndexFunc } from './store.js';

/** The two calls an informer needs; a ResourceClient is one. */
export interface ListerWatcher<T extends KObject> {
  list(ns: string, o: ListOptions): Promise<KList<T>>;
  watch(ns: string, o: WatchOptions): AsyncIterable<WatchEvent<T>>;
}

/** Callbacks for changes of the cache. Objects are shared: never change them. */
export interface EventHandler<T> {
  /** obj entered the cache (or, for a handler added after sync, was in it). */
  onAdd?(obj: T): void;
  /** obj changed; on a periodic resync oldObj === newObj. */
  onUpdate?(oldObj: T, newObj: T): void;
  /** obj left the cache; its last known state (after a relist, the state before the disconnection). */
  onDelete?(obj: T): void;
}

export interface InformerOptions {
  /** Namespace to watch ('' = all namespaces, the default; cluster-scoped kinds use ''). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Name in log lines (default "informer"). */
  name?: string;
  /** Re-deliver every cached object as onUpdate(obj, obj) this often, ms (default 0: never). */
  resyncPeriodMs?: number;
  /** Page size of lists (default 500; 0 lists in one answer). */
  pageSize?: number;
  /** Each watch asks the server to end it after a random time in [n, 2n) s (default 300), as the reflector does. */
  watchTimeoutSeconds?: number;
  /** A watch that ends sooner than this without any event counts as a failure, so a server that closes at once is not hammered (default 1000 ms). */
  minWatchMs?: number;
  /** Reconnect backoff (default 100 ms doubling to 10 s, half of it jitter). */
  backoff?: BackoffOptions;
  clock?: Clock;
  log?: Logger;
}

export class Informer<T extends KObject> {
  private readonly store: IndexedStore<T>;
  private readonly handlers = new Set<EventHandler<T>>();
  private readonly namespace: string;
  private readonly name: string;
  private readonly clock: Clock;
  private readonly log: Logger;
  private rv = '';
  private synced = false;
  private started = false;
  /** Consecutive 410s without progress in between: the second one backs off instead of relisting at once. */
  private goneStreak = 0;
  private readonly syncWaiters = new Set<() => void>();

  constructor(
    private readonly lw: ListerWatcher<T>,
    private readonly o: InformerOptions = {},
  ) {
    this.namespace = o.namespace ?? '';
    this.name = o.name ?? 'informer';
    this.clock = o.clock ?? systemClock;
    this.log = o.log ?? nullLogger;
    if (o.resyncPeriodMs !== undefined && !(o.resyncPeriodMs >= 0)) throw new RangeError(`resyncPeriodMs must be >= 0, not ${o.resyncPeriodMs}`);
    if (o.watchTimeoutSeconds !== undefined && !(Number.isInteger(o.watchTimeoutSeconds) && o.watchTimeoutSeconds > 0)) {
      throw new RangeError(`watchTimeoutSeconds must be a positive integer, not ${o.watchTimeoutSeconds}`);
    }
    new Backoff(o.backoff); // validates the options now rather than at the first failure
    this.store = new IndexedStore<T>((index, key, err) => this.log.error(`${this.name}: index function "${index}" failed`, err, { key }));
  }

  /**
   * Registers handlers. After the cache has synced, the new handler at once gets onAdd for every
   * cached object, so it misses nothing. Returns the function that unregisters it.
   */
  addEventHandler(h: EventHandler<T>): () => void {
    this.handlers.add(h);
    if (this.synced) for (const obj of this.store.list()) this.call(h, 'add', obj);
    return () => this.handlers.delete(h);
  }

  /** Adds a secondary index (e.g. pods by spec.nodeName); objects already cached are indexed at once. */
  addIndexer(name: string, fn: IndexFunc<T>): void {
    this.store.addIndexer(name, fn);
  }

  /** Cached objects that index name maps value to. Throws for an unknown index. */
  byIndex(name: string, value: string): T[] {
    return this.store.byIndex(name, value);
  }

  /** The cached object with key "ns/name" (or "name"). */
  get(key: string): T | undefined {
    return this.store.get(key);
  }

  getByNamespaceName(ns: string, name: string): T | undefined {
    return this.store.get(ns ? `${ns}/${name}` : name);
  }

  /** Every cached object. */
  list(): T[] {
    return this.store.list();
  }

  /** Whether the first list has been cached and delivered to the handlers. */
  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves true once synced, or false when signal aborts first. */
  waitForCacheSync(signal: AbortSignal): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (v: boolean) => {
        this.syncWaiters.delete(onSync);
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      };
      const onSync = () => done(true);
      const onAbort = () => done(false);
      this.syncWaiters.add(onSync);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** The resourceVersion the cache reflects (of the last list, event or bookmark). */
  lastResourceVersion(): string {
    return this.rv;
  }

  /** Lists, watches and recovers until signal aborts; resolves then. Runs once per informer. */
  async run(signal: AbortSignal): Promise<void> {
    if (this.started) throw new Error(`${this.name}: run() was already called`);
    this.started = true;
    const resync = this.resyncLoop(signal);
    const backoff = new Backoff(this.o.backoff);
    let needList = true;
    while (!signal.aborted) {
      let phase = needList ? 'list' : 'watch';
      try {
        if (needList) {
          await this.relist(signal);
          needList = false;
          backoff.reset();
          phase = 'watch';
        }
        await this.watchOnce(signal, backoff);
        this.log.v(4).info(`${this.name}: watch ended; resuming`, { resourceVersion: this.rv });
        continue;
      } catch (err) {
        if (signal.aborted) break;
        if (isGone(err)) {
          needList = true;
          if (this.goneStreak++ === 0) {
            this.log.error(`${this.name}: resourceVersion ${this.rv || '""'} is too old (410); relisting`, err);
            continue;
          }
        }
        const delay = backoff.next();
        this.log.error(`${this.name}: ${phase} failed; retrying in ${delay} ms`, err, { resourceVersion: this.rv });
        try {
          await this.clock.sleep(delay, signal);
        } catch {
          break; // aborted while waiting
        }
      }
    }
    await resync;
  }

  private async relist(signal: AbortSignal): Promise<void> {
    const o = this.o;
    const list = await listAllPages(
      (page) =>
        this.lw.list(this.namespace, {
          ...(o.labelSelector ? { labelSelector: o.labelSelector } : {}),
          ...(o.fieldSelector ? { fieldSelector: o.fieldSelector } : {}),
          ...page,
          signal,
        }),
      o.pageSize ?? DEFAULT_PAGE_SIZE,
    );
    this.replace(list.items, list.metadata.resourceVersion ?? '');
  }

  /** Makes the cache equal to items, delivering only the differences. */
  private replace(items: T[], rv: string): void {
    const seen = new Set<string>();
    let added = 0;
    let updated = 0;
    let deleted = 0;
    for (const obj of items) {
      const key = keyOf(obj);
      seen.add(key);
      const old = this.store.get(key);
      if (old === undefined) {
        this.store.set(key, obj);
        this.dispatch('add', obj);
        added++;
      } else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) {
        this.store.set(key, obj);
        this.dispatch('update', obj, old);
        updated++;
      }
    }
    for (const key of this.store.keys()) {
      if (seen.has(key)) continue;
      const old = this.store.delete(key)!;
      this.dispatch('delete', old);
      deleted++;
    }
    this.rv = rv;
    this.log.v(2).info(`${this.name}: listed`, { resourceVersion: rv, objects: items.length, added, updated, deleted });
    if (!this.synced) {
      this.synced = true;
      for (const w of [...this.syncWaiters]) w();
    }
  }

  private async watchOnce(signal: AbortSignal, backoff: Backoff): Promise<void> {
    const o = this.o;
    const base = o.watchTimeoutSeconds ?? 300;
    const started = performance.now();
    let events = 0;
    const stream = this.lw.watch(this.namespace, {
      resourceVersion: this.rv,
      allowWatchBookmarks: true,
      timeoutSeconds: Math.floor(base * (1 + Math.random())),
      ...(o.labelSelector ? { labelSelector: o.labelSelector } : {}),
      ...(o.fieldSelector ? { fieldSelector: o.fieldSelector } : {}),
      signal,
    });
    for await (const ev of stream) {
      if (ev.type === 'ERROR') throw statusErrorOf(ev.object as unknown as Status);
      if (events++ === 0) {
        // The server is answering again: the next failure starts from the shortest delay.
        backoff.reset();
        this.goneStreak = 0;
      }
      this.apply(ev);
    }
    const elapsed = performance.now() - started;
    if (events === 0 && elapsed < (o.minWatchMs ?? 1000)) {
      throw new Error(`the watch from resourceVersion ${this.rv} ended after ${Math.round(elapsed)} ms without any event`);
    }
  }

  private apply(ev: WatchEvent<T>): void {
    const obj = ev.object;
    const rv = obj.metadata?.resourceVersion;
    switch (ev.type) {
      case 'BOOKMARK':
        break;
      case 'ADDED':
      case 'MODIFIED': {
        const key = keyOf(obj);
        const old = this.store.set(key, obj);
        if (old === undefined) this.dispatch('add', obj);
        else if (old.metadata.resourceVersion !== rv) this.dispatch('update', obj, old);
        break;
      }
      case 'DELETED': {
        // A delete of something the cache never had is nothing to report.
        if (this.store.delete(keyOf(obj)) !== undefined) this.dispatch('delete', obj);
        break;
      }
    }
    if (rv) this.rv = rv;
  }

  private dispatch(type: 'add' | 'update' | 'delete', obj: T, old?: T): void {
    for (const h of this.handlers) this.call(h, type, obj, old);
  }

  private call(h: EventHandler<T>, type: 'add' | 'update' | 'delete', obj: T, old?: T): void {
    try {
      if (type === 'add') h.onAdd?.(obj);
      else if (type === 'update') h.onUpdate?.(old!, obj);
      else h.onDelete?.(obj);
    } catch (err) {
      this.log.error(`${this.name}: ${type} handler failed`, err, { key: keyOf(obj) });
    }
  }

  private async resyncLoop(signal: AbortSignal): Promise<void> {
    const period = this.o.resyncPeriodMs ?? 0;
    if (period <= 0) return;
    while (!signal.aborted) {
      try {
        await this.clock.sleep(period, signal);
      } catch {
        return;
      }
      if (!this.synced) continue;
      for (const obj of this.store.list()) this.dispatch('update', obj, obj);
    }
  }
}
