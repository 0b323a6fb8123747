/**
 * Container environments end to end: the kubelet reads ConfigMaps through the API server and hands
 * the runtime resolved values. A FakeRuntime subclass records the ContainerConfig each container
 * was created with.
 */
import test from 'ava';
import type { ConfigMap, Event } from '../../../src/api/types.js';
import type { ContainerConfig, PodSandboxConfig } from '../../../src/worker/kubelet/runtime.js';
import { FakeRuntime } from '../../../src/worker/kubelet/runtimes/fake.js';
import { eventually } from '../../helpers/eventually.js';
import { createBoundPod, isRunningReady, kubeletLab, podSpec, testKubelet, waitForPod } from '../../helpers/kubelet.js';

class RecordingRuntime extends FakeRuntime {
  readonly configs: ContainerConfig[] = [];
  override async createContainer(sandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string> {
    this.configs.push(config);
    return super.createContainer(sandboxId, config, sandboxConfig);
  }
}

const fast = { leaseRenewIntervalMs: 500, nodeStatusUpdateFrequencyMs: 500, restartBackoffBaseMs: 200, restartBackoffMaxMs: 1000 };

test('fieldRef, resourceFieldRef, configMapKeyRef and envFrom reach the runtime as values, with $(VAR) expanded', async (t) => {
  const { client } = await kubeletLab(t);
  const runtime = new RecordingRuntime({ podCIDR: '127.77.2.0/24' });
  await testKubelet(t, client, { nodeName: 'w1', ...fast, runtime, cpu: '4', memory: '8Gi' });
  await client.resource<ConfigMap>('ConfigMap').create('default', { metadata: { name: 'app-config' }, data: { mode: 'fast', LEVEL: '3' } });
  const pod = podSpec('web-1', {
    serviceAccountName: 'default',
    containers: [
      {
        name: 'web',
        image: 'nginx:1.27',
        command: ['/srv/web'],
        args: ['--listen=$(POD_IP):8080', '--mode=$(MODE)', '--literal=$$(MODE)'],
        resources: { limits: { memory: '64Mi' } },
        envFrom: [{ configMapRef: { name: 'app-config' }, prefix: 'CFG_' }],
        env: [
          { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'POD_NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
          { name: 'POD_UID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } },
          { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
          { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
          { name: 'SA', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } },
          { name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
          { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
          { name: 'MEM_MI', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
          { name: 'CPU_LIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
          { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'app-config', key: 'mode' } } },
          { name: 'OPTIONAL', valueFrom: { configMapKeyRef: { name: 'missing', key: 'x', optional: true } } },
          { name: 'URL', value: 'http://$(POD_IP):8080/$(CFG_LEVEL)' },
        ],
      },
    ],
  });
  pod.metadata.labels = { app: 'web' };
  const created = await createBoundPod(client, pod, 'w1');
  await waitForPod(client, 'default', 'web-1', isRunningReady, 'web-1 Running');
  const config = runtime.configs.find((c) => c.metadata.name === 'web')!;
  t.deepEqual(Object.fromEntries(config.env.map((e) => [e.name, e.value])), {
    CFG_LEVEL: '3',
    CFG_mode: 'fast',
    POD_NAME: 'web-1',
    POD_NS: 'default',
    POD_UID: created.metadata.uid,
    APP: 'web',
    NODE: 'w1',
    SA: 'default',
    HOST_IP: '127.0.0.1',
    POD_IP: '127.77.2.2',
    MEM_MI: '64',
    CPU_LIMIT: '4',
    MODE: 'fast',
    URL: 'http://127.77.2.2:8080/3',
  });
  t.deepEqual(config.command, ['/srv/web']);
  t.deepEqual(config.args, ['--listen=127.77.2.2:8080', '--mode=fast', '--literal=$(MODE)']);
});

test('a missing ConfigMap keeps the container waiting in CreateContainerConfigError until it exists', async (t) => {
  const { client } = await kubeletLab(t);
  const runtime = new RecordingRuntime();
  await testKubelet(t, client, { nodeName: 'w1', ...fast, runtime });
  await createBoundPod(
    client,
    podSpec('web-1', { containers: [{ name: 'web', image: 'nginx:1.27', env: [{ name: 'MODE', valueFrom: { configMapKeyRef: { name: 'app-config', key: 'mode' } } }] }] }),
    'w1',
  );
  const waiting = await waitForPod(client, 'default', 'web-1', (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CreateContainerConfigError', 'web-1 waiting');
  t.is(waiting.status!.containerStatuses![0]!.state!.waiting!.message, 'configmap "app-config" not found');
  t.is(waiting.status!.phase, 'Pending');
  const failed = await eventually(
    async () => (await client.resource<Event>('Event').list('default', { fieldSelector: 'involvedObject.name=web-1' })).items.find((e) => e.reason === 'Failed'),
    { message: 'Failed event' },
  );
  t.like(failed, { type: 'Warning', message: 'Error: configmap "app-config" not found' });
  t.is(runtime.configs.length, 0, 'no container was created');

  await client.resource<ConfigMap>('ConfigMap').create('default', { metadata: { name: 'app-config' }, data: { other: 'x' } });
  const noKey = await waitForPod(client, 'default', 'web-1', (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.message?.startsWith("couldn't find key") === true, 'web-1 waiting for the key');
  t.is(noKey.status!.containerStatuses![0]!.state!.waiting!.message, "couldn't find key mode in ConfigMap default/app-config");

  const cms = client.resource<ConfigMap>('ConfigMap');
  await cms.update({ ...(await cms.get('default', 'app-config')), data: { mode: 'safe' } });
  await waitForPod(client, 'default', 'web-1', isRunningReady, 'web-1 Running once the key exists', 10_000);
  t.deepEqual(runtime.configs[0]!.env, [{ name: 'MODE', value: 'safe' }]);
});
