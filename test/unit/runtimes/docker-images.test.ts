/** Lab image recipes and offline root filesystems: ldd parsing, content hashes, Dockerfiles, import changes; volume binds. */
import test from 'ava';
import { existsSync, lstatSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { splitRef } from '../../../src/worker/images/build.js';
import { dockerfileOf, importChangesOf, labImageRef, recipeOf } from '../../../src/worker/images/recipes.js';
import { assembleRootfs, parseLdd } from '../../../src/worker/images/rootfs.js';
import { bindsFor, podVolumesDir, removePodVolumes } from '../../../src/worker/kubelet/runtimes/docker/mounts.js';
import { tempDir } from '../../helpers/tmp.js';

test('parseLdd() finds libraries and the interpreter, not the vdso', (t) => {
  const out = `\tlinux-vdso.so.1 (0x00007ffd)\n\tlibdl.so.2 => /lib/x86_64-linux-gnu/libdl.so.2 (0x00007f01)\n\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f02)\n\t/lib64/ld-linux-x86-64.so.2 (0x00007f03)\n`;
  t.deepEqual(parseLdd(out), ['/lib/x86_64-linux-gnu/libdl.so.2', '/lib/x86_64-linux-gnu/libc.so.6', '/lib64/ld-linux-x86-64.so.2']);
  t.deepEqual(parseLdd('\tnot a dynamic executable\n'), []);
});

test('a recipe hash changes with its files and not with the host binaries', async (t) => {
  const dir = tempDir(t);
  const server = join(dir, 'server.mjs');
  writeFileSync(server, 'console.log(1)\n');
  const a = await recipeOf('echo', { echoServerPath: server, nodePath: '/usr/bin/node' });
  const b = await recipeOf('echo', { echoServerPath: server, nodePath: '/opt/other/node' });
  t.is(a.contentHash, b.contentHash);
  writeFileSync(server, 'console.log(2)\n');
  t.not((await recipeOf('echo', { echoServerPath: server })).contentHash, a.contentHash);
  t.not((await recipeOf('pause')).contentHash, a.contentHash);
  await t.throwsAsync(recipeOf('echo', { echoServerPath: join(dir, 'missing.mjs') }), { message: /cannot read/ });
});

test('both build paths get the same command, environment and files', async (t) => {
  const r = await recipeOf('pause');
  t.is(dockerfileOf(r), 'FROM busybox:1.36.1\nCOPY files/pause /pause\nENV PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"\nCMD ["/pause"]\n');
  t.deepEqual(importChangesOf(r, { 'io.kubelab.content-hash': 'h' }), ['ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'CMD ["/pause"]', 'LABEL io.kubelab.content-hash="h"']);
  t.is(labImageRef('echo', '9.9'), 'kubelab/echo:9.9');
  t.deepEqual(splitRef('kubelab/pause:0.1.0'), ['kubelab/pause', '0.1.0']);
  t.deepEqual(splitRef('localhost:5000/pause'), ['localhost:5000/pause', 'latest']);
});

// Assembling needs Debian's busybox-static on the host, as the offline build does.
const busybox = '/bin/busybox';
(existsSync(busybox) ? test : test.skip)('assembleRootfs() lays out busybox with applet links, binaries with their libraries, and the files', async (t) => {
  const dir = tempDir(t);
  const r = await recipeOf('pause');
  // A small dynamic executable stands for node: the same ldd path, without copying 100 MB.
  const exe = '/bin/ls';
  const written = await assembleRootfs(dir, { binaries: [exe], files: r.files, busybox });
  t.true(written.includes('/pause'));
  t.is(statSync(join(dir, 'pause')).mode & 0o777, 0o755);
  t.is(readFileSync(join(dir, 'pause'), 'utf8'), r.files[0]!.content.toString());
  t.true(lstatSync(join(dir, 'bin/sh')).isSymbolicLink());
  t.is(readlinkSync(join(dir, 'bin/sh')), '/bin/busybox');
  t.true(statSync(join(dir, exe)).isFile(), 'the binary is at its host path');
  t.true(written.some((p) => /\/libc\.so/.test(p)), 'with the C library ldd lists');
  t.true(written.some((p) => /ld-linux/.test(p)), 'and the ELF interpreter');
  t.is(statSync(join(dir, 'tmp')).mode & 0o7777, 0o1777);
  t.regex(readFileSync(join(dir, 'etc/passwd'), 'utf8'), /^root:x:0:0:/);
});

test('bindsFor() makes emptyDir directories per pod and checks hostPath types', async (t) => {
  const state = tempDir(t);
  const host = tempDir(t);
  writeFileSync(join(host, 'f'), 'x');
  const binds = await bindsFor(
    [
      { volume: 'cache', containerPath: '/cache', source: { emptyDir: {} } },
      { volume: 'conf', containerPath: '/etc/conf', readOnly: true, source: { hostPath: { path: join(host, 'f'), type: 'File' } } },
      { volume: 'made', containerPath: '/made', source: { hostPath: { path: join(host, 'new/dir'), type: 'DirectoryOrCreate' } } },
      { volume: 'touched', containerPath: '/t', source: { hostPath: { path: join(host, 'created.txt'), type: 'FileOrCreate' } } },
    ],
    state,
    'uid-1',
  );
  t.deepEqual(binds, [`${join(podVolumesDir(state, 'uid-1'), 'cache')}:/cache`, `${join(host, 'f')}:/etc/conf:ro`, `${join(host, 'new/dir')}:/made`, `${join(host, 'created.txt')}:/t`]);
  t.true(statSync(join(podVolumesDir(state, 'uid-1'), 'cache')).isDirectory());
  t.true(statSync(join(host, 'new/dir')).isDirectory());
  t.true(statSync(join(host, 'created.txt')).isFile());
  await t.throwsAsync(bindsFor([{ volume: 'x', containerPath: '/x', source: { hostPath: { path: join(host, 'f'), type: 'Directory' } } }], state, 'u'), { message: /is not an existing directory/ });
  await t.throwsAsync(bindsFor([{ volume: 'x', containerPath: 'rel', source: { emptyDir: {} } }], state, 'u'), { instanceOf: TypeError });
  await t.throwsAsync(bindsFor([{ volume: '../up', containerPath: '/x', source: { emptyDir: {} } }], state, 'u'), { instanceOf: TypeError });
  await removePodVolumes(state, 'uid-1');
  t.false(existsSync(podVolumesDir(state, 'uid-1')));
});
