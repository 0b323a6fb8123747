/**
 * The generic store behind every resource, as k8s.io/apiserver's genericregistry.Store: create,
 * get, list, update, patch and delete with Kubernetes' metadata semantics (uid, generation,
 * resourceVersion preconditions, finalizers, graceful deletion), defaults, validation, strict
 * field checks and admission, on top of the storage (writes) and the watch cache (reads).
 *
 * Nothing is written when any check fails. Objects are stored without resourceVersion: the
 * watch cache sets it from the storage revision on the way out.
 */
import { randomUUID } from 'node:crypto';
import { cloneJson, jsonEqual, jsonEqualExcept } from '../../../util/json-value.js';
import { applyDefaults } from '../../../api/defaults.js';
import { errors, StatusError, type FieldError } from '../../../api/errors.js';
import { cannotBeHandledMessage, unknownFieldMessage, unknownFields } from '../../../api/openapi/index.js';
import { PatchError } from '../../../api/patch/errors.js';
import { unknownProtobufFields } from '../../../api/protobuf/index.js';
import { applyPatch } from '../../../api/patch/index.js';
import { apiVersionOf, resourceByKind, storageKey, type ResourceInfo } from '../../../api/resources.js';
import type { DeleteOptions, KObject, Service } from '../../../api/types.js';
import { validateObject, validateStatusUpdate, type ValidationOptions } from '../../../api/validation/index.js';
import { rfc3339, type Clock } from '../../../util/clock.js';
import type { WatchCache } from '../cache.js';
import { KeyExistsError, KeyNotFoundError, RevisionConflictError, type Storage } from '../storage/interface.js';
import { PortAndIPAllocator } from './allocator.js';
import { AllocationError, strategyFor, type AdmissionContext } from './strategy.js';

/**
 * Which part of the object an update may change: '' the object but its status; 'status' only the
 * status; 'finalize' only a namespace's spec.finalizers; 'binding' spec.nodeName and the
 * PodScheduled condition, set by the binding subresource itself (no client content to validate).
 */
export type Subresource = '' | 'status' | 'finalize' | 'binding';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface WriteOptions {
  dryRun?: boolean;
  /** What to do with fields the schema does not know; Kubernetes' default is Warn. */
  fieldValidation?: FieldValidation;
}

export interface WriteResult {
  obj: KObject;
  /** Warnings for the client (HTTP Warning headers). */
  warnings: string[];
}

export interface DeleteResult {
  obj: KObject;
  /** True when the object is gone; false when it was marked for graceful or finalized deletion. */
  deleted: boolean;
}

export interface StoreOptions {
  clock: Clock;
  /** Service cluster IP range (default 10.96.0.0/16). */
  serviceCIDR?: string;
  /** Node port range (default 30000-32767). */
  nodePortRange?: readonly [number, number];
  /** tolerationSeconds of the default not-ready/unreachable tolerations (Kubernetes: 300). */
  defaultTolerationSeconds?: number;
  /** Where validation departs from Kubernetes for a lab (loopback pod IPs in Endpoints). */
  validation?: ValidationOptions;
}

const NAMESPACES = resourceByKind('Namespace')!;
const SERVICES = resourceByKind('Service')!;
const GENERATE_CHARS = 'bcdfghjklmnpqrstvwxz2456789';
const MAX_RETRIES = 16;

export class Store {
  readonly allocator: PortAndIPAllocator;
  private readonly clock: Clock;
  private readonly defaultTolerationSeconds: number;
  private readonly validation: ValidationOptions;

  constructor(
    readonly storage: Storage,
    readonly cache: WatchCache,
    options: StoreOptions,
  ) {
    this.clock = options.clock;
    this.allocator = new PortAndIPAllocator(options.serviceCIDR ?? '10.96.0.0/16', options.nodePortRange ?? [30000, 32767]);
    this.defaultTolerationSeconds = options.defaultTolerationSeconds ?? 300;
    this.validation = options.validation ?? {};
  }

  key(r: ResourceInfo, ns: string, name: string): string {
    return storageKey(r, ns, name);
  }

  /** The current object, or 404 NotFound. */
  get(r: ResourceInfo, ns: string, name: string): KObject {
    const e = this.cache.get(r, this.key(r, ns, name));
    if (!e) throw errors.notFound({ group: r.group, resource: r.plural }, name);
    return e.obj;
  }

  /** The cache entry (object and its JSON text), or 404. */
  entry(r: ResourceInfo, ns: string, name: string) {
    const e = this.cache.get(r, this.key(r, ns, name));
    if (!e) throw errors.notFound({ group: r.group, resource: r.plural }, name);
    return e;
  }

  async create(r: ResourceInfo, ns: string, body: unknown, o: WriteOptions = {}): Promise<WriteResult> {
    const obj = this.checkBody(r, body);
    const warnings = this.checkUnknownFields(r, obj, o);
    const meta = obj.metadata;
    if (r.namespaced) {
      if (meta.namespace && meta.namespace !== ns) {
        throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      meta.namespace = ns;
    } else {
      delete meta.namespace;
    }
    if (meta.resourceVersion) throw errors.badRequest('resourceVersion should not be set on objects to be created');
    const generated = !meta.name && !!meta.generateName;
    for (let attempt = 0; ; attempt++) {
      const candidate = cloneJson(obj);
      if (generated) candidate.metadata.name = generateName(meta.generateName!);
      try {
        return { obj: await this.createOnce(r, ns, candidate, o), warnings };
      } catch (err) {
        // A generated name that collides is retried with another suffix, as Kubernetes' clients do.
        if (generated && err instanceof StatusError && err.reason === 'AlreadyExists' && attempt < 8) continue;
        throw err;
      }
    }
  }

  private async createOnce(r: ResourceInfo, ns: string, obj: KObject, o: WriteOptions): Promise<KObject> {
    const meta = obj.metadata;
    meta.uid = randomUUID();
    meta.creationTimestamp = rfc3339(this.clock.now());
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.managedFields;
    if (r.hasGeneration) meta.generation = 1;
    else delete meta.generation;
    const strategy = strategyFor(r);
    strategy.prepareForCreate?.(obj);
    applyDefaults(obj, r);
    omitEmptyMeta(obj);
    this.validate(r, obj, undefined, validateObject(obj, r, undefined, this.validation));
    if (r.namespaced) this.checkNamespaceActive(ns, r);
    const ctx = this.admissionContext();
    try {
      this.admit(r, obj, undefined, ctx);
      if (o.dryRun) return obj;
      const kv = await this.storage.create(this.key(r, ns, meta.name!), encode(obj), obj);
      return this.cached(r, kv.key, kv.modRevision, obj);
    } catch (err) {
      if (err instanceof KeyExistsError) throw errors.alreadyExists({ group: r.group, resource: r.plural }, meta.name!);
      throw err;
    } finally {
      for (const release of ctx.releases) release();
    }
  }

  /**
   * PUT of an object (subresource '' or 'status'). A resourceVersion in the body is a
   * precondition (409 Conflict when stale); without one the update is unconditional.
   */
  async update(r: ResourceInfo, ns: string, name: string, body: unknown, subresource: '' | 'status', o: WriteOptions = {}): Promise<WriteResult> {
    const obj = this.checkBody(r, body);
    if (obj.metadata.name && obj.metadata.name !== name) {
      throw errors.badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`);
    }
    if (r.namespaced && obj.metadata.namespace && obj.metadata.namespace !== ns) {
      throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    const warnings = this.checkUnknownFields(r, obj, o);
    const result = await this.guaranteedUpdate(r, ns, name, o, () => obj, subresource);
    return { obj: result, warnings };
  }

  /** PATCH: re-applied to the newest object on every conflict, as Kubernetes does. */
  async patch(r: ResourceInfo, ns: string, name: string, contentType: string, patch: unknown, subresource: '' | 'status', o: WriteOptions = {}): Promise<WriteResult> {
    const warnings: string[] = [];
    const result = await this.guaranteedUpdate(r, ns, name, o, (current) => {
      let patched: unknown;
      try {
        patched = applyPatch(contentType, current, patch, current.apiVersion ?? apiVersionOf(r), r.kind);
      } catch (err) {
        if (err instanceof PatchError) {
          if (err.kind === 'unsupported') throw errors.unsupportedMediaType(err.message);
          if (err.kind === 'malformed') throw errors.badRequest(err.message);
          throw errors.unprocessable();
        }
        throw err;
      }
      const obj = this.checkBody(r, patched);
      warnings.splice(0, warnings.length, ...this.checkUnknownFields(r, obj, o));
      return obj;
    }, subresource);
    return { obj: result, warnings };
  }

  /**
   * Reads the current object, asks mutate for the new one, and writes it guarded by the read
   * revision; a storage conflict retries from a fresh read unless the caller's object carried
   * its own resourceVersion precondition.
   */
  async guaranteedUpdate(
    r: ResourceInfo,
    ns: string,
    name: string,
    o: WriteOptions,
    mutate: (current: KObject) => KObject,
    subresource: Subresource = '',
  ): Promise<KObject> {
    const key = this.key(r, ns, name);
    for (let attempt = 0; ; attempt++) {
      const entry = this.cache.get(r, key);
      if (!entry) throw errors.notFound({ group: r.group, resource: r.plural }, name);
      const current = entry.obj;
      // mutate gets the object without its resourceVersion: one in what it returns is a
      // precondition the caller asked for (a PUT body's, or one a patch sets), never implied.
      const base = cloneJson(current);
      delete base.metadata.resourceVersion;
      const desired = mutate(base);
      // A uid in the body is a precondition too (owner-reference patches of the garbage collector
      // rely on it): an object deleted and recreated under the same name is another object.
      if (desired.metadata.uid && desired.metadata.uid !== current.metadata.uid) {
        throw errors.conflict(
          { group: r.group, resource: r.plural },
          name,
          `Precondition failed: UID in precondition: ${desired.metadata.uid}, UID in object meta: ${current.metadata.uid}`,
        );
      }
      const precondition = desired.metadata.resourceVersion;
      if (precondition && precondition !== current.metadata.resourceVersion) {
        throw errors.conflict({ group: r.group, resource: r.plural }, name, 'the object has been modified; please apply your changes to the latest version and try again');
      }
      const next = this.prepareUpdate(r, current, desired, subresource);
      omitEmptyMeta(next);
      if (sameIgnoringRv(next, current)) return current; // a no-op writes nothing, as in Kubernetes
      const ctx = this.admissionContext();
      try {
        this.admit(r, next, current, ctx);
        if (o.dryRun) return next;
        if (shouldDeleteOnUpdate(next)) {
          const kv = await this.storage.delete(key, entry.rev);
          return { ...next, metadata: { ...next.metadata, resourceVersion: String(kv.modRevision) } };
        }
        const kv = await this.storage.update(key, encode(next), entry.rev, next);
        return this.cached(r, key, kv.modRevision, next);
      } catch (err) {
        if (err instanceof RevisionConflictError && !precondition && attempt < MAX_RETRIES) continue;
        if (err instanceof RevisionConflictError) {
          throw errors.conflict({ group: r.group, resource: r.plural }, name, 'the object has been modified; please apply your changes to the latest version and try again');
        }
        if (err instanceof KeyNotFoundError) throw errors.notFound({ group: r.group, resource: r.plural }, name);
        throw err;
      } finally {
        for (const release of ctx.releases) release();
      }
    }
  }

  /** Merges what the client sent with what it may not change, then defaults and validates. */
  private prepareUpdate(r: ResourceInfo, current: KObject, desired: KObject, subresource: Subresource): KObject {
    let next: KObject;
    if (subresource === 'status') {
      // The status subresource changes status (and, as in Kubernetes, labels and annotations,
      // which kinds below restrict); the spec stays as it is.
      next = { ...desired, spec: cloneJson(current.spec) };
      if (current.spec === undefined) delete next.spec;
      keepOnStatusUpdate(r.kind, next, current);
    } else if (subresource === 'finalize') {
      next = { ...cloneJson(current), spec: desired.spec };
    } else if (subresource === 'binding') {
      return desired;
    } else {
      next = desired;
      if (r.hasStatus) {
        if (current.status === undefined) delete next.status;
        else next.status = cloneJson(current.status);
      }
    }
    const m = next.metadata;
    const cm = current.metadata;
    m.name = cm.name;
    if (r.namespaced) m.namespace = cm.namespace;
    m.uid = cm.uid;
    m.creationTimestamp = cm.creationTimestamp;
    m.resourceVersion = cm.resourceVersion;
    if (cm.deletionTimestamp) m.deletionTimestamp = cm.deletionTimestamp;
    else delete m.deletionTimestamp;
    if (cm.deletionGracePeriodSeconds !== undefined) m.deletionGracePeriodSeconds = cm.deletionGracePeriodSeconds;
    else delete m.deletionGracePeriodSeconds;
    delete m.managedFields;
    if (m.generateName === undefined && cm.generateName !== undefined) m.generateName = cm.generateName;
    applyDefaults(next, r);
    if (r.hasGeneration) {
      m.generation = (cm.generation ?? 1) + (specChanged(current, next) ? 1 : 0);
    }
    const errs = subresource === 'status' ? validateStatusUpdate(next, r, current) : validateObject(next, r, current, this.validation);
    this.validate(r, next, current, errs);
    return next;
  }

  /**
   * DELETE. Finalizers, Orphan/Foreground propagation and graceful pods mark the object with a
   * deletionTimestamp instead of removing it; everything else is removed at once.
   */
  async delete(r: ResourceInfo, ns: string, name: string, opts: DeleteOptions, o: WriteOptions = {}): Promise<DeleteResult> {
    const key = this.key(r, ns, name);
    const strategy = strategyFor(r);
    for (let attempt = 0; ; attempt++) {
      const entry = this.cache.get(r, key);
      if (!entry) throw errors.notFound({ group: r.group, resource: r.plural }, name);
      const cur = entry.obj;
      const pre = opts.preconditions;
      if (pre?.uid && pre.uid !== cur.metadata.uid) {
        throw errors.conflict({ group: r.group, resource: r.plural }, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${cur.metadata.uid}`);
      }
      if (pre?.resourceVersion && pre.resourceVersion !== cur.metadata.resourceVersion) {
        throw errors.conflict({ group: r.group, resource: r.plural }, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${cur.metadata.resourceVersion}`);
      }
      const next = cloneJson(cur);
      const m = next.metadata;
      const now = this.clock.now();
      const grace = strategy.gracePeriod?.(cur, opts) ?? 0;
      const policy = opts.propagationPolicy ?? (opts.orphanDependents ? 'Orphan' : undefined);
      let finalizers = [...(m.finalizers ?? [])];
      if (policy === 'Orphan' && !finalizers.includes('orphan')) finalizers = [...finalizers.filter((f) => f !== 'foregroundDeletion'), 'orphan'];
      if (policy === 'Foreground' && !finalizers.includes('foregroundDeletion')) finalizers = [...finalizers.filter((f) => f !== 'orphan'), 'foregroundDeletion'];
      if (policy === 'Background') finalizers = finalizers.filter((f) => f !== 'orphan' && f !== 'foregroundDeletion');
      const nsFinalizers = r === NAMESPACES ? ((next.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []) : [];

      let immediate = finalizers.length === 0 && nsFinalizers.length === 0 && grace === 0;
      if (m.deletionTimestamp && !immediate) {
        // Already being deleted: a shorter grace period (e.g. --force) may bring it forward.
        const remaining = m.deletionGracePeriodSeconds ?? 0;
        if (grace >= remaining && jsonEqual(finalizers, m.finalizers ?? [])) return { obj: cur, deleted: false };
      }
      if (immediate) {
        if (o.dryRun) return { obj: cur, deleted: true };
        try {
          const kv = await this.storage.delete(key, entry.rev);
          const gone = { ...cur, metadata: { ...cur.metadata, resourceVersion: String(kv.modRevision) } };
          return { obj: gone, deleted: true };
        } catch (err) {
          if (err instanceof RevisionConflictError && attempt < MAX_RETRIES) continue;
          if (err instanceof KeyNotFoundError) throw errors.notFound({ group: r.group, resource: r.plural }, name);
          throw err;
        }
      }
      m.finalizers = finalizers.length ? finalizers : undefined;
      if (!m.finalizers) delete m.finalizers;
      m.deletionTimestamp = rfc3339(now + grace * 1000);
      m.deletionGracePeriodSeconds = grace;
      if (r.hasGeneration) m.generation = (m.generation ?? 1) + 1;
      if (r === NAMESPACES) next.status = { ...(next.status as object), phase: 'Terminating' };
      if (o.dryRun) return { obj: next, deleted: false };
      try {
        const kv = await this.storage.update(key, encode(next), entry.rev, next);
        return { obj: this.cached(r, key, kv.modRevision, next), deleted: false };
      } catch (err) {
        if (err instanceof RevisionConflictError && attempt < MAX_RETRIES) continue;
        if (err instanceof KeyNotFoundError) throw errors.notFound({ group: r.group, resource: r.plural }, name);
        throw err;
      }
    }
  }

  /** Parses and checks the envelope: an object whose apiVersion and kind, if given, are ours. */
  checkBody(r: ResourceInfo, body: unknown): KObject {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw errors.badRequest(`the body must be a ${r.kind} object`);
    }
    const obj = body as KObject;
    const want = apiVersionOf(r);
    if (obj.apiVersion !== undefined && obj.apiVersion !== want) {
      throw errors.badRequest(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${want})`);
    }
    if (obj.kind !== undefined && obj.kind !== r.kind) {
      throw errors.badRequest(`the kind in the data (${String(obj.kind)}) does not match the expected kind (${r.kind})`);
    }
    if (obj.metadata === undefined) obj.metadata = {};
    if (typeof obj.metadata !== 'object' || obj.metadata === null || Array.isArray(obj.metadata)) {
      throw errors.badRequest('metadata must be an object');
    }
    obj.apiVersion = want;
    obj.kind = r.kind;
    return obj;
  }

  private checkUnknownFields(r: ResourceInfo, obj: KObject, o: WriteOptions): string[] {
    const mode = o.fieldValidation ?? 'Warn';
    if (mode === 'Ignore') return [];
    // JSON fields are checked by name against the schema; bodies that came as protobuf also carry
    // the field numbers their schema does not know.
    const messages = [...unknownFields(apiVersionOf(r), r.kind, obj).map(unknownFieldMessage), ...(unknownProtobufFields(obj) ?? [])];
    if (messages.length === 0) return [];
    if (mode === 'Strict') throw errors.badRequest(cannotBeHandledMessage(r.kind, r.version, `strict decoding error: ${messages.join(', ')}`));
    return messages;
  }

  private validate(r: ResourceInfo, obj: KObject, _old: KObject | undefined, errs: FieldError[]): void {
    if (errs.length) throw errors.invalid(r.kind, r.group, obj.metadata.name ?? obj.metadata.generateName ?? '', errs);
  }

  private checkNamespaceActive(ns: string, r: ResourceInfo): void {
    const e = this.cache.get(NAMESPACES, storageKey(NAMESPACES, undefined, ns));
    if (!e) throw errors.notFound({ group: '', resource: 'namespaces' }, ns);
    if (e.obj.metadata.deletionTimestamp && r.kind !== 'Event') {
      const err = errors.forbidden({ group: r.group, resource: r.plural }, '', `unable to create new content in namespace ${ns} because it is being terminated`);
      // Controllers recognise this refusal by its cause, as Kubernetes' NamespaceTerminating.
      err.status.details = { ...err.status.details, causes: [{ reason: 'NamespaceTerminating', message: `namespace ${ns} is being terminated`, field: 'metadata.namespace' }] };
      throw err;
    }
  }

  private admissionContext(): AdmissionContext {
    return {
      allocator: this.allocator,
      services: () => this.cache.list(SERVICES, '').map((e) => e.obj as Service),
      defaultTolerationSeconds: this.defaultTolerationSeconds,
      releases: [],
    };
  }

  private admit(r: ResourceInfo, obj: KObject, old: KObject | undefined, ctx: AdmissionContext): void {
    try {
      strategyFor(r).admit?.(obj, old, ctx);
    } catch (err) {
      if (err instanceof AllocationError) throw errors.invalid(r.kind, r.group, obj.metadata.name ?? '', err.fieldErrors);
      throw err;
    }
  }

  /** The cached form of what was just written (the cache applied it before the write resolved). */
  private cached(r: ResourceInfo, key: string, rev: number, written: KObject): KObject {
    const e = this.cache.get(r, key);
    if (e && e.rev === rev) return e.obj;
    return { ...written, metadata: { ...written.metadata, resourceVersion: String(rev) } };
  }
}

/** What each kind's status strategy keeps from the stored object besides the spec (PrepareForUpdate). */
function keepOnStatusUpdate(kind: string, next: KObject, current: KObject): void {
  const m = next.metadata;
  const cm = current.metadata;
  const keep = <K extends keyof typeof m>(k: K) => {
    if (cm[k] === undefined) delete m[k];
    else m[k] = cloneJson(cm[k]);
  };
  if (kind === 'Deployment' || kind === 'ReplicaSet') keep('labels');
  if (kind === 'Pod') keep('ownerReferences');
  keep('finalizers');
}

/**
 * Drops empty lists and maps from metadata, as Go's encoding of ObjectMeta (all omitempty) does:
 * the garbage collector removing the last owner reference leaves no "ownerReferences: []".
 */
function omitEmptyMeta(obj: KObject): void {
  const m = obj.metadata as Record<string, unknown>;
  for (const k of ['ownerReferences', 'finalizers', 'labels', 'annotations', 'managedFields']) {
    const v = m[k];
    if (v !== undefined && v !== null && typeof v === 'object' && Object.keys(v).length === 0) delete m[k];
  }
}

/** Kubernetes deletes, rather than updates, an object whose last finalizer is removed while deleting. */
function shouldDeleteOnUpdate(obj: KObject): boolean {
  const m = obj.metadata;
  if (!m.deletionTimestamp || (m.finalizers?.length ?? 0) > 0) return false;
  if (obj.kind === 'Namespace' && ((obj.spec as { finalizers?: string[] } | undefined)?.finalizers?.length ?? 0) > 0) return false;
  return (m.deletionGracePeriodSeconds ?? 0) === 0;
}

/** Everything but metadata and status: what bumps metadata.generation. */
function specChanged(a: KObject, b: KObject): boolean {
  for (const k in a) if (!IDENTITY_AND_STATUS.has(k) && !jsonEqual(a[k], b[k])) return true;
  for (const k in b) if (!IDENTITY_AND_STATUS.has(k) && a[k] === undefined && b[k] !== undefined) return true;
  return false;
}
const IDENTITY_AND_STATUS = new Set(['metadata', 'status', 'apiVersion', 'kind']);

/** Whether a and b are the same object apart from metadata.resourceVersion. */
function sameIgnoringRv(a: KObject, b: KObject): boolean {
  return jsonEqualExcept(a, b, 'metadata') && jsonEqualExcept(a.metadata as Record<string, unknown>, b.metadata as Record<string, unknown>, 'resourceVersion');
}

/** The stored form: the object without resourceVersion (the storage revision is the truth). */
export function encode(obj: KObject): string {
  const { resourceVersion: _rv, ...meta } = obj.metadata;
  return JSON.stringify({ ...obj, metadata: meta });
}

function generateName(base: string): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += GENERATE_CHARS[Math.floor(Math.random() * GENERATE_CHARS.length)];
  return base + s;
}
