/** The docker runtime's pure mappings: Docker states to CRI, ps and inspect answers to sandboxes and containers, names and labels. */
import test from 'ava';
import type Docker from 'dockerode';
import { containerFromInspect, containerFromPs, criState, exitOf, sandboxFromInspect, sandboxFromPs, type DockerState } from '../../../src/worker/kubelet/runtimes/docker/convert.js';
import { containerLabels, containerName, ownedBy, ownerFilters, sandboxLabels, sandboxName, userLabels } from '../../../src/worker/kubelet/runtimes/docker/labels.js';
import type { ContainerConfig, PodSandboxConfig } from '../../../src/worker/kubelet/runtime.js';

const owner = { node: 'n1', lab: 'lab1' };
const sbConfig: PodSandboxConfig = {
  metadata: { uid: 'u-1', name: 'web', namespace: 'prod', attempt: 2 },
  hostname: 'web',
  hostNetwork: false,
  portMappings: [],
  labels: { app: 'web', 'io.kubernetes.pod.uid': 'u-1' },
  annotations: { note: 'hi' },
};
const cConfig: ContainerConfig = {
  metadata: { name: 'app', attempt: 3 },
  image: 'kubelab/echo:0.1.0',
  command: [],
  args: [],
  env: [],
  ports: [],
  resources: {},
  labels: { 'io.kubernetes.container.name': 'app' },
  annotations: {},
};

const states: [string, DockerState, ReturnType<typeof criState>, ReturnType<typeof exitOf>][] = [
  ['running', { Status: 'running', Running: true }, 'running', undefined],
  ['created, not started', { Status: 'created' }, 'created', undefined],
  ['clean exit', { Status: 'exited', ExitCode: 0 }, 'exited', { exitCode: 0, reason: 'Completed' }],
  ['crash', { Status: 'exited', ExitCode: 2 }, 'exited', { exitCode: 2, reason: 'Error' }],
  ['killed', { Status: 'exited', ExitCode: 137 }, 'exited', { exitCode: 137, reason: 'Error' }],
  ['OOM', { Status: 'exited', ExitCode: 137, OOMKilled: true }, 'exited', { exitCode: 137, reason: 'OOMKilled' }],
  ['failed start', { Status: 'created', ExitCode: 127, Error: 'exec: "x": not found' }, 'exited', { exitCode: 127, reason: 'StartError', message: 'exec: "x": not found' }],
  ['failed start without code', { Status: 'created', Error: 'boom' }, 'exited', { exitCode: 128, reason: 'StartError', message: 'boom' }],
  ['dead', { Status: 'dead', ExitCode: 1 }, 'exited', { exitCode: 1, reason: 'Error' }],
  ['removing', { Status: 'removing' }, 'unknown', undefined],
];
for (const [name, s, state, exit] of states) {
  test(`criState() and exitOf(): ${name}`, (t) => {
    t.is(criState(s), state);
    t.deepEqual(exitOf(s), exit);
  });
}

test('names follow dockershim: k8s_<container>_<pod>_<namespace>_<uid>_<attempt>', (t) => {
  t.is(sandboxName(sbConfig.metadata), 'k8s_POD_web_prod_u-1_2');
  t.is(containerName(sbConfig.metadata, cConfig.metadata), 'k8s_app_web_prod_u-1_3');
});

test('labels carry identity, owner and annotations; userLabels() gives back only the kubelet\'s', (t) => {
  const sl = sandboxLabels(sbConfig, owner, 1234);
  t.like(sl, { 'io.kubernetes.pod.uid': 'u-1', 'io.kubernetes.docker.type': 'podsandbox', 'io.kubelab.node': 'n1', 'io.kubelab.lab': 'lab1', 'io.kubelab.attempt': '2', 'annotation.note': 'hi', 'io.kubelab.created-at': '1234' });
  t.deepEqual(userLabels(sl), { app: 'web', 'io.kubernetes.pod.uid': 'u-1', 'io.kubernetes.pod.name': 'web', 'io.kubernetes.pod.namespace': 'prod' });
  const cl = containerLabels('sb1', sbConfig.metadata, cConfig, owner, 99);
  t.like(cl, { 'io.kubernetes.sandbox.id': 'sb1', 'io.kubernetes.container.name': 'app', 'io.kubelab.image-spec': 'kubelab/echo:0.1.0', 'io.kubernetes.docker.type': 'container' });
  t.true(ownedBy(cl, owner, 'container'));
  t.false(ownedBy(cl, owner, 'podsandbox'));
  t.false(ownedBy(cl, { node: 'n2', lab: 'lab1' }, 'container'), "another node's");
  t.false(ownedBy(cl, { node: 'n1', lab: 'lab2' }, 'container'), "another lab's");
  t.deepEqual(ownerFilters(owner, 'container', ['x=y']), ['io.kubelab.node=n1', 'io.kubelab.lab=lab1', 'io.kubernetes.docker.type=container', 'x=y']);
});

function ps(labels: Record<string, string>, state: string, ip?: string): Docker.ContainerInfo {
  return {
    Id: 'abc',
    Names: ['/x'],
    Image: 'sha256:img',
    ImageID: 'sha256:img',
    Command: '',
    Created: 1_700_000_000,
    Ports: [],
    Labels: labels,
    State: state,
    Status: '',
    HostConfig: { NetworkMode: 'lab1' },
    NetworkSettings: { Networks: ip ? { lab1: { IPAddress: ip } } : {} },
    Mounts: [],
  } as unknown as Docker.ContainerInfo;
}

test('sandboxFromPs(): ready with its IP while running; no IP when stopped or on the host network', (t) => {
  const labels = sandboxLabels(sbConfig, owner, 1234);
  t.like(sandboxFromPs(ps(labels, 'running', '10.244.1.5'), 'lab1'), { id: 'abc', state: 'ready', ips: ['10.244.1.5'], createdAt: 1234, metadata: sbConfig.metadata });
  t.deepEqual(sandboxFromPs(ps(labels, 'exited', '10.244.1.5'), 'lab1').ips, []);
  t.is(sandboxFromPs(ps(labels, 'exited'), 'lab1').state, 'notready');
  t.deepEqual(sandboxFromPs(ps(labels, 'running', '10.244.1.5'), 'other-net').ips, [], 'only the lab network counts');
  const host = sandboxLabels({ ...sbConfig, hostNetwork: true }, owner, 1);
  t.deepEqual(sandboxFromPs(ps(host, 'running', '10.244.1.5'), 'lab1').ips, []);
  const noCreatedLabel = { ...labels };
  delete noCreatedLabel['io.kubelab.created-at'];
  t.is(sandboxFromPs(ps(noCreatedLabel, 'running'), 'lab1').createdAt, 1_700_000_000_000, "falls back to Docker's time");
});

test('containerFromPs() and containerFromInspect() agree on identity; inspect adds the run', (t) => {
  const labels = containerLabels('sb1', sbConfig.metadata, cConfig, owner, 5000);
  const listed = containerFromPs(ps(labels, 'exited'), 'exited');
  t.like(listed, { id: 'abc', sandboxId: 'sb1', image: 'kubelab/echo:0.1.0', imageRef: 'sha256:img', state: 'exited', createdAt: 5000, metadata: { name: 'app', attempt: 3 }, pod: { uid: 'u-1', name: 'web', namespace: 'prod' } });
  const inspect = {
    Id: 'abc',
    Created: '2026-01-01T00:00:00.5Z',
    Image: 'sha256:img',
    Name: '/x',
    Config: { Labels: labels, Image: 'kubelab/echo:0.1.0' },
    State: { Status: 'exited', Running: false, OOMKilled: true, ExitCode: 137, Error: '', StartedAt: '2026-01-01T00:00:01.250000001Z', FinishedAt: '2026-01-01T00:00:03Z' },
    NetworkSettings: { Networks: {} },
  } as unknown as Docker.ContainerInspectInfo;
  const status = containerFromInspect(inspect);
  t.like(status, { ...listed, startedAt: Date.parse('2026-01-01T00:00:01.250Z'), finishedAt: Date.parse('2026-01-01T00:00:03Z'), exitCode: 137, reason: 'OOMKilled' });
  t.is(status.message, undefined);
  const failed = containerFromInspect({ ...inspect, State: { Status: 'created', ExitCode: 127, Error: 'no such file', StartedAt: '0001-01-01T00:00:00Z', FinishedAt: '0001-01-01T00:00:00Z' } } as unknown as Docker.ContainerInspectInfo);
  t.like(failed, { state: 'exited', reason: 'StartError', exitCode: 127, message: 'no such file', finishedAt: 5000 });
  t.is(failed.startedAt, undefined, 'a start that failed never ran');
  const quick = containerFromInspect({ ...inspect, State: { ...inspect.State, OOMKilled: false, ExitCode: 0, StartedAt: '2026-01-01T00:00:01.250Z', FinishedAt: '2026-01-01T00:00:01.248Z' } } as unknown as Docker.ContainerInspectInfo);
  t.like(quick, { reason: 'Completed', startedAt: Date.parse('2026-01-01T00:00:01.250Z'), finishedAt: Date.parse('2026-01-01T00:00:01.250Z') }, 'an end stamped before the start is reported at the start');
  const sb = sandboxFromInspect({ ...inspect, Config: { Labels: sandboxLabels(sbConfig, owner, 7) }, State: { Status: 'running', Running: true }, NetworkSettings: { Networks: { lab1: { IPAddress: '10.244.1.9' } } } } as unknown as Docker.ContainerInspectInfo, 'lab1');
  t.like(sb, { state: 'ready', ips: ['10.244.1.9'], createdAt: 7 });
});
