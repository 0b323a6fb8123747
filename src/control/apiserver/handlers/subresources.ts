/**
 * Subresources: status (every kind with a status), scale (Deployments and ReplicaSets, as
 * autoscaling/v1 Scale), binding and eviction (pods), log (pods, proxied to the node's kubelet)
 * and finalize (namespaces).
 */
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { errors, StatusError } from '../../../api/errors.js';
import { PatchError } from '../../../api/patch/errors.js';
import { applyPatch } from '../../../api/patch/index.js';
import { resourceByKind } from '../../../api/resources.js';
import { selectorFromLabelSelector, selectorToString } from '../../../api/selectors.js';
import type { Binding, Condition, KObject, LabelSelector, Node, Pod, Scale } from '../../../api/types.js';
import { validateObject } from '../../../api/validation/index.js';
import { rfc3339 } from '../../../util/clock.js';
import { decodeBody, negotiate, readBody, sendJson } from '../codec.js';
import type { ResourceRequest } from '../request.js';
import { sendObject, writeOptions, type ResourceEnv } from './resource.js';

const NODES = resourceByKind('Node')!;

/** Pod subresources that kube-apiserver serves by streaming to the kubelet, which kubelab does not. */
const STREAMS = new Set(['exec', 'attach', 'portforward', 'proxy']);

export async function handleSubresource(env: ResourceEnv, req: IncomingMessage, res: ServerResponse, info: ResourceRequest): Promise<void> {
  const r = info.resource;
  const sub = info.subresource;
  if (r.kind === 'Pod' && STREAMS.has(sub)) {
    throw errors.methodNotAllowed(`${sub} is not supported by kubelab: it does not stream to pods (pods/${sub}); kubectl logs works, and on a docker node so does docker exec`);
  }
  const allowed = r.subresources.includes(sub as never) || (r.kind === 'Namespace' && sub === 'finalize');
  // kube-apiserver answers a subresource it does not serve as any unknown path.
  if (!allowed || !info.name) throw errors.noResource();
  switch (sub) {
    case 'status':
      return status(env, req, res, info);
    case 'scale':
      return scale(env, req, res, info);
    case 'binding':
      return binding(env, req, res, info);
    case 'eviction':
      return eviction(env, req, res, info);
    case 'log':
      return log(env, req, res, info);
    case 'finalize':
      return finalize(env, req, res, info);
  }
  throw errors.notFound({ group: r.group, resource: `${r.plural}/${sub}` }, info.name);
}

function verbNotAllowed(info: ResourceRequest): StatusError {
  return errors.methodNotAllowed(`the server does not allow this method on the requested resource: ${info.verb} ${info.resource.plural}/${info.subresource}`);
}

async function status(env: ResourceEnv, req: IncomingMessage, res: ServerResponse, info: ResourceRequest): Promise<void> {
  const { store } = env;
  const fmt = negotiate(req.headers.accept);
  const q = info.query;
  switch (info.verb) {
    case 'get':
      return sendObject(res, 200, store.get(info.resource, info.namespace, info.name), fmt, env, q);
    case 'update': {
      const body = decodeBody(await readBody(req), req.headers['content-type']);
      const { obj, warnings } = await store.update(info.resource, info.namespace, info.name, body, 'status', writeOptions(q));
      return sendObject(res, 200, obj, fmt, env, q, warnings);
    }
    case 'patch': {
      const patch = decodeBody(await readBody(req), 'application/json');
      const { obj, warnings } = await store.patch(info.resource, info.namespace, info.name, req.headers['content-type'] ?? '', patch, 'status', writeOptions(q));
      return sendObject(res, 200, obj, fmt, env, q, warnings);
    }
    default:
      throw verbNotAllowed(info);
  }
}

function toScale(obj: KObject): Scale {
  const spec = obj.spec as { replicas?: number; selector?: LabelSelector };
  const st = obj.status as { replicas?: number } | undefined;
  const m = obj.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: st?.replicas ?? 0, selector: spec.selector ? selectorToString(selectorFromLabelSelector(spec.selector)) : '' },
  };
}

async function scale(env: ResourceEnv, req: IncomingMessage, res: ServerResponse, info: ResourceRequest): Promise<void> {
  const { store } = env;
  const r = info.resource;
  const q = info.query;
  if (info.verb === 'get') return sendJson(res, 200, toScale(store.get(r, info.namespace, info.name)));
  if (info.verb !== 'update' && info.verb !== 'patch') throw verbNotAllowed(info);
  const ct = req.headers['content-type'];
  const body = decodeBody(await readBody(req), info.verb === 'patch' ? 'application/json' : ct);
  const updated = await store.guaranteedUpdate(r, info.namespace, info.name, writeOptions(q), (current) => {
    const before = toScale(current);
    let wanted: Scale;
    if (info.verb === 'patch') {
      try {
        wanted = applyPatch(ct ?? '', before, body, 'autoscaling/v1', 'Scale') as Scale;
      } catch (err) {
        if (err instanceof PatchError) throw errors.badRequest(err.message);
        throw err;
      }
    } else {
      wanted = body as Scale;
      if (wanted?.kind !== undefined && wanted.kind !== 'Scale') throw errors.badRequest(`the kind in the data (${String(wanted.kind)}) does not match the expected kind (Scale)`);
    }
    const replicas = wanted?.spec?.replicas;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      throw errors.invalid('Scale', 'autoscaling', info.name, [
        { type: 'FieldValueInvalid', field: 'spec.replicas', badValue: replicas, detail: 'must be greater than or equal to 0' },
      ]);
    }
    const rv = wanted.metadata?.resourceVersion;
    (current.spec as { replicas?: number }).replicas = replicas;
    if (rv) current.metadata.resourceVersion = rv;
    return current;
  });
  const errs = validateObject(updated, r);
  if (errs.length) throw errors.invalid(r.kind, r.group, info.name, errs);
  return sendJson(res, 200, toScale(updated));
}

async function binding(env: ResourceEnv, req: IncomingMessage, res: ServerResponse, info: ResourceRequest): Promise<void> {
  if (info.verb !== 'create') throw verbNotAllowed(info);
  const { store } = env;
  const b = decodeBody(await readBody(req), req.headers['content-type']) as Binding;
  const target = b?.target?.name;
  if (!target) throw errors.invalid('Binding', '', info.name, [{ type: 'FieldValueRequired', field: 'target.name', detail: '' }]);
  if (b.target.kind && b.target.kind !== 'Node') {
    throw errors.invalid('Binding', '', info.name, [{ type: 'FieldValueNotSupported', field: 'target.kind', badValue: b.target.kind, detail: 'supported values: "Node"' }]);
  }
  const pre = b.metadata ?? {};
  await store.guaranteedUpdate(info.resource, info.namespace, info.name, writeOptions(info.query), (current) => {
    const pod = current as Pod;
    if (pre.uid && pre.uid !== pod.metadata.uid) throw errors.conflict({ group: '', resource: 'pods' }, info.name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${pod.metadata.uid}`);
    if (pod.metadata.deletionTimestamp) throw errors.conflict({ group: '', resource: 'pods/binding' }, info.name, `pod ${info.name} is being deleted, cannot be assigned to a host`);
    if (pod.spec.nodeName) throw errors.conflict({ group: '', resource: 'pods/binding' }, info.name, `pod ${info.name} is already assigned to node "${pod.spec.nodeName}"`);
    pod.spec.nodeName = target;
    const now = rfc3339(env.clock.now());
    const conds = (pod.status?.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
    conds.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now } as Condition);
    pod.status = { ...pod.status, conditions: conds };
    if (b.metadata?.annotations) pod.metadata.annotations = { ...pod.metadata.annotations, ...b.metadata.annotations };
    return pod;
  }, 'binding');
  sendJson(res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}

async function eviction(env: ResourceEnv, req: IncomingMessage, res: ServerResponse, info: ResourceRequest): Promise<void> {
  if (info.verb !== 'create') throw verbNotAllowed(info);
  const body = decodeBody(await readBody(req), req.headers['content-type']) as { deleteOptions?: object };
  await env.store.delete(info.resource, info.namespace, info.name, body?.deleteOptions ?? {}, writeOptions(info.query));
  sendJson(res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}

async function finalize(env: ResourceEnv, req: IncomingMessage, res: ServerResponse, info: ResourceRequest): Promise<void> {
  if (info.verb !== 'update') throw verbNotAllowed(info);
  const body = env.store.checkBody(info.resource, decodeBody(await readBody(req), req.headers['content-type']));
  const obj = await env.store.guaranteedUpdate(info.resource, '', info.name, writeOptions(info.query), (current) => ({ ...current, spec: body.spec }), 'finalize');
  sendObject(res, 200, obj, { as: 'object' }, env, info.query);
}

/**
 * Proxies pods/log to the kubelet of the pod's node: GET
 * http://<node InternalIP>:<kubelet port>/containerLogs/<ns>/<pod>/<container>, with the kubelet
 * token as a bearer token (plain HTTP, API server to kubelet: the lab does not do kubelet TLS).
 * A kubelet's refusal becomes a Status with its message, as kube-apiserver's
 * GenericHttpResponseChecker makes it (400 BadRequest, 404 NotFound, others by code); a success is
 * streamed through, for as long as the kubelet streams (follow).
 */
async function log(env: ResourceEnv, req: IncomingMessage, res: ServerResponse, info: ResourceRequest): Promise<void> {
  if (info.verb !== 'get') throw verbNotAllowed(info);
  const pod = env.store.get(info.resource, info.namespace, info.name) as Pod;
  const q = info.query;
  const names = pod.spec.containers.map((c) => c.name);
  let container = q.get('container') ?? '';
  if (!container) {
    if (names.length !== 1) throw errors.badRequest(`a container name must be specified for pod ${info.name}, choose one of: [${names.join(' ')}]`);
    container = names[0]!;
  } else if (!names.includes(container) && !(pod.spec.initContainers ?? []).some((c) => c.name === container)) {
    throw errors.badRequest(`container ${container} is not valid for pod ${info.name}`);
  }
  if (!pod.spec.nodeName) throw errors.badRequest(`pod ${info.name} does not have a host assigned`);
  const node = env.store.cache.get(NODES, env.store.key(NODES, '', pod.spec.nodeName))?.obj as Node | undefined;
  const port = node?.status?.daemonEndpoints?.kubeletEndpoint?.Port;
  const addr = node?.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
  if (!node || !port || !addr) {
    throw errors.serviceUnavailable(`no kubelet is serving logs for node "${pod.spec.nodeName}" (it has not registered a kubelet endpoint)`);
  }
  const params = new URLSearchParams();
  for (const k of ['follow', 'previous', 'timestamps', 'tailLines', 'sinceSeconds', 'sinceTime', 'limitBytes']) {
    const v = q.get(k);
    if (v !== null) params.set(k, v);
  }
  const path = `/containerLogs/${encodeURIComponent(info.namespace)}/${encodeURIComponent(info.name)}/${encodeURIComponent(container)}?${params}`;
  const headers = env.kubeletToken ? { Authorization: `Bearer ${env.kubeletToken}` } : {};
  await new Promise<void>((resolve, reject) => {
    const upstream = httpRequest({ host: addr, port, path, method: 'GET', headers, timeout: 10_000 }, (up) => {
      // The timeout guards the wait for an answer; a followed log may then be quiet for hours.
      upstream.setTimeout(0);
      const code = up.statusCode ?? 502;
      if (code < 200 || code > 206) {
        readKubeletError(up, code).then(reject, reject);
        return;
      }
      res.writeHead(code, { 'Content-Type': up.headers['content-type'] ?? 'text/plain', 'Transfer-Encoding': 'chunked' });
      up.pipe(res);
      up.on('end', resolve);
      // A stream cut because the client left is the normal end of `kubectl logs -f`.
      up.on('error', (err) => (res.destroyed || res.writableEnded ? resolve() : reject(err)));
    });
    upstream.on('timeout', () => upstream.destroy(new Error('timed out')));
    upstream.on('error', (err) => {
      if (res.headersSent) return resolve();
      reject(errors.serviceUnavailable(`the kubelet of node "${pod.spec.nodeName}" at ${addr}:${port} did not answer: ${err.message}`));
    });
    // The client went away (kubectl logs -f interrupted): stop following.
    res.on('close', () => upstream.destroy());
    upstream.end();
  });
}

/** The StatusError for a kubelet's refusal: its Status message (or its text), under the kubelet's code. */
async function readKubeletError(up: IncomingMessage, code: number): Promise<StatusError> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of up as AsyncIterable<Buffer>) {
    if (size < 64 * 1024) chunks.push(c);
    size += c.length;
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  let message = text;
  try {
    const status = JSON.parse(text) as { kind?: string; message?: string };
    if (status?.kind === 'Status' && typeof status.message === 'string') message = status.message;
  } catch {
    // plain text, as older kubelets write it
  }
  if (code === 400) return errors.badRequest(message);
  if (code === 404) return new StatusError({ reason: 'NotFound', code, message, details: { name: '', kind: 'pods/log' } });
  // A kubelet refusing the API server's token is the server's problem, not the client's credentials.
  if (code === 401 || code === 403) return errors.internal(`the kubelet refused the API server's credentials (${code}): ${message}`);
  if (code === 500) return errors.internal(message);
  return new StatusError({ reason: code === 503 ? 'ServiceUnavailable' : 'InternalError', code, message: `the kubelet answered ${code}: ${message}` });
}
