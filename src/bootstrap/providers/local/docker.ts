/**
 * What a Docker lab needs from the Docker daemon: its images, built (or pulled) before the
 * kubelets start, as kind loads its node image; and its network, removed when the lab is purged.
 */
import Docker from 'dockerode';
import { ensureLabImages } from '../../../worker/images/index.js';

export async function prepareDockerImages(progress: (line: string) => void): Promise<void> {
  const docker = new Docker();
  try {
    await docker.ping();
  } catch (err) {
    throw new Error(`the docker runtime needs a Docker daemon, and none answers (${(err as Error).message}); start dockerd, or use --runtime process`, { cause: err });
  }
  const results = await ensureLabImages(docker, {});
  for (const r of results) progress(`   ${r.ref}: ${r.action}${r.action === 'present' ? '' : ` in ${(r.durationMs / 1000).toFixed(1)} s`}`);
}

/** Removes the lab's Docker network (when its data is purged); a missing network is fine. */
export async function removeLabNetwork(name: string): Promise<void> {
  const docker = new Docker();
  try {
    await docker.getNetwork(name).remove();
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 404) throw new Error(`cannot remove the Docker network "${name}": ${(err as Error).message}`, { cause: err });
  }
}
