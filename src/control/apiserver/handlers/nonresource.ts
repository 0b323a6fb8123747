/**
 * Paths that are not resources: discovery (/api, /apis, group and group-version documents, in
 * both the legacy and the aggregated form kubectl asks for first), /openapi/v3, /version,
 * health checks and /metrics.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { aggregatedDiscovery, apiGroup, apiGroupList, apiResourceList, apiVersions } from '../../../api/discovery.js';
import { errors } from '../../../api/errors.js';
import { openapiV3DocumentText, openapiV3Root } from '../../../api/openapi/index.js';
import { groupVersions } from '../../../api/resources.js';
import { sendJson } from '../codec.js';
import type { OtherRequest } from '../request.js';

export const KUBERNETES_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0-kubelab' };

export interface NonResourceEnv {
  /** Named readiness checks; each returns an error message or undefined when fine. */
  checks: Record<string, () => string | undefined>;
  metrics(): Promise<{ contentType: string; body: string }>;
  version: string;
}

const AGGREGATED = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

function wantsAggregated(accept: string | undefined): boolean {
  if (!accept) return false;
  const first = accept.split(',')[0]!.replace(/\s+/g, '');
  return first.startsWith('application/json;g=apidiscovery.k8s.io;v=v2') && first.includes('as=APIGroupDiscoveryList');
}

function health(env: NonResourceEnv, res: ServerResponse, path: string, verbose: boolean): void {
  const results = Object.entries(env.checks).map(([name, check]) => [name, check()] as const);
  const failed = results.filter(([, err]) => err !== undefined);
  const ok = failed.length === 0;
  let body = ok ? 'ok' : `${path.slice(1)} check failed`;
  if (verbose || !ok) {
    body = results.map(([name, err]) => (err === undefined ? `[+]${name} ok` : `[-]${name} failed: ${err}`)).join('\n') + `\n${ok ? `${path.slice(1)} check passed` : `${path.slice(1)} check failed`}`;
  }
  res.writeHead(ok ? 200 : 500, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
  res.end(body);
}

export async function handleNonResource(env: NonResourceEnv, req: IncomingMessage, res: ServerResponse, info: OtherRequest): Promise<void> {
  const path = info.path.replace(/\/+$/, '') || '/';
  const accept = req.headers.accept;
  if (req.method !== 'GET' && req.method !== 'HEAD') throw errors.methodNotAllowed(`the server does not allow this method on ${path}`);
  switch (path) {
    case '/healthz':
    case '/livez':
    case '/readyz':
      return health(env, res, path, info.query.has('verbose'));
    case '/version':
      return sendJson(res, 200, {
        ...KUBERNETES_VERSION,
        gitCommit: env.version,
        gitTreeState: 'clean',
        buildDate: '2026-11-25T00:00:00Z',
        goVersion: `node ${process.version}`,
        compiler: 'kubelab',
        platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
      });
    case '/metrics': {
      const m = await env.metrics();
      res.writeHead(200, { 'Content-Type': m.contentType });
      res.end(m.body);
      return;
    }
    case '/api':
      if (wantsAggregated(accept)) return sendJson(res, 200, aggregatedDiscovery('api'), { 'Content-Type': AGGREGATED });
      return sendJson(res, 200, apiVersions());
    case '/apis':
      if (wantsAggregated(accept)) return sendJson(res, 200, aggregatedDiscovery('apis'), { 'Content-Type': AGGREGATED });
      return sendJson(res, 200, apiGroupList());
    case '/openapi/v3':
      return sendJson(res, 200, openapiV3Root());
    case '/openapi/v2':
      return openapiV2(res, accept);
    case '/':
      return sendJson(res, 200, {
        paths: ['/api', '/api/v1', '/apis', ...groupVersions().filter((g) => g.group).flatMap((g) => [`/apis/${g.group}`, `/apis/${g.group}/${g.version}`]), '/healthz', '/livez', '/metrics', '/openapi/v2', '/openapi/v3', '/readyz', '/version'],
      });
  }
  if (path.startsWith('/openapi/v3/')) {
    const doc = openapiV3DocumentText(path.slice('/openapi/v3/'.length));
    if (doc) return sendJson(res, 200, doc.text, { 'Cache-Control': 'public, immutable', ETag: `"${doc.hash}"` });
  }
  const parts = path.split('/').filter(Boolean);
  if (parts[0] === 'api' && parts.length === 2) {
    const doc = apiResourceList('', parts[1]!);
    if (doc) return sendJson(res, 200, doc);
  }
  if (parts[0] === 'apis' && parts.length === 2) {
    const group = apiGroup(parts[1]!);
    if (group) return sendJson(res, 200, group);
  }
  if (parts[0] === 'apis' && parts.length === 3) {
    const doc = apiResourceList(parts[1]!, parts[2]!);
    if (doc) return sendJson(res, 200, doc);
  }
  throw errors.noResource();
}

/**
 * /openapi/v2: a Swagger 2.0 document with no definitions. The schemas are in /openapi/v3, which
 * kubectl reads first; it falls back to v2 only for a group version v3 does not list (an
 * unknown kind such as batch/v1 Job), and without a v2 document it stops with "failed to
 * download openapi" instead of saying the kind is not served. With this one it goes on and
 * reports, as against any cluster, that there is no match for the kind. kubectl asks for the
 * gnostic protobuf form; its message here is Document { swagger: "2.0" } (field 1).
 */
function openapiV2(res: ServerResponse, accept: string | undefined): void {
  if (accept?.includes('application/com.github.proto-openapi.spec.v2')) {
    const swagger = Buffer.from('2.0');
    // kube-openapi answers with a dot where the Accept header has '@' (Go's mime parser rejects '@').
    res.writeHead(200, { 'Content-Type': 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf' });
    res.end(Buffer.concat([Buffer.from([0x0a, swagger.length]), swagger]));
    return;
  }
  sendJson(res, 200, { swagger: '2.0', info: { title: 'Kubernetes', version: KUBERNETES_VERSION.gitVersion }, paths: {}, definitions: {} });
}
