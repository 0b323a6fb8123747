/**
 * Volumes of the docker runtime, from ContainerConfig.mounts (CRI's mounts).
 *
 * emptyDir is a directory per pod under the runtime's state dir, bind-mounted into every
 * container of the pod that mounts it, so they share files as in Kubernetes; it outlives
 * container restarts and sandbox re-creation and is removed with the pod's last sandbox.
 * hostPath is a plain bind mount, with DirectoryOrCreate creating the directory first.
 */
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import type { ContainerConfig, ContainerMount, HostPathType } from '../../runtime.js';

export type { ContainerMount, HostPathType };

/** Kept for callers written before ContainerConfig had mounts. */
export type DockerContainerConfig = ContainerConfig;

/** The directory of a pod's emptyDir volumes. */
export function podVolumesDir(stateDir: string, podUid: string): string {
  return join(stateDir, 'pods', podUid, 'volumes', 'empty-dir');
}

const VOLUME_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Docker Binds ("source:target[:ro]") for mounts, creating emptyDir and DirectoryOrCreate
 * directories and checking the hostPath types that require an existing path.
 */
export async function bindsFor(mounts: ContainerMount[], stateDir: string, podUid: string): Promise<string[]> {
  const binds: string[] = [];
  for (const m of mounts) {
    if (!isAbsolute(m.containerPath)) throw new TypeError(`mount of volume "${m.volume}": containerPath "${m.containerPath}" must be absolute`);
    if (m.containerPath.includes(':')) throw new TypeError(`mount of volume "${m.volume}": containerPath "${m.containerPath}" must not contain ":"`);
    let source: string;
    if ('emptyDir' in m.source) {
      if (!VOLUME_NAME.test(m.volume)) throw new TypeError(`emptyDir volume name "${m.volume}" must be a DNS label`);
      source = join(podVolumesDir(stateDir, podUid), m.volume);
      await mkdir(source, { recursive: true, mode: 0o777 });
    } else {
      const { path, type = '' } = m.source.hostPath;
      if (!isAbsolute(path) || path.includes(':')) throw new TypeError(`hostPath volume "${m.volume}": path "${path}" must be absolute and without ":"`);
      source = path;
      await checkHostPath(m.volume, path, type);
    }
    binds.push(`${source}:${m.containerPath}${m.readOnly ? ':ro' : ''}`);
  }
  return binds;
}

async function checkHostPath(volume: string, path: string, type: HostPathType): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  const fail = (what: string) => {
    throw new Error(`hostPath volume "${volume}": "${path}" ${what}`);
  };
  switch (type) {
    case '':
      return;
    case 'DirectoryOrCreate':
      if (!info) await mkdir(path, { recursive: true, mode: 0o755 });
      else if (!info.isDirectory()) fail('is not a directory');
      return;
    case 'FileOrCreate':
      // Docker would create a missing bind source as a directory: make the empty file first.
      if (!info) {
        await mkdir(dirname(path), { recursive: true, mode: 0o755 });
        await writeFile(path, '', { flag: 'a', mode: 0o644 });
      } else if (!info.isFile()) fail('is not a file');
      return;
    case 'Directory':
      if (!info?.isDirectory()) fail('is not an existing directory');
      return;
    case 'File':
      if (!info?.isFile()) fail('is not an existing file');
      return;
    case 'Socket':
      if (!info?.isSocket()) fail('is not an existing socket');
      return;
  }
}

/** Removes a pod's emptyDir volumes (its last sandbox is gone). */
export async function removePodVolumes(stateDir: string, podUid: string): Promise<void> {
  if (!podUid || podUid.includes('/') || podUid.includes('..')) return;
  await rm(join(stateDir, 'pods', podUid), { recursive: true, force: true });
}
