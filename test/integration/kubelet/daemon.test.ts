/** The kubelet daemon as a real process: started against a kubeconfig, serving /healthz and /metrics; bad flags exit 2. */
import test from 'ava';
import type { Node } from '../../../src/api/types.js';
import { Client } from '../../../src/client/rest.js';
import { testApiServer } from '../../helpers/apiserver.js';
import { eventually } from '../../helpers/eventually.js';
import { runScript, testKubeconfig } from '../../helpers/kubelet.js';
import { startDaemon } from '../../helpers/processes.js';

const SCRIPT = 'src/worker/kubelet/main.ts';

test('the kubelet daemon registers its node through a kubeconfig and answers /healthz and /metrics', async (t) => {
  const token = 'kubelet-test-token';
  const server = await testApiServer(t, { token, requireAuth: true });
  const kubeconfig = testKubeconfig(t, server.url, token);
  const d = await startDaemon(t, SCRIPT, ['--kubeconfig', kubeconfig, '--node-name', 'd1', '--port', '0', '--cpu', '2', '--memory', '4Gi', '--lease-renew-interval', '1s', '--role', 'worker']);
  t.regex(d.ready, /^http:\/\/127\.0\.0\.1:\d+$/);
  const health = await fetch(`${d.ready}/healthz`);
  t.is(health.status, 200);
  t.is(await health.text(), 'ok');
  t.regex(await (await fetch(`${d.ready}/metrics`)).text(), /kubelet_running_pods 0/);
  const client = new Client({ server: server.url, token });
  t.teardown(() => client.close());
  const node = await eventually(() => client.resource<Node>('Node').get('', 'd1'), { message: 'node d1 registered' });
  t.deepEqual(node.status?.capacity, { cpu: '2', memory: '4Gi', pods: '110' });
  t.is(node.metadata.labels?.['node-role.kubernetes.io/worker'], '');
  t.is(node.status?.daemonEndpoints?.kubeletEndpoint?.Port, Number(new URL(d.ready).port));
});

test('bad kubelet flags exit 2 with a message naming the flag', async (t) => {
  const cases: [string[], RegExp][] = [
    [['--kubeconfig', '/nonexistent', '--lease-renew-interval', 'soon'], /--lease-renew-interval: "soon" is not a duration/],
    [['--kubeconfig', '/nonexistent', '--runtime', 'rkt'], /--runtime: "rkt" is not one of fake/],
    [['--kubeconfig', '/nonexistent'], /--kubeconfig/],
  ];
  for (const [args, message] of cases) {
    const r = await runScript(SCRIPT, args);
    t.is(r.code, 2, args.join(' '));
    t.regex(r.stderr, message);
  }
});
