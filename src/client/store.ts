/**
 * The informer's cache: objects by key ("ns/name", or "name" for cluster-scoped kinds) plus
 * secondary indexes (client-go's tools/cache Indexer), e.g. pods by node name, so controllers
 * look up related objects without scanning everything.
 *
 * Objects are shared with every reader and must not be changed: copy (structuredClone) first.
 */
import type { KObject } from '../api/types.js';

/** Index values of an object: the index maps each value to the objects that produce it. */
export type IndexFunc<T> = (obj: T) => string[];

/** The cache key of an object: "namespace/name", or "name" when it has no namespace. */
export function keyOf(obj: Pick<KObject, 'metadata'>): string {
  const { namespace, name } = obj.metadata;
  return namespace ? `${namespace}/${name ?? ''}` : (name ?? '');
}

/** Splits a key made by keyOf into namespace ('' for cluster-scoped) and name. */
export function splitKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

/** The index of client-go's NamespaceIndex: objects by namespace. */
export const namespaceIndex: IndexFunc<KObject> = (obj) => [obj.metadata.namespace ?? ''];

interface Index<T> {
  fn: IndexFunc<T>;
  /** value -> keys */
  byValue: Map<string, Set<string>>;
  /** key -> the values it was indexed under, so an update removes exactly those. */
  valuesOf: Map<string, string[]>;
}

/** Called when an index function throws; the object is then left out of that index. */
export type IndexErrorHandler = (index: string, key: string, err: unknown) => void;

export class IndexedStore<T extends KObject> {
  private readonly items = new Map<string, T>();
  private readonly indexes = new Map<string, Index<T>>();

  /** onIndexError (default: a process warning) learns of index functions that throw. */
  constructor(
    private readonly onIndexError: IndexErrorHandler = (index, key, err) =>
      process.emitWarning(`index function "${index}" failed for "${key}": ${err instanceof Error ? err.message : String(err)}`),
  ) {}

  /** The object with key, if cached. */
  get(key: string): T | undefined {
    return this.items.get(key);
  }

  has(key: string): boolean {
    return this.items.has(key);
  }

  /** Every cached object, in no particular order. */
  list(): T[] {
    return [...this.items.values()];
  }

  keys(): string[] {
    return [...this.items.keys()];
  }

  get size(): number {
    return this.items.size;
  }

  /** Stores obj under key, updating every index; returns the object it replaced. */
  set(key: string, obj: T): T | undefined {
    const old = this.items.get(key);
    this.items.set(key, obj);
    for (const [name, idx] of this.indexes) this.reindex(idx, key, obj, name);
    return old;
  }

  /** Removes key from the store and every index; returns the object removed. */
  delete(key: string): T | undefined {
    const old = this.items.get(key);
    if (old === undefined) return undefined;
    this.items.delete(key);
    for (const [name, idx] of this.indexes) this.reindex(idx, key, undefined, name);
    return old;
  }

  /** Adds an index, computed at once for the objects already cached. Throws if name is taken. */
  addIndexer(name: string, fn: IndexFunc<T>): void {
    if (this.indexes.has(name)) throw new Error(`Cannot add indexer "${name}": an indexer of that name exists`);
    const idx: Index<T> = { fn, byValue: new Map(), valuesOf: new Map() };
    for (const [key, obj] of this.items) this.reindex(idx, key, obj, name);
    this.indexes.set(name, idx);
  }

  /** Objects whose index function returned value. Throws for an unknown index name. */
  byIndex(name: string, value: string): T[] {
    const keys = this.indexOf(name).byValue.get(value);
    if (!keys) return [];
    const out: T[] = [];
    for (const k of keys) out.push(this.items.get(k)!);
    return out;
  }

  /** Keys of the objects whose index function returned value. */
  indexKeys(name: string, value: string): string[] {
    return [...(this.indexOf(name).byValue.get(value) ?? [])];
  }

  /** The values index name currently holds objects under. */
  indexValues(name: string): string[] {
    return [...this.indexOf(name).byValue.keys()];
  }

  private indexOf(name: string): Index<T> {
    const idx = this.indexes.get(name);
    if (!idx) throw new Error(`index "${name}" does not exist; add it with addIndexer`);
    return idx;
  }

  private reindex(idx: Index<T>, key: string, obj: T | undefined, name: string): void {
    const before = idx.valuesOf.get(key);
    let after: string[] | undefined;
    if (obj) {
      try {
        after = [...new Set(idx.fn(obj))];
      } catch (err) {
        // One bad object must not leave the store half-updated: index it under nothing.
        after = undefined;
        this.onIndexError(name, key, err);
      }
    }
    if (before) {
      for (const v of before) {
        if (after?.includes(v)) continue;
        const set = idx.byValue.get(v);
        set?.delete(key);
        if (set?.size === 0) idx.byValue.delete(v);
      }
    }
    if (after && after.length) {
      for (const v of after) {
        let set = idx.byValue.get(v);
        if (!set) idx.byValue.set(v, (set = new Set()));
        set.add(key);
      }
      idx.valuesOf.set(key, after);
    } else {
      idx.valuesOf.delete(key);
    }
  }
}
