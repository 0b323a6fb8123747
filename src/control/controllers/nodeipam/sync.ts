/**
 * Pod CIDR allocation (kube-controller-manager's node-ipam-controller with the range allocator):
 * every node gets one block of the cluster CIDR (10.244.N.0/24 by default), written once to
 * spec.podCIDR and spec.podCIDRs and never changed. Pure: the controller supplies the blocks in
 * use (from the nodes it sees) and writes the answer.
 */
import { cidrContains, formatIPv4, parseCidr, parseIPv4 } from '../../apiserver/registry/allocator.js';

export interface CidrRange {
  /** First address of the cluster CIDR. */
  base: number;
  /** Addresses per node block. */
  blockSize: number;
  /** Number of node blocks in the cluster CIDR. */
  blocks: number;
  /** Prefix length of a node block. */
  nodeMask: number;
}

/** Parses --cluster-cidr and --node-cidr-mask-size; RangeError naming the value when they do not fit. */
export function cidrRange(clusterCIDR: string, nodeMaskSize: number): CidrRange {
  const c = parseCidr(clusterCIDR);
  if (!Number.isInteger(nodeMaskSize) || nodeMaskSize < c.bits || nodeMaskSize > 30) {
    throw new RangeError(`node CIDR mask size ${nodeMaskSize} must be between the cluster CIDR's prefix (${c.bits}) and 30`);
  }
  const blockSize = 2 ** (32 - nodeMaskSize);
  return { base: c.base, blockSize, blocks: c.size / blockSize, nodeMask: nodeMaskSize };
}

/** The block index of a podCIDR inside the range, or undefined when it is not one of its blocks. */
export function blockIndex(range: CidrRange, podCIDR: string): number | undefined {
  const [ip, len] = podCIDR.split('/');
  const n = ip ? parseIPv4(ip) : undefined;
  if (n === undefined || Number(len) !== range.nodeMask) return undefined;
  const off = n - range.base;
  if (off < 0 || off % range.blockSize !== 0 || off / range.blockSize >= range.blocks) return undefined;
  return off / range.blockSize;
}

/** The CIDR text of block i. */
export function blockCidr(range: CidrRange, i: number): string {
  return `${formatIPv4(range.base + i * range.blockSize)}/${range.nodeMask}`;
}

/**
 * The lowest free block, given the blocks in use; undefined when the range is full. Lowest-first
 * keeps allocations predictable for people reading a lab (worker-1 gets .1, ...), with block 0
 * skipped as Kubernetes' allocator skips the network's first block when the cluster CIDR is the
 * node block's own size.
 */
export function nextFreeBlock(range: CidrRange, used: ReadonlySet<number>): number | undefined {
  for (let i = range.blocks > 1 ? 1 : 0; i < range.blocks; i++) if (!used.has(i)) return i;
  if (range.blocks > 1 && !used.has(0)) return 0;
  return undefined;
}

export { cidrContains, parseCidr };
