/**
 * The lab's own images, built where they are needed, registry or not (kind builds its node image
 * the same way: from a base when it can, and the lab must also work on machines that reach no
 * registry). ensureLabImages makes sure kubelab/pause and kubelab/echo exist at this tree's
 * version: a tag whose content-hash label matches its recipe is left alone, otherwise the image
 * is built FROM a public base when that can be pulled, or else from host files and `docker import`.
 * transfer.ts moves the result into other daemons (Docker-in-Docker nodes).
 */
import type Docker from 'dockerode';
import { nullLogger, type Logger } from '../../util/log.js';
import { buildFromBase, buildOffline, inspectImage, type BuildContext } from './build.js';
import { CONTENT_HASH_LABEL, LAB_IMAGE_NAMES, LAB_IMAGE_VERSION, labImageRef, recipeOf, type LabImageName } from './recipes.js';

export { LAB_IMAGE_NAMES, LAB_IMAGE_VERSION, labImageRef, recipeOf, type LabImageName } from './recipes.js';
export { loadImagesIntoContainer, loadImagesIntoDaemon, saveImages } from './transfer.js';
export { BUILD_TMP_PREFIX, inspectImage } from './build.js';

/** Options of ensureLabImages; every field has a default. */
export interface EnsureLabImagesOptions {
  /** Progress at level 0 (what was built), details at 1 and 2 (default: silent). */
  log?: Logger;
  /** Which images (default all: pause and echo). */
  images?: readonly LabImageName[];
  /** Tag (default LAB_IMAGE_VERSION). */
  version?: string;
  /**
   * "auto" (default): build FROM the public base when it is present or can be pulled, else
   * offline. "never": offline only, no pull attempted. "always": the base path only, failing
   * when the base cannot be pulled.
   */
  pull?: 'auto' | 'never' | 'always';
  /** Rebuild even when the tag is current (default false). */
  force?: boolean;
  /** The echo server (default workloads/echo/server.mjs of this tree). */
  echoServerPath?: string;
  /** The node executable copied into the offline echo image (default process.execPath). */
  nodePath?: string;
  /** The busybox executable of offline builds (default /bin/busybox from busybox-static). */
  busybox?: string;
  /** Parent of temporary build directories (default the OS temp dir). */
  tmpDir?: string;
  /** How long a base pull may take, ms (default 300000). */
  pullTimeoutMs?: number;
}

/** What ensureLabImages did for one image. */
export interface LabImageResult {
  name: LabImageName;
  ref: string;
  /** "present": the tag was current; "base": built FROM the pulled base; "offline": imported from host files. */
  action: 'present' | 'base' | 'offline';
  imageId: string;
  sizeBytes: number;
  durationMs: number;
}

/** Makes sure the lab images exist and are current; returns what it did for each. */
export async function ensureLabImages(docker: Docker, o: EnsureLabImagesOptions = {}): Promise<LabImageResult[]> {
  const log = o.log ?? nullLogger;
  const pull = o.pull ?? 'auto';
  if (!['auto', 'never', 'always'].includes(pull)) throw new TypeError(`pull must be "auto", "never" or "always", not "${String(pull)}"`);
  const names = o.images ?? LAB_IMAGE_NAMES;
  for (const n of names) if (!LAB_IMAGE_NAMES.includes(n)) throw new TypeError(`unknown lab image "${n}": choose from ${LAB_IMAGE_NAMES.join(', ')}`);
  const ctx: BuildContext = { docker, log, ...(o.tmpDir ? { tmpDir: o.tmpDir } : {}), ...(o.busybox ? { busybox: o.busybox } : {}) };
  const results: LabImageResult[] = [];
  for (const name of names) {
    const started = performance.now();
    const ref = labImageRef(name, o.version ?? LAB_IMAGE_VERSION);
    const recipe = await recipeOf(name, { ...(o.echoServerPath ? { echoServerPath: o.echoServerPath } : {}), ...(o.nodePath ? { nodePath: o.nodePath } : {}) });
    const present = await inspectImage(docker, ref);
    if (!o.force && present?.labels[CONTENT_HASH_LABEL] === recipe.contentHash) {
      log.v(1).info('image is current', { image: ref });
      results.push({ name, ref, action: 'present', imageId: present.id, sizeBytes: present.sizeBytes, durationMs: performance.now() - started });
      continue;
    }
    let action: 'base' | 'offline' = 'offline';
    if (pull !== 'never') {
      try {
        await buildFromBase(ctx, recipe, ref, { ...(o.pullTimeoutMs ? { pullTimeoutMs: o.pullTimeoutMs } : {}) });
        action = 'base';
      } catch (err) {
        if (pull === 'always') throw err;
        log.v(1).info('base path failed, building offline', { image: ref, reason: err instanceof Error ? err.message : String(err) });
      }
    }
    if (action === 'offline') await buildOffline(ctx, recipe, ref);
    const built = await inspectImage(docker, ref);
    if (!built || built.labels[CONTENT_HASH_LABEL] !== recipe.contentHash) throw new Error(`Built image "${ref}" but the daemon does not show it with content hash ${recipe.contentHash}`);
    if (present && present.id !== built.id) {
      // The stale image lost its tag: remove it unless a container or another tag still holds it.
      await docker
        .getImage(present.id)
        .remove()
        .catch(() => undefined);
    }
    const durationMs = performance.now() - started;
    log.info('built image', { image: ref, method: action, sizeMB: (built.sizeBytes / 1e6).toFixed(1), seconds: (durationMs / 1000).toFixed(1) });
    results.push({ name, ref, action, imageId: built.id, sizeBytes: built.sizeBytes, durationMs });
  }
  return results;
}
