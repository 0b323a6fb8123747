/**
 * The typed client of one kind: Kubernetes' REST paths and verbs for it (get, list, watch,
 * create, update, patch, delete, and the status, scale, binding and eviction subresources), built
 * from the resource table in src/api/resources.ts.
 *
 * Namespaces: ns is '' for cluster-scoped kinds, and for lists and watches across all
 * namespaces. Objects sent without apiVersion/kind get them from the table.
 */
import { apiVersionOf, resourceByKind, type ResourceInfo } from '../api/resources.js';
import type { DeleteOptions, KList, KObject, Scale, Status, WatchEvent } from '../api/types.js';
import { networkError } from './errors.js';
import { listAllPages, DEFAULT_PAGE_SIZE } from './pager.js';
import type { CallOptions, Client } from './rest.js';
import { WatchEventDecoder } from './watch-parse.js';

/** Options of list. */
export interface ListOptions extends CallOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** Most items per answer; the answer then carries a continue token when more remain. */
  limit?: number;
  continue?: string;
  /** "0" lists from the server's cache without a consistency guarantee; "" (default) is the current state. */
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
}

/** Options of listAll: limit is the page size (default 500). */
export type ListAllOptions = Omit<ListOptions, 'continue' | 'resourceVersionMatch'>;

/** Options of watch. */
export interface WatchOptions {
  /** Send events after this resourceVersion; "" or "0" starts with ADDED for every current object. */
  resourceVersion?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /**
   * The server ends the watch after this many seconds. The client also gives up 30 s after that,
   * so a watch whose connection silently died (a partition) cannot hang forever.
   */
  timeoutSeconds?: number;
  /** Ask for BOOKMARK events, which carry only a newer resourceVersion. */
  allowWatchBookmarks?: boolean;
  /** Ends the watch; iteration then throws the signal's reason. */
  signal?: AbortSignal;
}

/** Options of writes. */
export interface WriteOptions extends CallOptions {
  /** Validate and answer as if written, without writing. */
  dryRun?: boolean;
  /** What the server does with fields it does not know (server default Warn). */
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
  fieldManager?: string;
}

export type PatchType = 'merge' | 'strategic' | 'json';

/** Options of patch. */
export interface PatchOptions extends WriteOptions {
  /** Patch a subresource ("status", "scale") instead of the object. */
  subresource?: string;
}

const PATCH_CONTENT_TYPE: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
};

/** How long after the requested timeoutSeconds the client stops waiting for the server to end a watch. */
const WATCH_GRACE_MS = 30_000;

type Query = Record<string, string | number | boolean | undefined>;

function queryString(q: Query): string {
  let s = '';
  for (const k in q) {
    const v = q[k];
    if (v === undefined || v === '' || v === false) continue;
    s += `${s ? '&' : '?'}${k}=${encodeURIComponent(String(v))}`;
  }
  return s;
}

function writeQuery(o: WriteOptions | undefined): string {
  if (!o) return '';
  return queryString({ dryRun: o.dryRun ? 'All' : undefined, fieldValidation: o.fieldValidation, fieldManager: o.fieldManager });
}

function call(o: CallOptions | undefined): CallOptions {
  if (!o) return {};
  const c: CallOptions = {};
  if (o.signal) c.signal = o.signal;
  if (o.timeoutMs !== undefined) c.timeoutMs = o.timeoutMs;
  return c;
}

export class ResourceClient<T extends KObject> {
  /** The kind's entry in the resource table. */
  readonly info: ResourceInfo;
  readonly apiVersion: string;
  private readonly prefix: string;

  constructor(
    private readonly client: Client,
    readonly kind: string,
  ) {
    const info = resourceByKind(kind);
    if (!info) throw new TypeError(`unknown kind ${JSON.stringify(kind)}: not in src/api/resources.ts`);
    this.info = info;
    this.apiVersion = apiVersionOf(info);
    this.prefix = info.group === '' ? `/api/${info.version}` : `/apis/${info.group}/${info.version}`;
  }

  /** The object ns/name; 404 NotFound when absent. */
  get(ns: string, name: string, o?: CallOptions): Promise<T> {
    return this.client.request<T>({ method: 'GET', path: this.objectPath('get', ns, name), ...call(o) });
  }

  /** One answer to a list: every match, or a page of them when limit is set. */
  async list(ns: string, o: ListOptions = {}): Promise<KList<T>> {
    const q = queryString({
      labelSelector: o.labelSelector,
      fieldSelector: o.fieldSelector,
      limit: o.limit,
      continue: o.continue,
      resourceVersion: o.resourceVersion,
      resourceVersionMatch: o.resourceVersionMatch,
    });
    const list = await this.client.request<KList<T>>({ method: 'GET', path: this.collectionPath('list', ns) + q, ...call(o) });
    for (const item of list.items) this.typed(item);
    return list;
  }

  /** Every match, following continue tokens page by page (o.limit is the page size, default 500). */
  listAll(ns: string, o: ListAllOptions = {}): Promise<KList<T>> {
    const { limit, resourceVersion, ...rest } = o;
    return listAllPages((page) => this.list(ns, { ...rest, ...page }), limit ?? DEFAULT_PAGE_SIZE, resourceVersion);
  }

  /** Creates obj in ns (its metadata.namespace, if set, must be ns). */
  create(ns: string, obj: T, o?: WriteOptions): Promise<T> {
    return this.client.request<T>({ method: 'POST', path: this.collectionPath('create', ns, true) + writeQuery(o), body: this.withType(obj), ...call(o) });
  }

  /** Replaces the object (all but its status); 409 Conflict when metadata.resourceVersion is stale. */
  update(obj: T, o?: WriteOptions): Promise<T> {
    return this.client.request<T>({ method: 'PUT', path: this.pathOf('update', obj) + writeQuery(o), body: this.withType(obj), ...call(o) });
  }

  /** Replaces the object's status through the status subresource. */
  updateStatus(obj: T, o?: WriteOptions): Promise<T> {
    return this.client.request<T>({ method: 'PUT', path: this.pathOf('update status of', obj, 'status') + writeQuery(o), body: this.withType(obj), ...call(o) });
  }

  /** Patches ns/name (or its subresource) with a JSON merge, strategic merge or JSON patch. */
  patch(ns: string, name: string, patch: unknown, type: PatchType, o?: PatchOptions): Promise<T> {
    const contentType = PATCH_CONTENT_TYPE[type];
    if (!contentType) throw new TypeError(`patch type must be merge, strategic or json, not ${JSON.stringify(type)}`);
    return this.client.request<T>({
      method: 'PATCH',
      path: this.objectPath('patch', ns, name, o?.subresource) + writeQuery(o),
      body: patch,
      contentType,
      ...call(o),
    });
  }

  /**
   * Deletes ns/name. Resolves with the object when deletion only began (grace period,
   * finalizers), else with a Success Status (or the object, for kinds whose server returns it).
   */
  delete(ns: string, name: string, opts?: DeleteOptions, o?: WriteOptions): Promise<T | Status> {
    return this.client.request<T | Status>({
      method: 'DELETE',
      path: this.objectPath('delete', ns, name) + writeQuery(o),
      ...(opts ? { body: { apiVersion: 'v1', kind: 'DeleteOptions', ...opts } } : {}),
      ...call(o),
    });
  }

  /** POSTs body to a subresource of ns/name: "binding" (a Binding) or "eviction" (an Eviction). */
  createSubresource<R = Status>(ns: string, name: string, subresource: string, body: unknown, o?: WriteOptions): Promise<R> {
    return this.client.request<R>({ method: 'POST', path: this.objectPath(`create ${subresource} of`, ns, name, subresource) + writeQuery(o), body, ...call(o) });
  }

  /** The autoscaling/v1 Scale of ns/name. */
  getScale(ns: string, name: string, o?: CallOptions): Promise<Scale> {
    return this.client.request<Scale>({ method: 'GET', path: this.objectPath('get scale of', ns, name, 'scale'), ...call(o) });
  }

  /** Sets spec.replicas through the scale subresource; 422 Invalid for a negative count. */
  updateScale(ns: string, name: string, scale: Scale, o?: WriteOptions): Promise<Scale> {
    const body = { ...scale, apiVersion: scale.apiVersion ?? 'autoscaling/v1', kind: scale.kind ?? 'Scale' };
    return this.client.request<Scale>({ method: 'PUT', path: this.objectPath('update scale of', ns, name, 'scale') + writeQuery(o), body, ...call(o) });
  }

  /**
   * Watches the collection. The request is sent when iteration starts; events are yielded as
   * their lines arrive. ERROR events (a 410 Expired Status when resourceVersion is too old) are
   * yielded, not thrown, as the API sends them. Iteration ends when the server ends the watch,
   * throws a StatusError when the server refuses it, an Error naming the URL when the connection
   * fails, and the signal's reason when aborted. Breaking out of the loop closes the connection.
   */
  async *watch(ns: string, o: WatchOptions = {}): AsyncGenerator<WatchEvent<T>, void, undefined> {
    const path =
      this.collectionPath('watch', ns) +
      queryString({
        watch: 'true',
        resourceVersion: o.resourceVersion,
        labelSelector: o.labelSelector,
        fieldSelector: o.fieldSelector,
        timeoutSeconds: o.timeoutSeconds,
        allowWatchBookmarks: o.allowWatchBookmarks,
      });
    const res = await this.client.stream({ method: 'GET', path, ...(o.signal ? { signal: o.signal } : {}) });
    const decoder = new WatchEventDecoder<T>();
    let deadline: NodeJS.Timeout | undefined;
    if (o.timeoutSeconds && o.timeoutSeconds > 0) {
      deadline = setTimeout(
        () => res.destroy(new Error(`the server did not end the watch within ${o.timeoutSeconds} s (+${WATCH_GRACE_MS / 1000} s); the connection is presumed dead`)),
        o.timeoutSeconds * 1000 + WATCH_GRACE_MS,
      );
    }
    try {
      for await (const chunk of res as AsyncIterable<Buffer>) {
        for (const ev of decoder.push(chunk)) {
          if (ev.type !== 'ERROR') this.typed(ev.object);
          yield ev;
        }
      }
      for (const ev of decoder.end()) yield ev;
    } catch (err) {
      if (o.signal?.aborted) throw o.signal.reason;
      throw networkError('GET', this.client.urlOf(path), err);
    } finally {
      if (deadline) clearTimeout(deadline);
      // Destroying a response that ended would not hurt, but only an unfinished one holds a socket.
      if (!res.complete) res.destroy();
    }
  }

  /**
   * Path of the collection in ns. A namespaced kind without ns means all namespaces, which only
   * lists and watches may address; a cluster-scoped kind takes no namespace.
   */
  collectionPath(verb: string, ns: string, needsNamespace = false, what: string = this.info.kind): string {
    const r = this.info;
    if (!r.namespaced) {
      if (ns) throw new TypeError(`Cannot ${verb} ${what}: ${r.kind} is cluster-scoped, so the namespace must be '', not "${ns}"`);
      return `${this.prefix}/${r.plural}`;
    }
    if (!ns) {
      if (needsNamespace) throw new TypeError(`Cannot ${verb} ${what}: a namespace is required`);
      return `${this.prefix}/${r.plural}`;
    }
    return `${this.prefix}/namespaces/${encodeURIComponent(ns)}/${r.plural}`;
  }

  /** Path of the object ns/name, or of its subresource. */
  objectPath(verb: string, ns: string, name: string, subresource?: string): string {
    if (!name) throw new TypeError(`Cannot ${verb} ${this.info.kind}: a name is required`);
    const base = this.collectionPath(verb, ns, true, `${this.info.kind} "${name}"`);
    return `${base}/${encodeURIComponent(name)}${subresource ? `/${subresource}` : ''}`;
  }

  private pathOf(verb: string, obj: T, subresource?: string): string {
    return this.objectPath(verb, this.info.namespaced ? (obj.metadata?.namespace ?? '') : '', obj.metadata?.name ?? '', subresource);
  }

  private withType(obj: T): T {
    if (obj.apiVersion && obj.kind) return obj;
    return { ...obj, apiVersion: obj.apiVersion ?? this.apiVersion, kind: obj.kind ?? this.info.kind };
  }

  /** Kubernetes leaves apiVersion/kind out of list items; components (events, owner refs) need them. */
  private typed(obj: KObject): void {
    if (!obj.kind) obj.kind = this.info.kind;
    if (!obj.apiVersion) obj.apiVersion = this.apiVersion;
  }
}
