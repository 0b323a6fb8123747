/** The fake runtime on a FakeClock: start delays, scripted exits, stops, events, logs, IPs. */
import test from 'ava';
import { FakeClock } from '../../../src/util/clock.js';
import { FakeRuntime } from '../../../src/worker/kubelet/runtimes/fake.js';
import { Ipv4Pool, parseCidr } from '../../../src/worker/kubelet/runtimes/ip-pool.js';
import { ImagePullError, NotFoundError, type ContainerConfig, type ContainerEvent, type LogEntry, type PodSandboxConfig } from '../../../src/worker/kubelet/runtime.js';

function sandboxConfig(name: string, uid = `uid-${name}`): PodSandboxConfig {
  return { metadata: { uid, name, namespace: 'default', attempt: 0 }, hostname: name, hostNetwork: false, portMappings: [], labels: {}, annotations: {} };
}
function containerConfig(name: string, attempt = 0): ContainerConfig {
  return { metadata: { name, attempt }, image: 'nginx:1.27', command: [], args: [], env: [], ports: [], resources: {}, labels: {}, annotations: {} };
}
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

async function runOne(rt: FakeRuntime, pod: string, name = 'web') {
  const sc = sandboxConfig(pod);
  const sb = await rt.runPodSandbox(sc);
  const id = await rt.createContainer(sb, containerConfig(name), sc);
  return { sb, id, start: rt.startContainer(id) };
}

test('a container runs only after the start delay, with its start time from the clock', async (t) => {
  const clock = new FakeClock();
  const rt = new FakeRuntime({ clock, startDelayMs: 500 });
  const { id, start } = await runOne(rt, 'p');
  t.is((await rt.containerStatus(id)).state, 'created');
  clock.advance(499);
  await settle();
  t.is((await rt.containerStatus(id)).state, 'created');
  clock.advance(1);
  await start;
  const s = await rt.containerStatus(id);
  t.is(s.state, 'running');
  t.is(s.startedAt, clock.now());
});

test('a scripted container exits with its code after its run time, and says so on the event stream', async (t) => {
  const clock = new FakeClock();
  const rt = new FakeRuntime({ clock });
  rt.script({ pod: 'crash' }, { exitAfterMs: 1000, exitCode: 137, reason: 'OOMKilled' });
  const ac = new AbortController();
  const events: ContainerEvent[] = [];
  const reading = (async () => {
    for await (const e of rt.events(ac.signal)) events.push(e);
  })();
  const { id, start } = await runOne(rt, 'crash');
  await start;
  clock.advance(1000);
  await settle();
  t.like(await rt.containerStatus(id), { state: 'exited', exitCode: 137, reason: 'OOMKilled', finishedAt: clock.now() });
  ac.abort();
  await reading;
  t.deepEqual(events.map((e) => `${e.type} ${e.pod.name}/${e.containerName}`), ['created crash/web', 'started crash/web', 'stopped crash/web']);
});

test('exitContainer crashes running containers that match', async (t) => {
  const rt = new FakeRuntime({ clock: new FakeClock() });
  const a = await runOne(rt, 'a');
  const b = await runOne(rt, 'b');
  await Promise.all([a.start, b.start]);
  t.is(rt.exitContainer({ pod: 'a' }, 2), 1);
  t.like(await rt.containerStatus(a.id), { state: 'exited', exitCode: 2, reason: 'Error' });
  t.is((await rt.containerStatus(b.id)).state, 'running');
  t.is(rt.exitContainer({ pod: 'a' }, 2), 0, 'an exited container does not exit again');
});

test('a container that ignores SIGTERM is killed when the grace period ends', async (t) => {
  const clock = new FakeClock();
  const rt = new FakeRuntime({ clock });
  rt.script({ pod: 'stubborn' }, { ignoreSigterm: true });
  const { id, start } = await runOne(rt, 'stubborn');
  await start;
  let stopped = false;
  const stopping = rt.stopContainer(id, 30).then(() => (stopped = true));
  clock.advance(29_999);
  await settle();
  t.false(stopped);
  clock.advance(1);
  await stopping;
  t.like(await rt.containerStatus(id), { state: 'exited', exitCode: 137 });
  const polite = await runOne(rt, 'polite');
  await polite.start;
  await rt.stopContainer(polite.id, 30);
  t.like(await rt.containerStatus(polite.id), { state: 'exited', exitCode: 0, reason: 'Completed' });
});

test('a start error leaves the container exited with StartError and rejects', async (t) => {
  const rt = new FakeRuntime({ clock: new FakeClock() });
  rt.script({ container: 'web' }, { startError: 'exec: "nope": executable file not found in $PATH' });
  const { id, start } = await runOne(rt, 'p');
  await t.throwsAsync(start, { message: /executable file not found/ });
  t.like(await rt.containerStatus(id), { state: 'exited', exitCode: 128, reason: 'StartError' });
});

test('sandboxes get IPs from the pod CIDR, released when stopped; listing by pod finds what a restarted kubelet adopts', async (t) => {
  const rt = new FakeRuntime({ clock: new FakeClock(), podCIDR: '10.244.3.0/30' });
  const a = await rt.runPodSandbox(sandboxConfig('a'));
  t.deepEqual((await rt.podSandboxStatus(a)).ips, ['10.244.3.2']);
  await t.throwsAsync(rt.runPodSandbox(sandboxConfig('b')), { message: /no free address left in pod CIDR 10.244.3.0\/30/ });
  await rt.stopPodSandbox(a);
  t.deepEqual((await rt.podSandboxStatus(a)).ips, []);
  const b = await rt.runPodSandbox(sandboxConfig('b'));
  t.deepEqual((await rt.podSandboxStatus(b)).ips, ['10.244.3.2']);
  const listed = await rt.listPodSandboxes({ podUid: 'uid-b' });
  t.deepEqual(listed.map((s) => [s.id, s.metadata.name, s.state, s.labels['io.kubernetes.pod.uid']]), [[b, 'b', 'ready', 'uid-b']]);
  await rt.removePodSandbox(b);
  t.deepEqual(await rt.listPodSandboxes({ podUid: 'uid-b' }), []);
  await t.throwsAsync(rt.podSandboxStatus(b), { instanceOf: NotFoundError });
});

test('containers carry the identity a restarted kubelet needs', async (t) => {
  const rt = new FakeRuntime({ clock: new FakeClock() });
  const sc = sandboxConfig('p');
  const sb = await rt.runPodSandbox(sc);
  await rt.createContainer(sb, containerConfig('web', 3), sc);
  const [c] = await rt.listContainers({ podUid: 'uid-p' });
  t.like(c, { sandboxId: sb, pod: { uid: 'uid-p', name: 'p', namespace: 'default' }, metadata: { name: 'web', attempt: 3 }, image: 'nginx:1.27', state: 'created' });
  t.is(c!.labels['io.kubernetes.container.name'], 'web');
});

test('containers keep the labels and annotations of their config (the spec hash among them) in list and status', async (t) => {
  const rt = new FakeRuntime({ clock: new FakeClock() });
  const sc = sandboxConfig('p');
  const sb = await rt.runPodSandbox(sc);
  const id = await rt.createContainer(sb, { ...containerConfig('web'), labels: { app: 'web' }, annotations: { 'io.kubernetes.container.hash': 'abc123' } }, sc);
  const [listed] = await rt.listContainers({ id });
  t.like(listed, { labels: { app: 'web', 'io.kubernetes.container.name': 'web' }, annotations: { 'io.kubernetes.container.hash': 'abc123' } });
  t.deepEqual((await rt.containerStatus(id)).annotations, { 'io.kubernetes.container.hash': 'abc123' });
});

test('pulls fail with the message given, and images are present unless made to fail', async (t) => {
  const rt = new FakeRuntime({ clock: new FakeClock() });
  t.truthy(await rt.imageStatus('nginx:1.27'));
  rt.failImage('ghost:1', 'manifest unknown');
  t.is(await rt.imageStatus('ghost:1'), undefined);
  const err = await t.throwsAsync(rt.pullImage('ghost:1'), { instanceOf: ImagePullError });
  t.is(err!.message, 'manifest unknown');
  rt.failImage('ghost:1', undefined);
  t.regex(await rt.pullImage('ghost:1'), /^sha256:[0-9a-f]{64}$/);
  t.truthy(await rt.imageStatus('ghost:1'));
});

test('logs are a few generated lines, with tail, and follow until the container exits', async (t) => {
  const clock = new FakeClock();
  const rt = new FakeRuntime({ clock });
  const { id, start } = await runOne(rt, 'p');
  await start;
  const collect = async (it: AsyncIterable<LogEntry>) => {
    const out: string[] = [];
    for await (const e of it) out.push(`${e.stream}: ${e.line}`);
    return out;
  };
  t.deepEqual(await collect(rt.containerLogs(id)), ['stdout: fake: starting container web of pod default/p (image nginx:1.27, attempt 0)', 'stdout: fake: web is running']);
  t.deepEqual(await collect(rt.containerLogs(id, { tailLines: 1 })), ['stdout: fake: web is running']);
  const following = collect(rt.containerLogs(id, { follow: true, tailLines: 0 }));
  clock.advance(10);
  rt.exitContainer(id, 1);
  t.deepEqual(await following, ['stderr: fake: web exited with code 1']);
});

test('the runtime reports itself and can be made not ready', async (t) => {
  const rt = new FakeRuntime({ clock: new FakeClock() });
  t.deepEqual(await rt.version(), { runtimeName: 'fake', runtimeVersion: '0.1.0', runtimeApiVersion: 'v1' });
  rt.setCondition('RuntimeReady', false, 'Down', 'gone');
  t.deepEqual((await rt.status())[0], { type: 'RuntimeReady', status: false, reason: 'Down', message: 'gone' });
  await t.throwsAsync(rt.runPodSandbox(sandboxConfig('p')), { message: /the fake runtime is down: gone/ });
});

test('Ipv4Pool skips network, gateway and broadcast, and goes round the range', (t) => {
  t.deepEqual(parseCidr('10.244.1.77/24'), { base: (10 << 24 >>> 0) + (244 << 16) + (1 << 8), size: 256, prefix: 24 });
  const pool = new Ipv4Pool('10.0.0.0/29');
  t.is(pool.capacity, 5);
  const got = [pool.allocate(), pool.allocate()];
  t.deepEqual(got, ['10.0.0.2', '10.0.0.3']);
  pool.release('10.0.0.2');
  t.is(pool.allocate(), '10.0.0.4', 'a released address is not reused at once');
  t.throws(() => new Ipv4Pool('10.0.0.0/33'), { instanceOf: TypeError });
});
