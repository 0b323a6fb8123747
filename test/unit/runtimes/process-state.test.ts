/** Pure and file-level parts of the process runtime: state records round-trip, image names and Kubernetes' command rules. */
import test from 'ava';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../helpers/tmp.js';
import { repoRoot } from '../../../src/util/paths.js';
import { StateLayout, loadState, readJsonSync, writeJsonAtomic, type ContainerRecord, type ExitRecord, type SandboxRecord, type StartedRecord } from '../../../src/worker/kubelet/runtimes/process/state.js';
import { HOST_IMAGES, ProcessImages, composeCommand, nameRef, normalizeImageName } from '../../../src/worker/kubelet/runtimes/process/images.js';
import { containerEnv, resolveExecutable } from '../../../src/worker/kubelet/runtimes/process/host.js';

function sandbox(id: string): SandboxRecord {
  return { id, metadata: { uid: 'u1', name: 'web', namespace: 'default', attempt: 0 }, hostname: 'web', hostNetwork: false, ip: '127.244.0.2', state: 'ready', createdAt: 1, labels: { app: 'web' }, annotations: {}, portMappings: [] };
}
function container(id: string, sandboxId: string, logFile: string): ContainerRecord {
  return {
    id,
    sandboxId,
    pod: { uid: 'u1', name: 'web', namespace: 'default' },
    metadata: { name: 'c', attempt: 2 },
    image: 'kubelab/echo',
    imageRef: nameRef('kubelab/echo'),
    createdAt: 2,
    labels: {},
    annotations: {},
    command: ['sleep', '1'],
    logFile,
    logOutside: false,
    process: { argv: ['/bin/sleep', '1'], env: { PATH: '/bin' }, cwd: '/tmp' },
  };
}

test('records written atomically load back as they were, with started and exit files', async (t) => {
  const layout = new StateLayout(join(tempDir(t), 'state'));
  t.deepEqual(loadState(layout), { network: {}, sandboxes: [], containers: [], problems: [] }, 'an empty directory is created and empty');
  const sb = sandbox('s1');
  const c = container('c1', 's1', layout.defaultLogFile('c1'));
  const started: StartedRecord = { pid: 10, pgid: 10, shimPid: 9, startedAt: 3, pidStart: '100' };
  const exit: ExitRecord = { exitCode: 137, signal: 'SIGKILL', reason: 'Error', finishedAt: 4 };
  mkdirSync(layout.sandboxDir('s1'), { recursive: true });
  mkdirSync(layout.containerDir('c1'), { recursive: true });
  await writeJsonAtomic(layout.network, { podCIDR: '127.244.0.0/24', lastAllocated: '127.244.0.2' });
  await writeJsonAtomic(layout.sandboxFile('s1'), sb);
  await writeJsonAtomic(layout.containerFile('c1'), c);
  await writeJsonAtomic(layout.startedFile('c1'), started);
  // An interrupted write leaves a temporary file: it is swept, never read.
  writeFileSync(`${layout.exitFile('c1')}.dead.tmp`, '{"exitCode": 0, "rea');
  let state = loadState(layout);
  t.deepEqual(state.network, { podCIDR: '127.244.0.0/24', lastAllocated: '127.244.0.2' });
  t.deepEqual(state.sandboxes, [sb]);
  t.deepEqual(state.containers, [{ record: c, started }]);
  t.deepEqual(state.problems, []);
  t.deepEqual(readdirSync(layout.containerDir('c1')).sort(), ['container.json', 'started.json']);
  await writeJsonAtomic(layout.exitFile('c1'), exit);
  state = loadState(layout);
  t.deepEqual(state.containers, [{ record: c, started, exit }]);
});

test('loadState() skips unreadable records and orphaned containers, and says why', async (t) => {
  const layout = new StateLayout(tempDir(t));
  loadState(layout);
  mkdirSync(layout.sandboxDir('bad'), { recursive: true });
  writeFileSync(layout.sandboxFile('bad'), '{not json');
  mkdirSync(layout.sandboxDir('wrong'), { recursive: true });
  await writeJsonAtomic(layout.sandboxFile('wrong'), { ...sandbox('other-id') });
  mkdirSync(layout.containerDir('orphan'), { recursive: true });
  await writeJsonAtomic(layout.containerFile('orphan'), container('orphan', 'gone', layout.defaultLogFile('orphan')));
  const state = loadState(layout);
  t.deepEqual(state.sandboxes, []);
  t.deepEqual(state.containers, []);
  t.is(state.problems.length, 3);
  t.regex(state.problems.join('\n'), /bad.*not JSON/);
  t.regex(state.problems.join('\n'), /sandbox "wrong".*not a sandbox record/);
  t.regex(state.problems.join('\n'), /container "orphan": its sandbox "gone" is gone/);
  t.is(readJsonSync(join(layout.root, 'missing.json')), undefined);
});

test('normalizeImageName() drops registry, library/, tag and digest, but not a registry port', (t) => {
  t.is(normalizeImageName('kubelab/echo'), 'kubelab/echo');
  t.is(normalizeImageName('kubelab/echo:0.3'), 'kubelab/echo');
  t.is(normalizeImageName('docker.io/kubelab/echo:latest'), 'kubelab/echo');
  t.is(normalizeImageName('docker.io/library/busybox:1.36@sha256:abcd'), 'busybox');
  t.is(normalizeImageName('localhost:5000/echo'), 'localhost:5000/echo');
  t.is(normalizeImageName('localhost:5000/echo:v1'), 'localhost:5000/echo');
});

test('composeCommand() follows Kubernetes: command drops CMD, args alone replace CMD', (t) => {
  const image = { entrypoint: ['node', 'server.mjs'], cmd: ['--port', '80'] };
  t.deepEqual(composeCommand([], [], image), ['node', 'server.mjs', '--port', '80']);
  t.deepEqual(composeCommand([], ['--port', '81'], image), ['node', 'server.mjs', '--port', '81']);
  t.deepEqual(composeCommand(['sh', '-c'], [], image), ['sh', '-c']);
  t.deepEqual(composeCommand(['sh', '-c'], ['echo hi'], image), ['sh', '-c', 'echo hi']);
  t.deepEqual(composeCommand([], ['x'], undefined), ['x']);
});

test('ProcessImages resolves workloads of a directory, with node and repository paths made absolute', async (t) => {
  const repo = tempDir(t);
  mkdirSync(join(repo, 'workloads/app'), { recursive: true });
  mkdirSync(join(repo, 'workloads/docker-only'), { recursive: true });
  writeFileSync(join(repo, 'workloads/app/main.mjs'), 'console.log(1)\n');
  writeFileSync(join(repo, 'workloads/app/process-image.json'), JSON.stringify({ entrypoint: ['node', 'workloads/app/main.mjs'], cmd: ['--flag', 'not/a/file'] }));
  const images = new ProcessImages({ imagesDir: join(repo, 'workloads'), repoRoot: repo, nodePath: '/opt/node' });
  t.deepEqual(await images.names(), ['kubelab/app'], 'the name defaults to kubelab/<dir>; a workload without process-image.json is none');
  const app = await images.find('kubelab/app:1.0');
  t.like(app, { name: 'kubelab/app', entrypoint: ['/opt/node', join(repo, 'workloads/app/main.mjs')], cmd: ['--flag', 'not/a/file'] });
  t.regex(app!.ref, /^sha256:[0-9a-f]{64}$/);
  // The ID covers the files run: editing the workload changes it, as rebuilding an image does.
  writeFileSync(join(repo, 'workloads/app/main.mjs'), 'console.log(2)\n');
  t.not((await images.find('kubelab/app'))!.ref, app!.ref);
  t.is(await images.find('kubelab/nope'), undefined);
  t.like(await images.find('busybox:1.36'), { name: 'busybox', entrypoint: [], cmd: ['sh'], source: 'host' });
  t.true(HOST_IMAGES.includes('alpine'));
});

test('the repository ships the echo process image', async (t) => {
  const images = new ProcessImages({ imagesDir: join(repoRoot, 'workloads'), repoRoot, nodePath: process.execPath });
  const echo = await images.find('kubelab/echo:dev');
  t.deepEqual(echo?.entrypoint, [process.execPath, join(repoRoot, 'workloads/echo/server.mjs')]);
});

test('containerEnv() layers host variables, runtime variables and the container env, the last winning', (t) => {
  const env = containerEnv({ host: { PATH: '/usr/bin', HOME: '/home/x', SECRET_TOKEN: 's', NODE_OPTIONS: '--import tsx' }, hostname: 'web-1', podIP: '127.244.0.5', port: 8080, env: [{ name: 'PORT', value: '9090' }, { name: 'A', value: 'b' }] });
  t.deepEqual(env, { PATH: '/usr/bin', HOME: '/home/x', HOSTNAME: 'web-1', POD_IP: '127.244.0.5', PORT: '9090', A: 'b' });
  t.deepEqual(containerEnv({ host: {}, hostname: 'h', env: [] }), { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOSTNAME: 'h' });
});

test('resolveExecutable() searches PATH for bare names and takes paths with a slash as they are', (t) => {
  t.is(resolveExecutable('sh', { path: '/nonexistent:/bin:/usr/bin', cwd: '/' }), '/bin/sh');
  t.is(resolveExecutable('/bin/sh', { path: '', cwd: '/' }), '/bin/sh');
  t.is(resolveExecutable('no-such-program-kubelab', { path: '/bin:/usr/bin', cwd: '/' }), undefined);
  t.is(resolveExecutable('./sh', { path: '', cwd: '/bin' }), '/bin/sh');
  t.is(resolveExecutable('etc', { path: '/', cwd: '/' }), undefined, 'a directory is not a program');
});
