/**
 * The watch cache: every object of the cluster decoded in memory, kept current by one watch on
 * the storage, plus a ring of recent events. Reads (get, list) and every watcher are served from
 * here, as kube-apiserver's cacher does, so hundreds of watchers cost the storage nothing and an
 * event is serialised once however many watchers receive it.
 *
 * Objects handed out are shared: callers must copy before they change one.
 */
import { resourceFor, type ResourceInfo } from '../../api/resources.js';
import type { KObject } from '../../api/types.js';
import { CompactedError, type Storage, type StorageEvent } from './storage/interface.js';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface CacheEntry {
  key: string;
  obj: KObject;
  rev: number;
}

export interface CacheEvent {
  type: EventType;
  rev: number;
  key: string;
  resource: ResourceInfo;
  namespace: string | undefined;
  obj: KObject;
  /** The object before this event (undefined for ADDED). */
  prev: KObject | undefined;
  /** Serialised forms of this event, by format, shared by every watcher that needs them. */
  memo: Map<string, string>;
}

/** Filters one watcher applies; both must hold for an object to be sent. */
export interface WatchFilter {
  namespace?: string;
  matches(obj: KObject): boolean;
}

export interface CacheWatcher {
  resource: ResourceInfo;
  filter: WatchFilter;
  /** Receives the events it should see, already typed (a MODIFIED that stops matching arrives as DELETED). */
  deliver(events: { type: EventType; ev: CacheEvent; obj: KObject }[]): void;
}

export interface WatchCacheOptions {
  /** Events kept for watchers that resume from a resourceVersion (default 50,000). */
  capacity?: number;
}

export class TooOldError extends Error {
  constructor(
    readonly requested: number,
    readonly oldest: number,
  ) {
    super(`too old resource version: ${requested} (${oldest})`);
    this.name = 'TooOldError';
  }
}

function resourceOfKey(key: string): ResourceInfo | undefined {
  // /registry/<group or core>/<plural>/...
  const parts = key.split('/', 4);
  return resourceFor(parts[2] === 'core' ? '' : parts[2]!, parts[3]!);
}

/** The writer's own object, given its revision (it is never changed after the write). */
function withResourceVersion(obj: KObject, rev: number): KObject {
  obj.metadata.resourceVersion = String(rev);
  return obj;
}

function decode(value: string, rev: number): KObject {
  const obj = JSON.parse(value) as KObject;
  obj.metadata.resourceVersion = String(rev);
  return obj;
}

export class WatchCache {
  private readonly stores = new Map<ResourceInfo, Map<string, CacheEntry>>();
  private readonly sorted = new Map<ResourceInfo, string[]>();
  private readonly watchers = new Map<ResourceInfo, Set<CacheWatcher>>();
  private readonly ring: (CacheEvent | undefined)[];
  private ringHead = 0; // index of the oldest event
  private ringSize = 0;
  /** The ring holds every event with revision > ringFloor. */
  private ringFloor = 0;
  private rev = 0;
  private readonly waiters: { rev: number; resolve: () => void }[] = [];
  /** Events applied but not yet sent to watchers; sent in order on the next turn. */
  private pending: CacheEvent[] = [];
  private fanOutScheduled = false;
  /** Highest revision each watcher has been given, so a watcher added mid-way sees nothing twice. */
  private readonly sentUpTo = new WeakMap<CacheWatcher, number>();
  private readonly abort = new AbortController();

  constructor(
    private readonly storage: Storage,
    options: WatchCacheOptions = {},
  ) {
    this.ring = new Array(options.capacity ?? 50_000);
  }

  /** Loads every object, replays recent history into the ring, and follows the storage. */
  async start(): Promise<void> {
    const list = await this.storage.list('/registry/');
    for (const kv of list.items) {
      const r = resourceOfKey(kv.key);
      if (!r) continue;
      this.storeOf(r).set(kv.key, { key: kv.key, obj: decode(kv.value, kv.modRevision), rev: kv.modRevision });
    }
    this.rev = list.revision;
    const from = Math.max(this.storage.compactedRevision() + 1, list.revision - this.ring.length + 1, 1);
    this.ringFloor = from - 1;
    const snapshotRev = list.revision;
    try {
      this.storage.watch('/registry/', from, (events) => this.onEvents(events, snapshotRev), this.abort.signal);
    } catch (err) {
      if (!(err instanceof CompactedError)) throw err;
      // Compacted between list and watch: follow from the snapshot without history.
      this.ringFloor = snapshotRev;
      this.storage.watch('/registry/', snapshotRev + 1, (events) => this.onEvents(events, snapshotRev), this.abort.signal);
    }
  }

  stop(): void {
    this.abort.abort();
  }

  /** The revision the cache reflects. */
  revision(): number {
    return this.rev;
  }

  /** Resolves once the cache has applied revision rev. */
  waitFor(rev: number): Promise<void> {
    if (this.rev >= rev) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ rev, resolve }));
  }

  get(r: ResourceInfo, key: string): CacheEntry | undefined {
    return this.stores.get(r)?.get(key);
  }

  /** Entries of resource r under key prefix, in key order. */
  list(r: ResourceInfo, prefix: string): CacheEntry[] {
    const store = this.stores.get(r);
    if (!store) return [];
    let keys = this.sorted.get(r);
    if (!keys) {
      keys = [...store.keys()].sort();
      this.sorted.set(r, keys);
    }
    const out: CacheEntry[] = [];
    let i = prefix ? lowerBound(keys, prefix) : 0;
    for (; i < keys.length; i++) {
      const k = keys[i]!;
      if (!k.startsWith(prefix)) break;
      out.push(store.get(k)!);
    }
    return out;
  }

  /** Number of objects of resource r. */
  count(r: ResourceInfo): number {
    return this.stores.get(r)?.size ?? 0;
  }

  /**
   * Adds a watcher. With fromRev undefined it first receives an ADDED event for every current
   * object that passes its filter; otherwise every event after fromRev. Throws TooOldError when
   * the ring no longer holds the events after fromRev. Returns the function that removes it.
   */
  watch(w: CacheWatcher, fromRev: number | undefined): () => void {
    if (fromRev === undefined) {
      const prefix = w.filter.namespace !== undefined ? this.prefixOf(w.resource, w.filter.namespace) : '';
      const initial = this.list(w.resource, prefix)
        .filter((e) => w.filter.matches(e.obj))
        .map((e) => ({ type: 'ADDED' as const, ev: this.syntheticAdd(w.resource, e), obj: e.obj }));
      if (initial.length) w.deliver(initial);
    } else if (fromRev < this.rev) {
      if (fromRev < this.ringFloor) throw new TooOldError(fromRev, this.ringFloor + 1);
      const backlog: CacheEvent[] = [];
      for (let i = this.firstAfter(fromRev); i < this.ringSize; i++) {
        const ev = this.ring[(this.ringHead + i) % this.ring.length]!;
        if (ev.resource === w.resource) backlog.push(ev);
      }
      const typed = filterFor(w, backlog);
      if (typed.length) w.deliver(typed);
    }
    // Everything up to the cache's revision is now either sent or, being older, not wanted.
    this.sentUpTo.set(w, this.rev);
    let set = this.watchers.get(w.resource);
    if (!set) this.watchers.set(w.resource, (set = new Set()));
    set.add(w);
    return () => set.delete(w);
  }

  /** Number of watchers, by resource plural. */
  watcherCounts(): Map<ResourceInfo, number> {
    return new Map([...this.watchers].map(([r, s]) => [r, s.size]));
  }

  /** Key prefix of resource r in namespace ns (or all namespaces when ns is ''). */
  prefixOf(r: ResourceInfo, ns: string): string {
    const base = `/registry/${r.group || 'core'}/${r.plural}/`;
    return r.namespaced && ns ? `${base}${ns}/` : base;
  }

  private syntheticAdd(r: ResourceInfo, e: CacheEntry): CacheEvent {
    return { type: 'ADDED', rev: e.rev, key: e.key, resource: r, namespace: e.obj.metadata.namespace, obj: e.obj, prev: undefined, memo: new Map() };
  }

  private storeOf(r: ResourceInfo): Map<string, CacheEntry> {
    let s = this.stores.get(r);
    if (!s) this.stores.set(r, (s = new Map()));
    return s;
  }

  /** Index in the ring of the first event with revision > rev. */
  private firstAfter(rev: number): number {
    let lo = 0;
    let hi = this.ringSize;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.ring[(this.ringHead + mid) % this.ring.length]!.rev <= rev) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private push(ev: CacheEvent): void {
    const cap = this.ring.length;
    if (this.ringSize === cap) {
      this.ringFloor = this.ring[this.ringHead]!.rev;
      this.ring[this.ringHead] = ev;
      this.ringHead = (this.ringHead + 1) % cap;
    } else {
      this.ring[(this.ringHead + this.ringSize) % cap] = ev;
      this.ringSize++;
    }
  }

  private onEvents(events: readonly StorageEvent[], snapshotRev: number): void {
    const fresh: CacheEvent[] = [];
    for (const se of events) {
      const r = resourceOfKey(se.kv.key);
      if (!r) continue;
      const rev = se.kv.modRevision;
      const obj = se.object !== undefined ? withResourceVersion(se.object as KObject, rev) : decode(se.kv.value, rev);
      if (rev <= snapshotRev) {
        // History before the snapshot: only for the ring, the store already has the result.
        const prev = se.prevKv ? decode(se.prevKv.value, se.prevKv.modRevision) : undefined;
        const type: EventType = se.type === 'delete' ? 'DELETED' : prev ? 'MODIFIED' : 'ADDED';
        this.push({ type, rev, key: se.kv.key, resource: r, namespace: obj.metadata.namespace, obj, prev, memo: new Map() });
        continue;
      }
      const store = this.storeOf(r);
      const prevEntry = store.get(se.kv.key);
      let type: EventType;
      if (se.type === 'delete') {
        type = 'DELETED';
        store.delete(se.kv.key);
        this.sorted.delete(r);
      } else {
        type = prevEntry ? 'MODIFIED' : 'ADDED';
        store.set(se.kv.key, { key: se.kv.key, obj, rev });
        if (!prevEntry) this.sorted.delete(r);
      }
      const ev: CacheEvent = { type, rev, key: se.kv.key, resource: r, namespace: obj.metadata.namespace, obj, prev: prevEntry?.obj, memo: new Map() };
      this.push(ev);
      fresh.push(ev);
    }
    if (fresh.length === 0) return;
    this.rev = fresh[fresh.length - 1]!.rev;
    this.wake();
    // Watchers are served after the writers are acknowledged: sending to hundreds of watchers
    // (serialising, encrypting) must not sit in the write path.
    for (const ev of fresh) this.pending.push(ev);
    if (!this.fanOutScheduled) {
      this.fanOutScheduled = true;
      setImmediate(() => {
        this.fanOutScheduled = false;
        const events = this.pending;
        this.pending = [];
        this.fanOut(events);
      });
    }
  }

  private fanOut(events: CacheEvent[]): void {
    const byResource = new Map<ResourceInfo, CacheEvent[]>();
    for (const ev of events) {
      const set = this.watchers.get(ev.resource);
      if (!set || set.size === 0) continue;
      let l = byResource.get(ev.resource);
      if (!l) byResource.set(ev.resource, (l = []));
      l.push(ev);
    }
    for (const [r, evs] of byResource) {
      for (const w of this.watchers.get(r)!) {
        const upTo = this.sentUpTo.get(w) ?? 0;
        const fresh = upTo >= evs[0]!.rev ? evs.filter((e) => e.rev > upTo) : evs;
        this.sentUpTo.set(w, evs[evs.length - 1]!.rev);
        const typed = filterFor(w, fresh);
        if (typed.length) w.deliver(typed);
      }
    }
  }

  private wake(): void {
    if (this.waiters.length === 0) return;
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i]!.rev <= this.rev) {
        this.waiters[i]!.resolve();
        this.waiters.splice(i, 1);
      }
    }
  }
}

/**
 * The events watcher w should see, typed as Kubernetes' cacher types them: an object that starts
 * matching arrives as ADDED, one that stops matching as DELETED (with its previous content).
 */
function filterFor(w: CacheWatcher, events: CacheEvent[]): { type: EventType; ev: CacheEvent; obj: KObject }[] {
  const out: { type: EventType; ev: CacheEvent; obj: KObject }[] = [];
  const ns = w.filter.namespace;
  for (const ev of events) {
    if (ns && ev.namespace !== ns) continue;
    const cur = ev.type !== 'DELETED' && w.filter.matches(ev.obj);
    const old = ev.type === 'DELETED' ? w.filter.matches(ev.obj) : ev.prev !== undefined && w.filter.matches(ev.prev);
    if (ev.type === 'DELETED') {
      if (old) out.push({ type: 'DELETED', ev, obj: ev.obj });
    } else if (cur && old) out.push({ type: 'MODIFIED', ev, obj: ev.obj });
    else if (cur) out.push({ type: 'ADDED', ev, obj: ev.obj });
    else if (old) out.push({ type: 'DELETED', ev, obj: withRev(ev.prev!, ev.rev) });
  }
  return out;
}

function withRev(obj: KObject, rev: number): KObject {
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(rev) } };
}

function lowerBound(keys: string[], prefix: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (keys[mid]! < prefix) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
