/**
 * The routing table of one Service: which (Service, port) pairs the proxy serves and which
 * endpoints each one forwards to. Pure: built from a Service, its Endpoints and the node's name.
 *
 * As kube-proxy (pkg/proxy ServicePortName, util.BuildPortsToEndpointsMap):
 * - a Service port is matched to Endpoints ports by name ("" for the single unnamed port); the
 *   Endpoints already carry the resolved target port, so the Service's targetPort is not used;
 * - only `addresses` (ready endpoints) receive traffic, never `notReadyAddresses`;
 * - internalTrafficPolicy Local limits cluster IP traffic, and externalTrafficPolicy Local node
 *   port traffic, to endpoints on this node (addresses whose nodeName is this node);
 * - ExternalName Services are not proxied; headless Services (clusterIP None) get no cluster IP.
 *
 * One difference is deliberate: kube-proxy refuses loopback endpoint addresses, but the local
 * lab's pods live on 127.244.N.M, so any IPv4 address is accepted here.
 */
import type { Endpoints, Service, ServicePort } from '../../api/types.js';

/** Which traffic an endpoint list is for: to the cluster IP, or from outside to a node port. */
export type Scope = 'cluster' | 'external';

/** Kubernetes' default ClientIP session affinity timeout (3 hours). */
export const DEFAULT_AFFINITY_TIMEOUT_SECONDS = 10_800;

export interface AffinityPolicy {
  /** sessionAffinity ClientIP: a client IP keeps its endpoint while it keeps coming back. */
  clientIP: boolean;
  /** sessionAffinityConfig.clientIP.timeoutSeconds (default 10,800). */
  timeoutSeconds: number;
}

/** One port of one Service, as the proxy serves it. */
export interface ServicePortEntry {
  /** kube-proxy's ServicePortName: "ns/name:port", or "ns/name" for an unnamed port. */
  id: string;
  /** "ns/name" of the Service. */
  service: string;
  /** The Service port's name ("" when unnamed). */
  portName: string;
  /** The cluster IP, or undefined for a headless Service or one without an address yet. */
  clusterIP: string | undefined;
  port: number;
  /** The node port, for type NodePort and LoadBalancer Services that have one. */
  nodePort: number | undefined;
  /** "ip:port" of the ready endpoints for cluster IP traffic, sorted. */
  clusterEndpoints: string[];
  /** "ip:port" of the ready endpoints for node port traffic, sorted. */
  externalEndpoints: string[];
  affinity: AffinityPolicy;
}

/** A Service port the proxy does not serve, and why (for the log). */
export interface SkippedPort {
  port: number;
  portName: string;
  reason: string;
}

export interface ServiceRoutes {
  entries: ServicePortEntry[];
  skipped: SkippedPort[];
}

/** "ns/name" of an object. */
export function serviceKey(namespace: string | undefined, name: string | undefined): string {
  return `${namespace ?? ''}/${name ?? ''}`;
}

/** kube-proxy's ServicePortName.String(). */
export function servicePortId(service: string, portName: string): string {
  return portName ? `${service}:${portName}` : service;
}

/** The key of the round-robin state of an entry's endpoint list for one scope. */
export function balancerKey(id: string, scope: Scope): string {
  return `${id}|${scope}`;
}

function hasClusterIP(svc: Service): string | undefined {
  const ip = svc.spec.clusterIP;
  return ip && ip !== 'None' ? ip : undefined;
}

function affinityOf(svc: Service): AffinityPolicy {
  // sessionAffinityConfig is not in our Service type yet; read it as Kubernetes writes it.
  const cfg = (svc.spec as { sessionAffinityConfig?: { clientIP?: { timeoutSeconds?: number } } }).sessionAffinityConfig;
  const timeout = cfg?.clientIP?.timeoutSeconds;
  return {
    clientIP: svc.spec.sessionAffinity === 'ClientIP',
    timeoutSeconds: typeof timeout === 'number' && timeout > 0 ? timeout : DEFAULT_AFFINITY_TIMEOUT_SECONDS,
  };
}

/** Ready "ip:port" endpoints of a Service port, with the node each is on. */
function readyEndpoints(port: ServicePort, eps: Endpoints | undefined): { addr: string; nodeName: string | undefined }[] {
  const name = port.name ?? '';
  const seen = new Map<string, string | undefined>();
  for (const subset of eps?.subsets ?? []) {
    // By name only, as kube-proxy: port names are unique within a Service.
    const epPort = (subset.ports ?? []).find((p) => (p.name ?? '') === name);
    if (!epPort) continue;
    for (const a of subset.addresses ?? []) {
      const addr = `${a.ip}:${epPort.port}`;
      if (!seen.has(addr)) seen.set(addr, a.nodeName);
    }
  }
  return [...seen].map(([addr, nodeName]) => ({ addr, nodeName })).sort((a, b) => compareAddr(a.addr, b.addr));
}

/** Orders "ip:port" strings numerically, so lists read naturally in logs and tests. */
export function compareAddr(a: string, b: string): number {
  const pa = a.split(/[.:]/).map(Number);
  const pb = b.split(/[.:]/).map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * What the proxy serves for svc: one entry per TCP port, with the endpoints of eps. nodeName is
 * this node's name, for the Local traffic policies.
 */
export function serviceRoutes(svc: Service, eps: Endpoints | undefined, nodeName: string): ServiceRoutes {
  const out: ServiceRoutes = { entries: [], skipped: [] };
  const spec = svc.spec;
  if (spec.type === 'ExternalName') return out;
  const service = serviceKey(svc.metadata.namespace, svc.metadata.name);
  const clusterIP = hasClusterIP(svc);
  const withNodePorts = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
  const affinity = affinityOf(svc);
  for (const port of spec.ports ?? []) {
    const portName = port.name ?? '';
    const protocol = port.protocol ?? 'TCP';
    if (protocol !== 'TCP') {
      out.skipped.push({ port: port.port, portName, reason: `protocol ${protocol} is not supported (TCP only)` });
      continue;
    }
    const nodePort = withNodePorts && port.nodePort ? port.nodePort : undefined;
    if (!clusterIP && !nodePort) {
      // Headless: clients reach the endpoints directly through DNS, nothing to proxy.
      continue;
    }
    const ready = readyEndpoints(port, eps);
    const local = ready.filter((e) => e.nodeName === nodeName);
    out.entries.push({
      id: servicePortId(service, portName),
      service,
      portName,
      clusterIP,
      port: port.port,
      nodePort,
      clusterEndpoints: (spec.internalTrafficPolicy === 'Local' ? local : ready).map((e) => e.addr),
      externalEndpoints: (spec.externalTrafficPolicy === 'Local' ? local : ready).map((e) => e.addr),
      affinity,
    });
  }
  return out;
}
