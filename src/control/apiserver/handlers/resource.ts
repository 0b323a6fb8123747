/**
 * REST verbs on resources: get, list, watch, create, update, patch, delete, deletecollection,
 * with kubectl's output forms (Table, JSON, YAML), query parameters and Kubernetes' status codes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { stringify as toYaml } from 'yaml';
import { errors } from '../../../api/errors.js';
import { apiVersionOf } from '../../../api/resources.js';
import { buildTable } from '../../../api/tables.js';
import type { DeleteOptions, KObject } from '../../../api/types.js';
import type { Clock } from '../../../util/clock.js';
import { decodeBody, negotiate, readBody, sendJson, type OutputFormat } from '../codec.js';
import { jsonOf, listJson } from '../json.js';
import { listObjects, makePredicate } from '../registry/list.js';
import { strategyFor } from '../registry/strategy.js';
import type { FieldValidation, Store, WriteOptions } from '../registry/store.js';
import type { ResourceRequest } from '../request.js';
import { handleSubresource } from './subresources.js';
import { serveWatch, type WatchEnv } from './watch.js';

export interface ResourceEnv {
  store: Store;
  clock: Clock;
  watch: WatchEnv;
  /** Default watch timeout bounds in seconds, as kube-apiserver's min-request-timeout. */
  minWatchTimeoutSeconds: number;
  /** Bearer token sent to kubelets by the pods/log proxy. */
  kubeletToken?: string;
}

type IncludeObject = 'None' | 'Metadata' | 'Object';

function includeObjectOf(q: URLSearchParams): IncludeObject {
  const v = q.get('includeObject') ?? 'Metadata';
  if (v !== 'None' && v !== 'Metadata' && v !== 'Object') throw errors.badRequest(`invalid includeObject: "${v}" (supported: None, Metadata, Object)`);
  return v;
}

export function writeOptions(q: URLSearchParams): WriteOptions {
  const dryRun = q.getAll('dryRun');
  for (const d of dryRun) if (d !== 'All') throw errors.badRequest(`invalid dryRun: "${d}" (supported: All)`);
  const fv = q.get('fieldValidation') ?? 'Warn';
  if (fv !== 'Strict' && fv !== 'Warn' && fv !== 'Ignore') throw errors.badRequest(`invalid fieldValidation: "${fv}" (supported: Ignore, Warn, Strict)`);
  return { dryRun: dryRun.length > 0, fieldValidation: fv as FieldValidation };
}

/** Sends one object in the negotiated form. */
export function sendObject(res: ServerResponse, code: number, obj: KObject, fmt: OutputFormat, env: ResourceEnv, q: URLSearchParams, warnings: string[] = []): void {
  const headers: Record<string, string> = {};
  if (warnings.length) headers['Warning'] = warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(', ');
  if (fmt.as === 'table' && obj.kind !== 'Status') {
    const table = buildTable(obj.kind!, [obj], { now: env.clock.now(), includeObject: includeObjectOf(q) });
    return sendJson(res, code, table, headers);
  }
  if (fmt.as === 'yaml') {
    const text = toYaml(obj);
    res.writeHead(code, { 'Content-Type': 'application/yaml', ...headers });
    res.end(text);
    return;
  }
  sendJson(res, code, jsonOf(obj), headers);
}

function parseIntParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw errors.badRequest(`invalid ${name}: "${v}" is not an integer`);
  return Number(v);
}

async function deleteOptions(req: IncomingMessage, q: URLSearchParams): Promise<DeleteOptions> {
  const body = await readBody(req);
  let opts: DeleteOptions = {};
  if (body.length && body.toString().trim()) {
    const decoded = decodeBody(body, req.headers['content-type']);
    if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded)) throw errors.badRequest('the body of a DELETE must be a DeleteOptions object');
    opts = decoded as DeleteOptions;
  }
  const grace = parseIntParam(q, 'gracePeriodSeconds');
  if (grace !== undefined) opts.gracePeriodSeconds = grace;
  const policy = q.get('propagationPolicy');
  if (policy) opts.propagationPolicy = policy as DeleteOptions['propagationPolicy'];
  if (q.get('orphanDependents') !== null) opts.orphanDependents = q.get('orphanDependents') === 'true';
  if (opts.propagationPolicy && !['Orphan', 'Background', 'Foreground'].includes(opts.propagationPolicy)) {
    throw errors.badRequest(`invalid propagationPolicy: "${opts.propagationPolicy}" (supported: Orphan, Background, Foreground)`);
  }
  if (opts.gracePeriodSeconds !== undefined && opts.gracePeriodSeconds < 0) opts.gracePeriodSeconds = 0;
  return opts;
}

export async function handleResource(env: ResourceEnv, req: IncomingMessage, res: ServerResponse, info: ResourceRequest): Promise<void> {
  const { store } = env;
  const r = info.resource;
  const q = info.query;
  if (r.namespaced && info.name && !info.namespace && info.verb !== 'list' && info.verb !== 'watch') {
    throw errors.notFound({ group: r.group, resource: r.plural }, info.name);
  }
  if (info.subresource) return handleSubresource(env, req, res, info);
  const fmt = negotiate(req.headers.accept);
  const ns = info.namespace;

  switch (info.verb) {
    case 'get':
      return sendObject(res, 200, store.get(r, ns, info.name), fmt, env, q);

    case 'list': {
      const page = await listObjects(store, r, ns, {
        labelSelector: q.get('labelSelector'),
        fieldSelector: q.get('fieldSelector'),
        limit: parseIntParam(q, 'limit'),
        continueToken: q.get('continue'),
        resourceVersion: q.get('resourceVersion'),
        resourceVersionMatch: q.get('resourceVersionMatch'),
      });
      const meta = { resourceVersion: page.resourceVersion, ...(page.continue ? { continue: page.continue, remainingItemCount: page.remainingItemCount } : {}) };
      if (fmt.as === 'table') {
        return sendJson(res, 200, buildTable(r.kind, page.items, { now: env.clock.now(), includeObject: includeObjectOf(q), ...meta }));
      }
      const text = listJson(apiVersionOf(r), r.listKind, meta, page.items);
      if (fmt.as === 'yaml') {
        res.writeHead(200, { 'Content-Type': 'application/yaml' });
        res.end(toYaml(JSON.parse(text)));
        return;
      }
      return sendJson(res, 200, text);
    }

    case 'watch': {
      const rv = q.get('resourceVersion');
      if (rv && !/^\d+$/.test(rv)) throw errors.badRequest(`invalid resourceVersion: "${rv}"`);
      let fieldSelector = q.get('fieldSelector');
      if (info.name) fieldSelector = [fieldSelector, `metadata.name=${info.name}`].filter(Boolean).join(',');
      const match = makePredicate(r, q.get('labelSelector'), fieldSelector);
      const requested = parseIntParam(q, 'timeoutSeconds');
      const min = env.minWatchTimeoutSeconds;
      const timeoutSeconds = requested && requested > 0 ? requested : Math.floor(min * (1 + Math.random()));
      serveWatch(env.watch, req, res, {
        resource: r,
        namespace: ns,
        match,
        fromRev: rv && rv !== '0' ? Number(rv) : undefined,
        table: fmt.as === 'table',
        includeObject: includeObjectOf(q),
        timeoutSeconds,
        bookmarks: q.get('allowWatchBookmarks') === 'true',
      });
      return;
    }

    case 'create': {
      if (r.namespaced && !ns) throw errors.methodNotAllowed(`the server does not allow this method on the requested resource: create ${r.plural} needs a namespace in the path`);
      const body = decodeBody(await readBody(req), req.headers['content-type']);
      const { obj, warnings } = await store.create(r, ns, body, writeOptions(q));
      return sendObject(res, 201, obj, fmt, env, q, warnings);
    }

    case 'update': {
      const body = decodeBody(await readBody(req), req.headers['content-type']);
      const { obj, warnings } = await store.update(r, ns, info.name, body, '', writeOptions(q));
      return sendObject(res, 200, obj, fmt, env, q, warnings);
    }

    case 'patch': {
      const ct = req.headers['content-type'] ?? '';
      const patch = decodeBody(await readBody(req), ct.startsWith('application/apply-patch') ? ct : 'application/json');
      const { obj, warnings } = await store.patch(r, ns, info.name, ct, patch, '', writeOptions(q));
      return sendObject(res, 200, obj, fmt, env, q, warnings);
    }

    case 'delete': {
      const opts = await deleteOptions(req, q);
      const { obj, deleted } = await store.delete(r, ns, info.name, opts, writeOptions(q));
      if (deleted && !strategyFor(r).returnDeletedObject) {
        return sendJson(res, 200, {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Success',
          details: { name: info.name, group: r.group, kind: r.plural, uid: obj.metadata.uid },
        });
      }
      return sendObject(res, 200, obj, fmt.as === 'table' ? { as: 'object' } : fmt, env, q);
    }

    case 'deletecollection': {
      const opts = await deleteOptions(req, q);
      const wo = writeOptions(q);
      const page = await listObjects(store, r, ns, { labelSelector: q.get('labelSelector'), fieldSelector: q.get('fieldSelector') });
      const removed: KObject[] = [];
      for (const o of page.items) {
        try {
          removed.push((await store.delete(r, o.metadata.namespace ?? '', o.metadata.name!, opts, wo)).obj);
        } catch (err) {
          if ((err as { reason?: string }).reason !== 'NotFound') throw err;
        }
      }
      return sendJson(res, 200, listJson(apiVersionOf(r), r.listKind, { resourceVersion: String(store.cache.revision()) }, removed));
    }
  }
}
