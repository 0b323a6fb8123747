/**
 * The docker runtime against a real daemon: sandboxes and containers, exits and their reasons,
 * events, stop with grace, logs, exec, volumes. Each test has a lab of its own (network, labels,
 * state) that teardown removes. Skips, saying why, when no Docker daemon answers.
 */
import test from 'ava';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from '../../helpers/eventually.js';
import { NotFoundError, type ContainerEvent, type LogEntry } from '../../../src/worker/kubelet/runtime.js';
import type { DockerContainerConfig } from '../../../src/worker/kubelet/runtimes/docker/index.js';
import { podVolumesDir } from '../../../src/worker/kubelet/runtimes/docker/mounts.js';
import { cidrContains } from '../../../src/worker/kubelet/runtimes/docker/ipam.js';
import { ECHO_IMAGE, PAUSE_IMAGE, containerConfig, labImages, probeDocker, sandboxConfig, testLab } from './docker-helpers.js';

const probe = await probeDocker();
const dtest = 'docker' in probe ? test.serial : test.skip;
if (!('docker' in probe)) console.log(`docker runtime e2e skipped: ${probe.reason}`);
const docker = 'docker' in probe ? probe.docker : undefined!;

test.before(async () => {
  if (docker) await labImages(docker);
});

async function collect(it: AsyncIterable<LogEntry>): Promise<LogEntry[]> {
  const out: LogEntry[] = [];
  for await (const e of it) out.push(e);
  return out;
}

/** Reads events into an array until aborted, so a test can await the one it wants. */
function recordEvents(it: AsyncIterable<ContainerEvent>): ContainerEvent[] {
  const seen: ContainerEvent[] = [];
  void (async () => {
    for await (const e of it) seen.push(e);
  })();
  return seen;
}

dtest('a sandbox gets an IP of its node and an echo container in it answers HTTP there from the host', async (t) => {
  const lab = await testLab(t, docker);
  const rt = lab.runtime('n1');
  const before = await rt.status();
  t.false(before.find((c) => c.type === 'NetworkReady')!.status, 'no pod CIDR yet: the network is not ready');
  await rt.updateRuntimeConfig({ podCIDR: lab.podCidr(1) });
  t.deepEqual(
    (await rt.status()).map((c) => [c.type, c.status]),
    [
      ['RuntimeReady', true],
      ['NetworkReady', true],
    ],
  );
  t.is((await rt.version()).runtimeName, 'docker');

  const sbConfig = sandboxConfig('web');
  const sb = await rt.runPodSandbox(sbConfig);
  const status = await rt.podSandboxStatus(sb);
  t.is(status.state, 'ready');
  t.is(status.ips.length, 1);
  const ip = status.ips[0]!;
  t.true(cidrContains(lab.podCidr(1), `${ip}/32`), `${ip} is in ${lab.podCidr(1)}`);
  t.deepEqual(status.metadata, sbConfig.metadata);
  t.is(status.labels.app, 'web');

  const id = await rt.createContainer(
    sb,
    containerConfig('echo', ECHO_IMAGE, {
      env: [
        { name: 'POD_IP', value: ip },
        { name: 'NODE_NAME', value: 'n1' },
      ],
      ports: [{ containerPort: 8080, protocol: 'TCP' }],
      resources: { cpuMillis: 250, memoryBytes: 96 * 1024 * 1024 },
    }),
    sbConfig,
  );
  await rt.startContainer(id);
  const answer = await eventually(
    async () => {
      const res = await fetch(`http://${ip}:8080/hello`, { signal: AbortSignal.timeout(1000) });
      return (await res.json()) as { ip: string; node: string; path: string; pod: string };
    },
    { timeoutMs: 15_000, message: `echo answering on ${ip}:8080` },
  );
  t.is(answer.ip, ip);
  t.is(answer.node, 'n1');
  t.is(answer.path, '/hello');
  // The container shares the sandbox's UTS namespace through its network: the pod's hostname.
  t.is((await rt.execSync(id, ['hostname'])).stdout.trim(), 'web');

  const inspect = await docker.getContainer(id).inspect();
  t.is(inspect.HostConfig.NanoCpus, 250_000_000);
  t.is(inspect.HostConfig.Memory, 96 * 1024 * 1024);
  t.is(inspect.HostConfig.NetworkMode, `container:${sb}`);
  t.regex(inspect.Name, /^\/k8s_echo_web_default_web-[0-9a-f]+_0$/);

  const [listed] = await rt.listContainers({ sandboxId: sb });
  t.like(listed, { id, sandboxId: sb, state: 'running', image: ECHO_IMAGE, metadata: { name: 'echo', attempt: 0 }, pod: { name: 'web', namespace: 'default', uid: sbConfig.metadata.uid } });
  t.regex(listed!.imageRef, /^sha256:/);

  await rt.stopPodSandbox(sb);
  t.is((await rt.podSandboxStatus(sb)).state, 'notready');
  t.deepEqual((await rt.podSandboxStatus(sb)).ips, []);
  t.is((await rt.containerStatus(id)).state, 'exited', 'stopping the sandbox kills its containers');
  await rt.removePodSandbox(sb);
  await t.throwsAsync(rt.podSandboxStatus(sb), { instanceOf: NotFoundError });
  await t.throwsAsync(rt.containerStatus(id), { instanceOf: NotFoundError });
  await rt.removePodSandbox(sb);
});

dtest('command, args, env and workingDir reach the process; a clean exit is Completed', async (t) => {
  const lab = await testLab(t, docker);
  const rt = lab.runtime('n1', { podCIDR: lab.podCidr(1) });
  const sbConfig = sandboxConfig('job');
  const sb = await rt.runPodSandbox(sbConfig);
  const id = await rt.createContainer(
    sb,
    containerConfig('main', PAUSE_IMAGE, { command: ['sh', '-c'], args: ['echo "$GREETING from $(pwd)"'], env: [{ name: 'GREETING', value: 'hi there' }], workingDir: '/tmp' }),
    sbConfig,
  );
  await rt.startContainer(id);
  const done = await eventually(async () => {
    const s = await rt.containerStatus(id);
    return s.state === 'exited' && s;
  });
  t.like(done, { exitCode: 0, reason: 'Completed' });
  t.true(done.finishedAt! >= done.startedAt!);
  t.deepEqual(
    (await collect(rt.containerLogs(id))).map((e) => [e.stream, e.line]),
    [['stdout', 'hi there from /tmp']],
  );
});

dtest('docker kill produces a stopped event with exit 137 and reason Error', async (t) => {
  const lab = await testLab(t, docker);
  const rt = lab.runtime('n1', { podCIDR: lab.podCidr(1) });
  const ac = new AbortController();
  t.teardown(() => ac.abort());
  const events = recordEvents(rt.events(ac.signal));
  const sbConfig = sandboxConfig('victim');
  const sb = await rt.runPodSandbox(sbConfig);
  const id = await rt.createContainer(sb, containerConfig('sleeper', PAUSE_IMAGE), sbConfig);
  await rt.startContainer(id);
  await eventually(() => events.some((e) => e.containerId === id && e.type === 'started'), { timeoutMs: 10_000, message: 'a started event' });
  await docker.getContainer(id).kill();
  const stopped = await eventually(() => events.find((e) => e.containerId === id && e.type === 'stopped'), { timeoutMs: 10_000, message: 'a stopped event' });
  t.like(stopped, { sandboxId: sb, containerName: 'sleeper', pod: { name: 'victim', namespace: 'default', uid: sbConfig.metadata.uid } });
  t.deepEqual(
    events.filter((e) => e.containerId === id).map((e) => e.type),
    ['created', 'started', 'stopped'],
  );
  t.false(
    events.some((e) => e.containerId === sb),
    'sandboxes are not container events',
  );
  t.like(await rt.containerStatus(id), { state: 'exited', exitCode: 137, reason: 'Error' });
  await rt.removeContainer(id);
  await eventually(() => events.some((e) => e.containerId === id && e.type === 'deleted'), { timeoutMs: 10_000, message: 'a deleted event' });
});

dtest('a container allocating past its memory limit is OOMKilled', async (t) => {
  const lab = await testLab(t, docker);
  const rt = lab.runtime('n1', { podCIDR: lab.podCidr(1) });
  const sbConfig = sandboxConfig('hog');
  const sb = await rt.runPodSandbox(sbConfig);
  const id = await rt.createContainer(
    sb,
    containerConfig('hog', PAUSE_IMAGE, { command: ['sh', '-c', 'x=a; while true; do x=$x$x; done'], resources: { memoryBytes: 16 * 1024 * 1024 } }),
    sbConfig,
  );
  await rt.startContainer(id);
  const s = await eventually(
    async () => {
      const st = await rt.containerStatus(id);
      return st.state === 'exited' && st;
    },
    { timeoutMs: 30_000, message: 'the container to exit' },
  );
  t.is(s.reason, 'OOMKilled');
  t.is(s.exitCode, 137);
});

dtest('stopContainer gives SIGTERM first and SIGKILL after the timeout', async (t) => {
  const lab = await testLab(t, docker);
  const rt = lab.runtime('n1', { podCIDR: lab.podCidr(1) });
  const sbConfig = sandboxConfig('stoppers');
  const sb = await rt.runPodSandbox(sbConfig);
  // echo exits 0 on SIGTERM; the shell as PID 1 has no handler and so ignores it.
  const graceful = await rt.createContainer(sb, containerConfig('echo', ECHO_IMAGE), sbConfig);
  const stubborn = await rt.createContainer(sb, containerConfig('stubborn', PAUSE_IMAGE, { command: ['sh', '-c', 'while :; do sleep 1; done'], env: [] }), sbConfig);
  await rt.startContainer(graceful);
  await rt.startContainer(stubborn);
  const stdout = async () => (await collect(rt.containerLogs(graceful))).map((e) => e.line);
  await eventually(async () => (await stdout()).some((l) => l.includes('listening')), { timeoutMs: 15_000, message: 'echo listening' });

  await rt.stopContainer(graceful, 30);
  t.like(await rt.containerStatus(graceful), { state: 'exited', exitCode: 0, reason: 'Completed' });
  t.true((await stdout()).some((l) => l.includes('SIGTERM')), 'echo saw SIGTERM');

  await rt.stopContainer(stubborn, 1);
  t.like(await rt.containerStatus(stubborn), { state: 'exited', exitCode: 137, reason: 'Error' });
  await rt.stopContainer(stubborn, 1);
  await t.throwsAsync(rt.stopContainer('0123456789ab', 1), { instanceOf: NotFoundError });
});

dtest('logs: tail, since, streams, and follow until the container exits or the caller aborts', async (t) => {
  const lab = await testLab(t, docker);
  const rt = lab.runtime('n1', { podCIDR: lab.podCidr(1) });
  const sbConfig = sandboxConfig('talker');
  const sb = await rt.runPodSandbox(sbConfig);
  const chatty = await rt.createContainer(
    sb,
    // Docker copies stdout and stderr on their own and stamps each line as it reads it, so lines
    // of the two streams written at the same moment have no order: the stderr line comes later.
    containerConfig('chatty', PAUSE_IMAGE, { command: ['sh', '-c', 'for i in 1 2 3 4 5; do echo line$i; done; sleep 0.3; echo oops >&2; exec sleep 3600'] }),
    sbConfig,
  );
  await rt.startContainer(chatty);
  const all = await eventually(async () => {
    const lines = await collect(rt.containerLogs(chatty));
    return lines.length === 6 && lines;
  });
  t.deepEqual(
    all.map((e) => e.line),
    ['line1', 'line2', 'line3', 'line4', 'line5', 'oops'],
  );
  t.is(all[5]!.stream, 'stderr');
  t.true(all.every((e) => Math.abs(e.time - Date.now()) < 60_000), 'times come from Docker timestamps');
  t.deepEqual(
    (await collect(rt.containerLogs(chatty, { tailLines: 2 }))).map((e) => e.line),
    ['line5', 'oops'],
  );
  t.deepEqual(await collect(rt.containerLogs(chatty, { tailLines: 0 })), []);
  t.deepEqual(await collect(rt.containerLogs(chatty, { sinceTime: all[5]!.time + 1 })), []);

  // Follow ends by itself when the container exits.
  const waiter = await rt.createContainer(
    sb,
    containerConfig('waiter', PAUSE_IMAGE, { command: ['sh', '-c', 'echo start; while [ ! -f /tmp/go ]; do sleep 0.1; done; echo end'] }),
    sbConfig,
  );
  await rt.startContainer(waiter);
  const followed: string[] = [];
  const following = (async () => {
    for await (const e of rt.containerLogs(waiter, { follow: true })) followed.push(e.line);
  })();
  await eventually(() => followed.includes('start'), { timeoutMs: 10_000, message: 'the first line while following' });
  await rt.execSync(waiter, ['touch', '/tmp/go']);
  await following;
  t.deepEqual(followed, ['start', 'end']);

  // Follow of a running container ends when the caller aborts, with the lines asked for.
  const ac = new AbortController();
  const tail: string[] = [];
  for await (const e of rt.containerLogs(chatty, { follow: true, tailLines: 1, signal: ac.signal })) {
    tail.push(e.line);
    ac.abort();
  }
  t.deepEqual(tail, ['oops']);
  await t.throwsAsync(collect(rt.containerLogs('0123456789ab')), { instanceOf: NotFoundError });
});

dtest('execSync returns exit code and both streams, and gives up at its timeout', async (t) => {
  const lab = await testLab(t, docker);
  const rt = lab.runtime('n1', { podCIDR: lab.podCidr(1) });
  const sbConfig = sandboxConfig('exec');
  const sb = await rt.runPodSandbox(sbConfig);
  const id = await rt.createContainer(sb, containerConfig('box', PAUSE_IMAGE), sbConfig);
  await rt.startContainer(id);
  t.deepEqual(await rt.execSync(id, ['sh', '-c', 'echo out; echo err >&2; exit 3']), { exitCode: 3, stdout: 'out\n', stderr: 'err\n' });
  await t.throwsAsync(rt.execSync(id, ['sleep', '30'], { timeoutMs: 300 }), { message: /timed out after 300 ms/ });
  await rt.stopContainer(id, 0);
  await t.throwsAsync(rt.execSync(id, ['true']), { message: /not running/ });
});

dtest('a command that cannot start leaves the container exited with reason StartError', async (t) => {
  const lab = await testLab(t, docker);
  const rt = lab.runtime('n1', { podCIDR: lab.podCidr(1) });
  const sbConfig = sandboxConfig('broken');
  const sb = await rt.runPodSandbox(sbConfig);
  const id = await rt.createContainer(sb, containerConfig('broken', PAUSE_IMAGE, { command: ['/no/such/binary'] }), sbConfig);
  await t.throwsAsync(rt.startContainer(id), { message: /no\/such\/binary/ });
  const s = await rt.containerStatus(id);
  t.like(s, { state: 'exited', reason: 'StartError' });
  t.true(s.exitCode! > 0);
  t.regex(s.message!, /no such file or directory/);
  t.deepEqual(
    (await rt.listContainers({ sandboxId: sb })).map((c) => c.state),
    ['exited'],
  );
  t.deepEqual(await rt.listContainers({ sandboxId: sb, state: 'created' }), []);
});

dtest('emptyDir is shared by the containers of a pod and removed with it; hostPath is bind-mounted', async (t) => {
  const lab = await testLab(t, docker);
  const stateDir = lab.tempDir();
  const rt = lab.runtime('n1', { podCIDR: lab.podCidr(1), stateDir });
  const host = join(lab.tempDir(), 'shared');
  mkdirSync(host);
  writeFileSync(join(host, 'from-host'), 'host data\n');
  const sbConfig = sandboxConfig('vols');
  const sb = await rt.runPodSandbox(sbConfig);
  const mounts: DockerContainerConfig['mounts'] = [
    { volume: 'scratch', containerPath: '/scratch', source: { emptyDir: {} } },
    { volume: 'host', containerPath: '/host', readOnly: true, source: { hostPath: { path: host, type: 'Directory' } } },
  ];
  const writer = await rt.createContainer(sb, { ...containerConfig('writer', PAUSE_IMAGE, { command: ['sh', '-c', 'echo written > /scratch/note; exec sleep 3600'] }), mounts }, sbConfig);
  const reader = await rt.createContainer(sb, { ...containerConfig('reader', PAUSE_IMAGE), mounts: [mounts[0]!] }, sbConfig);
  await rt.startContainer(writer);
  await rt.startContainer(reader);
  const note = await eventually(async () => {
    const r = await rt.execSync(reader, ['cat', '/scratch/note']);
    return r.exitCode === 0 && r.stdout;
  });
  t.is(note, 'written\n');
  t.is((await rt.execSync(writer, ['cat', '/host/from-host'])).stdout, 'host data\n');
  const ro = await rt.execSync(writer, ['sh', '-c', 'echo x > /host/new']);
  t.not(ro.exitCode, 0, 'a readOnly hostPath cannot be written');
  const dir = podVolumesDir(stateDir, sbConfig.metadata.uid);
  t.true(existsSync(join(dir, 'scratch', 'note')));
  await t.throwsAsync(
    rt.createContainer(sb, { ...containerConfig('bad', PAUSE_IMAGE), mounts: [{ volume: 'h', containerPath: '/h', source: { hostPath: { path: join(host, 'missing'), type: 'Directory' } } }] }, sbConfig),
    { message: /is not an existing directory/ },
  );
  await rt.stopPodSandbox(sb);
  await rt.removePodSandbox(sb);
  t.false(existsSync(dir), 'the emptyDir went with the pod');
});

dtest('a host-network sandbox has no pod IP and no podCIDR is needed for it', async (t) => {
  const lab = await testLab(t, docker);
  const rt = lab.runtime('n1');
  const sb = await rt.runPodSandbox(sandboxConfig('hostnet', { hostNetwork: true }));
  const s = await rt.podSandboxStatus(sb);
  t.is(s.state, 'ready');
  t.deepEqual(s.ips, []);
  t.is((await docker.getContainer(sb).inspect()).HostConfig.NetworkMode, 'host');
  await t.throwsAsync(rt.runPodSandbox(sandboxConfig('podnet')), { message: /no pod CIDR yet/ });
});
