/**
 * The official JavaScript client (@kubernetes/client-node) against our API server: typed create
 * and list through a kubeconfig (HTTPS, CA, token), and its informer seeing adds, updates and
 * deletes.
 */
import test from 'ava';
import * as k8s from '@kubernetes/client-node';
import { join } from 'node:path';
import { writeKubeconfig } from '../../../src/bootstrap/kubeconfig.js';
import { testApiServer } from '../../helpers/apiserver.js';
import { eventually } from '../../helpers/eventually.js';
import { testPki } from '../../helpers/kubectl.js';
import { tempDir } from '../../helpers/tmp.js';

async function official(t: Parameters<typeof testApiServer>[0]): Promise<k8s.KubeConfig> {
  const { ca, serving } = testPki();
  const server = await testApiServer(t, { tls: serving, token: 'official', requireAuth: true });
  const path = join(tempDir(t), 'kubeconfig');
  writeKubeconfig(path, { cluster: 'official', server: server.url, token: 'official', ca: ca.cert });
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

test('@kubernetes/client-node creates and lists ConfigMaps and Deployments', async (t) => {
  const kc = await official(t);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  const cm = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'from-js', labels: { by: 'client-node' } }, data: { k: 'v' } } });
  t.is(cm.metadata?.name, 'from-js');
  t.regex(cm.metadata?.resourceVersion ?? '', /^\d+$/);
  const list = await core.listNamespacedConfigMap({ namespace: 'default', labelSelector: 'by=client-node' });
  t.deepEqual(list.items.map((i) => i.metadata?.name), ['from-js']);
  const d = await apps.createNamespacedDeployment({
    namespace: 'default',
    body: {
      metadata: { name: 'js-web' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'js-web' } }, template: { metadata: { labels: { app: 'js-web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
    },
  });
  t.is(d.spec?.strategy?.type, 'RollingUpdate');
  t.deepEqual((await apps.listNamespacedDeployment({ namespace: 'default' })).items.map((i) => i.metadata?.name), ['js-web']);
  const missing = await core.readNamespacedConfigMap({ name: 'nope', namespace: 'default' }).catch((e: unknown) => e as { code?: number });
  t.is((missing as { code?: number }).code, 404);
});

test('the client-node informer sees adds, updates and deletes', async (t) => {
  const kc = await official(t);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const informer = k8s.makeInformer(kc, '/api/v1/namespaces/default/configmaps', () => core.listNamespacedConfigMap({ namespace: 'default' }));
  const seen: string[] = [];
  informer.on('add', (o: k8s.V1ConfigMap) => seen.push(`add ${o.metadata?.name}`));
  informer.on('update', (o: k8s.V1ConfigMap) => seen.push(`update ${o.metadata?.name} ${o.data?.k}`));
  informer.on('delete', (o: k8s.V1ConfigMap) => seen.push(`delete ${o.metadata?.name}`));
  await informer.start();
  t.teardown(() => informer.stop());
  await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'watched' }, data: { k: '1' } } });
  await eventually(() => seen.includes('add watched'), { message: 'add seen' });
  await core.patchNamespacedConfigMap({ name: 'watched', namespace: 'default', body: { data: { k: '2' } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
  await eventually(() => seen.includes('update watched 2'), { message: 'update seen' });
  await core.deleteNamespacedConfigMap({ name: 'watched', namespace: 'default' });
  await eventually(() => seen.includes('delete watched'), { message: 'delete seen' });
  t.deepEqual(seen, ['add watched', 'update watched 2', 'delete watched']);
});
