/**
 * The client's HTTP/2 transport (https servers) against a scripted node:http2 server: one
 * connection for many concurrent requests, headers, aborts and timeouts that cancel only their
 * stream, watches, reconnection after the server closed the connection, and an idle connection
 * that does not keep the process alive. The API server's own HTTP/2 side is checked at the end.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { request as httpsRequest } from 'node:https';
import { connect, createSecureServer, type Http2ServerRequest, type Http2ServerResponse, type ServerHttp2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { Client } from '../../../src/client/rest.js';
import { nodeArgv } from '../../../src/util/paths.js';
import { testApiServer } from '../../helpers/apiserver.js';
import { eventually } from '../../helpers/eventually.js';
import { testPki } from '../../helpers/kubectl.js';

type Handler = (req: Http2ServerRequest, res: Http2ServerResponse) => void;

async function scripted(t: { teardown(fn: () => Promise<void> | void): void }, handler: Handler) {
  const { serving } = testPki();
  const seen: { method: string; url: string; headers: Http2ServerRequest['headers']; body: string; version: string }[] = [];
  const sessions: ServerHttp2Session[] = [];
  const cancelled: string[] = [];
  const server = createSecureServer({ cert: serving.cert, key: serving.key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString(), version: req.httpVersion });
      handler(req, res);
    });
    req.stream.on('close', () => {
      if (req.stream.rstCode !== 0) cancelled.push(req.url);
    });
  });
  server.on('session', (s) => sessions.push(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(
    () =>
      new Promise<void>((r) => {
        server.close(() => r());
        for (const s of sessions) s.destroy();
      }),
  );
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, sessions, cancelled };
}

const json = (res: Http2ServerResponse, code: number, body: unknown) => {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
};

const clientFor = (t: { teardown(fn: () => void): void }, url: string, extra: Partial<ConstructorParameters<typeof Client>[0]> = {}) => {
  const c = new Client({ server: url, ca: testPki().ca.cert, token: 'tok', userAgent: 'scheduler/test', ...extra });
  t.teardown(() => c.close());
  return c;
};

test('concurrent requests share one HTTP/2 connection and carry the token, user agent and JSON headers', async (t) => {
  const s = await scripted(t, (req, res) => json(res, 200, { kind: 'ConfigMap', metadata: { name: 'x' }, echo: req.url }));
  const c = clientFor(t, s.url);
  await Promise.all(Array.from({ length: 50 }, () => c.resource('ConfigMap').get('default', 'x')));
  await c.resource('ConfigMap').create('default', { metadata: { name: 'y' } });
  t.is(s.sessions.length, 1);
  t.true(s.seen.every((r) => r.version === '2.0'));
  const post = s.seen.at(-1)!;
  t.is(post.headers.authorization, 'Bearer tok');
  t.is(post.headers['user-agent'], 'scheduler/test');
  t.is(post.headers['content-type'], 'application/json');
  t.deepEqual(JSON.parse(post.body), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'y' } });
});

test('an error answer is a StatusError; a body of megabytes arrives whole', async (t) => {
  const big = 'x'.repeat(5 << 20);
  const s = await scripted(t, (req, res) => {
    if (req.url.endsWith('/missing')) json(res, 404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'configmaps "missing" not found' });
    else json(res, 200, { kind: 'ConfigMap', metadata: { name: 'big' }, data: { big } });
  });
  const c = clientFor(t, s.url);
  await t.throwsAsync(c.resource('ConfigMap').get('default', 'missing'), { message: 'configmaps "missing" not found' });
  const cm = await c.resource<{ data: { big: string } } & import('../../../src/api/types.js').KObject>('ConfigMap').get('default', 'big');
  t.is(cm.data.big.length, big.length);
});

test('an aborted or timed-out request cancels its stream only; the connection serves the next ones', async (t) => {
  const s = await scripted(t, (req, res) => {
    if (req.url.includes('/slow')) return; // never answers
    json(res, 200, { kind: 'ConfigMap', metadata: { name: 'x' } });
  });
  const c = clientFor(t, s.url, { timeoutMs: 200 });
  await t.throwsAsync(c.resource('ConfigMap').get('default', 'slow'), { message: /GET https:.*\/slow failed: no complete answer within 200 ms/ });
  const ac = new AbortController();
  const pending = c.resource('ConfigMap').get('default', 'slow', { signal: ac.signal });
  setTimeout(() => ac.abort(new Error('stopped by the test')), 50);
  await t.throwsAsync(pending, { message: 'stopped by the test' });
  await eventually(() => s.cancelled.length === 2);
  t.is((await c.resource('ConfigMap').get('default', 'x')).metadata.name, 'x');
  t.is(s.sessions.length, 1);
});

test('a watch streams events cut across DATA frames; breaking out cancels the stream', async (t) => {
  const s = await scripted(t, (req, res) => {
    if (!req.url.includes('watch=true')) return json(res, 200, { kind: 'ConfigMap', metadata: { name: 'x' } });
    res.writeHead(200, { 'content-type': 'application/json' });
    const line = (i: number) => JSON.stringify({ type: 'ADDED', object: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: `cm-${i}`, resourceVersion: String(i) } } }) + '\n';
    const text = line(1) + line(2) + line(3);
    res.write(text.slice(0, 17));
    setTimeout(() => res.write(text.slice(17, 150)), 10);
    setTimeout(() => res.write(text.slice(150)), 20);
  });
  const c = clientFor(t, s.url);
  const names: string[] = [];
  for await (const ev of c.resource('ConfigMap').watch('default')) {
    names.push(ev.object.metadata.name!);
    if (names.length === 3) break;
  }
  t.deepEqual(names, ['cm-1', 'cm-2', 'cm-3']);
  await eventually(() => s.cancelled.some((u) => u.includes('watch=true')));
  t.is((await c.resource('ConfigMap').get('default', 'x')).metadata.name, 'x');
});

test('a connection the server closed is replaced by a new one for the next request', async (t) => {
  const s = await scripted(t, (_req, res) => json(res, 200, { kind: 'ConfigMap', metadata: { name: 'x' } }));
  const c = clientFor(t, s.url);
  await c.resource('ConfigMap').get('default', 'x');
  s.sessions[0]!.close();
  await eventually(() => s.sessions[0]!.closed);
  await eventually(async () => (await c.resource('ConfigMap').get('default', 'x')).metadata.name === 'x');
  t.is(s.sessions.length, 2);
});

test('an idle HTTP/2 connection does not keep a process alive', async (t) => {
  const s = await scripted(t, (_req, res) => json(res, 200, { kind: 'ConfigMap', metadata: { name: 'x' } }));
  const script = `
    const { Client } = await import(${JSON.stringify(new URL('../../../src/client/rest.ts', import.meta.url).pathname)});
    const c = new Client({ server: process.argv[1], ca: process.env.CA });
    const cm = await c.resource('ConfigMap').get('default', 'x');
    console.log('got', cm.metadata.name);`;
  const argv = nodeArgv('src/util/paths.ts');
  const child = spawn(argv[0]!, [...argv.slice(1, -1), '--input-type=module', '-e', script, s.url], { env: { ...process.env, CA: testPki().ca.cert }, stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => resolve(-1), 30_000);
    child.on('exit', (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  t.is(code, 0, out);
  t.regex(out, /got x/);
});

test('the API server speaks HTTP/2 and HTTP/1.1 over TLS', async (t) => {
  const { ca, serving } = testPki();
  const server = await testApiServer(t, { tls: serving, token: 'tok', requireAuth: true });
  const h2 = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const session = connect(server.url, { ca: ca.cert });
    session.on('error', reject);
    const st = session.request({ ':path': '/api/v1/namespaces/default', authorization: 'Bearer tok' });
    let body = '';
    let status = 0;
    st.setEncoding('utf8');
    st.on('response', (h) => (status = Number(h[':status'])));
    st.on('data', (d: string) => (body += d));
    st.on('end', () => {
      session.close();
      resolve({ status, body });
    });
    st.on('error', reject);
  });
  t.is(h2.status, 200);
  t.is(JSON.parse(h2.body).metadata.name, 'default');
  const h1 = await new Promise<{ status: number; version: string }>((resolve, reject) => {
    const req = httpsRequest(`${server.url}/api/v1/namespaces/default`, { ca: ca.cert, headers: { authorization: 'Bearer tok' }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, version: res.httpVersion }));
    });
    req.on('error', reject);
    req.end();
  });
  t.deepEqual(h1, { status: 200, version: '1.1' });
});
