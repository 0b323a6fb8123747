/**
 * Several nodes on one host: two proxies want the same cluster IP:port. One listens, the other
 * stands by (logging it once, however often it retries) and takes over when the first closes.
 * Node ports are per node address and both serve them.
 */
import test from 'ava';
import { defaultListen, type ListenFn } from '../../../src/worker/proxy/index.js';
import { eventually } from '../../helpers/eventually.js';
import { backendAddresses, backendsPossible, BACKENDS_SKIP_REASON, createService, names, putEndpoints, startBackend, startLab, startTestProxy, subsetsOf, synced } from './lab.js';

const maybe = backendsPossible ? test : test.skip;

maybe(`the standby proxy takes over the cluster IP when the owner closes${backendsPossible ? '' : ` (${BACKENDS_SKIP_REASON})`}`, async (t) => {
  const lab = await startLab(t, 31);
  const ips = await backendAddresses(t, 31, 2);
  const backends = await Promise.all(ips.map((ip, i) => startBackend(t, ip, `b${i + 1}`)));
  const svc = await createService(lab, 'web', { type: 'NodePort', ports: [{ port: 18080 }] });
  const rv = await putEndpoints(lab, 'web', subsetsOf(backends));
  const clusterIP = svc.spec.clusterIP!;
  const nodePort = svc.spec.ports![0]!.nodePort!;
  const clusterKey = `${clusterIP}:18080`;

  const owner = await startTestProxy(t, lab, { nodeIP: '127.0.0.31', nodeName: 'n1' });
  await synced(owner, { service: svc.metadata.resourceVersion!, endpoints: rv });
  let standbyTries = 0;
  const counting: ListenFn = (server, o) => {
    if (o.port === 18080) standbyTries++;
    return defaultListen(server, o);
  };
  const standby = await startTestProxy(t, lab, { nodeIP: '127.0.0.32', nodeName: 'n2', listen: counting });
  await synced(standby, { service: svc.metadata.resourceVersion!, endpoints: rv });

  const stateOf = (p: typeof owner, key: string) => p.listeners().find((l) => l.spec.key === key)?.state;
  t.is(stateOf(owner, clusterKey), 'listening');
  t.is(stateOf(standby, clusterKey), 'standby');
  t.is(stateOf(standby, `127.0.0.32:${nodePort}`), 'listening', 'node ports never collide');
  t.is(await standby.metrics.value('kubelab_proxy_listeners', { state: 'standby' }), 1);

  await eventually(() => standbyTries >= 3, { message: 'the standby retried' });
  t.is(standby.logs.filter((l) => l.includes('standing by')).length, 1, standby.logs.join('\n'));

  t.deepEqual((await names(clusterIP, 18080, 2)).sort(), ['b1', 'b2']);
  t.is(await owner.metrics.value('kubelab_proxy_connections_accepted_total'), 2);
  t.deepEqual((await names('127.0.0.32', nodePort, 2)).sort(), ['b1', 'b2']);

  // The owner's node dies: the standby gets the socket at its next try.
  await owner.close();
  await eventually(() => stateOf(standby, clusterKey) === 'listening', { message: 'the standby took over' });
  t.deepEqual((await names(clusterIP, 18080, 2)).sort(), ['b1', 'b2']);
  t.is(await standby.metrics.value('kubelab_proxy_connections_accepted_total', { service: 'default/web' }), 4);
  t.is(await standby.metrics.value('kubelab_proxy_listeners', { state: 'standby' }), 0);
  t.true(standby.logs.some((l) => l.includes(`took over ${clusterKey}`)));
});
