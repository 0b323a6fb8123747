/**
 * Pod IPs of the process runtime: each pod gets one address of the node's pod CIDR. The lab gives
 * local nodes ranges inside 127.0.0.0/8, where Linux answers on every address without setup, so a
 * pod's processes can listen on "their" IP and replicas on one host never collide.
 *
 * The free addresses are derived from the sandboxes that are ready (their records hold the IP),
 * so the allocation survives a restart without a second source of truth; only the next-fit cursor
 * (the last address handed out) is kept on its own, in network.json.
 */
import { createServer } from 'node:net';
import { ipv4ToNumber, numberToIpv4, parseCidr } from '../ip-pool.js';

/** The addresses of cidr that may be given to pods, as numbers: the same rule as Ipv4Pool. */
export function allocatableRange(cidr: string): { first: number; last: number } {
  const { base, size } = parseCidr(cidr);
  // Network and gateway (.0, .1) and broadcast stay free, as CNI host-local leaves them.
  return size >= 4 ? { first: base + 2, last: base + size - 2 } : { first: base, last: base + size - 1 };
}

/** Whether ip lies in the allocatable part of cidr. */
export function inRange(cidr: string, ip: string): boolean {
  const { first, last } = allocatableRange(cidr);
  const n = ipv4ToNumber(ip);
  return n >= first && n <= last;
}

/**
 * The next free address of cidr after `after` (next-fit, wrapping round), so that an address just
 * released is not handed out again at once, which would let a stale endpoint reach a new pod.
 * Throws when every address is in use.
 */
export function allocateIp(cidr: string, inUse: ReadonlySet<string>, after?: string): string {
  const { first, last } = allocatableRange(cidr);
  const count = last - first + 1;
  let start = first;
  if (after !== undefined) {
    const n = ipv4ToNumber(after);
    if (n >= first && n < last) start = n + 1;
  }
  for (let i = 0; i < count; i++) {
    const ip = numberToIpv4(first + ((start - first + i) % count));
    if (!inUse.has(ip)) return ip;
  }
  throw new Error(`no free address left in pod CIDR ${cidr} (${count} in use)`);
}

/**
 * Whether this host can listen on the first pod address of cidr: true on Linux for any 127.x
 * range; on macOS only for addresses aliased on lo0. Resolves with the error message otherwise.
 */
export async function probeListen(cidr: string): Promise<{ ok: true } | { ok: false; message: string }> {
  const ip = numberToIpv4(allocatableRange(cidr).first);
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => {
      const hint = process.platform === 'darwin' ? ` (on macOS, alias the range first: sudo ifconfig lo0 alias ${ip} up, for each address)` : '';
      resolve({ ok: false, message: `cannot listen on ${ip} of pod CIDR ${cidr}: ${err.code ?? err.message}${hint}` });
    });
    server.listen({ host: ip, port: 0 }, () => server.close(() => resolve({ ok: true })));
  });
}
