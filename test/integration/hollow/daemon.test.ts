/** The hollow-node daemon as a real process: registers its nodes, answers /healthz and the admin API; bad flags exit 2. */
import test from 'ava';
import type { Lease } from '../../../src/api/types.js';
import { Client } from '../../../src/client/rest.js';
import { testApiServer } from '../../helpers/apiserver.js';
import { eventually } from '../../helpers/eventually.js';
import { runScript, testKubeconfig } from '../../helpers/kubelet.js';
import { startDaemon } from '../../helpers/processes.js';

const SCRIPT = 'src/worker/hollow/main.ts';

test('the hollow daemon registers its nodes and kills and revives them through its admin API', async (t) => {
  const token = 'hollow-test-token';
  const server = await testApiServer(t, { token, requireAuth: true });
  const kubeconfig = testKubeconfig(t, server.url, token);
  const d = await startDaemon(t, SCRIPT, ['--kubeconfig', kubeconfig, '--nodes', '3', '--port', '0', '--lease-renew-interval', '500ms', '--name-prefix', 'h-']);
  t.is(await (await fetch(`${d.ready}/healthz`)).text(), 'ok');
  t.regex(await (await fetch(`${d.ready}/metrics`)).text(), /kubelab_hollow_nodes\{state="alive"\} 3/);
  t.deepEqual(await (await fetch(`${d.ready}/nodes`)).json(), [
    { name: 'h-0', ip: '127.32.0.1', state: 'alive', pods: 0 },
    { name: 'h-1', ip: '127.32.0.2', state: 'alive', pods: 0 },
    { name: 'h-2', ip: '127.32.0.3', state: 'alive', pods: 0 },
  ]);
  const post = async (path: string) => {
    const r = await fetch(`${d.ready}${path}`, { method: 'POST' });
    return { status: r.status, body: await r.json() };
  };
  t.deepEqual(await post('/nodes/h-1/kill'), { status: 200, body: { name: 'h-1', state: 'killed' } });
  t.is((await post('/nodes/h-1/kill')).status, 409);
  t.is((await post('/nodes/nope/kill')).status, 404);

  const client = new Client({ server: server.url, token });
  t.teardown(() => client.close());
  const renew = async () => (await client.resource<Lease>('Lease').get('kube-node-lease', 'h-1')).spec?.renewTime;
  const frozen = await renew();
  t.deepEqual(await post('/nodes/h-1/revive'), { status: 200, body: { name: 'h-1', state: 'alive' } });
  t.is((await post('/nodes/h-1/revive')).status, 409);
  await eventually(async () => (await renew()) !== frozen, { message: 'h-1 renews its lease again' });
});

test('bad hollow flags exit 2 with a message naming the flag', async (t) => {
  const cases: [string[], RegExp][] = [
    [['--kubeconfig', '/nonexistent', '--nodes', 'many'], /--nodes: "many" is not a whole number/],
    [['--kubeconfig', '/nonexistent', '--nodes', '2'], /--kubeconfig/],
  ];
  for (const [args, message] of cases) {
    const r = await runScript(SCRIPT, args);
    t.is(r.code, 2, args.join(' '));
    t.regex(r.stderr, message);
  }
});
