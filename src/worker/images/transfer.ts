/**
 * Moving images between daemons without a registry, as `docker save | docker load` does: into
 * another daemon the lab can reach through the API, or into a daemon running inside a node
 * container (Docker-in-Docker), by streaming the archive into `docker load` exec'd there.
 */
import type Docker from 'dockerode';
import { PassThrough } from 'node:stream';
import { dockerMessage, followProgress, readAll } from '../kubelet/runtimes/docker/docker-api.js';

/** A tar archive of refs with their tags (GET /images/get, `docker save`). */
export async function saveImages(docker: Docker, refs: string[], o: { signal?: AbortSignal } = {}): Promise<NodeJS.ReadableStream> {
  if (refs.length === 0) throw new RangeError('saveImages needs at least one image');
  try {
    // dockerode has getImages (GET /images/get?names=...) but its typings do not.
    const getImages = (docker as unknown as { getImages(this: Docker, o: object): Promise<NodeJS.ReadableStream> }).getImages;
    return await getImages.call(docker, { names: refs, ...(o.signal ? { abortSignal: o.signal } : {}) });
  } catch (err) {
    throw new Error(`Cannot save images ${refs.map((r) => `"${r}"`).join(', ')}: ${dockerMessage(err)}`, { cause: err });
  }
}

/** Copies refs from one daemon into another (`docker save | docker -H other load`). */
export async function loadImagesIntoDaemon(from: Docker, to: Docker, refs: string[], o: { signal?: AbortSignal } = {}): Promise<void> {
  const archive = await saveImages(from, refs, o);
  try {
    await followProgress(to, await to.loadImage(archive, { quiet: true, ...(o.signal ? { abortSignal: o.signal } : {}) }));
  } catch (err) {
    throw new Error(`Cannot load images ${refs.map((r) => `"${r}"`).join(', ')}: ${dockerMessage(err)}`, { cause: err });
  }
}

/** What a load into a container printed. */
export interface ContainerLoadResult {
  exitCode: number;
  output: string;
}

/**
 * Streams refs into a command run in a container (default `docker load`, for a node container
 * running its own dockerd): `docker save IMG | docker exec -i NODE docker load`. Throws with the
 * command's output when it exits non-zero.
 */
export async function loadImagesIntoContainer(
  docker: Docker,
  containerId: string,
  refs: string[],
  o: { command?: string[]; signal?: AbortSignal } = {},
): Promise<ContainerLoadResult> {
  const command = o.command ?? ['docker', 'load'];
  const archive = await saveImages(docker, refs, o);
  const exec = await docker.getContainer(containerId).exec({ Cmd: command, AttachStdin: true, AttachStdout: true, AttachStderr: true, Tty: false });
  const duplex = await exec.start({ hijack: true, stdin: true, ...(o.signal ? { abortSignal: o.signal } : {}) } as { hijack: boolean; stdin: boolean });
  const out = new PassThrough();
  docker.modem.demuxStream(duplex, out, out);
  const collected = readAll(out);
  duplex.on('end', () => out.end());
  // The archive is the command's stdin; ending it half-closes the hijacked connection, which the
  // daemon turns into EOF on the command's stdin.
  await new Promise<void>((resolve, reject) => {
    (archive as NodeJS.ReadableStream & { on(e: 'error', f: (err: Error) => void): void }).on('error', reject);
    archive.pipe(duplex).on('error', reject);
    archive.on('end', resolve);
  });
  const output = (await collected).toString('utf8');
  const { ExitCode } = await exec.inspect();
  const exitCode = ExitCode ?? -1;
  if (exitCode !== 0) throw new Error(`Cannot load images into container "${containerId}": ${command.join(' ')} exited with ${exitCode}: ${output.trim()}`);
  return { exitCode, output };
}
