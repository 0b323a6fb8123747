/**
 * The decisions of the endpoints controller (pkg/controller/endpoint), as pure functions of a
 * Service, the pods it selects and the current Endpoints:
 *
 * - which pods belong (a pod IP, not terminating unless publishNotReadyAddresses, not finished),
 *   and whether as a ready address or a notReadyAddress;
 * - each service port's target port on each pod, by number, or by name against the pod's
 *   container ports (pods whose containers name no such port are left out of that port);
 * - the canonical subsets (endpoints.RepackSubsets): addresses grouped by the exact set of ports
 *   they serve, sorted, so two computations of the same state compare equal;
 * - whether the Endpoints object must be created, updated, or left alone.
 */
import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { EndpointAddress, EndpointPort, Endpoints, EndpointSubset, ObjectMeta, Pod, Service, ServicePort } from '../../../api/types.js';
import { isPodReady } from '../shared.js';

/** Label Kubernetes puts on the Endpoints of a headless service. */
export const HEADLESS_LABEL = 'service.kubernetes.io/headless';

/** The selector of a service, or undefined when it has none (its Endpoints are the user's). */
export function serviceSelector(svc: Service): Record<string, string> | undefined {
  const sel = svc.spec?.selector;
  // An empty map does not survive Kubernetes' storage (protobuf drops it), so it means "none".
  if (!sel || Object.keys(sel).length === 0) return undefined;
  return sel;
}

/** Whether the controller manages the Endpoints of svc: it has a selector and is not ExternalName. */
export function managesEndpoints(svc: Service): boolean {
  return svc.spec?.type !== 'ExternalName' && serviceSelector(svc) !== undefined;
}

/** Whether labels match a service's equality selector. */
export function selects(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  for (const [k, v] of Object.entries(selector)) if (labels?.[k] !== v) return false;
  return true;
}

/** ShouldPodBeInEndpoints: a pod with an IP, not terminating (unless included), not finished for good. */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  if (!podIP(pod)) return false;
  if (!includeTerminating && pod.metadata.deletionTimestamp) return false;
  const phase = pod.status?.phase;
  switch (pod.spec.restartPolicy) {
    case 'Never':
      return phase !== 'Failed' && phase !== 'Succeeded';
    case 'OnFailure':
      return phase !== 'Succeeded';
    default:
      return true;
  }
}

function podIP(pod: Pod): string | undefined {
  return pod.status?.podIP || pod.status?.podIPs?.[0]?.ip || undefined;
}

/**
 * FindPort: the pod's port for a service port: targetPort itself when a number, else the
 * container port of that name and the service port's protocol; undefined when none matches.
 */
export function findPort(pod: Pod, sp: ServicePort): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === 'number') return target;
  const protocol = sp.protocol ?? 'TCP';
  // Sidecars (init containers that keep running) serve ports too.
  const containers = [...pod.spec.containers, ...(pod.spec.initContainers ?? []).filter((c) => c['restartPolicy'] === 'Always')];
  for (const c of containers) {
    for (const p of c.ports ?? []) {
      if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
    }
  }
  return undefined;
}

/** The address of a pod in a service's Endpoints. */
export function endpointAddress(pod: Pod, svc: Service): EndpointAddress {
  const a: EndpointAddress = { ip: podIP(pod)! };
  // ShouldSetHostname: the pod asked for a hostname in this service's subdomain.
  const hostname = pod.spec['hostname'];
  if (typeof hostname === 'string' && hostname && pod.spec['subdomain'] === svc.metadata.name && pod.metadata.namespace === svc.metadata.namespace) a.hostname = hostname;
  if (pod.spec.nodeName) a.nodeName = pod.spec.nodeName;
  a.targetRef = { kind: 'Pod', namespace: pod.metadata.namespace!, name: pod.metadata.name!, uid: pod.metadata.uid! };
  return a;
}

function endpointPort(sp: ServicePort, port: number): EndpointPort {
  const p: EndpointPort = sp.name ? { name: sp.name, port } : { port };
  p.protocol = sp.protocol ?? 'TCP';
  if (sp.appProtocol) p.appProtocol = sp.appProtocol;
  return p;
}

/** The subsets of a service's Endpoints for the pods it selects (syncService), repacked. */
export function computeSubsets(svc: Service, pods: readonly Pod[]): EndpointSubset[] {
  const publishNotReady = svc.spec.publishNotReadyAddresses === true;
  const subsets: EndpointSubset[] = [];
  const add = (pod: Pod, addr: EndpointAddress, port: EndpointPort | undefined) => {
    const ports = port ? [port] : [];
    if (publishNotReady || isPodReady(pod)) subsets.push({ addresses: [addr], ports });
    else subsets.push({ notReadyAddresses: [addr], ports });
  };
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, publishNotReady)) continue;
    const addr = endpointAddress(pod, svc);
    const ports = svc.spec.ports ?? [];
    if (ports.length === 0) {
      // Only a headless service may have no ports; its addresses then carry none.
      if (svc.spec.clusterIP === 'None') add(pod, addr, undefined);
      continue;
    }
    for (const sp of ports) {
      const port = findPort(pod, sp);
      if (port === undefined) continue;
      add(pod, addr, endpointPort(sp, port));
    }
  }
  return repackSubsets(subsets);
}

function hash(v: unknown): string {
  return createHash('md5').update(JSON.stringify(v)).digest('hex');
}

function addressKey(a: EndpointAddress): string {
  return `${a.ip}\u0000${a.targetRef?.uid ?? ''}`;
}

/** LessEndpointAddress: by IP, then by target uid (no target first). */
function compareAddresses(a: EndpointAddress, b: EndpointAddress): number {
  if (a.ip !== b.ip) return a.ip < b.ip ? -1 : 1;
  const ua = a.targetRef?.uid;
  const ub = b.targetRef?.uid;
  if (ua === ub) return 0;
  if (ua === undefined) return -1;
  if (ub === undefined) return 1;
  return ua < ub ? -1 : 1;
}

/** The stand-in port of addresses that carry none (headless services without ports). */
const NO_PORT = -1;

/**
 * RepackSubsets: expands subsets to (address, port, ready) and packs them again so that each
 * subset holds the addresses serving exactly the same ports. An address that is not ready for a
 * port is not ready there even if another subset lists it as ready. Sorted canonically.
 */
export function repackSubsets(subsets: readonly EndpointSubset[]): EndpointSubset[] {
  const addrs = new Map<string, EndpointAddress>();
  // port (as JSON) -> address key -> ready
  const byPort = new Map<string, { port: EndpointPort; ready: Map<string, boolean> }>();
  const note = (addr: EndpointAddress, port: EndpointPort, ready: boolean) => {
    const ak = addressKey(addr);
    if (!addrs.has(ak)) addrs.set(ak, addr);
    const pk = JSON.stringify([port.name ?? '', port.port, port.protocol ?? '', port.appProtocol ?? '']);
    let e = byPort.get(pk);
    if (!e) byPort.set(pk, (e = { port, ready: new Map() }));
    const was = e.ready.get(ak);
    if (was === undefined || was) e.ready.set(ak, ready);
  };
  for (const s of subsets) {
    const ports = s.ports?.length ? s.ports : [{ port: NO_PORT } as EndpointPort];
    for (const port of ports) {
      for (const a of s.addresses ?? []) note(a, port, true);
      for (const a of s.notReadyAddresses ?? []) note(a, port, false);
    }
  }
  // Group ports by the exact (address, ready) set that serves them.
  const groups = new Map<string, { ready: Map<string, boolean>; ports: EndpointPort[] }>();
  for (const { port, ready } of byPort.values()) {
    const key = [...ready.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, r]) => `${k}=${r}`).join(',');
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ready, ports: [] }));
    g.ports.push(port);
  }
  const out: EndpointSubset[] = [];
  for (const g of groups.values()) {
    const ready: EndpointAddress[] = [];
    const notReady: EndpointAddress[] = [];
    for (const [ak, r] of g.ready) (r ? ready : notReady).push(addrs.get(ak)!);
    const s: EndpointSubset = {};
    if (ready.length) s.addresses = ready.sort(compareAddresses);
    if (notReady.length) s.notReadyAddresses = notReady.sort(compareAddresses);
    const ports = g.ports.filter((p) => p.port !== NO_PORT);
    if (ports.length) s.ports = ports.sort((a, b) => (hash(a) < hash(b) ? -1 : 1));
    out.push(s);
  }
  return out.sort((a, b) => (hash(a) < hash(b) ? -1 : hash(a) > hash(b) ? 1 : 0));
}

/** The labels the Endpoints of svc carry: the service's, plus the headless marker when headless. */
export function endpointsLabels(svc: Service): Record<string, string> {
  const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}) };
  if (svc.spec.clusterIP === 'None') labels[HEADLESS_LABEL] = '';
  else delete labels[HEADLESS_LABEL];
  return labels;
}

function sameSubsets(a: readonly EndpointSubset[] | undefined, b: readonly EndpointSubset[]): boolean {
  // Compared after repacking, so an Endpoints written by an older version compares by content.
  return isDeepStrictEqual(repackSubsets(a ?? []), [...b]);
}

export type EndpointsAction = { op: 'none' } | { op: 'create'; endpoints: Endpoints } | { op: 'update'; endpoints: Endpoints };

/** What to write for svc, given the pods in its namespace and its current Endpoints (if any). */
export function desiredEndpoints(svc: Service, pods: readonly Pod[], current: Endpoints | undefined): EndpointsAction {
  const selector = serviceSelector(svc)!;
  const selected = pods.filter((p) => selects(selector, p.metadata.labels));
  const subsets = computeSubsets(svc, selected);
  const labels = endpointsLabels(svc);
  if (current && sameSubsets(current.subsets, subsets) && isDeepStrictEqual(current.metadata.labels ?? {}, labels)) return { op: 'none' };
  const metadata: ObjectMeta = current ? { ...structuredClone(current.metadata), labels } : { name: svc.metadata.name!, namespace: svc.metadata.namespace!, labels };
  if (Object.keys(labels).length === 0) delete metadata.labels;
  const endpoints: Endpoints = { apiVersion: 'v1', kind: 'Endpoints', metadata };
  if (subsets.length) endpoints.subsets = subsets;
  return current ? { op: 'update', endpoints } : { op: 'create', endpoints };
}
