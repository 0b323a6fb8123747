/**
 * echo: the lab's small HTTP workload (plain Node.js, no dependencies), run by the process
 * runtime as image "kubelab/echo" and later built as a Docker image of the same name.
 *
 * Every request is answered with JSON saying who answered:
 *   {"pod": "<POD_NAME or HOSTNAME>", "namespace": "...", "ip": "<POD_IP>", "node": "<NODE_NAME>",
 *    "method": "GET", "path": "/x?y", "headers": {...}}
 * ("headers" only when the query has ?headers), so tests and demos see which replica a Service
 * chose. Special paths:
 *   GET  /healthz            200 "ok" while the process serves (liveness)
 *   GET  /readyz             200 "ready", or 503 "not ready" while readiness is failed (readiness)
 *   POST /fail-readiness     makes /readyz fail from now on (demo of readiness gating)
 *   POST /restore-readiness  makes it pass again
 *   any  ?delay=<ms>         answers after ms (up to 60000), to show graceful termination
 *
 * Environment read:
 *   POD_IP          address to listen on (default 0.0.0.0); reported as "ip"
 *   PORT            port (default 8080)
 *   POD_NAME        reported as "pod" (default HOSTNAME, then the host's name)
 *   POD_NAMESPACE   reported as "namespace" (default "")
 *   NODE_NAME       reported as "node" (default "")
 *   NOT_READY_FILE  while this file exists, /readyz fails too (readiness from outside the process)
 *   ECHO_QUIET=1    no access log lines on stdout
 *
 * Logs "listening on <ip>:<port>" and one line per request on stdout (delayed requests also on
 * arrival: "GET /x?delay=500 waiting 500 ms"). SIGTERM or SIGINT: stop accepting, let in-flight
 * requests finish, exit 0.
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { hostname } from 'node:os';

const env = process.env;
const host = env.POD_IP || '0.0.0.0';
const port = Number(env.PORT || 8080);
const pod = env.POD_NAME || env.HOSTNAME || hostname();
const quiet = env.ECHO_QUIET === '1';
let ready = true;
let stopping = false;

if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`echo: PORT must be a port number, not "${env.PORT}"`);
  process.exit(2);
}

function isReady() {
  return ready && !stopping && !(env.NOT_READY_FILE && existsSync(env.NOT_READY_FILE));
}

function send(res, status, body, type = 'text/plain') {
  res.writeHead(status, { 'content-type': type, ...(stopping ? { connection: 'close' } : {}) });
  res.end(type === 'text/plain' ? body + '\n' : body);
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://echo');
  const answer = () => {
    let status = 200;
    if (url.pathname === '/healthz') send(res, 200, 'ok');
    else if (url.pathname === '/readyz') isReady() ? send(res, 200, 'ready') : send(res, (status = 503), 'not ready');
    else if (url.pathname === '/fail-readiness' && req.method === 'POST') ((ready = false), send(res, 200, 'readiness failed'));
    else if (url.pathname === '/restore-readiness' && req.method === 'POST') ((ready = true), send(res, 200, 'readiness restored'));
    else {
      const body = { pod, namespace: env.POD_NAMESPACE ?? '', ip: env.POD_IP ?? '', node: env.NODE_NAME ?? '', method: req.method, path: req.url, ...(url.searchParams.has('headers') ? { headers: req.headers } : {}) };
      send(res, 200, JSON.stringify(body) + '\n', 'application/json');
    }
    if (!quiet) console.log(`${req.method} ${req.url} ${status}`);
  };
  // Read the body (and drop it) before answering, so POSTs with bodies work.
  req.resume();
  req.on('end', () => {
    const delay = Math.min(Number(url.searchParams.get('delay') ?? 0) || 0, 60_000);
    if (delay > 0) {
      // Said on arrival, so a demo (or test) knows the request is in flight before it sends SIGTERM.
      if (!quiet) console.log(`${req.method} ${req.url} waiting ${delay} ms`);
      setTimeout(answer, delay);
    } else answer();
  });
});

server.listen(port, host, () => {
  const a = server.address();
  console.log(`echo: listening on ${typeof a === 'object' && a ? `${a.address}:${a.port}` : `${host}:${port}`} as ${pod}`);
});

function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  console.log(`echo: ${signal}: finishing in-flight requests`);
  // close() stops accepting and fires once every connection is gone; idle keep-alive ones go now.
  server.close(() => {
    console.log('echo: bye');
    process.exit(0);
  });
  server.closeIdleConnections();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
