/**
 * Images of the process runtime. There are no image layers: a "process image" is a workload of
 * this repository described by workloads/<dir>/process-image.json,
 *
 *   { "image": "kubelab/echo", "entrypoint": ["node", "workloads/echo/server.mjs"], "cmd": [] }
 *
 * where entrypoint and cmd play Docker's ENTRYPOINT and CMD. In entrypoint and cmd, "node" as the
 * program is the Node.js that runs the lab, and relative paths with a slash that name a file of
 * the repository ("workloads/echo/server.mjs") are made absolute, so containers may run in any
 * working directory. "image" defaults to "kubelab/<dir>". Tags and digests are ignored:
 * "kubelab/echo:1.2" and "docker.io/kubelab/echo" are kubelab/echo.
 *
 * Host images ("busybox", "alpine", ...) stand for the host's own userland, so that pods written
 * for Docker with a command (`image: busybox, command: [sleep, "3600"]`) run unchanged; like
 * busybox their default command is "sh".
 *
 * The image ID (status.imageID) is a sha256 over the description and the files it runs, so
 * editing a workload changes the ID as rebuilding an image would.
 */
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';

/** Images that run the host's own programs; a container of one needs a command to do anything. */
export const HOST_IMAGES: readonly string[] = ['busybox', 'alpine', 'debian', 'ubuntu', 'kubelab/host'];

/** A resolved process image. */
export interface ProcessImage {
  /** Normalized name ("kubelab/echo"). */
  name: string;
  /** ENTRYPOINT, with "node" and repository paths resolved. */
  entrypoint: string[];
  /** CMD, resolved likewise. */
  cmd: string[];
  /** "sha256:<64 hex>". */
  ref: string;
  sizeBytes: number;
  /** Where it comes from: the process-image.json, or "host". */
  source: string;
}

/**
 * The name an image reference stands for: without registry "docker.io/" and "library/", tag and
 * digest ("docker.io/library/busybox:1.36@sha256:..." -> "busybox").
 */
export function normalizeImageName(image: string): string {
  let name = image.trim();
  const at = name.indexOf('@');
  if (at >= 0) name = name.slice(0, at);
  // A colon after the last slash is a tag; one before it belongs to a registry's port.
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) name = name.slice(0, colon);
  for (const prefix of ['docker.io/', 'index.docker.io/', 'registry-1.docker.io/']) if (name.startsWith(prefix)) name = name.slice(prefix.length);
  if (name.startsWith('library/')) name = name.slice('library/'.length);
  return name.toLowerCase();
}

/**
 * The command a container runs, by Kubernetes' rules: command replaces the image's ENTRYPOINT and
 * drops its CMD; args alone replace CMD; neither runs ENTRYPOINT + CMD.
 */
export function composeCommand(command: string[], args: string[], image: { entrypoint: string[]; cmd: string[] } | undefined): string[] {
  if (command.length > 0) return [...command, ...args];
  if (!image) return [...args];
  return [...image.entrypoint, ...(args.length > 0 ? args : image.cmd)];
}

/** A stable image ID for names with no description (containers with a command and any image). */
export function nameRef(image: string): string {
  return `sha256:${createHash('sha256').update(`kubelab-process-image:${normalizeImageName(image)}`).digest('hex')}`;
}

interface ImageFile {
  image?: unknown;
  entrypoint?: unknown;
  cmd?: unknown;
}

function stringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

/** Options of ProcessImages. */
export interface ProcessImagesOptions {
  /** Where workloads live: <imagesDir>/<dir>/process-image.json (required). */
  imagesDir: string;
  /** Relative paths in entrypoint and cmd are resolved against this (required). */
  repoRoot: string;
  /** What "node" runs (required; the runtime passes process.execPath). */
  nodePath: string;
}

/** The registry of process images, read from disk at each lookup so a new workload needs no restart. */
export class ProcessImages {
  constructor(private readonly o: ProcessImagesOptions) {}

  /** The image called image (any tag), or undefined. Throws when its description is malformed. */
  async find(image: string): Promise<ProcessImage | undefined> {
    const name = normalizeImageName(image);
    if (HOST_IMAGES.includes(name)) return { name, entrypoint: [], cmd: ['sh'], ref: nameRef(name), sizeBytes: 0, source: 'host' };
    for (const { file, data } of await this.descriptions()) {
      const own = typeof data.image === 'string' ? normalizeImageName(data.image) : undefined;
      if (own === name) return this.resolveImage(name, file, data);
    }
    return undefined;
  }

  /** Names of the process images described in imagesDir, sorted (host images not included). */
  async names(): Promise<string[]> {
    return (await this.descriptions())
      .map((d) => (typeof d.data.image === 'string' ? normalizeImageName(d.data.image) : ''))
      .filter((n) => n !== '')
      .sort();
  }

  private async descriptions(): Promise<{ file: string; data: ImageFile }[]> {
    let dirs: string[];
    try {
      dirs = await readdir(this.o.imagesDir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const out: { file: string; data: ImageFile }[] = [];
    for (const dir of dirs.sort()) {
      const file = join(this.o.imagesDir, dir, 'process-image.json');
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch {
        continue; // a workload without a process image (only a Dockerfile, say)
      }
      let data: ImageFile;
      try {
        data = JSON.parse(text) as ImageFile;
      } catch (err) {
        throw new Error(`cannot read process image "${file}": not JSON`, { cause: err });
      }
      out.push({ file, data: { ...data, image: data.image ?? `kubelab/${dir}` } });
    }
    return out;
  }

  private async resolveImage(name: string, file: string, data: ImageFile): Promise<ProcessImage> {
    const entry = data.entrypoint ?? [];
    const cmd = data.cmd ?? [];
    if (!stringArray(entry) || !stringArray(cmd)) throw new Error(`process image "${file}": entrypoint and cmd must be arrays of strings`);
    if (entry.length === 0 && cmd.length === 0) throw new Error(`process image "${file}": neither entrypoint nor cmd is given`);
    const hash = createHash('sha256').update(await readFile(file));
    let sizeBytes = (await stat(file)).size;
    const files = new Set<string>();
    const resolveArg = (arg: string, i: number) => {
      if (i === 0 && arg === 'node') return this.o.nodePath;
      const path = this.repoPath(arg);
      if (path) files.add(path);
      return path ?? arg;
    };
    const entrypoint = entry.map((a, i) => resolveArg(a, i));
    const resolvedCmd = cmd.map((a, i) => resolveArg(a, entry.length + i));
    for (const f of [...files].sort()) {
      hash.update(await readFile(f));
      sizeBytes += (await stat(f)).size;
    }
    return { name, entrypoint, cmd: resolvedCmd, ref: `sha256:${hash.digest('hex')}`, sizeBytes, source: file };
  }

  /** The absolute path of arg when it is a relative path of a file in the repository. */
  private repoPath(arg: string): string | undefined {
    if (isAbsolute(arg) || arg.startsWith('-') || !arg.includes('/')) return undefined;
    const path = resolve(this.o.repoRoot, arg);
    return existsSync(path) && statSync(path).isFile() ? path : undefined;
  }
}
