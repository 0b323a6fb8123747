/**
 * The kubelet daemon with --authentication-token-file: the API server's pods/log proxy sends the
 * lab token (its own, by default) and gets logs; a request without it is refused; an unreadable
 * token file is a bad flag.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import type { Pod } from '../../../src/api/types.js';
import { Client } from '../../../src/client/rest.js';
import { http, testApiServer } from '../../helpers/apiserver.js';
import { createBoundPod, podSpec, runScript, testKubeconfig, waitForPod, isRunningReady } from '../../helpers/kubelet.js';
import { startDaemon } from '../../helpers/processes.js';
import { tempDir } from '../../helpers/tmp.js';

const SCRIPT = 'src/worker/kubelet/main.ts';

test('a kubelet started with --authentication-token-file serves logs to the API server, which sends the lab token', async (t) => {
  const token = 'lab-token';
  const server = await testApiServer(t, { token, requireAuth: true });
  const kubeconfig = testKubeconfig(t, server.url, token);
  const tokenFile = join(tempDir(t), 'token');
  writeFileSync(tokenFile, `${token}\n`);
  const d = await startDaemon(t, SCRIPT, ['--kubeconfig', kubeconfig, '--node-name', 'd1', '--port', '0', '--cpu', '2', '--memory', '4Gi', '--authentication-token-file', tokenFile]);
  const client = new Client({ server: server.url, token });
  t.teardown(() => client.close());
  await createBoundPod(client, podSpec('web-1'), 'd1');
  await waitForPod(client, 'default', 'web-1', (p: Pod) => isRunningReady(p), 'web-1 Running on the daemon');

  const logs = await http(server.url, 'GET', '/api/v1/namespaces/default/pods/web-1/log?tailLines=1', { token });
  t.is(logs.status, 200);
  t.is(logs.text, 'fake: web is running\n');
  const direct = await fetch(`${d.ready}/containerLogs/default/web-1/web`);
  t.is(direct.status, 401);
  const unknown = await http(server.url, 'GET', '/api/v1/namespaces/default/pods/web-1/log?previous=true', { token });
  t.is(unknown.status, 400);
  t.like(unknown.body, { kind: 'Status', reason: 'BadRequest', message: 'previous terminated container "web" in pod "web-1" not found' });

  const bad = await runScript(SCRIPT, ['--kubeconfig', kubeconfig, '--authentication-token-file', join(tempDir(t), 'missing')]);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /--authentication-token-file: cannot read/);
});
