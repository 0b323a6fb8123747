/**
 * The REST client every component talks to the API server through: node:http over a keep-alive
 * Agent, JSON in and out, Status errors as StatusError, an optional client-side token bucket
 * (client-go's --kube-api-qps/--kube-api-burst), per-request deadlines and AbortSignals.
 *
 * The request path is kept lean because the scheduling benchmark pushes thousands of requests
 * per second through one Client: no URL objects, no fetch/undici layers, headers built once.
 * Watches and other long responses use a separate Agent so they can never take the sockets that
 * ordinary requests wait for.
 */
import { Agent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { KObject } from '../api/types.js';
import type { Clock } from '../util/clock.js';
import { errorOfResponse, networkError } from './errors.js';
import { loadKubeconfig } from './kubeconfig.js';
import { ResourceClient } from './resource.js';
import { TokenBucket } from './token-bucket.js';

export { isAlreadyExists, isConflict, isGone, isInvalid, isNotFound, isTooManyRequests } from './errors.js';

/** How to reach the API server. */
export interface ClientConfig {
  /** Base URL, e.g. "https://127.0.0.1:6443" (a path prefix is kept). */
  server: string;
  /** PEM of the CA that signed an https server's certificate (default: the system's CAs). */
  ca?: string;
  /** Bearer token sent with every request. */
  token?: string;
  /** User-Agent header (default "kubelab-client"). */
  userAgent?: string;
  /** Client-side rate limit, requests per second (default: none). */
  qps?: number;
  /** Burst of the client-side rate limit (default: ceil(qps)); needs qps. */
  burst?: number;
  /** Deadline of a request until its whole answer is in, ms; 0 for none (default 30,000). For streams it covers the response headers only. */
  timeoutMs?: number;
  /** Most sockets open at once for ordinary requests (default 100); more wait for a free one. */
  maxSockets?: number;
  /** Clock of the rate limiter (default: the system clock). */
  clock?: Clock;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Options every call accepts. */
export interface CallOptions {
  /** Aborts the call; it then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Overrides the client's timeoutMs for this call. */
  timeoutMs?: number;
}

/** One raw request. */
export interface RequestOptions extends CallOptions {
  method: HttpMethod;
  /** Path below the server URL with its query string: "/api/v1/namespaces/default/pods?limit=10". */
  path: string;
  /** Sent as is when a string or Buffer, else as JSON. */
  body?: unknown;
  /** Content-Type of the body (default application/json). */
  contentType?: string;
  /** Accept header (default application/json). */
  accept?: string;
}

const DEFAULT_TIMEOUT_MS = 30_000;

function isJsonType(ct: string | undefined): boolean {
  return ct !== undefined && (ct.startsWith('application/json') || ct.includes('+json'));
}

export class Client {
  /** The server URL, without a trailing slash. */
  readonly server: string;
  private readonly host: string;
  private readonly port: number;
  private readonly basePath: string;
  private readonly tls: boolean;
  private readonly agent: Agent;
  private readonly streamAgent: Agent;
  private readonly baseHeaders: Record<string, string>;
  private readonly limiter: TokenBucket | undefined;
  private readonly timeoutMs: number;
  private readonly resources = new Map<string, ResourceClient<KObject>>();

  constructor(config: ClientConfig) {
    let url: URL;
    try {
      url = new URL(config.server);
    } catch {
      throw new TypeError(`server must be a URL like "http://127.0.0.1:6443", not ${JSON.stringify(config.server)}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`server "${config.server}" is not an http:// or https:// URL`);
    this.tls = url.protocol === 'https:';
    this.server = config.server.replace(/\/+$/, '');
    this.host = url.hostname.replace(/^\[|\]$/g, '');
    this.port = url.port ? Number(url.port) : this.tls ? 443 : 80;
    this.basePath = url.pathname.replace(/\/+$/, '');
    const maxSockets = config.maxSockets ?? 100;
    if (!Number.isInteger(maxSockets) || maxSockets < 1) throw new RangeError(`maxSockets must be a positive integer, not ${JSON.stringify(config.maxSockets)}`);
    this.timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!(this.timeoutMs >= 0)) throw new RangeError(`timeoutMs must be >= 0, not ${JSON.stringify(config.timeoutMs)}`);
    if (config.burst !== undefined && config.qps === undefined) throw new TypeError(`burst (${config.burst}) needs qps`);
    this.limiter = config.qps !== undefined ? new TokenBucket({ qps: config.qps, ...(config.burst !== undefined ? { burst: config.burst } : {}), ...(config.clock ? { clock: config.clock } : {}) }) : undefined;
    // LIFO keeps the busiest sockets warm, so fewer idle ones reach the server's keep-alive timeout.
    const agentOptions = { keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: 'lifo' as const };
    this.agent = this.tls ? new HttpsAgent({ ...agentOptions, ...(config.ca ? { ca: config.ca } : {}) }) : new Agent(agentOptions);
    this.streamAgent = this.tls ? new HttpsAgent({ keepAlive: true, ...(config.ca ? { ca: config.ca } : {}) }) : new Agent({ keepAlive: true });
    this.baseHeaders = { Accept: 'application/json', 'User-Agent': config.userAgent ?? 'kubelab-client' };
    if (config.token) this.baseHeaders['Authorization'] = `Bearer ${config.token}`;
  }

  /**
   * A client for the kubeconfig at path (the lab writes one per cluster), using context or the
   * current context. overrides add what a kubeconfig does not carry (qps, userAgent, ...).
   */
  static fromKubeconfig(path: string, context?: string, overrides: Omit<ClientConfig, 'server'> = {}): Client {
    const kc = loadKubeconfig(path, context);
    return new Client({ ...(kc.token ? { token: kc.token } : {}), ...(kc.ca ? { ca: kc.ca } : {}), ...overrides, server: kc.server });
  }

  /** The typed client of a kind of src/api/resources.ts ("Pod", "Deployment"); TypeError for unknown kinds. */
  resource<T extends KObject>(kind: string): ResourceClient<T> {
    let rc = this.resources.get(kind);
    if (!rc) {
      rc = new ResourceClient<KObject>(this, kind);
      this.resources.set(kind, rc);
    }
    return rc as unknown as ResourceClient<T>;
  }

  /** The full URL of a path, for messages. */
  urlOf(path: string): string {
    return this.server + path;
  }

  /**
   * Sends one request and resolves with its decoded body: JSON for JSON answers, text for others,
   * undefined for empty ones. A non-2xx answer rejects with a StatusError; a request that gets no
   * answer rejects with an Error naming the method, the URL and the cause.
   */
  request<T = unknown>(o: RequestOptions): Promise<T> {
    if (this.limiter) return this.limiter.wait(o.signal).then(() => this.exchange(o, false, false) as Promise<T>);
    return this.exchange(o, false, false) as Promise<T>;
  }

  /**
   * Sends one request and resolves with the response as soon as its headers arrive with a 2xx
   * code, for the caller to read (watches, logs). Aborting the signal later also ends the stream.
   */
  stream(o: RequestOptions): Promise<IncomingMessage> {
    if (this.limiter) return this.limiter.wait(o.signal).then(() => this.exchange(o, true, false) as Promise<IncomingMessage>);
    return this.exchange(o, true, false) as Promise<IncomingMessage>;
  }

  /** Closes idle sockets; requests still running finish. */
  close(): void {
    this.agent.destroy();
    this.streamAgent.destroy();
  }

  private exchange(o: RequestOptions, streaming: boolean, retried: boolean): Promise<unknown> {
    return new Promise<unknown>((resolve, reject) => {
      const { method, signal } = o;
      if (signal?.aborted) return reject(signal.reason);
      let payload: string | Buffer | undefined;
      const headers: Record<string, string | number> = { ...this.baseHeaders };
      if (o.accept) headers['Accept'] = o.accept;
      if (o.body !== undefined) {
        payload = typeof o.body === 'string' || Buffer.isBuffer(o.body) ? o.body : JSON.stringify(o.body);
        headers['Content-Type'] = o.contentType ?? 'application/json';
        headers['Content-Length'] = Buffer.byteLength(payload);
      }
      const req = (this.tls ? httpsRequest : httpRequest)({ agent: streaming ? this.streamAgent : this.agent, host: this.host, port: this.port, method, path: this.basePath + o.path, headers });

      let settled = false;
      let answered = false;
      let timer: NodeJS.Timeout | undefined;
      const settle = (err: unknown, value?: unknown) => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        if (err !== undefined) reject(err);
        else resolve(value);
      };
      const onAbort = () => {
        settle(signal!.reason);
        req.destroy();
      };
      if (signal) {
        signal.addEventListener('abort', onAbort, { once: true });
        // Kept until the exchange closes, so that an abort also ends a stream being read.
        req.once('close', () => signal.removeEventListener('abort', onAbort));
      }
      const timeoutMs = o.timeoutMs ?? this.timeoutMs;
      if (timeoutMs > 0) {
        timer = setTimeout(() => {
          const cause = new Error(streaming ? `no response headers within ${timeoutMs} ms` : `no complete answer within ${timeoutMs} ms`);
          cause.name = 'TimeoutError';
          settle(networkError(method, this.urlOf(o.path), cause));
          req.destroy();
        }, timeoutMs);
      }

      req.on('error', (err: NodeJS.ErrnoException) => {
        if (settled) return;
        // A kept-alive socket the server closed just as we reused it: the request never reached
        // the server (Node's documented case), so a read is safely sent again on a new socket.
        if (!answered && !retried && method === 'GET' && req.reusedSocket && err.code === 'ECONNRESET') {
          settled = true;
          if (timer) clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          this.exchange(o, streaming, true).then(resolve, reject);
          return;
        }
        settle(networkError(method, this.urlOf(o.path), err));
      });

      req.on('response', (res: IncomingMessage) => {
        answered = true;
        const code = res.statusCode ?? 0;
        const ok = code >= 200 && code < 300;
        if (streaming && ok) {
          if (timer) clearTimeout(timer);
          if (settled) res.destroy();
          else settle(undefined, res);
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => settle(networkError(method, this.urlOf(o.path), err)));
        res.on('close', () => {
          if (!res.complete) settle(networkError(method, this.urlOf(o.path), new Error('the connection closed before the answer was complete')));
        });
        res.on('end', () => {
          if (settled) return;
          const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
          if (!ok) return settle(errorOfResponse(method, this.urlOf(o.path), code, text));
          if (text === '') return settle(undefined, undefined);
          if (!isJsonType(res.headers['content-type'])) return settle(undefined, text);
          try {
            settle(undefined, JSON.parse(text));
          } catch (err) {
            settle(new Error(`${method} ${this.urlOf(o.path)}: the server answered ${code} with malformed JSON: ${(err as Error).message}`, { cause: err }));
          }
        });
      });

      req.end(payload);
    });
  }
}
