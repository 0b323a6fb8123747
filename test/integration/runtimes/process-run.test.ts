/**
 * The process runtime with real processes (no root needed): pods on their own loopback IPs, exit
 * codes as Docker reports them, stop with SIGTERM then SIGKILL, start and pull errors, limits.
 */
import test from 'ava';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImagePullError, NotFoundError } from '../../../src/worker/kubelet/runtime.js';
import { CPU_LIMIT_ANNOTATION, MEMORY_LIMIT_ANNOTATION } from '../../../src/worker/kubelet/runtimes/process/index.js';
import { inRange } from '../../../src/worker/kubelet/runtimes/process/ip-alloc.js';
import { findPrlimit } from '../../../src/worker/kubelet/runtimes/process/host.js';
import { eventually } from '../../helpers/eventually.js';
import { containerConfig, echoConfig, freePort, httpGet, httpGetEventually, processLab, recordEvents, runContainer, sandboxConfig } from './process-harness.js';

/** Processes of group pgid that still run; zombies waiting for init to reap them count as dead. */
function liveMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') out.push(Number(name));
    } catch {
      // exited while we looked
    }
  }
  return out;
}

test('echo containers of two pods answer on their own pod IPs, on the same PORT', async (t) => {
  const lab = processLab(t);
  const r = lab.runtime();
  const port = await freePort();
  const a = await runContainer(r, 'web-a', echoConfig('echo', port, { env: [{ name: 'NODE_NAME', value: 'w1' }] }));
  const b = await runContainer(r, 'web-b', echoConfig('echo', port));
  t.truthy(a.ip);
  t.truthy(b.ip);
  t.not(a.ip, b.ip);
  t.true(inRange(lab.podCIDR, a.ip!) && inRange(lab.podCIDR, b.ip!));
  const answerA = await httpGetEventually(`http://${a.ip}:${port}/hello`);
  t.is(answerA.status, 200);
  t.like(JSON.parse(answerA.body), { pod: 'web-a', ip: a.ip, node: 'w1', path: '/hello' });
  t.like(JSON.parse((await httpGetEventually(`http://${b.ip}:${port}/`)).body), { pod: 'web-b', ip: b.ip });
  const status = await r.containerStatus(a.id);
  t.like(status, { state: 'running', image: 'kubelab/echo:test', pod: { uid: 'uid-web-a', name: 'web-a', namespace: 'default' }, metadata: { name: 'echo', attempt: 0 } });
  t.regex(status.imageRef, /^sha256:[0-9a-f]{64}$/);
  t.is(typeof status.startedAt, 'number');
  t.deepEqual((await r.listContainers({ podUid: 'uid-web-b' })).map((c) => c.id), [b.id]);
  // Readiness can be failed per replica, for demos of readiness gating.
  t.is((await httpGet(`http://${a.ip}:${port}/fail-readiness`, 'POST')).status, 200);
  t.is((await httpGet(`http://${a.ip}:${port}/readyz`)).status, 503);
  t.is((await httpGet(`http://${b.ip}:${port}/readyz`)).status, 200);
  t.is((await httpGet(`http://${a.ip}:${port}/healthz`)).status, 200);
});

test('stopContainer sends SIGTERM: echo finishes and exits 0; stopping the sandbox reclaims its IP', async (t) => {
  const lab = processLab(t);
  const r = lab.runtime();
  const ev = recordEvents(t, r);
  const port = await freePort();
  const { sandboxId, id, ip } = await runContainer(r, 'web', echoConfig('echo', port));
  await httpGetEventually(`http://${ip}:${port}/`);
  const inFlight = httpGet(`http://${ip}:${port}/slow?delay=400`);
  await eventually(async () => {
    for await (const e of r.containerLogs(id)) if (e.line === 'GET /slow?delay=400 waiting 400 ms') return true;
    return false;
  }, { message: 'the slow request reached the server' });
  await r.stopContainer(id, 10);
  t.is((await inFlight).status, 200, 'the in-flight request was answered before the exit');
  t.like(await r.containerStatus(id), { state: 'exited', exitCode: 0, reason: 'Completed' });
  await ev.waitFor((e) => e.type === 'stopped' && e.containerId === id, 'stopped event');
  const lines = [];
  for await (const e of r.containerLogs(id)) lines.push(e.line);
  t.true(lines.includes('echo: SIGTERM: finishing in-flight requests'), lines.join('\n'));
  await r.stopPodSandbox(sandboxId);
  t.like(await r.podSandboxStatus(sandboxId), { state: 'notready', ips: [] });
  const next = await r.runPodSandbox(sandboxConfig('web-2'));
  t.not((await r.podSandboxStatus(next)).ips[0], ip, 'next-fit: a just-released address is not reused at once');
  await r.removePodSandbox(sandboxId);
  await t.throwsAsync(r.podSandboxStatus(sandboxId), { instanceOf: NotFoundError });
  await t.throwsAsync(r.containerStatus(id), { instanceOf: NotFoundError });
  t.false(existsSync(join(lab.stateDir, 'containers', id)));
  t.false(existsSync(join(lab.stateDir, 'sandboxes', sandboxId)));
  await ev.waitFor((e) => e.type === 'deleted' && e.containerId === id, 'deleted event');
});

test('a process that ignores SIGTERM is killed with its group after the timeout: 137, Error', async (t) => {
  const lab = processLab(t);
  const r = lab.runtime();
  const { id } = await runContainer(r, 'stubborn', containerConfig('c', { command: ['sh', '-c', "trap '' TERM; sleep 60 & echo trapped; wait"] }));
  // Wait until the trap is set, or SIGTERM would come before it and end the shell at once.
  await eventually(async () => {
    for await (const e of r.containerLogs(id)) if (e.line === 'trapped') return true;
    return false;
  });
  const { pgid } = r.processInfo(id)!;
  t.is(liveMembers(pgid).length, 2, 'the shell and its sleep');
  await r.stopContainer(id, 1);
  t.like(await r.containerStatus(id), { state: 'exited', exitCode: 137, reason: 'Error' });
  // SIGKILL is delivered asynchronously; the orphaned sleep's zombie is init's to reap.
  await eventually(() => liveMembers(pgid).length === 0, { message: 'the sleep child dies with the shell' });
});

test('kill -9 of the container process gives a stopped event with exit code 137 and reason Error', async (t) => {
  const lab = processLab(t);
  const r = lab.runtime();
  const ev = recordEvents(t, r);
  const { id } = await runContainer(r, 'victim', containerConfig('c', { command: ['sleep', '60'] }));
  await ev.waitFor((e) => e.type === 'started' && e.containerId === id, 'started event');
  process.kill(r.processInfo(id)!.pid, 'SIGKILL');
  const stopped = await ev.waitFor((e) => e.type === 'stopped' && e.containerId === id, 'stopped event');
  t.like(stopped, { sandboxId: (await r.containerStatus(id)).sandboxId, containerName: 'c', pod: { name: 'victim' } });
  t.like(await r.containerStatus(id), { state: 'exited', exitCode: 137, reason: 'Error' });
});

test('exit codes as Docker reports them: 0 is Completed, others Error', async (t) => {
  const lab = processLab(t);
  const r = lab.runtime();
  const ev = recordEvents(t, r);
  const sc = sandboxConfig('job');
  const sb = await r.runPodSandbox(sc);
  const ok = await r.createContainer(sb, containerConfig('ok', { command: ['true'] }), sc);
  const bad = await r.createContainer(sb, containerConfig('bad', { command: ['sh', '-c'], args: ['exit 3'] }), sc);
  await r.startContainer(ok);
  await r.startContainer(bad);
  await ev.waitFor((e) => e.type === 'stopped' && e.containerId === ok, 'ok stopped');
  await ev.waitFor((e) => e.type === 'stopped' && e.containerId === bad, 'bad stopped');
  t.like(await r.containerStatus(ok), { state: 'exited', exitCode: 0, reason: 'Completed' });
  t.like(await r.containerStatus(bad), { state: 'exited', exitCode: 3, reason: 'Error' });
  // Each container's events come in order: created, started, stopped.
  t.deepEqual(ev.events.filter((e) => e.containerId === bad).map((e) => e.type), ['created', 'started', 'stopped']);
  t.deepEqual(await r.listContainers({ state: 'running' }), []);
});

test('a command that cannot be found: startContainer throws and the container exits with StartError', async (t) => {
  const lab = processLab(t);
  const r = lab.runtime();
  const ev = recordEvents(t, r);
  const sc = sandboxConfig('broken');
  const sb = await r.runPodSandbox(sc);
  const id = await r.createContainer(sb, containerConfig('c', { command: ['kubelab-no-such-command', '--x'] }), sc);
  await t.throwsAsync(r.startContainer(id), { message: /failed to start container "c": .*exec: "kubelab-no-such-command": executable file not found in \$PATH/ });
  const s = await r.containerStatus(id);
  t.like(s, { state: 'exited', exitCode: 128, reason: 'StartError' });
  t.regex(s.message ?? '', /executable file not found/);
  await ev.waitFor((e) => e.type === 'stopped' && e.containerId === id, 'stopped event');
  t.is(r.processInfo(id), undefined, 'nothing was started');
});

test('images: unknown ones fail pullImage with ImagePullError naming the known ones; a command runs whatever the image', async (t) => {
  const lab = processLab(t);
  const r = lab.runtime();
  const err = await t.throwsAsync(r.pullImage('nginx:1.27'), { instanceOf: ImagePullError });
  t.is(err?.image, 'nginx:1.27');
  t.regex(err?.message ?? '', /"nginx:1\.27" not found.*kubelab\/echo.*busybox/);
  t.is(await r.imageStatus('nginx:1.27'), undefined);
  const echoRef = await r.pullImage('kubelab/echo:v1');
  t.deepEqual(await r.imageStatus('kubelab/echo'), { ref: echoRef, sizeBytes: (await r.imageStatus('kubelab/echo:other'))!.sizeBytes });
  t.regex(await r.pullImage('busybox:1.36'), /^sha256:/);
  const sc = sandboxConfig('p');
  const sb = await r.runPodSandbox(sc);
  await t.throwsAsync(r.createContainer(sb, containerConfig('c', { image: 'nginx:1.27' }), sc), { message: /image "nginx:1\.27" is not a process image and the container has no command/ });
  const id = await r.createContainer(sb, containerConfig('c', { image: 'nginx:1.27', command: ['true'] }), sc);
  t.like(await r.containerStatus(id), { state: 'created', image: 'nginx:1.27' });
});

test('memory limits are set with prlimit --data and CPU limits are reported as not enforced', async (t) => {
  const prlimit = findPrlimit();
  if (!prlimit) {
    t.log('prlimit not found (not Linux, or util-linux missing): this test cannot run here');
    t.pass();
    return;
  }
  const lab = processLab(t);
  const lines: string[] = [];
  const r = lab.runtime({ log: { v: () => ({ info: (m: string) => lines.push(m) }), info: (m: string) => lines.push(m), error: () => {}, child() { return this; } } });
  const { id } = await runContainer(r, 'limited', containerConfig('c', { command: ['sleep', '60'], resources: { memoryBytes: 64 * 1024 * 1024, cpuMillis: 500 } }));
  const limits = readFileSync(`/proc/${r.processInfo(id)!.pid}/limits`, 'utf8');
  t.regex(limits, new RegExp(`Max data size\\s+${64 * 1024 * 1024}\\s+${64 * 1024 * 1024}\\s+bytes`));
  const record = JSON.parse(readFileSync(`${lab.stateDir}/containers/${id}/container.json`, 'utf8')) as { annotations: Record<string, string> };
  t.regex(record.annotations[MEMORY_LIMIT_ANNOTATION] ?? '', /RLIMIT_DATA=67108864/);
  t.regex(record.annotations[CPU_LIMIT_ANNOTATION] ?? '', /not enforced/);
  t.true(lines.some((l) => /cpu limit not enforced/.test(l)));
});

test('NetworkReady is false until a pod CIDR is handed down; hostNetwork pods run without one', async (t) => {
  const lab = processLab(t);
  const r = lab.runtime({ podCIDR: undefined });
  t.like((await r.status())[1], { type: 'NetworkReady', status: false, reason: 'NoPodCIDR' });
  await t.throwsAsync(r.runPodSandbox(sandboxConfig('p')), { message: /no pod CIDR yet/ });
  const host = await r.runPodSandbox(sandboxConfig('h', { hostNetwork: true }));
  t.deepEqual((await r.podSandboxStatus(host)).ips, []);
  await r.updateRuntimeConfig({ podCIDR: lab.podCIDR });
  t.deepEqual(await r.status(), [
    { type: 'RuntimeReady', status: true },
    { type: 'NetworkReady', status: true },
  ]);
  t.true(inRange(lab.podCIDR, (await r.podSandboxStatus(await r.runPodSandbox(sandboxConfig('p')))).ips[0]!));
  t.like(await r.version(), { runtimeName: 'process', runtimeApiVersion: 'v1' });
});
