/** The create requests the docker runtime sends: sandboxes on the lab network with a fixed IP, containers in their sandbox's namespaces. */
import test from 'ava';
import { containerCreateOptions, portBindingsOf, sandboxCreateOptions } from '../../../src/worker/kubelet/runtimes/docker/create-options.js';
import type { ContainerConfig, PodSandboxConfig } from '../../../src/worker/kubelet/runtime.js';

const owner = { node: 'n1', lab: 'lab1' };
const sb: PodSandboxConfig = {
  metadata: { uid: 'u', name: 'web', namespace: 'default', attempt: 0 },
  hostname: 'web',
  hostNetwork: false,
  portMappings: [{ protocol: 'TCP', containerPort: 8080, hostPort: 30080 }],
  labels: {},
  annotations: {},
};
const c: ContainerConfig = { metadata: { name: 'app', attempt: 1 }, image: 'img', command: [], args: [], env: [{ name: 'A', value: 'b=c' }], ports: [{ containerPort: 8080, protocol: 'TCP' }], resources: {}, labels: {}, annotations: {} };

test('a sandbox is the pause image on the lab network with its fixed IP, hostname and published ports', (t) => {
  const o = sandboxCreateOptions(sb, { image: 'kubelab/pause:1', owner, network: 'lab1', ip: '10.244.1.2', createdAt: 1 });
  t.is(o.name, 'k8s_POD_web_default_u_0');
  t.is(o.Image, 'kubelab/pause:1');
  t.is(o.Hostname, 'web');
  t.like(o.HostConfig, { NetworkMode: 'lab1', IpcMode: 'shareable', RestartPolicy: { Name: 'no' }, PortBindings: { '8080/tcp': [{ HostIp: '', HostPort: '30080' }] } });
  t.deepEqual(o.NetworkingConfig, { EndpointsConfig: { lab1: { IPAMConfig: { IPv4Address: '10.244.1.2' } } } });
  t.throws(() => sandboxCreateOptions(sb, { image: 'p', owner, network: 'lab1', createdAt: 1 }), { instanceOf: TypeError });
});

test('a host-network sandbox uses the host network and no hostname or IP', (t) => {
  const o = sandboxCreateOptions({ ...sb, hostNetwork: true }, { image: 'p', owner, network: 'lab1', createdAt: 1 });
  t.is(o.HostConfig?.NetworkMode, 'host');
  t.is(o.Hostname, undefined);
  t.is(o.NetworkingConfig, undefined);
});

test('portBindingsOf() groups host ports by container port and protocol', (t) => {
  t.deepEqual(
    portBindingsOf([
      { protocol: 'UDP', containerPort: 53, hostPort: 5353, hostIP: '127.0.0.1' },
      { protocol: 'UDP', containerPort: 53, hostPort: 5354 },
    ]),
    {
      exposed: { '53/udp': {} },
      bindings: {
        '53/udp': [
          { HostIp: '127.0.0.1', HostPort: '5353' },
          { HostIp: '', HostPort: '5354' },
        ],
      },
    },
  );
});

const place = { sandboxId: 'sb1', pod: sb.metadata, owner, binds: ['/a:/b:ro'], createdAt: 1 };

test('a container joins the sandbox, with its env, binds and limits', (t) => {
  const o = containerCreateOptions({ ...c, resources: { cpuMillis: 250, memoryBytes: 64 * 1024 * 1024 }, workingDir: '/w' }, place);
  t.is(o.name, 'k8s_app_web_default_u_1');
  t.deepEqual(o.Env, ['A=b=c']);
  t.is(o.WorkingDir, '/w');
  t.is(o.ExposedPorts, undefined, 'Docker refuses exposed ports with a container network mode');
  t.like(o.HostConfig, { NetworkMode: 'container:sb1', IpcMode: 'container:sb1', Binds: ['/a:/b:ro'], NanoCpus: 250_000_000, Memory: 67108864, MemorySwap: 67108864, LogConfig: { Type: 'json-file' } });
  t.is(o.Entrypoint, undefined, "no command: the image's entrypoint");
  t.is(o.Cmd, undefined, "no args: the image's cmd");
  const unlimited = containerCreateOptions(c, place);
  t.is(unlimited.HostConfig?.Memory, undefined);
  t.is(unlimited.HostConfig?.NanoCpus, undefined);
});

test('command replaces the entrypoint and args the cmd, as in Kubernetes', (t) => {
  t.like(containerCreateOptions({ ...c, command: ['sh', '-c'], args: ['echo hi'] }, place), { Entrypoint: ['sh', '-c'], Cmd: ['echo hi'] });
  const onlyArgs = containerCreateOptions({ ...c, args: ['--flag'] }, place);
  t.is(onlyArgs.Entrypoint, undefined);
  t.deepEqual(onlyArgs.Cmd, ['--flag']);
});

test('limits that are not positive are refused', (t) => {
  t.throws(() => containerCreateOptions({ ...c, resources: { cpuMillis: 0 } }, place), { instanceOf: RangeError, message: /cpu limit/ });
  t.throws(() => containerCreateOptions({ ...c, resources: { memoryBytes: -1 } }, place), { instanceOf: RangeError, message: /memory limit/ });
});
