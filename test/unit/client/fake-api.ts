/**
 * An in-memory list/watch API for informer unit tests: objects with a revision counter, an event
 * history that can be compacted (so a watch from an old resourceVersion gets an ERROR 410), and
 * live watches the test can end, break or feed bookmarks. Scripted failures make list or watch
 * calls throw.
 */
import { StatusError } from '../../../src/api/errors.js';
import type { KList, KObject, WatchEvent } from '../../../src/api/types.js';
import type { ListerWatcher } from '../../../src/client/informer.js';
import type { ListOptions, WatchOptions } from '../../../src/client/resource.js';

type Ev = WatchEvent<KObject>;

/** A one-consumer async queue of events that can end or fail. */
class Channel {
  private items: Ev[] = [];
  private wake: (() => void) | undefined;
  private ended = false;
  private error: unknown;

  push(ev: Ev): void {
    this.items.push(ev);
    this.wake?.();
  }
  end(): void {
    this.ended = true;
    this.wake?.();
  }
  fail(err: unknown): void {
    this.error = err ?? new Error('failed');
    this.wake?.();
  }
  async *drain(): AsyncGenerator<Ev> {
    for (;;) {
      if (this.items.length) {
        yield this.items.shift()!;
        continue;
      }
      if (this.error !== undefined) throw this.error;
      if (this.ended) return;
      await new Promise<void>((r) => (this.wake = r));
      this.wake = undefined;
    }
  }
}

export class FakeApi implements ListerWatcher<KObject> {
  rev = 10;
  readonly objects = new Map<string, KObject>();
  private history: { rev: number; ev: Ev }[] = [];
  /** Events at or below this revision are compacted away. */
  private floor = 10;
  private live = new Set<Channel>();
  listCalls = 0;
  watchCalls: WatchOptions[] = [];
  /** Errors the next list calls throw, in order. */
  listFailures: unknown[] = [];
  /** Errors the next watch calls throw before any event, in order. */
  watchFailures: unknown[] = [];
  /** Bumps the revision without an event this API shows (writes to other kinds). */
  advance(n: number): void {
    this.rev += n;
  }

  private emit(type: Ev['type'], obj: KObject): void {
    const ev = { type, object: structuredClone(obj) };
    this.history.push({ rev: this.rev, ev });
    for (const c of this.live) c.push(ev);
  }

  create(name: string, labels: Record<string, string> = {}, namespace = 'default'): KObject {
    const obj: KObject = { kind: 'Pod', apiVersion: 'v1', metadata: { name, namespace, labels, resourceVersion: String(++this.rev) } };
    this.objects.set(`${namespace}/${name}`, obj);
    this.emit('ADDED', obj);
    return obj;
  }

  update(name: string, labels: Record<string, string>, namespace = 'default'): KObject {
    const old = this.objects.get(`${namespace}/${name}`)!;
    const obj: KObject = { ...old, metadata: { ...old.metadata, labels, resourceVersion: String(++this.rev) } };
    this.objects.set(`${namespace}/${name}`, obj);
    this.emit('MODIFIED', obj);
    return obj;
  }

  remove(name: string, namespace = 'default'): void {
    const old = this.objects.get(`${namespace}/${name}`)!;
    this.objects.delete(`${namespace}/${name}`);
    this.emit('DELETED', { ...old, metadata: { ...old.metadata, resourceVersion: String(++this.rev) } });
  }

  /** Forgets history up to now: watches from older resourceVersions get 410. */
  compact(): void {
    this.floor = this.rev;
    this.history = [];
  }

  /** Sends a BOOKMARK at the current revision to every open watch. */
  bookmark(): void {
    for (const c of this.live) c.push({ type: 'BOOKMARK', object: { kind: 'Pod', metadata: { resourceVersion: String(this.rev) } } });
  }

  /** Ends every open watch normally (as a server timeout does). */
  endWatches(): void {
    for (const c of this.live) c.end();
  }

  /** Breaks every open watch with err (as a lost connection does). */
  breakWatches(err: unknown = new Error('connection reset')): void {
    for (const c of this.live) c.fail(err);
  }

  private gate: Promise<void> | undefined;
  /** New watches wait (before connecting) until the returned function is called. */
  holdWatches(): () => void {
    let release!: () => void;
    this.gate = new Promise((r) => (release = r));
    return () => {
      this.gate = undefined;
      release();
    };
  }

  /** Watches connected (past the gate) and not yet ended. */
  openWatches(): number {
    return this.live.size;
  }

  async list(_ns: string, _o: ListOptions): Promise<KList<KObject>> {
    this.listCalls++;
    if (this.listFailures.length) throw this.listFailures.shift();
    return { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: String(this.rev) }, items: [...this.objects.values()].map((o) => structuredClone(o)) };
  }

  watch(_ns: string, o: WatchOptions): AsyncIterable<Ev> {
    this.watchCalls.push(o);
    const api = this;
    return (async function* () {
      if (api.gate) await api.gate;
      if (api.watchFailures.length) throw api.watchFailures.shift();
      const from = Number(o.resourceVersion ?? 0);
      if (from < api.floor) {
        yield { type: 'ERROR', object: new StatusError({ code: 410, reason: 'Expired', message: `too old resource version: ${from} (${api.floor + 1})` }).status as unknown as KObject };
        return;
      }
      const c = new Channel();
      for (const h of api.history) if (h.rev > from) c.push(h.ev);
      api.live.add(c);
      const onAbort = () => c.fail(o.signal!.reason);
      o.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        yield* c.drain();
      } finally {
        api.live.delete(c);
        o.signal?.removeEventListener('abort', onAbort);
      }
    })();
  }
}
