/**
 * The proxy in-process against the real API server, with real TCP on loopback: cluster IPs and
 * node ports, round robin, readiness, Services without endpoints, failed endpoints, half-close
 * and backpressure.
 */
import { createHash } from 'node:crypto';
import { connect, createServer } from 'node:net';
import test from 'ava';
import { eventually } from '../../helpers/eventually.js';
import { backendAddresses, backendsPossible, BACKENDS_SKIP_REASON, createService, names, putEndpoints, request, startBackend, startLab, startTestProxy, subsetsOf, synced } from './lab.js';

const maybe = backendsPossible ? test : test.skip;
const title = (s: string) => (backendsPossible ? s : `${s} (${BACKENDS_SKIP_REASON})`);

maybe(title('a cluster IP is answered by every ready backend in turn, a node port on the node address too, half-closes included'), async (t) => {
  const lab = await startLab(t, 21);
  const ips = await backendAddresses(t, 21, 3);
  const backends = await Promise.all(ips.map((ip, i) => startBackend(t, ip, `b${i + 1}`)));
  const svc = await createService(lab, 'web', { type: 'NodePort', ports: [{ name: 'http', port: 18080, targetPort: 8080 }] });
  const rv = await putEndpoints(lab, 'web', subsetsOf(backends, [], 'http'));
  const proxy = await startTestProxy(t, lab, { nodeIP: '127.0.0.21' });
  await synced(proxy, { endpoints: rv, service: svc.metadata.resourceVersion! });
  const clusterIP = svc.spec.clusterIP!;
  t.regex(clusterIP, /^127\.96\.21\./);

  const first = await names(clusterIP, 18080, 6);
  t.deepEqual([...first.slice(0, 3)].sort(), ['b1', 'b2', 'b3'], `first round: ${first}`);
  t.deepEqual(first.slice(3), first.slice(0, 3), 'the second round repeats the order');

  const nodePort = svc.spec.ports![0]!.nodePort!;
  t.deepEqual((await names('127.0.0.21', nodePort, 3)).sort(), ['b1', 'b2', 'b3']);

  // The client half-closes after "hello"; the backend's "bye 5" comes after that FIN.
  const reply = await request(clusterIP, 18080, 'hello');
  t.regex(reply.text, /^b\d\nhellobye 5\n$/);

  t.is(await proxy.metrics.value('kubelab_proxy_connections_accepted_total', { service: 'default/web', port: 'http' }), 10);
  t.is(await proxy.metrics.value('kubelab_proxy_connections_forwarded_total', { service: 'default/web', port: 'http' }), 10);
  t.is(await proxy.metrics.value('kubelab_proxy_service_endpoints', { service: 'default/web', port: 'http' }), 3);
  t.is(await proxy.metrics.value('kubelab_proxy_listeners', { state: 'listening' }), 2);
  await eventually(async () => (await proxy.metrics.value('kubelab_proxy_active_connections')) === 0, { message: 'every connection closed' });
});

maybe(title('an endpoint that leaves addresses gets no new connections once the proxy has seen it; established ones carry on'), async (t) => {
  const lab = await startLab(t, 22);
  const ips = await backendAddresses(t, 22, 3);
  const [b1, b2, b3] = await Promise.all(ips.map((ip, i) => startBackend(t, ip, `b${i + 1}`)));
  const svc = await createService(lab, 'web', { ports: [{ port: 18080 }] });
  const rv = await putEndpoints(lab, 'web', subsetsOf([b1!, b2!, b3!]));
  const proxy = await startTestProxy(t, lab, { nodeIP: '127.0.0.22' });
  await synced(proxy, { endpoints: rv, service: svc.metadata.resourceVersion! });
  const clusterIP = svc.spec.clusterIP!;

  // An established connection to b2: round robin reaches b2 within three connections.
  let held: import('node:net').Socket | undefined;
  for (let i = 0; i < 3 && !held; i++) {
    const s = connect({ host: clusterIP, port: 18080, allowHalfOpen: true });
    s.setEncoding('utf8');
    const greeting = await new Promise<string>((resolve, reject) => {
      s.once('data', resolve);
      s.once('error', reject);
    });
    if (greeting === 'b2\n') held = s;
    else s.destroy();
  }
  t.truthy(held, 'a connection reached b2');
  t.teardown(() => held!.destroy());

  const notReady = await putEndpoints(lab, 'web', subsetsOf([b1!, b3!], [b2!]));
  await proxy.waitForRevision('Endpoints', notReady, AbortSignal.timeout(5000));
  t.deepEqual(proxy.endpoints('default/web').slice().sort(), [`${b1!.ip}:${b1!.port}`, `${b3!.ip}:${b3!.port}`]);
  const before = b2!.connections();
  const after = await names(clusterIP, 18080, 6);
  t.false(after.includes('b2'), `b2 answered after it became not ready: ${after}`);
  t.deepEqual([...new Set(after)].sort(), ['b1', 'b3']);
  t.is(b2!.connections(), before);

  // The established connection still works both ways, and closes cleanly.
  let rest = '';
  held!.on('data', (d: string) => (rest += d));
  const closed = new Promise((resolve) => held!.once('close', resolve));
  held!.end('still here');
  await closed;
  t.is(rest, 'still herebye 10\n');

  // Ready again: back in the rotation.
  const ready = await putEndpoints(lab, 'web', subsetsOf([b1!, b2!, b3!]));
  await proxy.waitForRevision('Endpoints', ready, AbortSignal.timeout(5000));
  t.deepEqual((await names(clusterIP, 18080, 3)).sort(), ['b1', 'b2', 'b3']);
});

maybe(title('a Service without ready endpoints accepts and closes at once, and counts it'), async (t) => {
  const lab = await startLab(t, 23);
  const [ip] = await backendAddresses(t, 23, 1);
  const b1 = await startBackend(t, ip!, 'b1');
  const svc = await createService(lab, 'empty', { ports: [{ port: 18080 }] });
  const proxy = await startTestProxy(t, lab, { nodeIP: '127.0.0.23' });
  await synced(proxy, { service: svc.metadata.resourceVersion! });
  const clusterIP = svc.spec.clusterIP!;

  t.deepEqual(await request(clusterIP, 18080, 'anyone?'), { name: '', text: '' });
  // Endpoints with only a not-ready address: still none to send to.
  const rv = await putEndpoints(lab, 'empty', subsetsOf([], [b1]));
  await proxy.waitForRevision('Endpoints', rv, AbortSignal.timeout(5000));
  t.deepEqual(await request(clusterIP, 18080), { name: '', text: '' });
  t.is(b1.connections(), 0);
  t.is(await proxy.metrics.value('kubelab_proxy_connections_failed_total', { service: 'default/empty', reason: 'no_endpoints' }), 2);
  t.is(await proxy.metrics.value('kubelab_proxy_connections_forwarded_total', { service: 'default/empty' }), 0);
  t.is(await proxy.metrics.value('kubelab_proxy_service_endpoints', { service: 'default/empty' }), 0);

  // Deleting the Service closes its listener: nothing accepts any more.
  await lab.client.resource('Service').delete('default', 'empty');
  await eventually(() => proxy.listeners().length === 0, { message: 'the listener closed' });
  const err = await t.throwsAsync(request(clusterIP, 18080));
  t.is((err as NodeJS.ErrnoException).code, 'ECONNREFUSED');
});

maybe(title('a failed connect is retried on the next endpoint; when every try fails the client is closed'), async (t) => {
  const lab = await startLab(t, 24);
  const ips = await backendAddresses(t, 24, 3);
  const [b1, b2] = await Promise.all([startBackend(t, ips[0]!, 'b1'), startBackend(t, ips[1]!, 'b2')]);
  // A dead endpoint: a port that was free a moment ago and has no listener now.
  const dead = await startBackend(t, ips[2]!, 'dead');
  dead.server.close();
  const svc = await createService(lab, 'web', { ports: [{ port: 18080 }] });
  const rv = await putEndpoints(lab, 'web', subsetsOf([b1, b2, dead]));
  const proxy = await startTestProxy(t, lab, { nodeIP: '127.0.0.24' });
  await synced(proxy, { endpoints: rv, service: svc.metadata.resourceVersion! });
  const clusterIP = svc.spec.clusterIP!;

  const got = await names(clusterIP, 18080, 9);
  t.deepEqual([...new Set(got)].sort(), ['b1', 'b2'], `answers: ${got}`);
  const labels = { service: 'default/web' };
  t.true((await proxy.metrics.value('kubelab_proxy_endpoint_dial_failures_total', labels)) >= 1);
  t.is(await proxy.metrics.value('kubelab_proxy_connections_forwarded_total', labels), 9);
  t.is(await proxy.metrics.value('kubelab_proxy_connections_failed_total', labels), 0);

  // Only the dead endpoint left: four tries (kube-proxy's count), then the client is closed.
  const onlyDead = await putEndpoints(lab, 'web', subsetsOf([dead]));
  await proxy.waitForRevision('Endpoints', onlyDead, AbortSignal.timeout(5000));
  const failuresBefore = await proxy.metrics.value('kubelab_proxy_endpoint_dial_failures_total', labels);
  t.deepEqual(await request(clusterIP, 18080), { name: '', text: '' });
  t.is((await proxy.metrics.value('kubelab_proxy_endpoint_dial_failures_total', labels)) - failuresBefore, 4);
  t.is(await proxy.metrics.value('kubelab_proxy_connections_failed_total', { ...labels, reason: 'connect_failed' }), 1);
});

maybe(title('a slow reader holds the backend back: the proxy buffers little however much the backend sends'), async (t) => {
  const lab = await startLab(t, 25);
  const [ip] = await backendAddresses(t, 25, 1);
  const total = 32 * 1024 * 1024;
  const chunk = Buffer.alloc(64 * 1024);
  for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 31 + 7) & 255;
  let flushed = 0;
  let blocked = false;
  let lastProgress = performance.now();
  const sent = createHash('sha256');
  // A backend that sends total bytes as fast as the connection takes them.
  const server = createServer((s) => {
    s.on('error', () => {});
    const pump = () => {
      blocked = false;
      while (flushed < total) {
        const c = chunk.subarray(0, Math.min(chunk.length, total - flushed));
        sent.update(c);
        flushed += c.length;
        lastProgress = performance.now();
        if (!s.write(c)) {
          blocked = true;
          s.once('drain', pump);
          return;
        }
      }
      s.end();
    };
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, ip, resolve));
  t.teardown(() => server.close());
  const port = (server.address() as { port: number }).port;
  const svc = await createService(lab, 'bulk', { ports: [{ port: 18080 }] });
  const rv = await putEndpoints(lab, 'bulk', [{ addresses: [{ ip: ip! }], ports: [{ port }] }]);
  const proxy = await startTestProxy(t, lab, { nodeIP: '127.0.0.25' });
  await synced(proxy, { endpoints: rv, service: svc.metadata.resourceVersion! });

  const client = connect({ host: svc.spec.clusterIP!, port: 18080 });
  t.teardown(() => client.destroy());
  client.pause();
  // The client reads nothing. A proxy without backpressure would read the backend dry into its
  // own memory, and the backend would finish; with it, the backend fills the kernel buffers along
  // the way (a few MB) and waits. That it waits can only be seen as no progress for a while: the
  // one place here where time is the condition.
  await eventually(() => flushed === total || (blocked && performance.now() - lastProgress > 300), { message: 'the backend finished or stopped', timeoutMs: 20_000 });
  t.true(flushed < total, `the backend sent all ${total} bytes to a client that reads nothing`);
  t.true(proxy.bufferedBytes() <= 1024 * 1024, `the proxy holds ${proxy.bufferedBytes()} bytes`);

  let maxBuffered = proxy.bufferedBytes();
  const got = createHash('sha256');
  let received = 0;
  client.on('data', (d: Buffer) => {
    got.update(d);
    received += d.length;
    maxBuffered = Math.max(maxBuffered, proxy.bufferedBytes());
  });
  await new Promise((resolve) => client.on('end', resolve).resume());
  t.is(received, total);
  t.is(got.digest('hex'), sent.digest('hex'));
  t.true(maxBuffered <= 1024 * 1024, `the proxy held ${maxBuffered} bytes at once`);
});
