/** The httpGet, tcpSocket and exec probe handlers against real loopback servers, and one probe run with its events. */
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import test, { type ExecutionContext } from 'ava';
import type { Container, Pod, PodStatus } from '../../../src/api/types.js';
import { FakeClock, systemClock } from '../../../src/util/clock.js';
import { execProbe } from '../../../src/worker/kubelet/prober/exec-probe.js';
import { httpProbe, outcomeOf, probeHeaders, PROBE_USER_AGENT } from '../../../src/worker/kubelet/prober/http-probe.js';
import { extractPort, Prober, probeUrl } from '../../../src/worker/kubelet/prober/prober.js';
import { tcpProbe } from '../../../src/worker/kubelet/prober/tcp-probe.js';
import { ProbeError } from '../../../src/worker/kubelet/prober/types.js';
import type { ExecResult } from '../../../src/worker/kubelet/runtime.js';

/** An HTTP server on host, port 0, closed in teardown; the last request's headers are kept. */
async function httpServer(t: ExecutionContext, host: string, handle: (req: IncomingMessage, res: import('node:http').ServerResponse, port: number) => void): Promise<{ port: number; requests: IncomingMessage[] }> {
  const requests: IncomingMessage[] = [];
  let port = 0;
  const server: Server = createHttpServer((req, res) => {
    requests.push(req);
    handle(req, res, port);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  port = (server.address() as AddressInfo).port;
  t.teardown(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return { port, requests };
}

/** A port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const s = createTcpServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

test('httpGet: 200-299 succeeds, 3xx warns, anything else fails with the status code and not the body', async (t) => {
  const { port } = await httpServer(t, '127.0.0.1', (req, res) => {
    const code = Number(req.url!.slice(1));
    res.writeHead(code, { 'Content-Type': 'text/plain' });
    res.end(`body of ${code}`);
  });
  const at = (code: number) => httpProbe({ url: probeUrl('HTTP', '127.0.0.1', port, `/${code}`), timeoutMs: 2000 });
  t.deepEqual(await at(200), { result: 'success', output: 'body of 200' });
  t.is((await at(204)).result, 'success');
  t.deepEqual(await at(304), { result: 'warning', output: 'Probe terminated redirects, Response body: ' });
  t.deepEqual(await at(399), { result: 'warning', output: 'Probe terminated redirects, Response body: body of 399' });
  t.deepEqual(await at(503), { result: 'failure', output: 'HTTP probe failed with statuscode: 503' });
  t.deepEqual(await at(404), { result: 'failure', output: 'HTTP probe failed with statuscode: 404' });
  t.deepEqual(outcomeOf(199, 'x'), { result: 'failure', output: 'HTTP probe failed with statuscode: 199' });
});

test('httpGet follows redirects on the same host, not to another host, and gives up after 10', async (t) => {
  const { port, requests } = await httpServer(t, '127.0.0.1', (req, res, p) => {
    const u = new URL(req.url!, 'http://x');
    if (u.pathname === '/hop') {
      const n = Number(u.searchParams.get('n'));
      res.writeHead(302, { Location: n > 0 ? `/hop?n=${n - 1}` : '/healthy' });
      return res.end();
    }
    if (u.pathname === '/away') {
      res.writeHead(301, { Location: `http://127.0.0.2:${p}/healthy` });
      return res.end('moved away');
    }
    if (u.pathname === '/loop') {
      res.writeHead(307, { Location: '/loop' });
      return res.end();
    }
    res.writeHead(u.pathname === '/healthy' ? 200 : 500);
    res.end('ok');
  });
  const get = (path: string) => httpProbe({ url: probeUrl('HTTP', '127.0.0.1', port, path), timeoutMs: 2000 });
  t.deepEqual(await get('/hop?n=3'), { result: 'success', output: 'ok' });
  t.is(requests.length, 5, 'four redirects followed, then the page');
  t.deepEqual(await get('/away'), { result: 'warning', output: 'Probe terminated redirects, Response body: moved away' });
  t.false(requests.some((r) => r.headers.host?.startsWith('127.0.0.2')), 'the other host was not asked');
  t.deepEqual(await get('/hop?n=8'), { result: 'success', output: 'ok' }, 'nine redirects are followed');
  t.deepEqual(await get('/loop'), { result: 'failure', output: `Get "http://127.0.0.1:${port}/loop": stopped after 10 redirects` });
});

test('httpGet sends kube-probe/1.32 and Accept */* unless the probe sets them, its own headers, and Host', async (t) => {
  const { port, requests } = await httpServer(t, '127.0.0.1', (_req, res) => res.end());
  const url = probeUrl('HTTP', '127.0.0.1', port, '/healthz?deep=1');
  t.is(url.href, `http://127.0.0.1:${port}/healthz?deep=1`);
  await httpProbe({ url, timeoutMs: 2000 });
  t.is(requests[0]!.headers['user-agent'], 'kube-probe/1.32');
  t.is(PROBE_USER_AGENT, 'kube-probe/1.32');
  t.is(requests[0]!.headers.accept, '*/*');
  t.is(requests[0]!.url, '/healthz?deep=1');
  t.is(requests[0]!.headers.connection, 'close', 'no keep-alive');
  await httpProbe({ url, timeoutMs: 2000, headers: [{ name: 'X-Probe', value: 'a' }, { name: 'x-probe', value: 'b' }, { name: 'User-Agent', value: 'mine' }, { name: 'Accept', value: '' }, { name: 'Host', value: 'web.example' }] });
  const h = requests[1]!.headers;
  t.is(h['x-probe'], 'a, b');
  t.is(h['user-agent'], 'mine');
  t.false('accept' in h, 'an empty Accept removes it');
  t.is(h.host, 'web.example');
  t.deepEqual(probeHeaders([{ name: 'Accept', value: 'application/json' }]).headers, { Accept: ['application/json'], 'User-Agent': ['kube-probe/1.32'] });
});

test('httpGet failures read as Go prints them: refused connections and timeouts', async (t) => {
  const port = await closedPort();
  t.deepEqual(await httpProbe({ url: probeUrl('HTTP', '127.0.0.1', port, '/'), timeoutMs: 2000 }), {
    result: 'failure',
    output: `Get "http://127.0.0.1:${port}/": dial tcp 127.0.0.1:${port}: connect: connection refused`,
  });
  const slow = await httpServer(t, '127.0.0.1', () => {
    // never answers
  });
  t.deepEqual(await httpProbe({ url: probeUrl('HTTP', '127.0.0.1', slow.port, '/slow'), timeoutMs: 100 }), {
    result: 'failure',
    output: `Get "http://127.0.0.1:${slow.port}/slow": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
  });
});

test('tcpSocket succeeds when a connection opens and fails with Go\'s words when refused', async (t) => {
  const server = createTcpServer((s) => s.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.address() as AddressInfo).port;
  t.deepEqual(await tcpProbe('127.0.0.1', port, 1000), { result: 'success', output: '' });
  const closed = await closedPort();
  t.deepEqual(await tcpProbe('127.0.0.1', closed, 1000), { result: 'failure', output: `dial tcp 127.0.0.1:${closed}: connect: connection refused` });
});

test('exec: exit 0 succeeds, another code fails with the output, a hung command times out on the clock', async (t) => {
  const clock = new FakeClock();
  let hang: ((r: ExecResult) => void) | undefined;
  const seen: { cmd: string[]; timeoutMs?: number }[] = [];
  const runtime = {
    execSync: (_id: string, cmd: string[], o?: { timeoutMs?: number; signal?: AbortSignal }) => {
      seen.push({ cmd, ...(o?.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}) });
      if (cmd[0] === 'ok') return Promise.resolve({ exitCode: 0, stdout: 'fine\n', stderr: '' });
      if (cmd[0] === 'bad') return Promise.resolve({ exitCode: 3, stdout: 'out ', stderr: 'err' });
      return new Promise<ExecResult>((resolve) => (hang = resolve));
    },
  };
  const run = (command: string[]) => execProbe({ runtime, containerId: 'c1', command, timeoutMs: 1000, clock });
  t.deepEqual(await run(['ok']), { result: 'success', output: 'fine\n' });
  t.deepEqual(await run(['bad']), { result: 'failure', output: 'out err' });
  const pending = run(['sleep', '60']);
  await new Promise<void>((resolve) => setImmediate(resolve));
  clock.advance(1000);
  t.deepEqual(await pending, { result: 'failure', output: 'command "sleep 60" timed out' });
  hang?.({ exitCode: 0, stdout: '', stderr: '' });
  t.deepEqual(seen[0], { cmd: ['ok'], timeoutMs: 1000 });
  const broken = { execSync: () => Promise.reject(new Error('container is not running')) };
  await t.throwsAsync(execProbe({ runtime: broken, containerId: 'c1', command: ['x'], timeoutMs: 1000, clock }), { message: 'container is not running' });
});

test('extractPort takes numbers, container port names and numbers written as strings', (t) => {
  const c: Container = { name: 'web', ports: [{ name: 'http', containerPort: 8080 }] };
  t.is(extractPort(80, c), 80);
  t.is(extractPort('http', c), 8080);
  t.is(extractPort('9090', c), 9090);
  t.throws(() => extractPort('metrics', c), { instanceOf: ProbeError, message: 'couldn\'t find port: metrics in web' });
  t.throws(() => extractPort(70000, c), { message: 'invalid port number: 70000' });
});

test('a probe run records Unhealthy with the output, and retries a probe that cannot run before giving up', async (t) => {
  const events: string[] = [];
  const prober = new Prober({ runtime: { execSync: async () => ({ exitCode: 0, stdout: '', stderr: '' }) }, clock: systemClock, events: { event: (_p, type, reason, message) => events.push(`${type} ${reason} ${message}`) } });
  const { port } = await httpServer(t, '127.0.0.1', (_req, res) => {
    res.writeHead(503);
    res.end();
  });
  const pod: Pod = { metadata: { name: 'p', namespace: 'default', uid: 'u' }, spec: { containers: [] } };
  const status: PodStatus = { podIP: '127.0.0.1' };
  const web: Container = { name: 'web', ports: [{ name: 'http', containerPort: port }], readinessProbe: { httpGet: { port: 'http', path: '/ready' }, timeoutSeconds: 1 } };
  t.is(await prober.probe('Readiness', pod, status, web, 'c1'), 'failure');
  t.deepEqual(events, ['Warning Unhealthy Readiness probe failed: HTTP probe failed with statuscode: 503']);
  const noPort: Container = { name: 'web', livenessProbe: { tcpSocket: { port: 'nope' } } };
  await t.throwsAsync(prober.probe('Liveness', pod, status, noPort, 'c1'), { instanceOf: ProbeError });
  t.is(events[1], "Warning Unhealthy Liveness probe errored and resulted in unknown state: couldn't find port: nope in web");
  const exec: Container = { name: 'web', startupProbe: { exec: { command: ['true'] } } };
  t.is(await prober.probe('Startup', pod, status, exec, 'c1'), 'success');
  t.is(events.length, 2);

  let attempts = 0;
  const flaky = new Prober({
    runtime: {
      execSync: async () => {
        if (++attempts < 3) throw new Error('runtime busy');
        return { exitCode: 0, stdout: '', stderr: '' };
      },
    },
    clock: systemClock,
  });
  t.is(await flaky.probe('Startup', pod, status, exec, 'c1'), 'success', 'the third try of a probe that could not run counts');
  t.is(attempts, 3);
  const broken = new Prober({ runtime: { execSync: async () => { attempts++; throw new Error('runtime gone'); } }, clock: systemClock });
  await t.throwsAsync(broken.probe('Startup', pod, status, exec, 'c1'), { instanceOf: ProbeError, message: 'runtime gone' });
  t.is(attempts, 6, 'three tries, then the error');
});
