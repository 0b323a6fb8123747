/**
 * `kubectl logs` (real kubectl 1.32) through the HTTPS API server's pods/log proxy to a kubelet on
 * the fake runtime, whose containers "write" a starting line and a running line, and an exit line
 * when they exit. The kubelet checks the lab token the API server sends.
 */
import { once } from 'node:events';
import test from 'ava';
import { Client } from '../../../src/client/rest.js';
import { eventually } from '../../helpers/eventually.js';
import { haveKubectl, kubectlLab, kubectlStream, type Kubectl } from '../../helpers/kubectl.js';
import { createBoundPod, isRunningReady, podSpec, testKubelet, waitForPod } from '../../helpers/kubelet.js';
import type { FakeRuntime } from '../../../src/worker/kubelet/runtimes/fake.js';
import type { Kubelet } from '../../../src/worker/kubelet/kubelet.js';

const kubectlTest = haveKubectl ? test : test.skip;
if (!haveKubectl) console.warn('kubectl not found: skipping the kubectl logs tests');

const TOKEN = 'kubectl-test-token';
const fast = { leaseRenewIntervalMs: 500, nodeStatusUpdateFrequencyMs: 500, restartBackoffBaseMs: 200, restartBackoffMaxMs: 1000 };

async function lab(t: Parameters<typeof kubectlLab>[0]): Promise<{ k: Kubectl; client: Client; kubelet: Kubelet; runtime: FakeRuntime }> {
  const k = await kubectlLab(t);
  const client = Client.fromKubeconfig(k.kubeconfig);
  t.teardown(() => client.close());
  const { kubelet, runtime } = await testKubelet(t, client, { nodeName: 'w1', ...fast, authenticationToken: TOKEN });
  return { k, client, kubelet, runtime };
}

const lines = (s: string) => s.split('\n').filter((l) => l !== '');

kubectlTest('kubectl logs prints the container log, with --tail, --timestamps, --limit-bytes and -c', async (t) => {
  const { k, client } = await lab(t);
  await createBoundPod(client, podSpec('web-1', { containers: [{ name: 'web', image: 'nginx:1.27' }, { name: 'side', image: 'busybox:1.36' }] }), 'w1');
  await waitForPod(client, 'default', 'web-1', isRunningReady, 'web-1 Running');

  const all = await k(['logs', 'web-1', '-c', 'web']);
  t.deepEqual(lines(all.stdout), ['fake: starting container web of pod default/web-1 (image nginx:1.27, attempt 0)', 'fake: web is running']);
  t.deepEqual(lines((await k(['logs', 'web-1', '-c', 'web', '--tail', '1'])).stdout), ['fake: web is running']);
  t.deepEqual(lines((await k(['logs', 'web-1', '-c', 'side'])).stdout)[1], 'fake: side is running');
  const stamped = lines((await k(['logs', 'web-1', '-c', 'web', '--timestamps'])).stdout);
  t.is(stamped.length, 2);
  for (const l of stamped) t.regex(l, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z fake: /);
  t.is((await k(['logs', 'web-1', '-c', 'web', '--limit-bytes', '12'])).stdout, 'fake: starti');
  t.is((await k(['logs', 'web-1', '-c', 'web', '--since', '1h'])).stdout, all.stdout);

  // kubectl 1.32 picks the first container itself when there are several, and says so.
  const defaulted = await k(['logs', 'web-1']);
  t.is(defaulted.stdout, all.stdout);
  t.regex(defaulted.stderr, /Defaulted container "web" out of: web, side/);
  const bad = await k(['logs', 'web-1', '-c', 'nope'], { allowFail: true });
  t.not(bad.code, 0);
  t.regex(bad.stderr, /container nope is not valid for pod web-1/);
});

kubectlTest('kubectl logs -f shows a new line as it is written and ends when the container exits', async (t) => {
  const { k, client, runtime } = await lab(t);
  await createBoundPod(client, podSpec('web-1', { restartPolicy: 'Never' }), 'w1');
  await waitForPod(client, 'default', 'web-1', isRunningReady, 'web-1 Running');
  const f = kubectlStream(t, k, ['logs', '-f', 'web-1']);
  await eventually(() => f.output().includes('fake: web is running'), { message: 'the lines so far', timeoutMs: 10_000 });
  t.false(f.output().includes('exited'));
  const exited = once(f.proc, 'exit');
  t.is(runtime.exitContainer({ pod: 'web-1', container: 'web' }, 3), 1);
  await eventually(() => f.output().includes('fake: web exited with code 3'), { message: 'the new line', timeoutMs: 10_000 });
  const [code] = await exited;
  t.is(code, 0, 'the stream ended by itself when the container exited');
  t.deepEqual(lines(f.output()).slice(-2), ['fake: web is running', 'fake: web exited with code 3']);
});

kubectlTest('kubectl logs --previous shows the run before the restart, and says so when there is none', async (t) => {
  const { k, client, runtime } = await lab(t);
  await createBoundPod(client, podSpec('web-1'), 'w1');
  await waitForPod(client, 'default', 'web-1', isRunningReady, 'web-1 Running');
  const none = await k(['logs', 'web-1', '--previous'], { allowFail: true });
  t.not(none.code, 0);
  t.regex(none.stderr, /Error from server \(BadRequest\): previous terminated container "web" in pod "web-1" not found/);

  runtime.exitContainer({ pod: 'web-1' }, 3);
  await waitForPod(client, 'default', 'web-1', (p) => p.status?.containerStatuses?.[0]?.restartCount === 1 && isRunningReady(p), 'web-1 restarted');
  const previous = lines((await k(['logs', 'web-1', '--previous'])).stdout);
  t.deepEqual(previous, ['fake: starting container web of pod default/web-1 (image nginx:1.27, attempt 0)', 'fake: web is running', 'fake: web exited with code 3']);
  const current = lines((await k(['logs', 'web-1'])).stdout);
  t.is(current[0], 'fake: starting container web of pod default/web-1 (image nginx:1.27, attempt 1)');
  // The kubelet keeps exactly the last exited attempt: after a second restart --previous is attempt 1.
  runtime.exitContainer({ pod: 'web-1' }, 4);
  await waitForPod(client, 'default', 'web-1', (p) => p.status?.containerStatuses?.[0]?.restartCount === 2 && isRunningReady(p), 'web-1 restarted twice', 10_000);
  t.regex((await k(['logs', 'web-1', '-p'])).stdout, /attempt 1\)\n.*\nfake: web exited with code 4\n$/);
  await eventually(() => runtime.inspect({ pod: 'web-1' }).length === 2, { message: 'attempt 0 removed, attempts 1 and 2 kept' });
});

kubectlTest('the kubelet refuses log requests without the lab token, and answers Status errors for unknown pods and containers', async (t) => {
  const { client, kubelet } = await lab(t);
  await createBoundPod(client, podSpec('web-1'), 'w1');
  await waitForPod(client, 'default', 'web-1', isRunningReady, 'web-1 Running');
  const get = async (path: string, token?: string) => {
    const res = await fetch(`${kubelet.url}${path}`, token ? { headers: { Authorization: `Bearer ${token}` } } : {});
    return { status: res.status, body: (await res.json()) as { kind: string; message: string; reason: string } };
  };
  t.like(await get('/containerLogs/default/web-1/web'), { status: 401, body: { kind: 'Status', reason: 'Unauthorized' } });
  t.like(await get('/containerLogs/default/web-1/web', 'wrong-token'), { status: 401 });
  t.like(await get('/containerLogs/default/nope/web', TOKEN), { status: 404, body: { message: 'pod "nope" does not exist', reason: 'NotFound' } });
  t.like(await get('/containerLogs/default/web-1/db', TOKEN), { status: 404, body: { message: 'container "db" not found in pod "web-1"' } });
  t.like(await get('/containerLogs/default/web-1/web?tailLines=-1', TOKEN), { status: 400, body: { reason: 'BadRequest' } });
  const ok = await fetch(`${kubelet.url}/containerLogs/default/web-1/web?tailLines=1`, { headers: { Authorization: `Bearer ${TOKEN}` } });
  t.is(ok.status, 200);
  t.is(await ok.text(), 'fake: web is running\n');
});
