/**
 * The client's HTTP layer against a scripted node:http server: keep-alive, headers, timeouts,
 * aborts, unreachable servers, non-Status error bodies, rate limiting and watch streams cut at
 * awkward places. The API server itself is exercised in the other files of this folder.
 */
import test from 'ava';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isGone, isNotFound } from '../../../src/client/errors.js';
import { Client } from '../../../src/client/rest.js';
import { FakeClock } from '../../../src/util/clock.js';
import { eventually } from '../../helpers/eventually.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function scripted(t: { teardown(fn: () => Promise<void> | void): void }, handler: Handler) {
  const seen: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[] = [];
  let connections = 0;
  const closed: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString() });
      handler(req, res);
    });
    res.on('close', () => closed.push(req.url!));
  });
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(
    () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  );
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, closed, connections: () => connections };
}

const json = (res: ServerResponse, code: number, body: unknown) => {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
};

test('requests carry the token, user agent and JSON headers, and reuse one kept-alive socket', async (t) => {
  const s = await scripted(t, (req, res) => json(res, 200, { kind: 'ConfigMap', metadata: { name: 'x' }, echo: req.url }));
  const c = new Client({ server: s.url, token: 'tok', userAgent: 'scheduler/test' });
  t.teardown(() => c.close());
  for (let i = 0; i < 20; i++) await c.resource('ConfigMap').get('default', 'x');
  await c.resource('ConfigMap').create('default', { metadata: { name: 'y' } });
  t.is(s.connections(), 1);
  const post = s.seen.at(-1)!;
  t.is(post.headers.authorization, 'Bearer tok');
  t.is(post.headers['user-agent'], 'scheduler/test');
  t.is(post.headers['content-type'], 'application/json');
  t.deepEqual(JSON.parse(post.body), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'y' } }, 'apiVersion and kind are filled in');
  t.is(s.seen[0]!.url, '/api/v1/namespaces/default/configmaps/x');
});

test('paths follow the resource table: groups, cluster scope, subresources, escaping and queries', async (t) => {
  const s = await scripted(t, (_req, res) => json(res, 200, { metadata: {}, items: [] }));
  const c = new Client({ server: `${s.url}/prefix/` });
  t.teardown(() => c.close());
  await c.resource('Deployment').getScale('ns 1', 'web');
  await c.resource('Node').list('', { labelSelector: 'role in (a,b)', limit: 5 });
  await c.resource('Pod').list('', { fieldSelector: 'spec.nodeName=n1', resourceVersion: '0' });
  await c.resource('Pod').patch('default', 'p', { status: {} }, 'merge', { subresource: 'status', dryRun: true, fieldValidation: 'Strict' });
  await c.resource('Lease').delete('kube-node-lease', 'n1', { gracePeriodSeconds: 0 });
  t.deepEqual(
    s.seen.map((r) => `${r.method} ${r.url}`),
    [
      'GET /prefix/apis/apps/v1/namespaces/ns%201/deployments/web/scale',
      'GET /prefix/api/v1/nodes?labelSelector=role%20in%20(a%2Cb)&limit=5',
      'GET /prefix/api/v1/pods?fieldSelector=spec.nodeName%3Dn1&resourceVersion=0',
      'PATCH /prefix/api/v1/namespaces/default/pods/p/status?dryRun=All&fieldValidation=Strict',
      'DELETE /prefix/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1',
    ],
  );
  t.is(s.seen[3]!.headers['content-type'], 'application/merge-patch+json');
  t.deepEqual(JSON.parse(s.seen[4]!.body), { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0 });
});

test('scope mistakes are TypeErrors before any request', async (t) => {
  const c = new Client({ server: 'http://127.0.0.1:9' });
  t.throws(() => c.resource('Pod').get('', 'x'), { instanceOf: TypeError, message: 'Cannot get Pod "x": a namespace is required' });
  t.throws(() => c.resource('Node').get('default', 'n1'), { instanceOf: TypeError, message: /Node is cluster-scoped/ });
  t.throws(() => c.resource('Pod').update({ metadata: { namespace: 'd' } } as never), { instanceOf: TypeError, message: /a name is required/ });
  t.throws(() => c.resource('Widget'), { instanceOf: TypeError, message: /unknown kind "Widget"/ });
  t.throws(() => new Client({ server: 'ftp://x' }), { instanceOf: TypeError, message: /not an http:\/\/ or https:\/\/ URL/ });
});

test('a non-Status error body becomes a StatusError of that code', async (t) => {
  const s = await scripted(t, (_req, res) => {
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('404 page not found');
  });
  const c = new Client({ server: s.url });
  t.teardown(() => c.close());
  const err = await t.throwsAsync(() => c.resource('Pod').get('default', 'x'));
  t.true(isNotFound(err));
  t.is(err.message, `the server responded with status code 404 to GET ${s.url}/api/v1/namespaces/default/pods/x: "404 page not found"`);
});

test('an unreachable server is an Error naming the method, the URL and the cause', async (t) => {
  // A port that was free a moment ago: nothing listens there.
  const free = createServer();
  await new Promise<void>((r) => free.listen(0, '127.0.0.1', r));
  const deadPort = (free.address() as AddressInfo).port;
  await new Promise<void>((r) => free.close(() => r()));
  const c = new Client({ server: `http://127.0.0.1:${deadPort}` });
  const err = await t.throwsAsync(() => c.resource('ConfigMap').create('default', { metadata: { name: 'a' } }));
  t.regex(err.message, new RegExp(`^POST http://127\\.0\\.0\\.1:${deadPort}/api/v1/namespaces/default/configmaps failed: connect ECONNREFUSED`));
  t.is((err.cause as NodeJS.ErrnoException).code, 'ECONNREFUSED');
});

test('a request without an answer fails after timeoutMs', async (t) => {
  const s = await scripted(t, () => undefined); // never answers
  const c = new Client({ server: s.url, timeoutMs: 100 });
  t.teardown(() => c.close());
  const err = await t.throwsAsync(() => c.resource('Pod').list('default'));
  t.is(err.message, `GET ${s.url}/api/v1/namespaces/default/pods failed: no complete answer within 100 ms`);
  await eventually(() => s.closed.length === 1, { message: 'the connection is closed' });
});

test('aborting a request rejects with the signal reason and closes the connection', async (t) => {
  const s = await scripted(t, () => undefined);
  const c = new Client({ server: s.url });
  t.teardown(() => c.close());
  const ac = new AbortController();
  const p = c.resource('Pod').get('default', 'x', { signal: ac.signal });
  await eventually(() => s.seen.length === 1);
  const reason = new Error('shutting down');
  ac.abort(reason);
  t.is(await t.throwsAsync(p), reason);
  await eventually(() => s.closed.length === 1);
  const pre = new AbortController();
  pre.abort(reason);
  t.is(await t.throwsAsync(() => c.resource('Pod').get('default', 'x', { signal: pre.signal })), reason);
  t.is(s.seen.length, 1, 'an already aborted call sends nothing');
});

test('qps and burst limit the request rate on the client', async (t) => {
  const s = await scripted(t, (_req, res) => json(res, 200, { metadata: {} }));
  const clock = new FakeClock();
  const c = new Client({ server: s.url, qps: 10, burst: 2, clock });
  t.teardown(() => c.close());
  const rc = c.resource('ConfigMap');
  const all = Promise.all([1, 2, 3, 4].map((i) => rc.get('default', `c${i}`)));
  await eventually(() => s.seen.length === 2);
  await new Promise((r) => setTimeout(r, 50)); // give a wrongly unthrottled request time to arrive
  t.is(s.seen.length, 2, 'the burst goes through, the rest wait');
  clock.advance(100);
  await eventually(() => s.seen.length === 3);
  clock.advance(100);
  await all;
  t.is(s.seen.length, 4);
  t.throws(() => new Client({ server: s.url, burst: 3 }), { instanceOf: TypeError, message: /needs qps/ });
});

test('watch decodes events cut across chunks and ends when the server ends the stream', async (t) => {
  const lines = [
    { type: 'ADDED', object: { kind: 'Pod', apiVersion: 'v1', metadata: { name: 'é-1', resourceVersion: '5' } } },
    { type: 'MODIFIED', object: { metadata: { name: 'é-1', resourceVersion: '6' } } },
    { type: 'BOOKMARK', object: { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: '9' } } },
  ];
  const bytes = Buffer.from(lines.map((l) => JSON.stringify(l) + '\n').join(''));
  const s = await scripted(t, (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    let i = 0;
    const step = () => {
      if (i >= bytes.length) return res.end();
      res.write(bytes.subarray(i, i + 7)); // 7-byte chunks split lines and the two-byte "é"
      i += 7;
      setImmediate(step);
    };
    step();
  });
  const c = new Client({ server: s.url });
  t.teardown(() => c.close());
  const got = [];
  for await (const ev of c.resource('Pod').watch('default', { resourceVersion: '4', allowWatchBookmarks: true, timeoutSeconds: 30 })) got.push(ev);
  t.deepEqual(
    got.map((e) => [e.type, e.object.metadata.name, e.object.metadata.resourceVersion, e.object.kind]),
    [
      ['ADDED', 'é-1', '5', 'Pod'],
      ['MODIFIED', 'é-1', '6', 'Pod'],
      ['BOOKMARK', undefined, '9', 'Pod'],
    ],
  );
  t.is(s.seen[0]!.url, '/api/v1/namespaces/default/pods?watch=true&resourceVersion=4&timeoutSeconds=30&allowWatchBookmarks=true');
});

test('a watch refused with a Status throws it; a watch cut mid-stream throws an Error naming the URL', async (t) => {
  let mode: 'gone' | 'cut' = 'gone';
  const s = await scripted(t, (req, res) => {
    if (mode === 'gone') return json(res, 410, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Expired', code: 410, message: 'too old resource version: 1 (50)' });
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.write('{"type":"ADDED","object":{"metadata":{"name":"a"}}}\n{"type":"MOD');
    setTimeout(() => req.socket.destroy(), 20);
  });
  const c = new Client({ server: s.url });
  t.teardown(() => c.close());
  const drain = async () => {
    const got: string[] = [];
    for await (const ev of c.resource('Pod').watch('', { resourceVersion: '1' })) got.push(ev.type);
    return got;
  };
  const gone = await t.throwsAsync(drain);
  t.true(isGone(gone));
  t.is(gone.message, 'too old resource version: 1 (50)');
  mode = 'cut';
  const got: string[] = [];
  const err = await t.throwsAsync(async () => {
    for await (const ev of c.resource('Pod').watch('', { resourceVersion: '1' })) got.push(ev.type);
  });
  t.deepEqual(got, ['ADDED'], 'events before the cut are delivered');
  t.regex(err.message, new RegExp(`^GET ${s.url}/api/v1/pods\\?watch=true&resourceVersion=1 failed: `));
});

test('aborting a watch ends iteration with the signal reason and closes the connection', async (t) => {
  const s = await scripted(t, (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.write('{"type":"ADDED","object":{"metadata":{"name":"a"}}}\n');
  });
  const c = new Client({ server: s.url });
  t.teardown(() => c.close());
  const ac = new AbortController();
  const reason = new Error('stop');
  const err = await t.throwsAsync(async () => {
    for await (const _ev of c.resource('Pod').watch('default', { signal: ac.signal })) ac.abort(reason);
  });
  t.is(err, reason);
  await eventually(() => s.closed.length === 1);
});

test('breaking out of a watch loop closes the connection', async (t) => {
  const s = await scripted(t, (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.write('{"type":"ADDED","object":{"metadata":{"name":"a"}}}\n');
  });
  const c = new Client({ server: s.url });
  t.teardown(() => c.close());
  for await (const _ev of c.resource('Pod').watch('default')) break;
  await eventually(() => s.closed.length === 1);
  t.pass();
});
