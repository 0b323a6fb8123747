/**
 * Listener reconciliation, pure: from the routing table to the set of sockets the proxy should
 * listen on (cluster IP:port for every served port, node address:node port for node ports), and
 * the difference to what is open now: what to open, what to close and what to point elsewhere
 * without reopening. Also the difference of the cluster IPs on the cluster IP interface.
 */
import { compareAddr, type Scope, type ServicePortEntry } from './table.js';

export type ListenerKind = 'ClusterIP' | 'NodePort';

/** One socket the proxy listens on, and where its connections go. */
export interface ListenerSpec {
  /** "ip:port", unique among listeners. */
  key: string;
  ip: string;
  port: number;
  kind: ListenerKind;
  /** The ServicePortEntry id it serves. */
  target: string;
  /** Which endpoint list of the entry: cluster IP traffic or node port traffic. */
  scope: Scope;
  /** "ns/name" of the Service, and the port's name, for logs, metrics and Events. */
  service: string;
  portName: string;
}

export interface ListenerPlan {
  open: ListenerSpec[];
  /** Keys of listeners to close. */
  close: string[];
  /** Listeners that stay open but now serve another target. */
  retarget: ListenerSpec[];
}

function sameTarget(a: ListenerSpec, b: ListenerSpec): boolean {
  return a.target === b.target && a.scope === b.scope && a.kind === b.kind && a.service === b.service && a.portName === b.portName;
}

/**
 * The listeners for entries: one on clusterIP:port per entry with a cluster IP, and one on
 * address:nodePort per node port address for entries with a node port. Should two entries ask
 * for the same socket (the API server prevents it), the entry whose id sorts first wins.
 */
export function desiredListeners(entries: Iterable<ServicePortEntry>, nodePortAddresses: readonly string[]): Map<string, ListenerSpec> {
  const out = new Map<string, ListenerSpec>();
  const add = (spec: ListenerSpec) => {
    if (!out.has(spec.key)) out.set(spec.key, spec);
  };
  for (const e of [...entries].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    const base = { target: e.id, service: e.service, portName: e.portName };
    if (e.clusterIP) add({ key: `${e.clusterIP}:${e.port}`, ip: e.clusterIP, port: e.port, kind: 'ClusterIP', scope: 'cluster', ...base });
    if (e.nodePort) {
      for (const ip of nodePortAddresses) add({ key: `${ip}:${e.nodePort}`, ip, port: e.nodePort, kind: 'NodePort', scope: 'external', ...base });
    }
  }
  return out;
}

/** What to change to go from current listeners to desired ones. Lists are sorted by key. */
export function planListeners(desired: ReadonlyMap<string, ListenerSpec>, current: ReadonlyMap<string, ListenerSpec>): ListenerPlan {
  const plan: ListenerPlan = { open: [], close: [], retarget: [] };
  for (const [key, spec] of desired) {
    const cur = current.get(key);
    if (!cur) plan.open.push(spec);
    else if (!sameTarget(cur, spec)) plan.retarget.push(spec);
  }
  for (const key of current.keys()) if (!desired.has(key)) plan.close.push(key);
  const byKey = (a: ListenerSpec, b: ListenerSpec) => compareAddr(a.key, b.key);
  plan.open.sort(byKey);
  plan.retarget.sort(byKey);
  plan.close.sort(compareAddr);
  return plan;
}

/** The cluster IPs that listeners need on the cluster IP interface. */
export function clusterIPsOf(listeners: Iterable<ListenerSpec>): string[] {
  const ips = new Set<string>();
  for (const l of listeners) if (l.kind === 'ClusterIP') ips.add(l.ip);
  return [...ips].sort(compareAddr);
}

/** Addresses to add to and remove from an interface that has current and should have desired. */
export function planAddresses(current: readonly string[], desired: readonly string[]): { add: string[]; remove: string[] } {
  const cur = new Set(current);
  const want = new Set(desired);
  return {
    add: [...want].filter((ip) => !cur.has(ip)).sort(compareAddr),
    remove: [...cur].filter((ip) => !want.has(ip)).sort(compareAddr),
  };
}
