/** A pod turned into sandbox and container configs. */
import test from 'ava';
import type { Pod } from '../../../src/api/types.js';
import { canonicalJson, ContainerConfigError, containerConfigOf, containerFieldPath, hashContainer, mountsOf, sandboxConfigOf } from '../../../src/worker/kubelet/container-config.js';

const pod: Pod = {
  metadata: { name: 'web-1', namespace: 'shop', uid: 'u-1', labels: { app: 'web' }, annotations: { note: 'x' } },
  spec: {
    nodeName: 'w1',
    containers: [
      {
        name: 'web',
        image: 'nginx:1.27',
        command: ['/bin/server'],
        args: ['--listen=$(POD_IP):8080', '--literal=$$(HOME)', '--unknown=$(NOPE)'],
        workingDir: '/srv',
        ports: [{ containerPort: 8080, hostPort: 30080, name: 'http' }, { containerPort: 9090 }],
        env: [
          { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
          { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
          { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
          { name: 'URL', value: 'http://$(POD_IP):8080/' },
        ],
        resources: { limits: { cpu: '500m', memory: '128Mi' } },
      },
    ],
  },
};
const net = { podIPs: ['127.64.0.9'], hostIPs: ['10.0.0.1'] };

test('the sandbox config carries the pod identity, hostname, host ports and log directory', (t) => {
  const sc = sandboxConfigOf(pod, 2, '/var/log/pods/');
  t.deepEqual(sc.metadata, { uid: 'u-1', name: 'web-1', namespace: 'shop', attempt: 2 });
  t.is(sc.hostname, 'web-1');
  t.deepEqual(sc.portMappings, [{ protocol: 'TCP', containerPort: 8080, hostPort: 30080 }]);
  t.is(sc.logDirectory, '/var/log/pods/shop_web-1_u-1');
  t.like(sc.labels, { app: 'web', 'io.kubernetes.pod.uid': 'u-1', 'io.kubernetes.pod.name': 'web-1', 'io.kubernetes.pod.namespace': 'shop' });
});

test('the container config resolves fieldRefs and $(VAR) as the kubelet does', (t) => {
  const c = containerConfigOf(pod, pod.spec.containers[0]!, 1, 'nginx:1.27', net);
  t.deepEqual(c.env, [
    { name: 'POD_IP', value: '127.64.0.9' },
    { name: 'NODE', value: 'w1' },
    { name: 'APP', value: 'web' },
    { name: 'URL', value: 'http://127.64.0.9:8080/' },
  ]);
  t.deepEqual(c.args, ['--listen=127.64.0.9:8080', '--literal=$(HOME)', '--unknown=$(NOPE)']);
  t.deepEqual(c.resources, { cpuMillis: 500, memoryBytes: 128 * 2 ** 20 });
  t.is(c.logPath, 'web/1.log');
  t.is(c.workingDir, '/srv');
  t.deepEqual(c.metadata, { name: 'web', attempt: 1 });
  t.is(c.labels['io.kubernetes.container.name'], 'web');
});

test('references the kubelet cannot resolve are a CreateContainerConfigError', (t) => {
  const bad: Pod = structuredClone(pod);
  bad.spec.containers[0]!.env = [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k' } } }];
  t.throws(() => containerConfigOf(bad, bad.spec.containers[0]!, 0, 'x', net), { instanceOf: ContainerConfigError });
});

test('mountsOf() gives each volume mount its emptyDir or hostPath source, and skips undeclared volumes', (t) => {
  const pod = {
    metadata: { name: 'p', namespace: 'd', uid: 'u' },
    spec: {
      volumes: [{ name: 'scratch', emptyDir: {} }, { name: 'host', hostPath: { path: '/var/log', type: 'Directory' } }],
      containers: [
        {
          name: 'c',
          image: 'i',
          volumeMounts: [
            { name: 'scratch', mountPath: '/data' },
            { name: 'host', mountPath: '/host-logs', readOnly: true },
            { name: 'ghost', mountPath: '/nowhere' },
          ],
        },
      ],
    },
  } as unknown as Pod;
  t.deepEqual(mountsOf(pod, pod.spec.containers[0]!), [
    { volume: 'scratch', containerPath: '/data', source: { emptyDir: {} } },
    { volume: 'host', containerPath: '/host-logs', readOnly: true, source: { hostPath: { path: '/var/log', type: 'Directory' } } },
  ]);
});

test('the container config carries the hash of the container spec: stable, and changed by the image', (t) => {
  const spec = pod.spec.containers[0]!;
  const c = containerConfigOf(pod, spec, 0, 'nginx:1.27', net);
  t.regex(c.annotations['io.kubernetes.container.hash'] ?? '', /^[0-9a-f]{1,8}$/);
  t.is(c.annotations['io.kubernetes.container.hash'], hashContainer({ ...spec }), 'the same spec hashes the same');
  t.is(hashContainer({ image: 'nginx:1.27', name: 'web' }), hashContainer({ name: 'web', image: 'nginx:1.27' }), 'key order does not matter');
  t.not(hashContainer({ ...spec, image: 'nginx:1.28' }), hashContainer(spec));
  t.not(hashContainer({ ...spec, name: 'api' }), hashContainer(spec));
});

test('canonicalJson() sorts object keys at every level and keeps array order', (t) => {
  t.is(canonicalJson({ b: 1, a: { d: [2, 1], c: null } }), '{"a":{"c":null,"d":[2,1]},"b":1}');
});

test('containerFieldPath() names a container as the kubelet\'s Events do', (t) => {
  const p: Pod = { ...pod, spec: { ...pod.spec, initContainers: [{ name: 'init', image: 'x' }] } };
  t.is(containerFieldPath(p, 'web'), 'spec.containers{web}');
  t.is(containerFieldPath(p, 'init'), 'spec.initContainers{init}');
  t.is(containerFieldPath(p, 'nope'), undefined);
});
