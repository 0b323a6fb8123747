/**
 * Names and addresses of hollow nodes, from their index: node N is "<prefix>N", its InternalIP is
 * 127.32.0.0 + N + 1 and its pods get 127.(64 + N/256).(N%256).0/24. Everything stays in the
 * loopback range on purpose: whatever tries to reach a hollow node or pod (the API server's log
 * proxy, a service proxy) reaches this machine and is refused, never another network.
 */
import { ipv4ToNumber, numberToIpv4 } from '../kubelet/runtimes/ip-pool.js';

/** Most hollow nodes one index space holds: the pod ranges cover 127.64.0.0/10. */
export const MAX_HOLLOW_INDEX = 16_383;

const NODE_BASE = ipv4ToNumber('127.32.0.0');

/** The node name of index. */
export function hollowNodeName(prefix: string, index: number): string {
  return `${prefix}${index}`;
}

/** The InternalIP of node index. */
export function hollowNodeIP(index: number): string {
  checkIndex(index);
  return numberToIpv4(NODE_BASE + index + 1);
}

/** The pod CIDR of node index. */
export function hollowPodCIDR(index: number): string {
  checkIndex(index);
  return `127.${64 + (index >> 8)}.${index & 255}.0/24`;
}

function checkIndex(index: number): void {
  if (!(Number.isInteger(index) && index >= 0 && index <= MAX_HOLLOW_INDEX)) throw new RangeError(`hollow node index must be within 0-${MAX_HOLLOW_INDEX}, not ${index}`);
}
