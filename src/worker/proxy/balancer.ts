/**
 * Round-robin choice of endpoints with optional ClientIP session affinity, as kube-proxy's
 * userspace LoadBalancerRR (pkg/proxy/userspace/roundrobin.go):
 *
 * - a new or changed endpoint set is shuffled and the rotation restarts at its start; the same
 *   set again (in any order) keeps order and position, so a resync does not skew the rotation.
 *   The shuffle keeps the proxies of many nodes from all sending their first connection to the
 *   same endpoint;
 * - with ClientIP affinity a client IP keeps its endpoint until it has not been seen for the
 *   timeout, or its endpoint leaves the set, or a connect to it failed (the caller asks for a
 *   reset).
 *
 * No I/O and no clock of its own: the time comes in with each call, randomness is injected.
 */
import type { AffinityPolicy } from './table.js';

interface Sticky {
  endpoint: string;
  lastUsedMs: number;
}

interface State {
  endpoints: string[];
  index: number;
  affinity: AffinityPolicy;
  sticky: Map<string, Sticky>;
}

export interface RoundRobinOptions {
  /** Source of randomness for the shuffle, values in [0, 1) (default Math.random). */
  random?: () => number;
  /** Client IPs remembered per key before expired ones are pruned (default 4096). */
  maxSticky?: number;
}

/** Whether two endpoint lists hold the same set. */
function sameSet(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const s = new Set(a);
  return b.every((x) => s.has(x));
}

export class RoundRobin {
  private readonly states = new Map<string, State>();
  private readonly random: () => number;
  private readonly maxSticky: number;

  constructor(o: RoundRobinOptions = {}) {
    this.random = o.random ?? Math.random;
    this.maxSticky = o.maxSticky ?? 4096;
    if (!(Number.isInteger(this.maxSticky) && this.maxSticky > 0)) throw new RangeError(`maxSticky must be a positive integer, not ${o.maxSticky}`);
  }

  /**
   * Sets the endpoints ("ip:port") of key. Returns true when the set changed, which reshuffles it
   * and restarts the rotation; affinity to endpoints that left is forgotten.
   */
  set(key: string, endpoints: readonly string[], affinity: AffinityPolicy): boolean {
    const st = this.states.get(key);
    if (st && sameSet(st.endpoints, endpoints)) {
      if (!affinity.clientIP) st.sticky.clear();
      st.affinity = affinity;
      return false;
    }
    const next: State = { endpoints: this.shuffle(endpoints), index: 0, affinity, sticky: st?.sticky ?? new Map() };
    const present = new Set(endpoints);
    for (const [ip, s] of next.sticky) if (!affinity.clientIP || !present.has(s.endpoint)) next.sticky.delete(ip);
    this.states.set(key, next);
    return true;
  }

  /** Forgets key. */
  delete(key: string): void {
    this.states.delete(key);
  }

  /** The endpoints of key in rotation order (empty when unknown). */
  endpoints(key: string): readonly string[] {
    return this.states.get(key)?.endpoints ?? [];
  }

  /**
   * The endpoint for the next connection from clientIP at nowMs, or undefined when key has none.
   * resetAffinity skips (and replaces) the client's sticky endpoint, after a failed connect to it.
   */
  next(key: string, clientIP: string, nowMs: number, resetAffinity = false): string | undefined {
    const st = this.states.get(key);
    if (!st || st.endpoints.length === 0) return undefined;
    const sticky = st.affinity.clientIP;
    if (sticky && !resetAffinity) {
      const s = st.sticky.get(clientIP);
      if (s && nowMs - s.lastUsedMs < st.affinity.timeoutSeconds * 1000) {
        s.lastUsedMs = nowMs;
        return s.endpoint;
      }
    }
    const endpoint = st.endpoints[st.index]!;
    st.index = (st.index + 1) % st.endpoints.length;
    if (sticky) {
      if (!st.sticky.has(clientIP) && st.sticky.size >= this.maxSticky) this.prune(st, nowMs);
      st.sticky.set(clientIP, { endpoint, lastUsedMs: nowMs });
    }
    return endpoint;
  }

  private prune(st: State, nowMs: number): void {
    const ttl = st.affinity.timeoutSeconds * 1000;
    for (const [ip, s] of st.sticky) if (nowMs - s.lastUsedMs >= ttl) st.sticky.delete(ip);
    // Still full of live clients: drop the oldest entry (Map order is insertion order).
    if (st.sticky.size >= this.maxSticky) st.sticky.delete(st.sticky.keys().next().value!);
  }

  /** Fisher-Yates with the injected randomness. */
  private shuffle(xs: readonly string[]): string[] {
    const a = [...xs];
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      [a[i], a[j]] = [a[j]!, a[i]!];
    }
    return a;
  }
}
