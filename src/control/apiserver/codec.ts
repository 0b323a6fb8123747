/**
 * Request bodies in, responses out: size limits, JSON, YAML and Kubernetes protobuf decoding with
 * positions in error messages, content negotiation (plain JSON, YAML, meta.k8s.io Table), and
 * Status responses.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseDocument } from 'yaml';
import { errors, StatusError } from '../../api/errors.js';
import { decodeProtobufObject, PROTOBUF_CONTENT_TYPE, ProtobufError } from '../../api/protobuf/index.js';

/** Largest request body accepted, as kube-apiserver's 3 MiB limit. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      req.resume();
      return reject(errors.tooLarge(`request body of ${declared} bytes is larger than the limit of ${limit} bytes`));
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(errors.tooLarge(`request body is larger than the limit of ${limit} bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function lineCol(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const col = offset - before.lastIndexOf('\n');
  return `line ${line}, column ${col}`;
}

/**
 * Decodes a request body as JSON, or as YAML or Kubernetes protobuf when the content type says so
 * (protobuf bodies come back as the JSON form of the object). Malformed input is a 400 BadRequest
 * whose message says where the error is.
 */
export function decodeBody(body: Buffer, contentType: string | undefined): unknown {
  const text = body.toString('utf8');
  const ct = (contentType ?? 'application/json').split(';')[0]!.trim().toLowerCase();
  if (text.trim() === '') throw errors.badRequest('the request body is empty');
  if (ct === 'application/yaml' || ct === 'application/x-yaml' || ct === 'text/yaml' || ct === 'application/apply-patch+yaml') {
    const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
    if (doc.errors.length) {
      const e = doc.errors[0]!;
      throw errors.badRequest(`error decoding YAML body: ${e.message.split('\n')[0]} (line ${e.linePos?.[0]?.line ?? '?'})`);
    }
    return doc.toJS();
  }
  if (ct === PROTOBUF_CONTENT_TYPE) {
    try {
      return decodeProtobufObject(body).object;
    } catch (err) {
      if (err instanceof ProtobufError) throw errors.badRequest(`error decoding protobuf body: ${err.message}`);
      throw err;
    }
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    const m = /position (\d+)/.exec((err as Error).message);
    const where = m ? ` at ${lineCol(text, Number(m[1]))}` : '';
    throw errors.badRequest(`error decoding JSON body${where}: ${(err as Error).message}`);
  }
}

export type OutputFormat = { as: 'object' } | { as: 'table' } | { as: 'yaml' };

/**
 * Reads the Accept header the way kubectl writes it: the first acceptable entry wins.
 * kubectl get asks for "application/json;as=Table;v=v1;g=meta.k8s.io, application/json".
 */
export function negotiate(accept: string | undefined): OutputFormat {
  if (!accept) return { as: 'object' };
  for (const part of accept.split(',')) {
    const [mime, ...params] = part.split(';').map((s) => s.trim());
    const p = new Map(params.map((x) => x.split('=') as [string, string]));
    if (mime === 'application/json' && p.get('as') === 'Table' && p.get('g') === 'meta.k8s.io' && (p.get('v') === 'v1' || p.get('v') === 'v1beta1')) {
      return { as: 'table' };
    }
    if (mime === 'application/json' && p.has('as')) continue; // PartialObjectMetadata and others we do not serve
    if (mime === 'application/json' || mime === '*/*' || mime === 'application/*') return { as: 'object' };
    if (mime === 'application/yaml') return { as: 'yaml' };
  }
  throw errors.notAcceptable(`only the following media types are accepted: application/json, application/yaml, application/json;as=Table;v=v1;g=meta.k8s.io`);
}

export function sendJson(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendStatus(res: ServerResponse, err: unknown): void {
  const se = err instanceof StatusError ? err : errors.internal((err as Error)?.message ?? String(err), err);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers: Record<string, string> = {};
  if (se.status.details?.retryAfterSeconds) headers['Retry-After'] = String(se.status.details.retryAfterSeconds);
  sendJson(res, se.code, se.status, headers);
}
