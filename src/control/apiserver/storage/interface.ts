/**
 * The storage seam of the API server: a revisioned key-value store shaped like etcd's v3 API.
 *
 * One cluster-wide revision counts every write. Each key remembers the revision that created it
 * and the one that last modified it; writes are guarded by the expected mod revision
 * (compare-and-swap); a watch replays history from any revision that has not been compacted and
 * then streams new events. The embedded default is SQLite (sqlite.ts); an etcd backend implements
 * the same interface, so nothing above this file knows which one runs.
 */

export interface KeyValue {
  key: string;
  /** The stored bytes (JSON text for API objects). */
  value: string;
  createRevision: number;
  modRevision: number;
}

export interface StorageEvent {
  type: 'put' | 'delete';
  /**
   * For put: the new key-value. For delete: the last value the key had, with modRevision set
   * to the revision of the delete.
   */
  kv: KeyValue;
  /** The value before this event, when the backend still has it. */
  prevKv?: KeyValue;
  /**
   * The written value already decoded, when the writer handed it over (in-process backends pass
   * it along so the watch cache need not parse what was just serialised). Never changed after.
   */
  object?: unknown;
}

export interface ListOptions {
  /** At most this many keys; 0 or undefined means all. */
  limit?: number;
  /** List only keys strictly greater than this one (pagination). */
  startAfter?: string;
  /** List the state as of this revision (must not be compacted); default: current. */
  revision?: number;
}

export interface ListResult {
  items: KeyValue[];
  /** The revision the list reflects. */
  revision: number;
  /** Whether keys remain after the last one returned. */
  more: boolean;
  /** How many keys remain after the last one returned, when known. */
  remaining?: number;
}

/** Thrown by create when the key exists. */
export class KeyExistsError extends Error {
  constructor(readonly key: string) {
    super(`key "${key}" already exists`);
    this.name = 'KeyExistsError';
  }
}

/** Thrown by update and delete when the key does not exist. */
export class KeyNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`key "${key}" not found`);
    this.name = 'KeyNotFoundError';
  }
}

/** Thrown by update and delete when the key's mod revision is not the expected one. */
export class RevisionConflictError extends Error {
  constructor(
    readonly key: string,
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`key "${key}" is at revision ${actual}, not the expected ${expected}`);
    this.name = 'RevisionConflictError';
  }
}

/** Thrown by list and watch when the requested revision has been compacted away. */
export class CompactedError extends Error {
  constructor(
    readonly requested: number,
    readonly compacted: number,
  ) {
    super(`required revision ${requested} has been compacted (compacted revision ${compacted})`);
    this.name = 'CompactedError';
  }
}

export type WatchHandler = (events: readonly StorageEvent[]) => void;

export interface Storage {
  /** The newest revision: every write, of any key, increments it by one. */
  revision(): number;

  /** The oldest revision that can no longer be watched or listed at (0 when never compacted). */
  compactedRevision(): number;

  /** The current value of key, or undefined. */
  get(key: string): Promise<KeyValue | undefined>;

  /** Keys starting with prefix, in key order. */
  list(prefix: string, options?: ListOptions): Promise<ListResult>;

  /**
   * Creates key. Resolves once the write is durable. Throws KeyExistsError if the key exists.
   * object, if given, is value decoded (see StorageEvent.object).
   */
  create(key: string, value: string, object?: unknown): Promise<KeyValue>;

  /**
   * Replaces key's value if its mod revision is expectedModRevision. Resolves once durable.
   * Throws KeyNotFoundError or RevisionConflictError.
   */
  update(key: string, value: string, expectedModRevision: number, object?: unknown): Promise<KeyValue>;

  /**
   * Deletes key, if expectedModRevision is given only when the key is at that revision.
   * Resolves with the deleted value (modRevision = the delete's revision) once durable.
   */
  delete(key: string, expectedModRevision?: number): Promise<KeyValue>;

  /**
   * Streams the events on keys under prefix with revision >= fromRevision: first the history
   * still kept, then every new write, in revision order, in batches. Throws CompactedError when
   * fromRevision is at or below the compacted revision. Stops when signal aborts.
   */
  watch(prefix: string, fromRevision: number, handler: WatchHandler, signal: AbortSignal): void;

  /** Discards history up to and including revision; the state at that revision is kept. */
  compact(revision: number): Promise<void>;

  /** Flushes and closes. Pending writes either complete or reject. */
  close(): Promise<void>;
}

/** The key right after every key that starts with prefix, for range scans. */
export function prefixEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}
