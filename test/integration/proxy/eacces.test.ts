/**
 * A cluster IP port the proxy may not open (EACCES: below 1024 without privileges). The error is
 * injected through the listen function, so this runs as root too; the daemon test meets the real
 * EACCES by running the proxy as an unprivileged user.
 */
import test from 'ava';
import type { Event } from '../../../src/api/types.js';
import { defaultListen, type ListenFn } from '../../../src/worker/proxy/index.js';
import { eventually } from '../../helpers/eventually.js';
import { backendAddresses, backendsPossible, BACKENDS_SKIP_REASON, createService, names, putEndpoints, startBackend, startLab, startTestProxy, subsetsOf, synced } from './lab.js';

const maybe = backendsPossible ? test : test.skip;

maybe(`EACCES on a low port is logged once with the fix, recorded as a Warning Event, and other Services are served${backendsPossible ? '' : ` (${BACKENDS_SKIP_REASON})`}`, async (t) => {
  const lab = await startLab(t, 33);
  const [ip] = await backendAddresses(t, 33, 1);
  const b1 = await startBackend(t, ip!, 'b1');
  const low = await createService(lab, 'low', { ports: [{ name: 'http', port: 80 }] });
  const high = await createService(lab, 'high', { ports: [{ port: 18080 }] });
  const rv = await putEndpoints(lab, 'high', subsetsOf([b1]));
  let lowTries = 0;
  const unprivileged: ListenFn = (server, o) => {
    if (o.port >= 1024) return defaultListen(server, o);
    lowTries++;
    return Promise.reject(Object.assign(new Error(`listen EACCES: permission denied ${o.host}:${o.port}`), { code: 'EACCES', syscall: 'listen' }));
  };
  const proxy = await startTestProxy(t, lab, { nodeIP: '127.0.0.33', listen: unprivileged });
  await synced(proxy, { service: high.metadata.resourceVersion!, endpoints: rv });

  const lowKey = `${low.spec.clusterIP}:80`;
  t.like(proxy.listeners().find((l) => l.spec.key === lowKey), { state: 'failed', error: 'EACCES' });
  t.is(await proxy.metrics.value('kubelab_proxy_listeners', { state: 'failed' }), 1);
  t.is(await proxy.metrics.value('kubelab_proxy_listeners', { state: 'listening' }), 1);
  t.deepEqual(await names(high.spec.clusterIP!, 18080, 2), ['b1', 'b1']);

  // It keeps trying (the sysctl may be lowered at run time) but says so once.
  await eventually(() => lowTries >= 3, { message: 'the low port was retried' });
  const errors = proxy.logs.filter((l) => l.includes('ERROR'));
  t.is(errors.length, 1, errors.join('\n'));
  t.regex(errors[0]!, /Cannot listen on 127\.96\.33\.\d+:80 \(ClusterIP\) for service "default\/low" port "http": permission denied.*run the proxy as root, or let every user listen from this port on \(as root: sysctl -w net\.ipv4\.ip_unprivileged_port_start=80\)/);

  const event = await eventually(
    async () => (await lab.client.resource<Event>('Event').list('default')).items.find((e) => e.reason === 'FailedToListen'),
    { message: 'a FailedToListen Event' },
  );
  t.is(event.type, 'Warning');
  t.like(event.involvedObject, { kind: 'Service', name: 'low', namespace: 'default', uid: low.metadata.uid });
  t.like(event.source, { component: 'kube-proxy', host: 'node-127.0.0.33' });
  t.regex(event.message!, /port "http": permission denied.*ip_unprivileged_port_start/);
  t.is(event.count, 1);
});
