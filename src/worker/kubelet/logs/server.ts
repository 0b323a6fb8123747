/**
 * GET /containerLogs/<namespace>/<pod>/<container> (the kubelet server's getContainerLogs), what
 * the API server's pods/log proxies to, so that `kubectl logs` works:
 *
 * - the pod must be bound to this node (404 'pod "x" does not exist') and have the container
 *   (404 'container "c" not found in pod "x"');
 * - the container comes from the pod's freshest status (container-choice.ts): the current one, or
 *   with previous=true the last terminated attempt, which the kubelet keeps until the next restart;
 * - the lines come from runtime.containerLogs, written back as format.ts says; with follow=true the
 *   response is a chunked stream that ends when the container exits or the client goes away.
 *
 * Errors are Status objects (JSON) with Kubernetes' messages, which the API server passes on.
 * Authentication: when the kubelet has a token (--authentication-token-file), requests must carry
 * it as a bearer token (the API server's proxy sends the lab's token); 401 otherwise. The
 * connection itself is plain HTTP, API server to kubelet, unlike Kubernetes' HTTPS.
 */
import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Pod, PodStatus } from '../../../api/types.js';
import type { Clock } from '../../../util/clock.js';
import type { Logger } from '../../../util/log.js';
import { hasBearerToken, sendJson, type RouteHandler } from '../http-server.js';
import { isRuntimeNotFound, type ContainerRuntime } from '../runtime.js';
import { logContainerId } from './container-choice.js';
import { runtimeLogOptions, writeLogs } from './format.js';
import { LogRequestError, parseLogRequest } from './options.js';

/** The route's prefix. */
export const CONTAINER_LOGS_PATH = '/containerLogs/';

export interface ContainerLogsOptions {
  /** A pod bound to this node, by namespace and name. */
  pod(namespace: string, name: string): Pod | undefined;
  /** The freshest status of pod the kubelet knows. */
  status(pod: Pod): PodStatus | undefined;
  runtime: Pick<ContainerRuntime, 'containerLogs' | 'containerStatus'>;
  /** For sinceSeconds. */
  clock: Clock;
  log: Logger;
  /** Bearer token every request must carry; undefined: no check (tests, loopback-only labs). */
  token?: string;
}

const REASONS = { 400: 'BadRequest', 401: 'Unauthorized', 404: 'NotFound' } as const;

/** Sends a Status object, as the API server would, so the proxy can pass the message on. */
export function sendStatus(res: ServerResponse, code: 400 | 401 | 404, message: string): void {
  sendJson(res, code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: REASONS[code], code });
}

/** The route handler for CONTAINER_LOGS_PATH. */
export function containerLogsHandler(o: ContainerLogsOptions): RouteHandler {
  return async (req, res, url) => {
    try {
      await serve(o, req, res, url);
    } catch (err) {
      if (!(err instanceof LogRequestError)) throw err;
      if (res.headersSent) res.destroy();
      else sendStatus(res, err.code, err.message);
    }
  };
}

async function serve(o: ContainerLogsOptions, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  if (o.token !== undefined && !hasBearerToken(req, o.token)) throw new LogRequestError(401, 'Unauthorized');
  const parts = url.pathname.slice(CONTAINER_LOGS_PATH.length).split('/').map(decodeURIComponent);
  const [namespace, name, container] = parts;
  if (!namespace) throw new LogRequestError(400, 'Missing podNamespace.');
  if (!name) throw new LogRequestError(400, 'Missing podID.');
  if (!container || parts.length > 3) throw new LogRequestError(400, 'Missing container name.');
  const r = parseLogRequest(url.searchParams, o.clock.now());
  const pod = o.pod(namespace, name);
  if (!pod) throw new LogRequestError(404, `pod ${JSON.stringify(name)} does not exist`);
  if (![...(pod.spec.initContainers ?? []), ...pod.spec.containers].some((c) => c.name === container)) {
    throw new LogRequestError(404, `container ${JSON.stringify(container)} not found in pod ${JSON.stringify(name)}`);
  }
  const id = logContainerId(name, o.status(pod), container, r.previous);
  try {
    await o.runtime.containerStatus(id);
  } catch (err) {
    if (!isRuntimeNotFound(err)) throw err;
    // The status named a container the runtime has removed since (a restart replaced it).
    throw new LogRequestError(400, `${r.previous ? 'previous terminated ' : ''}container ${JSON.stringify(container)} in pod ${JSON.stringify(name)} not found`);
  }

  const ac = new AbortController();
  res.once('close', () => ac.abort());
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache' });
  // Headers go out now: a follower may wait long for the first line.
  res.flushHeaders();
  try {
    await writeLogs(o.runtime.containerLogs(id, runtimeLogOptions(r, ac.signal)), r, (chunk) => write(res, chunk, ac.signal));
    res.end();
  } catch (err) {
    if (!ac.signal.aborted) o.log.error(`cannot stream the log of container ${container} of pod ${namespace}/${name}`, err);
    res.destroy();
  }
}

/** Writes chunk, waiting for the socket to drain when its buffer is full (or for the client to leave). */
async function write(res: ServerResponse, chunk: Buffer, signal: AbortSignal): Promise<void> {
  if (signal.aborted) throw signal.reason;
  if (res.write(chunk)) return;
  await once(res, 'drain', { signal });
}
