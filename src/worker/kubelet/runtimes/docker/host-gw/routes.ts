/**
 * The routes of host-gw networking (flannel's host-gw backend): every node has its own pod CIDR on
 * its own bridge, and reaches another node's pods by a route "<that node's pod CIDR> via <that
 * node's InternalIP>". Computing them from Node objects and diffing them against the routes
 * installed is pure; ip-route.ts applies the difference.
 */
import type { Node } from '../../../../../api/types.js';
import { numberToIpv4, parseCidr } from '../../ip-pool.js';

/** One route to another node's pods. */
export interface PodRoute {
  /** The other node's pod CIDR, normalised ("10.244.2.0/24"). */
  dst: string;
  /** Its InternalIP. */
  via: string;
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** "10.244.2.7/24" -> "10.244.2.0/24"; undefined for anything that is not an IPv4 CIDR. */
export function normaliseCidr(cidr: string): string | undefined {
  try {
    const { base, prefix } = parseCidr(cidr);
    return `${numberToIpv4(base)}/${prefix}`;
  } catch {
    return undefined;
  }
}

/** The IPv4 pod CIDRs of a node (spec.podCIDRs, or spec.podCIDR). */
export function podCidrsOf(node: Node): string[] {
  const all = node.spec.podCIDRs?.length ? node.spec.podCIDRs : node.spec.podCIDR ? [node.spec.podCIDR] : [];
  return all.map(normaliseCidr).filter((c): c is string => c !== undefined);
}

/** The first IPv4 InternalIP of a node. */
export function internalIpOf(node: Node): string | undefined {
  return node.status?.addresses?.find((a) => a.type === 'InternalIP' && IPV4.test(a.address))?.address;
}

/**
 * The routes node self needs: one per pod CIDR of every other node that has both a pod CIDR and
 * an InternalIP. Nodes without them yet are skipped (their routes come once they have them).
 */
export function desiredRoutes(nodes: Node[], self: string): PodRoute[] {
  const own = new Set(podCidrsOf(nodes.find((n) => n.metadata.name === self) ?? ({ spec: {} } as Node)));
  const routes = new Map<string, PodRoute>();
  for (const n of nodes) {
    if (n.metadata.name === self) continue;
    const via = internalIpOf(n);
    if (!via) continue;
    for (const dst of podCidrsOf(n)) {
      // Our own range stays on our bridge, whatever another node claims.
      if (own.has(dst)) continue;
      routes.set(dst, { dst, via });
    }
  }
  return [...routes.values()].sort((a, b) => a.dst.localeCompare(b.dst));
}

/** What to change so that current (the routes we installed) becomes desired. */
export interface RouteDiff {
  /** Routes to add, or to point at a new gateway. */
  replace: PodRoute[];
  /** Routes of nodes that left. */
  remove: PodRoute[];
}

/** The difference between the routes installed and the routes wanted; empty when they agree. */
export function diffRoutes(current: PodRoute[], desired: PodRoute[]): RouteDiff {
  const have = new Map(current.map((r) => [r.dst, r.via]));
  const want = new Set(desired.map((r) => r.dst));
  return {
    replace: desired.filter((r) => have.get(r.dst) !== r.via),
    remove: current.filter((r) => !want.has(r.dst)),
  };
}
