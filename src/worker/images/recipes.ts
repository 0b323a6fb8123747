/**
 * What the lab's images contain, independent of how they are built: the files each adds, its
 * command and environment, the public base the registry path builds on, and the host binaries
 * the offline path copies in instead. Both build paths read the same recipe, and the content
 * hash of a recipe is what makes ensureLabImages idempotent.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/**
 * Tag of the images this source tree builds. Changing a recipe's files changes its content hash,
 * which rebuilds the image under the same tag; bump the version when the lab needs old and new
 * side by side.
 */
export const LAB_IMAGE_VERSION = '0.1.0';

/** Bumped when the way recipes turn into images changes, so existing images are rebuilt. */
const RECIPE_REVISION = 1;

/** Label holding the recipe's content hash on a built image. */
export const CONTENT_HASH_LABEL = 'io.kubelab.content-hash';
/** Label naming which lab image this is ("pause", "echo"). */
export const IMAGE_NAME_LABEL = 'io.kubelab.image';
/** Label saying how the image was built ("base": docker build FROM a pulled base; "offline": from host files). */
export const BUILD_METHOD_LABEL = 'io.kubelab.build';

/** The lab's images. */
export type LabImageName = 'pause' | 'echo';
export const LAB_IMAGE_NAMES: readonly LabImageName[] = ['pause', 'echo'];

/** The reference of a lab image: "kubelab/pause:0.1.0". */
export function labImageRef(name: LabImageName, version = LAB_IMAGE_VERSION): string {
  return `kubelab/${name}:${version}`;
}

/** A file an image adds, with its content. */
export interface RecipeFile {
  /** Absolute path inside the image. */
  path: string;
  content: Buffer;
  mode: number;
}

/** Everything needed to build one image either way. */
export interface ImageRecipe {
  name: LabImageName;
  files: RecipeFile[];
  /** CMD, exec form. */
  cmd: string[];
  env: Record<string, string>;
  /** Public image the registry path builds FROM. */
  base: string;
  /**
   * Host executables the offline path copies, with the shared libraries ldd lists, to the same
   * path inside the image (busybox always comes, with its applets as symlinks).
   */
  hostBinaries: string[];
  /** sha256 of everything above, hex. */
  contentHash: string;
}

/** The PATH both build paths set: Debian's and Alpine's directories, so `node` and busybox applets resolve. */
const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The pause process: holds the pod's namespaces and exits on SIGTERM. A shell is PID 1 in the
 * sandbox, and PID 1 ignores signals it has no handler for, hence the trap; `wait` on a background
 * sleep (rather than a foreground one) lets the trap run as soon as the signal arrives.
 */
export const PAUSE_SCRIPT = `#!/bin/sh
# kubelab pause: hold the pod's network and IPC namespaces until SIGTERM.
trap 'exit 0' TERM INT
while :; do
  sleep 2147483647 &
  wait $!
done
`;

/** The echo server as the source tree holds it (written by the workloads/echo owner). */
export function defaultEchoServerPath(): string {
  return fileURLToPath(new URL('../../../workloads/echo/server.mjs', import.meta.url));
}

/** Options of the recipes. */
export interface RecipeOptions {
  /** The echo server file (default workloads/echo/server.mjs of this tree). */
  echoServerPath?: string;
  /** The node executable the offline echo image copies (default process.execPath). */
  nodePath?: string;
}

/** The recipe of a lab image; reads the files it adds (the echo server) from disk. */
export async function recipeOf(name: LabImageName, o: RecipeOptions = {}): Promise<ImageRecipe> {
  switch (name) {
    case 'pause':
      return withHash({
        name,
        files: [{ path: '/pause', content: Buffer.from(PAUSE_SCRIPT), mode: 0o755 }],
        cmd: ['/pause'],
        env: { PATH },
        base: 'busybox:1.36.1',
        hostBinaries: [],
      });
    case 'echo': {
      const serverPath = o.echoServerPath ?? defaultEchoServerPath();
      let content: Buffer;
      try {
        content = await readFile(serverPath);
      } catch (err) {
        throw new Error(`Cannot build the echo image: cannot read "${serverPath}"`, { cause: err });
      }
      return withHash({
        name,
        files: [{ path: '/app/server.mjs', content, mode: 0o644 }],
        cmd: ['node', '/app/server.mjs'],
        env: { PATH, PORT: '8080' },
        base: 'node:20-alpine',
        hostBinaries: [o.nodePath ?? process.execPath],
      });
    }
  }
}

function withHash(r: Omit<ImageRecipe, 'contentHash'>): ImageRecipe {
  // Host binaries are left out on purpose: the image is "the same" whichever node it carries, so
  // a host upgrade does not rebuild, and a registry-built image counts as current offline too.
  const h = createHash('sha256');
  h.update(JSON.stringify({ revision: RECIPE_REVISION, name: r.name, cmd: r.cmd, env: r.env, base: r.base }));
  for (const f of [...r.files].sort((a, b) => a.path.localeCompare(b.path))) {
    h.update(`\0${f.path}\0${f.mode.toString(8)}\0`);
    h.update(f.content);
  }
  return { ...r, contentHash: h.digest('hex') };
}

/** The Dockerfile of the registry path: the base plus the recipe's files, command and labels. */
export function dockerfileOf(r: ImageRecipe): string {
  const lines = [`FROM ${r.base}`];
  for (const f of r.files) lines.push(`COPY ${contextPathOf(f)} ${f.path}`);
  for (const [k, v] of Object.entries(r.env)) lines.push(`ENV ${k}=${JSON.stringify(v)}`);
  lines.push(`CMD ${JSON.stringify(r.cmd)}`);
  return lines.join('\n') + '\n';
}

/** Where a recipe file sits in the build context (its image path without the leading slash). */
export function contextPathOf(f: RecipeFile): string {
  return `files${f.path}`;
}

/** The `docker import --change` lines of the offline path: what a Dockerfile would set. */
export function importChangesOf(r: ImageRecipe, labels: Record<string, string>): string[] {
  const changes: string[] = [];
  for (const [k, v] of Object.entries(r.env)) changes.push(`ENV ${k}=${v}`);
  changes.push(`CMD ${JSON.stringify(r.cmd)}`);
  for (const [k, v] of Object.entries(labels)) changes.push(`LABEL ${k}=${JSON.stringify(v)}`);
  return changes;
}
