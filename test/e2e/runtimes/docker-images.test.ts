/**
 * Images against a real daemon: a pull that cannot succeed fails with ImagePullError and Docker's
 * message; the lab images build from nothing (under a throwaway tag, removed afterwards), are left
 * alone when current, build FROM a local base through `docker build`, and travel into a container
 * as a `docker save` archive. Skips, saying why, when no Docker daemon answers.
 */
import test from 'ava';
import type Docker from 'dockerode';
import { readdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { ImagePullError } from '../../../src/worker/kubelet/runtime.js';
import { ensureLabImages, loadImagesIntoContainer, loadImagesIntoDaemon, saveImages } from '../../../src/worker/images/index.js';
import { buildFromBase, inspectImage } from '../../../src/worker/images/build.js';
import { CONTENT_HASH_LABEL, labImageRef, recipeOf } from '../../../src/worker/images/recipes.js';
import { readAll } from '../../../src/worker/kubelet/runtimes/docker/docker-api.js';
import { LAB_LABEL } from '../../../src/worker/kubelet/runtimes/docker/labels.js';
import { DockerLogDecoder } from '../../../src/worker/kubelet/runtimes/docker/logs.js';
import { PAUSE_IMAGE, labImages, probeDocker, removeLab, testLab } from './docker-helpers.js';
import { nullLogger } from '../../../src/util/log.js';

const probe = await probeDocker();
const dtest = 'docker' in probe ? test.serial : test.skip;
if (!('docker' in probe)) console.log(`docker images e2e skipped: ${probe.reason}`);
const docker = 'docker' in probe ? probe.docker : undefined!;

/** Removes image tags when the test ends, pass or fail. */
function removeTagsAfter(t: { teardown(fn: () => Promise<void>): void }, d: Docker, refs: string[]): void {
  t.teardown(async () => {
    for (const ref of refs) await d.getImage(ref).remove({ force: true }).catch(() => undefined);
  });
}

dtest('pulling an image no registry has fails with ImagePullError carrying Docker\'s message', async (t) => {
  const lab = await testLab(t, docker);
  const rt = lab.runtime('n1');
  const image = `kubelab/no-such-image-${randomBytes(3).toString('hex')}:1`;
  const err = await t.throwsAsync(rt.pullImage(image), { instanceOf: ImagePullError });
  t.is(err!.image, image);
  t.truthy(err!.message);
  t.notRegex(err!.message, /^\(HTTP code/, "the daemon's own words, not dockerode's wrapper");
  t.is(await rt.imageStatus(image), undefined);
});

dtest('the lab images build from nothing, then are left alone while current', async (t) => {
  const version = `e2e-${randomBytes(3).toString('hex')}`;
  const refs = [labImageRef('pause', version), labImageRef('echo', version)];
  removeTagsAfter(t, docker, refs);
  const lab = await testLab(t, docker);
  const tmpDir = lab.tempDir();
  for (const ref of refs) t.is(await inspectImage(docker, ref), undefined, `${ref} does not exist before`);

  const built = await ensureLabImages(docker, { version, tmpDir });
  t.deepEqual(
    built.map((r) => r.ref),
    refs,
  );
  for (const r of built) {
    t.not(r.action, 'present');
    t.log(`${r.ref}: ${r.action}, ${(r.sizeBytes / 1e6).toFixed(1)} MB, ${(r.durationMs / 1000).toFixed(1)} s`);
  }
  t.deepEqual(readdirSync(tmpDir), [], 'build directories are removed');

  // The echo image runs the echo server with the host's node; the pause image exits on SIGTERM.
  const run = await docker.createContainer({ Image: refs[1], Cmd: ['node', '-e', 'console.log(process.version)'], Labels: { [LAB_LABEL]: lab.lab } });
  await run.start();
  await run.wait();
  const out = new DockerLogDecoder().push(await readAll((await run.logs({ stdout: true, follow: true })) as NodeJS.ReadableStream));
  t.deepEqual(
    out.map((e) => e.line),
    [process.version],
  );
  const pause = await docker.createContainer({ Image: refs[0], Labels: { [LAB_LABEL]: lab.lab } });
  await pause.start();
  await pause.stop({ t: 30 });
  t.is((await pause.inspect()).State.ExitCode, 0, 'pause exits 0 on SIGTERM');

  // The containers go first, so the stale image a forced rebuild replaces can be removed with them gone.
  await removeLab(docker, lab.lab);
  const again = await ensureLabImages(docker, { version, tmpDir });
  t.deepEqual(
    again.map((r) => [r.action, r.imageId]),
    built.map((r) => ['present', r.imageId]),
  );
  const forced = await ensureLabImages(docker, { version, tmpDir, images: ['pause'], force: true, pull: 'never' });
  t.is(forced[0]!.action, 'offline');
  t.is((await inspectImage(docker, refs[0]!))!.labels[CONTENT_HASH_LABEL], (await recipeOf('pause')).contentHash);
  t.not(forced[0]!.imageId, built[0]!.imageId);
  t.is(await inspectImage(docker, built[0]!.imageId), undefined, 'the replaced image is removed, not left dangling');
});

dtest('the registry path builds FROM a base the daemon has, with docker build', async (t) => {
  await labImages(docker);
  const ref = `kubelab/pause-from-base:e2e-${randomBytes(3).toString('hex')}`;
  removeTagsAfter(t, docker, [ref]);
  const lab = await testLab(t, docker);
  const recipe = { ...(await recipeOf('pause')), base: PAUSE_IMAGE };
  await buildFromBase({ docker, log: nullLogger, tmpDir: lab.tempDir() }, recipe, ref);
  const image = await inspectImage(docker, ref);
  t.is(image?.labels[CONTENT_HASH_LABEL], recipe.contentHash);
  t.is(image?.labels['io.kubelab.build'], 'base');
  await t.throwsAsync(buildFromBase({ docker, log: nullLogger }, { ...recipe, base: `kubelab/no-such-base-${randomBytes(3).toString('hex')}:1` }, ref), {
    message: /Cannot pull base image/,
  });
});

dtest('images travel as a docker save archive into a container and into a daemon', async (t) => {
  await labImages(docker);
  const lab = await testLab(t, docker);
  const archive = await readAll(await saveImages(docker, [PAUSE_IMAGE]));
  t.true(archive.length > 1_000_000, 'the archive holds the image');
  // A node container would run `docker load`; counting the bytes it receives proves the stream.
  const node = await docker.createContainer({ Image: PAUSE_IMAGE, Labels: { [LAB_LABEL]: lab.lab } });
  await node.start();
  const loaded = await loadImagesIntoContainer(docker, node.id, [PAUSE_IMAGE], { command: ['wc', '-c'] });
  t.is(Number(loaded.output.trim()), archive.length);
  await t.throwsAsync(loadImagesIntoContainer(docker, node.id, [PAUSE_IMAGE], { command: ['sh', '-c', 'cat >/dev/null; echo no daemon here >&2; exit 1'] }), {
    message: /exited with 1: no daemon here/,
  });
  await loadImagesIntoDaemon(docker, docker, [PAUSE_IMAGE]);
  t.truthy(await inspectImage(docker, PAUSE_IMAGE));
});
