/** The scheduler daemon as a real process against a kubeconfig. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import test from 'ava';
import type { Node, Pod } from '../../../src/api/types.js';
import { writeKubeconfig } from '../../../src/bootstrap/kubeconfig.js';
import { Client } from '../../../src/client/rest.js';
import { httpGet } from '../../../src/util/http.js';
import { nodeArgv } from '../../../src/util/paths.js';
import { testApiServer } from '../../helpers/apiserver.js';
import { eventually } from '../../helpers/eventually.js';
import { startDaemon } from '../../helpers/processes.js';
import { tempDir } from '../../helpers/tmp.js';

const SCRIPT = 'src/control/scheduler/main.ts';

test('the daemon answers /healthz once synced, serves /metrics and schedules a pod', async (t) => {
  const token = 'scheduler-test-token';
  const server = await testApiServer(t, { token, requireAuth: true });
  const kubeconfig = join(tempDir(t), 'kubeconfig');
  writeKubeconfig(kubeconfig, { cluster: 'test', server: server.url, token });
  const d = await startDaemon(t, SCRIPT, ['--kubeconfig', kubeconfig, '--port', '0', '--parallel-bindings', '8']);
  t.regex(d.ready, /^http:\/\/127\.0\.0\.1:\d+$/);
  await eventually(async () => (await httpGet(`${d.ready}/healthz`)).status === 200, { timeoutMs: 15_000, message: `/healthz 200\n${d.output()}` });

  const client = new Client({ server: server.url, token });
  t.teardown(() => client.close());
  await client.resource<Node>('Node').create('', {
    metadata: { name: 'w1' },
    spec: {},
    status: { allocatable: { cpu: '2', memory: '4Gi', pods: '10' }, conditions: [{ type: 'Ready', status: 'True' }] },
  });
  await client.resource<Pod>('Pod').create('default', { metadata: { name: 'web' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
  const node = await eventually(async () => (await client.resource<Pod>('Pod').get('default', 'web')).spec.nodeName, { timeoutMs: 15_000, message: `pod bound\n${d.output()}` });
  t.is(node, 'w1');

  const metrics = await eventually(async () => {
    const res = await httpGet(`${d.ready}/metrics`);
    return /scheduler_schedule_attempts_total\{profile="default-scheduler",result="scheduled"\} 1/.test(res.body) && res.body;
  }, { message: 'scheduled attempt in /metrics' });
  t.regex(metrics, /scheduler_pending_pods\{queue="active"\} 0/);
  t.regex(metrics, /scheduler_binding_duration_seconds_count 1/);
  t.regex(metrics, /process_cpu_seconds_total/);
  t.is((await httpGet(`${d.ready}/nope`)).status, 404);
});

test('the daemon exits 2 naming the flag on bad usage', async (t) => {
  const run = (args: string[]) =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const argv = nodeArgv(SCRIPT, args);
      const p = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      p.on('close', (code) => resolve({ code, stderr }));
      t.teardown(() => {
        if (p.exitCode === null) p.kill('SIGKILL');
      });
    });
  const [bad, missing] = await Promise.all([run(['--kubeconfig', '/nonexistent', '--parallel-bindings', '0']), run([])]);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /--parallel-bindings' must be an integer >= 1, not "0"/);
  t.is(missing.code, 2);
  t.regex(missing.stderr, /--kubeconfig/);
});
