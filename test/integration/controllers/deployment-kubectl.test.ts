/**
 * Real kubectl 1.32 against the API server with our Deployment and ReplicaSet controllers and a
 * fake kubelet: rollout status, history, undo, pause/resume and scale behave as on Kubernetes.
 */
import test from 'ava';
import type { Deployment, Pod, ReplicaSet } from '../../../src/api/types.js';
import { Client } from '../../../src/client/rest.js';
import { isPodReady } from '../../../src/control/controllers/replicaset/pods.js';
import { eventually } from '../../helpers/eventually.js';
import { haveKubectl, kubectlLab } from '../../helpers/kubectl.js';
import { fakeKubelet, startWorkloadControllers } from './workload-helpers.js';

const kt = haveKubectl ? test : test.skip;
if (!haveKubectl) console.warn('kubectl tests of the Deployment controller skipped: /usr/bin/kubectl not found (set KUBECTL to its path)');

const manifest = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    kubernetes.io/change-cause: first release
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: main
        image: nginx:1.25
`;

kt('kubectl rollout status, history, undo, pause/resume and scale work against the Deployment controller', async (t) => {
  const k = await kubectlLab(t);
  const client = Client.fromKubeconfig(k.kubeconfig);
  t.teardown(() => client.close());
  const ctl = await startWorkloadControllers(t, client);
  await fakeKubelet(t, client, { startupMs: 20 });
  const deployments = client.resource<Deployment>('Deployment');
  const pods = client.resource<Pod>('Pod');
  const status = async () => {
    const r = await k(['rollout', 'status', 'deployment/web', '--timeout=60s'], { allowFail: true });
    if (r.code !== 0) t.log(ctl.logs());
    return r;
  };
  const images = async () => (await pods.list('default', { labelSelector: 'app=web' })).items.filter((p) => !p.metadata.deletionTimestamp).map((p) => p.spec.containers[0]!.image);

  t.regex((await k(['apply', '-f', '-'], { input: manifest })).stdout, /deployment.apps\/web created/);
  let r = await status();
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /deployment "web" successfully rolled out/);

  // A new template: revision 2.
  await k(['set', 'image', 'deployment/web', 'main=nginx:1.27']);
  await k(['annotate', 'deployment/web', 'kubernetes.io/change-cause=upgrade to 1.27', '--overwrite']);
  r = await status();
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /successfully rolled out/);
  t.deepEqual(await eventually(async () => ((await images()).length === 3 ? images() : undefined)), ['nginx:1.27', 'nginx:1.27', 'nginx:1.27']);

  const history = (await k(['rollout', 'history', 'deployment/web'])).stdout;
  t.regex(history, /REVISION\s+CHANGE-CAUSE/);
  t.regex(history, /^1\s+first release$/m);
  t.regex(history, /^2\s+/m);
  t.regex((await k(['rollout', 'history', 'deployment/web', '--revision=1'])).stdout, /Image:\s+nginx:1\.25/);

  // Undo: back to revision 1's template, which becomes revision 3.
  t.regex((await k(['rollout', 'undo', 'deployment/web'])).stdout, /deployment.apps\/web rolled back/);
  r = await status();
  t.is(r.code, 0, r.stderr);
  await eventually(async () => (await images()).join() === 'nginx:1.25,nginx:1.25,nginx:1.25', { timeoutMs: 15_000, message: 'every pod back on nginx:1.25' });
  const afterUndo = (await k(['rollout', 'history', 'deployment/web'])).stdout;
  t.regex(afterUndo, /^2\s+/m);
  t.regex(afterUndo, /^3\s+first release$/m);
  t.notRegex(afterUndo, /^1\s+/m, 'revision 1 became revision 3');
  const rss = (await client.resource<ReplicaSet>('ReplicaSet').list('default')).items;
  t.is(rss.length, 2, 'undo reuses the old ReplicaSet');
  t.is((await deployments.get('default', 'web')).metadata.annotations?.['deployment.kubernetes.io/revision'], '3');

  // Scale through the scale subresource.
  t.regex((await k(['scale', 'deployment/web', '--replicas=5'])).stdout, /deployment.apps\/web scaled/);
  r = await status();
  t.is(r.code, 0, r.stderr);
  await eventually(async () => {
    const items = (await pods.list('default', { labelSelector: 'app=web' })).items;
    return items.length === 5 && items.every(isPodReady);
  });

  // Paused: a template change makes no new ReplicaSet until resumed.
  t.regex((await k(['rollout', 'pause', 'deployment/web'])).stdout, /deployment.apps\/web paused/);
  await k(['set', 'image', 'deployment/web', 'main=nginx:1.28']);
  const paused = await eventually(async () => {
    const d = await deployments.get('default', 'web');
    const progressing = d.status?.conditions?.find((c) => c.type === 'Progressing');
    return (d.status?.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) && progressing?.reason === 'DeploymentPaused' ? d : undefined;
  });
  t.is(paused.spec.paused, true);
  t.is((await client.resource<ReplicaSet>('ReplicaSet').list('default')).items.length, 2);
  t.true((await images()).every((i) => i === 'nginx:1.25'));
  t.regex((await k(['rollout', 'resume', 'deployment/web'])).stdout, /deployment.apps\/web resumed/);
  r = await status();
  t.is(r.code, 0, r.stderr);
  await eventually(async () => (await images()).join() === Array(5).fill('nginx:1.28').join(), { timeoutMs: 15_000, message: 'every pod on nginx:1.28' });
  t.regex((await k(['get', 'deployment', 'web'])).stdout, /web\s+5\/5\s+5\s+5/);
});
