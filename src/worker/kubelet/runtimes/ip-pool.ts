/**
 * Pod IPs from a pod CIDR, as a CNI host-local IPAM plugin hands them out: the network address
 * and the first host (the bridge's gateway) are never given, nor the broadcast address, and
 * allocation goes round the range (next-fit) so a just-released address is not reused at once,
 * which would let a stale endpoint reach a new pod.
 */

/** An IPv4 address as a 32-bit unsigned number. */
export function ipv4ToNumber(ip: string): number {
  const parts = ip.split('.');
  if (parts.length !== 4) throw new TypeError(`"${ip}" is not an IPv4 address`);
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) throw new TypeError(`"${ip}" is not an IPv4 address`);
    n = n * 256 + Number(p);
  }
  return n;
}

/** The dotted form of a 32-bit unsigned number. */
export function numberToIpv4(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** Parses "a.b.c.d/len" into its first address and size; TypeError when malformed. */
export function parseCidr(cidr: string): { base: number; size: number; prefix: number } {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(cidr);
  const prefix = m ? Number(m[2]) : NaN;
  if (!m || !(prefix >= 0 && prefix <= 32)) throw new TypeError(`"${cidr}" is not an IPv4 CIDR like "10.244.1.0/24"`);
  const size = 2 ** (32 - prefix);
  const base = ipv4ToNumber(m[1]!) - (ipv4ToNumber(m[1]!) % size);
  return { base, size, prefix };
}

export class Ipv4Pool {
  private readonly first: number;
  private readonly last: number;
  private readonly used = new Set<number>();
  private next: number;

  constructor(readonly cidr: string) {
    const { base, size } = parseCidr(cidr);
    // Skip network and gateway, and broadcast, when the range is big enough to have them.
    this.first = size >= 4 ? base + 2 : base;
    this.last = size >= 4 ? base + size - 2 : base + size - 1;
    this.next = this.first;
  }

  /** How many addresses the pool can hand out. */
  get capacity(): number {
    return this.last - this.first + 1;
  }

  /** Takes a free address; throws when the range is exhausted. */
  allocate(): string {
    const n = this.capacity;
    for (let i = 0; i < n; i++) {
      const ip = this.next;
      this.next = ip === this.last ? this.first : ip + 1;
      if (!this.used.has(ip)) {
        this.used.add(ip);
        return numberToIpv4(ip);
      }
    }
    throw new Error(`no free address left in pod CIDR ${this.cidr} (${n} in use)`);
  }

  /** Marks ip as taken (an address handed out before the pool was made). */
  reserve(ip: string): void {
    const n = ipv4ToNumber(ip);
    if (n >= this.first && n <= this.last) this.used.add(n);
  }

  /** Gives ip back. */
  release(ip: string): void {
    this.used.delete(ipv4ToNumber(ip));
  }

  /** Addresses in use. */
  get size(): number {
    return this.used.size;
  }
}
