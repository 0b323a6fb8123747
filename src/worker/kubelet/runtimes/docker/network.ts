/**
 * The pod network of a lab whose nodes share one Docker host: one user-defined bridge for the
 * whole lab, its subnet the cluster CIDR, and every sandbox on it with a fixed address from its
 * node's pod CIDR. Pods then reach each other by IP across "nodes" with no routes to program, and
 * the host reaches every pod through the bridge. (Labs with a daemon per node use host-gw/.)
 */
import type Docker from 'dockerode';
import { dockerMessage, isDockerConflict, isDockerNotFound } from './docker-api.js';
import { LAB_LABEL } from './labels.js';

/** A lab network. */
export interface LabNetworkSpec {
  name: string;
  /** The cluster CIDR, e.g. "10.244.0.0/16". */
  subnet: string;
  /** The lab it belongs to (labelled, for teardown). */
  lab: string;
  /** Extra labels. */
  labels?: Record<string, string>;
}

/** A network as the daemon has it. */
export interface NetworkInfo {
  id: string;
  name: string;
  subnets: string[];
  labels: Record<string, string>;
}

/** The network named name, or undefined. */
export async function inspectNetwork(docker: Docker, name: string): Promise<NetworkInfo | undefined> {
  try {
    const n = (await docker.getNetwork(name).inspect()) as { Id: string; Name: string; IPAM?: { Config?: { Subnet?: string }[] }; Labels?: Record<string, string> };
    // Docker matches network names by prefix of the ID too; only an exact name is ours.
    if (n.Name !== name) return undefined;
    return { id: n.Id, name: n.Name, subnets: (n.IPAM?.Config ?? []).map((c) => c.Subnet ?? '').filter(Boolean), labels: n.Labels ?? {} };
  } catch (err) {
    if (isDockerNotFound(err)) return undefined;
    throw new Error(`Cannot inspect network "${name}": ${dockerMessage(err)}`, { cause: err });
  }
}

/**
 * Creates the lab's bridge network unless it exists; a network of that name with another subnet
 * is an error (pods would get addresses the lab does not expect). Safe when several runtimes of
 * the lab call it at once.
 */
export async function ensureLabNetwork(docker: Docker, spec: LabNetworkSpec): Promise<NetworkInfo> {
  const check = (n: NetworkInfo) => {
    if (!n.subnets.includes(spec.subnet)) throw new Error(`Cannot use network "${spec.name}" as the pod network: its subnets are ${JSON.stringify(n.subnets)}, not "${spec.subnet}"`);
    return n;
  };
  const existing = await inspectNetwork(docker, spec.name);
  if (existing) return check(existing);
  try {
    await docker.createNetwork({
      Name: spec.name,
      Driver: 'bridge',
      // Without it Docker happily makes a second network of the same name when two nodes race.
      CheckDuplicate: true,
      IPAM: { Driver: 'default', Config: [{ Subnet: spec.subnet }] },
      Labels: { ...spec.labels, [LAB_LABEL]: spec.lab },
    });
  } catch (err) {
    if (!isDockerConflict(err)) throw new Error(`Cannot create network "${spec.name}" with subnet "${spec.subnet}": ${dockerMessage(err)}`, { cause: err });
  }
  const created = await inspectNetwork(docker, spec.name);
  if (!created) throw new Error(`Cannot create network "${spec.name}": the daemon does not show it after creating it`);
  return check(created);
}

/** Removes a network, disconnecting nothing: it fails while containers use it. Unknown names succeed. */
export async function removeNetwork(docker: Docker, name: string): Promise<void> {
  try {
    await docker.getNetwork(name).remove();
  } catch (err) {
    if (!isDockerNotFound(err)) throw new Error(`Cannot remove network "${name}": ${dockerMessage(err)}`, { cause: err });
  }
}
