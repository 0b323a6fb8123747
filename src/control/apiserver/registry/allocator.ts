/**
 * Service cluster IPs and node ports. What is in use is derived from the Services in the watch
 * cache, plus what concurrent creates have reserved but not yet written, so a single API server
 * never hands the same address out twice. (A highly available control plane will need the
 * allocation state in storage, as Kubernetes keeps it; that arrives with the HA issue.)
 */
import { errors, fieldError, type FieldError } from '../../../api/errors.js';

/** An allocation the request asked for cannot be made; the store reports it as 422 Invalid. */
export class AllocationError extends Error {
  constructor(readonly fieldErrors: FieldError[]) {
    super(fieldErrors.map((e) => e.detail).join('; '));
    this.name = 'AllocationError';
  }
}

export function parseIPv4(ip: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!;
}

export function formatIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export interface Cidr {
  base: number;
  bits: number;
  size: number;
}

export function parseCidr(cidr: string): Cidr {
  const [ip, len] = cidr.split('/');
  const base = ip ? parseIPv4(ip) : undefined;
  const bits = Number(len);
  if (base === undefined || !Number.isInteger(bits) || bits < 8 || bits > 30) throw new RangeError(`invalid IPv4 CIDR "${cidr}" (want a.b.c.d/8..30)`);
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return { base: (base & mask) >>> 0, bits, size: 2 ** (32 - bits) };
}

export function cidrContains(c: Cidr, ip: number): boolean {
  return ip >= c.base && ip < c.base + c.size;
}

export class PortAndIPAllocator {
  private readonly cidr: Cidr;
  private readonly reservedIPs = new Set<number>();
  private readonly reservedPorts = new Set<number>();

  constructor(
    serviceCIDR: string,
    private readonly nodePortRange: readonly [number, number],
  ) {
    this.cidr = parseCidr(serviceCIDR);
  }

  /** The first address of the range, kept for the "kubernetes" Service as Kubernetes does. */
  apiServiceIP(): string {
    return formatIPv4(this.cidr.base + 1);
  }

  /**
   * Picks (or checks) a cluster IP. requested '' means any; used are the IPs in use now.
   * Returns the IP and a release function to call once the create has settled.
   */
  allocateIP(requested: string, used: Set<string>): { ip: string; release: () => void } {
    const taken = (n: number) => this.reservedIPs.has(n) || used.has(formatIPv4(n));
    let n: number;
    if (requested) {
      const parsed = parseIPv4(requested);
      if (parsed === undefined || !cidrContains(this.cidr, parsed)) {
        throw new AllocationError([fieldError.invalid('spec.clusterIPs', [requested], `failed to allocate IP ${requested}: the provided IP (${requested}) is not in the valid range. The range of valid IPs is ${formatIPv4(this.cidr.base)}/${this.cidr.bits}`)]);
      }
      if (taken(parsed)) throw new AllocationError([fieldError.invalid('spec.clusterIPs', [requested], `failed to allocate IP ${requested}: provided IP is already allocated`)]);
      n = parsed;
    } else {
      // Random probing from a random start, as Kubernetes' bitmap allocator does; the first
      // two addresses (network, the API service) and the broadcast address are skipped.
      const span = this.cidr.size - 3;
      const start = Math.floor(Math.random() * span);
      let found = -1;
      for (let i = 0; i < span; i++) {
        const cand = this.cidr.base + 2 + ((start + i) % span);
        if (!taken(cand)) {
          found = cand;
          break;
        }
      }
      if (found < 0) throw errors.internal(`failed to allocate a serviceIP: range is full`);
      n = found;
    }
    this.reservedIPs.add(n);
    return { ip: formatIPv4(n), release: () => this.reservedIPs.delete(n) };
  }

  /** Picks (or checks) a node port; requested 0 means any. */
  allocatePort(requested: number, used: Set<number>, field: string): { port: number; release: () => void } {
    const [lo, hi] = this.nodePortRange;
    const taken = (p: number) => this.reservedPorts.has(p) || used.has(p);
    let port: number;
    if (requested) {
      if (requested < lo || requested > hi) {
        throw new AllocationError([fieldError.invalid(field, requested, `provided port is not in the valid range. The range of valid ports is ${lo}-${hi}`)]);
      }
      if (taken(requested)) throw new AllocationError([fieldError.invalid(field, requested, 'provided port is already allocated')]);
      port = requested;
    } else {
      const span = hi - lo + 1;
      const start = Math.floor(Math.random() * span);
      port = -1;
      for (let i = 0; i < span; i++) {
        const cand = lo + ((start + i) % span);
        if (!taken(cand)) {
          port = cand;
          break;
        }
      }
      if (port < 0) throw errors.internal('failed to allocate a nodePort: range is full');
    }
    this.reservedPorts.add(port);
    return { port, release: () => this.reservedPorts.delete(port) };
  }
}
