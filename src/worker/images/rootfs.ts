/**
 * A root filesystem assembled from the host, for machines that cannot pull a base image: Debian's
 * static busybox with its applets, host executables with the shared libraries `ldd` lists (at the
 * same paths, so the ELF interpreter and the library search find them), and the recipe's files.
 * The directory is then streamed with `tar` into `docker import`.
 */
import { execFile, spawn } from 'node:child_process';
import { chmod, copyFile, mkdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import type { RecipeFile } from './recipes.js';

const execFileAsync = promisify(execFile);

/** Where Debian's busybox-static installs busybox (/bin is /usr/bin on merged-/usr systems). */
export const HOST_BUSYBOX = '/bin/busybox';

/**
 * The absolute paths of the shared libraries in `ldd` output, the ELF interpreter included;
 * vdso and "not a dynamic executable" yield nothing.
 */
export function parseLdd(output: string): string[] {
  const paths = new Set<string>();
  for (const raw of output.split('\n')) {
    const line = raw.trim();
    // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" or "/lib64/ld-linux-x86-64.so.2 (0x...)"
    const arrow = /=>\s*(\/\S+)/.exec(line);
    if (arrow) {
      paths.add(arrow[1]!);
      continue;
    }
    const bare = /^(\/\S+)\s+\(0x[0-9a-f]+\)$/.exec(line);
    if (bare) paths.add(bare[1]!);
  }
  return [...paths];
}

/** The shared libraries of an executable; none for a static one. */
export async function sharedLibrariesOf(executable: string): Promise<string[]> {
  try {
    const { stdout } = await execFileAsync('ldd', [executable]);
    return parseLdd(stdout);
  } catch (err) {
    // ldd exits 1 for static executables ("not a dynamic executable"): nothing to copy.
    const out = `${(err as { stdout?: string }).stdout ?? ''}${(err as { stderr?: string }).stderr ?? ''}`;
    if (/not a dynamic executable|statically linked/.test(out)) return [];
    throw new Error(`Cannot list the shared libraries of "${executable}": ldd failed`, { cause: err });
  }
}

/** The install paths of busybox's applets ("bin/sh", "usr/bin/wget"), relative to /. */
export async function busyboxApplets(busybox = HOST_BUSYBOX): Promise<string[]> {
  let stdout: string;
  try {
    ({ stdout } = await execFileAsync(busybox, ['--list-full']));
  } catch (err) {
    throw new Error(`Cannot build a lab image offline: "${busybox}" does not run (install Debian's busybox-static: apt-get install busybox-static)`, { cause: err });
  }
  return stdout
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => s && !s.startsWith('/') && !s.includes('..'));
}

/** What goes into an offline root filesystem. */
export interface RootfsSpec {
  /** Host executables copied to the same path, with their shared libraries. */
  binaries: string[];
  files: RecipeFile[];
  /** The busybox executable (default /bin/busybox). */
  busybox?: string;
}

/**
 * Fills dir (empty, existing) with the root filesystem of spec. Returns the image paths it wrote,
 * for logs and tests.
 */
export async function assembleRootfs(dir: string, spec: RootfsSpec): Promise<string[]> {
  const busybox = spec.busybox ?? HOST_BUSYBOX;
  const written: string[] = [];
  const put = async (imagePath: string, from: string, mode?: number) => {
    const target = join(dir, imagePath);
    await mkdir(dirname(target), { recursive: true });
    await copyFile(from, target);
    if (mode !== undefined) await chmod(target, mode);
    written.push(imagePath);
  };
  for (const d of ['tmp', 'etc', 'proc', 'sys', 'dev', 'root', 'var/tmp']) await mkdir(join(dir, d), { recursive: true });
  await chmod(join(dir, 'tmp'), 0o1777);
  await chmod(join(dir, 'var/tmp'), 0o1777);
  // Enough for tools that look up users (id, ps, node's os.userInfo) to find root.
  await writeFile(join(dir, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
  await writeFile(join(dir, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');

  const executables = [busybox, ...spec.binaries];
  const copied = new Set<string>();
  for (const exe of executables) {
    for (const path of [exe, ...(await sharedLibrariesOf(exe))]) {
      if (copied.has(path)) continue;
      copied.add(path);
      // copyFile follows symlinks: the library's content lands at the name the loader asks for.
      await put(path, path, path === exe ? 0o755 : undefined);
    }
  }
  const busyboxInImage = '/bin/busybox';
  if (busybox !== busyboxInImage) await put(busyboxInImage, busybox, 0o755);
  for (const applet of await busyboxApplets(busybox)) {
    const imagePath = `/${applet}`;
    if (copied.has(imagePath) || imagePath === busyboxInImage) continue;
    const target = join(dir, applet);
    await mkdir(dirname(target), { recursive: true });
    await symlink(busyboxInImage, target).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
  }
  for (const f of spec.files) {
    const target = join(dir, f.path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, f.content, { mode: f.mode });
    await chmod(target, f.mode);
    written.push(f.path);
  }
  return written;
}

/**
 * A tar stream of dir's content with root ownership (what `docker import` and `docker build`
 * read), and a promise that settles when tar has exited: it rejects with tar's stderr when tar
 * failed, which a consumer that saw the stream end would otherwise not notice.
 */
export function tarDirectory(dir: string): { stream: Readable; done: Promise<void> } {
  const tar = spawn('tar', ['-C', dir, '--numeric-owner', '--owner=0', '--group=0', '-c', '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  tar.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<void>((resolve, reject) => {
    tar.on('error', (err) => reject(new Error(`Cannot archive "${dir}": tar did not start`, { cause: err })));
    tar.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`Cannot archive "${dir}": tar exited with ${code}: ${stderr.trim()}`))));
  });
  // Whoever awaits done sees the failure; the stream must not also crash the process with it.
  done.catch(() => tar.stdout.destroy());
  return { stream: tar.stdout, done };
}
