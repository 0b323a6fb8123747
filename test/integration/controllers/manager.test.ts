import { spawn } from 'node:child_process';
import { join } from 'node:path';
import test from 'ava';
import type { Endpoints, Pod, Service } from '../../../src/api/types.js';
import { writeKubeconfig } from '../../../src/bootstrap/kubeconfig.js';
import { Client } from '../../../src/client/rest.js';
import { startControllerManager } from '../../../src/control/controllers/manager.js';
import { httpGet } from '../../../src/util/http.js';
import { nodeArgv } from '../../../src/util/paths.js';
import { testApiServer } from '../../helpers/apiserver.js';
import { startTestControllers } from '../../helpers/controllers.js';
import { eventually } from '../../helpers/eventually.js';
import { startDaemon } from '../../helpers/processes.js';
import { tempDir } from '../../helpers/tmp.js';

const MAIN = 'src/control/controllers/main.ts';

/** Runs the daemon with args and resolves with its exit code and stderr (for usage errors, which exit at once). */
function runToExit(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const argv = nodeArgv(MAIN, args);
  const proc = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => proc.once('close', (code) => resolve({ code, stderr })));
}

test('the controller-manager daemon runs against a kubeconfig and serves /healthz and /metrics', async (t) => {
  const token = 'cm-test-token';
  const server = await testApiServer(t, { token, requireAuth: true });
  const kubeconfig = join(tempDir(t), 'kubeconfig');
  writeKubeconfig(kubeconfig, { cluster: 'test', server: server.url, token });
  const d = await startDaemon(t, MAIN, ['--kubeconfig', kubeconfig, '--port', '0', '--controllers', '*', '--node-monitor-period', '200ms', '--node-monitor-grace-period', '2s']);
  t.regex(d.ready, /^http:\/\/127\.0\.0\.1:\d+$/);

  const health = await eventually(async () => {
    const r = await httpGet(`${d.ready}/healthz`);
    return r.status === 200 ? r : undefined;
  }, { timeoutMs: 15_000, message: '/healthz 200 once synced' });
  t.is(health!.body, 'ok');

  // The controllers run in that process: a Service gets its Endpoints.
  const client = new Client({ server: server.url, token });
  t.teardown(() => client.close());
  await client.resource<Service>('Service').create('default', { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } });
  const p = await client.resource<Pod>('Pod').create('default', { metadata: { name: 'web-1', labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } });
  await client.resource<Pod>('Pod').updateStatus({ ...p, status: { ...p.status, phase: 'Running', podIP: '10.244.0.5', conditions: [{ type: 'Ready', status: 'True' }] } });
  await eventually(async () => (await client.resource<Endpoints>('Endpoints').get('default', 'web').catch(() => undefined))?.subsets?.[0]?.addresses?.[0]?.ip === '10.244.0.5', {
    timeoutMs: 10_000,
    message: 'the daemon wrote the Endpoints',
  });

  const metrics = await httpGet(`${d.ready}/metrics`);
  t.is(metrics.status, 200);
  for (const queue of ['endpoint', 'garbage_collector_attempt_to_delete', 'namespace', 'node_lifecycle_controller', 'noexec_taint_node']) {
    t.regex(metrics.body, new RegExp(`^workqueue_depth\\{name="${queue}"\\} \\d+`, 'm'), `queue ${queue}`);
  }
  const adds = /^workqueue_adds_total\{name="endpoint"\} (\d+)/m.exec(metrics.body);
  t.true(Number(adds?.[1]) >= 1, 'the endpoint queue saw work');
  t.regex(metrics.body, /^workqueue_queue_duration_seconds_count\{name="endpoint"\} \d+/m);
  t.is((await httpGet(`${d.ready}/nope`)).status, 404);
});

test('the controller-manager daemon exits 2 naming a bad flag', async (t) => {
  const [grace, controllers, missing] = await Promise.all([
    runToExit(['--kubeconfig', '/nonexistent', '--node-monitor-grace-period', '40']),
    runToExit(['--kubeconfig', '/nonexistent', '--controllers', 'endpoint,bogus']),
    runToExit([]),
  ]);
  t.is(grace.code, 2);
  t.regex(grace.stderr, /--node-monitor-grace-period "40" is not a duration/);
  t.is(controllers.code, 2);
  t.regex(controllers.stderr, /--controllers: "bogus" is not a known controller/);
  t.is(missing.code, 2);
  t.regex(missing.stderr, /--kubeconfig/);
});

test('the in-process manager reports unhealthy until its caches sync, and stops cleanly', async (t) => {
  // No API server answers here: the caches never sync.
  const client = new Client({ server: 'http://127.0.0.1:9', timeoutMs: 1000 });
  t.teardown(() => client.close());
  const stuck = await startControllerManager({ client, port: 0, controllers: ['endpoint'] });
  t.teardown(() => stuck.close());
  const r = await httpGet(`${stuck.url}/healthz`);
  t.is(r.status, 500);
  t.regex(r.body, /caches not synced/);
  t.false(stuck.hasSynced());
  await stuck.close();
  t.false(await stuck.synced, 'closing before the sync resolves synced with false');

  const server = await testApiServer(t);
  const cm = await startTestControllers(t, { server, controllers: ['endpoint'] });
  t.true(cm.hasSynced());
  t.deepEqual(cm.controllers, ['endpoints-controller']);
  t.is((await httpGet(`${cm.url}/healthz`)).status, 200);
  await cm.close();
  await t.throwsAsync(() => httpGet(`${cm.url}/healthz`, { timeoutMs: 1000 }));
});
