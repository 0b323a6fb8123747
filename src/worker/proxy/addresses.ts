/**
 * IPv4 addresses for the proxy's flags, pure: parsing, CIDR membership, and which addresses node
 * ports listen on. Like kube-proxy's --nodeport-addresses, an entry may be a CIDR, meaning every
 * address of this node inside it; unlike it, an entry may also be one address, because the local
 * lab's nodes are loopback addresses (127.0.0.N) that no interface lists.
 */

/** The address as a 32-bit unsigned number, or undefined when s is not dotted-quad IPv4. */
export function parseIPv4(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!;
}

export interface Cidr {
  base: number;
  bits: number;
}

/** "a.b.c.d/n" as base and prefix length, or undefined when it is not one. */
export function parseCidr(s: string): Cidr | undefined {
  const [ip, len, extra] = s.split('/');
  if (extra !== undefined || ip === undefined || len === undefined || !/^\d{1,2}$/.test(len)) return undefined;
  const addr = parseIPv4(ip);
  const bits = Number(len);
  if (addr === undefined || bits > 32) return undefined;
  return { base: (addr & maskOf(bits)) >>> 0, bits };
}

function maskOf(bits: number): number {
  return bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
}

export function cidrContains(c: Cidr, ip: string): boolean {
  const n = parseIPv4(ip);
  return n !== undefined && ((n & maskOf(c.bits)) >>> 0) === c.base;
}

/**
 * The addresses node ports listen on. entries are addresses or CIDRs (already validated); a CIDR
 * selects the node IP and the host's own addresses inside it. No entries means the node IP.
 * The result is deduplicated, in the order found.
 */
export function nodePortAddresses(entries: readonly string[], nodeIP: string, hostAddresses: readonly string[]): string[] {
  if (entries.length === 0) return [nodeIP];
  const out = new Set<string>();
  for (const e of entries) {
    const cidr = parseCidr(e);
    if (!cidr) {
      out.add(e);
      continue;
    }
    for (const ip of [nodeIP, ...hostAddresses]) if (cidrContains(cidr, ip)) out.add(ip);
  }
  return [...out];
}
