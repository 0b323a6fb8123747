/**
 * The two ways a lab image is built. Registry path: pull the recipe's public base and
 * `docker build` the recipe's files onto it. Offline path: assemble a root filesystem from the
 * host (rootfs.ts) and `tar | docker import` it with the recipe's CMD, ENV and labels as import
 * changes. Both label the image with the recipe's content hash, which is how a later run knows
 * that the tag is already current. Temporary directories are removed even when a build fails.
 */
import type Docker from 'dockerode';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Logger } from '../../util/log.js';
import { dockerMessage, followProgress, isDockerNotFound } from '../kubelet/runtimes/docker/docker-api.js';
import { assembleRootfs, tarDirectory } from './rootfs.js';
import { BUILD_METHOD_LABEL, CONTENT_HASH_LABEL, IMAGE_NAME_LABEL, contextPathOf, dockerfileOf, importChangesOf, type ImageRecipe } from './recipes.js';

/** Prefix of the temporary directories builds make (tests look for leftovers by it). */
export const BUILD_TMP_PREFIX = 'kubelab-image-';

/** An image as the daemon has it. */
export interface PresentImage {
  id: string;
  sizeBytes: number;
  labels: Record<string, string>;
}

/** The image tagged ref, or undefined when the daemon has none. */
export async function inspectImage(docker: Docker, ref: string): Promise<PresentImage | undefined> {
  try {
    const info = await docker.getImage(ref).inspect();
    return { id: info.Id, sizeBytes: info.Size, labels: info.Config?.Labels ?? {} };
  } catch (err) {
    if (isDockerNotFound(err)) return undefined;
    throw new Error(`Cannot inspect image "${ref}": ${dockerMessage(err)}`, { cause: err });
  }
}

/** What every build needs. */
export interface BuildContext {
  docker: Docker;
  log: Logger;
  /** Parent of the temporary build directories (default the OS temp dir). */
  tmpDir?: string;
  /** The busybox executable for offline builds (default /bin/busybox). */
  busybox?: string;
}

/** The labels a lab image carries. */
export function labelsOf(r: ImageRecipe, method: 'base' | 'offline'): Record<string, string> {
  return { [IMAGE_NAME_LABEL]: r.name, [CONTENT_HASH_LABEL]: r.contentHash, [BUILD_METHOD_LABEL]: method };
}

async function withTempDir<T>(ctx: BuildContext, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(ctx.tmpDir ?? tmpdir(), BUILD_TMP_PREFIX));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Pulls the recipe's base unless present, then builds ref on it. Throws when the base can be
 * neither found nor pulled (the caller then falls back to the offline path) or the build fails.
 */
export async function buildFromBase(ctx: BuildContext, r: ImageRecipe, ref: string, o: { pullTimeoutMs?: number } = {}): Promise<void> {
  const { docker, log } = ctx;
  if (!(await inspectImage(docker, r.base))) {
    log.v(1).info('pulling base image', { image: r.base });
    try {
      const pull = docker.pull as unknown as (this: Docker, ref: string, o: { abortSignal: AbortSignal }) => Promise<NodeJS.ReadableStream>;
      await followProgress(docker, await pull.call(docker, r.base, { abortSignal: AbortSignal.timeout(o.pullTimeoutMs ?? 300_000) }));
    } catch (err) {
      throw new Error(`Cannot pull base image "${r.base}": ${dockerMessage(err)}`, { cause: err });
    }
  }
  await withTempDir(ctx, async (dir) => {
    await writeFile(join(dir, 'Dockerfile'), dockerfileOf(r));
    for (const f of r.files) {
      const target = join(dir, contextPathOf(f));
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, f.content, { mode: f.mode });
    }
    const tar = tarDirectory(dir);
    try {
      const stream = await docker.buildImage(tar.stream, { t: ref, labels: labelsOf(r, 'base'), rm: true, forcerm: true });
      await followProgress(docker, stream, (m) => {
        if (typeof m.stream === 'string' && m.stream.trim()) log.v(2).info('build', { image: ref, line: m.stream.trim() });
      });
      await tar.done;
    } catch (err) {
      throw new Error(`Cannot build image "${ref}" from "${r.base}": ${dockerMessage(err)}`, { cause: err });
    }
  });
}

/** Builds ref from a root filesystem assembled from the host and imported. */
export async function buildOffline(ctx: BuildContext, r: ImageRecipe, ref: string): Promise<void> {
  const { docker, log } = ctx;
  await withTempDir(ctx, async (dir) => {
    const rootfs = join(dir, 'rootfs');
    await mkdir(rootfs);
    const written = await assembleRootfs(rootfs, { binaries: r.hostBinaries, files: r.files, ...(ctx.busybox ? { busybox: ctx.busybox } : {}) });
    log.v(1).info('assembled root filesystem', { image: ref, files: written.length });
    const [repo, tag] = splitRef(ref);
    const tar = tarDirectory(rootfs);
    try {
      const stream = await docker.importImage(tar.stream, { repo, tag, changes: importChangesOf(r, labelsOf(r, 'offline')) });
      await followProgress(docker, stream);
      await tar.done;
    } catch (err) {
      throw new Error(`Cannot import image "${ref}": ${dockerMessage(err)}`, { cause: err });
    }
  });
}

/** "kubelab/pause:0.1.0" -> ["kubelab/pause", "0.1.0"]; a ref without a tag gets "latest". */
export function splitRef(ref: string): [string, string] {
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  return colon > slash ? [ref.slice(0, colon), ref.slice(colon + 1)] : [ref, 'latest'];
}
