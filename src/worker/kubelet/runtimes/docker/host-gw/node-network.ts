/**
 * The bridge of one node in a host-gw lab (each node runs its own Docker daemon): its subnet is the
 * node's pod CIDR, its gateway the range's first host, and pods get addresses from the runtime as
 * on the lab-wide network. Masquerading is off by default so that a pod seen from another node
 * keeps its own address, as Kubernetes requires of pod-to-pod traffic.
 */
import type Docker from 'dockerode';
import { numberToIpv4, parseCidr } from '../../ip-pool.js';
import { dockerMessage, isDockerConflict } from '../docker-api.js';
import { LAB_LABEL, NODE_LABEL } from '../labels.js';
import { inspectNetwork, type NetworkInfo } from '../network.js';

/** A node's pod bridge. */
export interface NodeNetworkSpec {
  /** Network name (the runtime's network option). */
  name: string;
  /** The node's pod CIDR. */
  podCIDR: string;
  lab: string;
  node: string;
  /** NAT pod traffic leaving the node (default false: pod IPs stay visible to other nodes). */
  masquerade?: boolean;
}

/** The gateway of a pod CIDR: its first host, as Docker and the IP allocator expect. */
export function gatewayOf(podCIDR: string): string {
  return numberToIpv4(parseCidr(podCIDR).base + 1);
}

/** Creates the node's bridge unless it exists with this subnet; another subnet is an error. */
export async function ensureNodeNetwork(docker: Docker, spec: NodeNetworkSpec): Promise<NetworkInfo> {
  const existing = await inspectNetwork(docker, spec.name);
  if (existing) {
    if (!existing.subnets.includes(spec.podCIDR)) throw new Error(`Cannot use network "${spec.name}" for node "${spec.node}": its subnets are ${JSON.stringify(existing.subnets)}, not "${spec.podCIDR}"`);
    return existing;
  }
  try {
    await docker.createNetwork({
      Name: spec.name,
      Driver: 'bridge',
      CheckDuplicate: true,
      IPAM: { Driver: 'default', Config: [{ Subnet: spec.podCIDR, Gateway: gatewayOf(spec.podCIDR) }] },
      Options: { 'com.docker.network.bridge.enable_ip_masquerade': String(spec.masquerade ?? false) },
      Labels: { [LAB_LABEL]: spec.lab, [NODE_LABEL]: spec.node },
    });
  } catch (err) {
    if (!isDockerConflict(err)) throw new Error(`Cannot create network "${spec.name}" for node "${spec.node}": ${dockerMessage(err)}`, { cause: err });
  }
  const made = await inspectNetwork(docker, spec.name);
  if (!made) throw new Error(`Cannot create network "${spec.name}": the daemon does not show it after creating it`);
  return made;
}
