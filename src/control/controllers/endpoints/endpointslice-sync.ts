/**
 * The decisions of the EndpointSlice half of the endpoints controller, after Kubernetes'
 * EndpointSlice controller (pkg/controller/endpointslice and its reconciler), as pure functions
 * of a Service, the pods in its namespace and the slices it already has. Simplified: no
 * 100-endpoint chunking and no topology (zone) hints; otherwise as Kubernetes does it:
 *
 * - one slice per address type of the service (spec.ipFamilies) and per set of resolved ports:
 *   pods whose named targetPort resolves to different numbers land in different slices, as in
 *   Kubernetes; a service without endpoints keeps one empty placeholder slice per address type;
 * - slices are named by generateName "<service>-", labelled kubernetes.io/service-name and
 *   endpointslice.kubernetes.io/managed-by, and owned by the Service (controller reference), so
 *   the garbage collector removes them with it;
 * - terminating pods stay in with terminating: true and ready: false (serving tells whether
 *   they still pass their readiness checks), unless publishNotReadyAddresses makes them ready;
 * - a slice is written only when its endpoints, ports, labels or owner differ;
 * - staleSlices: whether the informer has yet to show the slices we wrote, so that a sync from
 *   an old cache does not create a second slice (Kubernetes' endpointSliceTracker).
 */
import { isIPv4, isIPv6 } from 'node:net';
import { isDeepStrictEqual } from 'node:util';
import type { AddressType, DiscoveryEndpointPort, Endpoint, EndpointSlice, OwnerReference, Pod, Service } from '../../../api/types.js';
import { isPodReady } from '../shared.js';
import { findPort, HEADLESS_LABEL, managesEndpoints, selects, serviceSelector, shouldPodBeInEndpoints } from './sync.js';

/** discovery/v1 LabelServiceName: the service a slice belongs to. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
/** discovery/v1 LabelManagedBy: which controller manages a slice. */
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
/** The value of MANAGED_BY_LABEL on the slices this controller writes (Kubernetes' own). */
export const CONTROLLER_NAME = 'endpointslice-controller.k8s.io';

/** Whether this controller manages the slice: labelled as ours and naming a service. */
export function isManagedSlice(slice: EndpointSlice): boolean {
  const labels = slice.metadata.labels ?? {};
  return labels[MANAGED_BY_LABEL] === CONTROLLER_NAME && !!labels[SERVICE_NAME_LABEL];
}

/** The "<namespace>/<service>" key of a managed slice's service, or undefined when not ours. */
export function serviceKeyOfSlice(slice: EndpointSlice): string | undefined {
  if (!isManagedSlice(slice)) return undefined;
  return `${slice.metadata.namespace ?? ''}/${slice.metadata.labels![SERVICE_NAME_LABEL]!}`;
}

/** getAddressTypesForService: the families of spec.ipFamilies, else that of the cluster IP, else both. */
export function addressTypesFor(svc: Service): AddressType[] {
  const families = (svc.spec.ipFamilies ?? []).filter((f): f is AddressType => f === 'IPv4' || f === 'IPv6');
  if (families.length > 0) return [...new Set(families)];
  const ip = svc.spec.clusterIP;
  if (ip && ip !== 'None') return [isIPv6(ip) ? 'IPv6' : 'IPv4'];
  return ['IPv4', 'IPv6'];
}

/** The pod's addresses of one family, from status.podIPs (or the older status.podIP). */
export function podAddresses(pod: Pod, type: AddressType): string[] {
  const ips = pod.status?.podIPs?.length ? pod.status.podIPs.map((p) => p.ip) : pod.status?.podIP ? [pod.status.podIP] : [];
  return ips.filter((ip) => (type === 'IPv4' ? isIPv4(ip) : type === 'IPv6' ? isIPv6(ip) : false));
}

/** getEndpointPorts: each service port resolved on the pod, with its name ("" when none) and protocol. */
export function slicePorts(svc: Service, pod: Pod): DiscoveryEndpointPort[] {
  const out: DiscoveryEndpointPort[] = [];
  for (const sp of svc.spec.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    const p: DiscoveryEndpointPort = { name: sp.name ?? '', protocol: sp.protocol ?? 'TCP', port };
    if (sp.appProtocol) p.appProtocol = sp.appProtocol;
    out.push(p);
  }
  return out;
}

/** podToEndpoint: the pod as an endpoint of the slice of one address type. */
export function sliceEndpoint(pod: Pod, svc: Service, addresses: string[]): Endpoint {
  const serving = isPodReady(pod);
  const terminating = !!pod.metadata.deletionTimestamp;
  // A terminating endpoint is never ready, unless the service publishes every address.
  const ready = svc.spec.publishNotReadyAddresses === true || (serving && !terminating);
  const ep: Endpoint = { addresses, conditions: { ready, serving, terminating } };
  const hostname = pod.spec['hostname'];
  if (typeof hostname === 'string' && hostname && pod.spec['subdomain'] === svc.metadata.name && pod.metadata.namespace === svc.metadata.namespace) ep.hostname = hostname;
  if (pod.spec.nodeName) ep.nodeName = pod.spec.nodeName;
  ep.targetRef = { kind: 'Pod', namespace: pod.metadata.namespace!, name: pod.metadata.name!, uid: pod.metadata.uid! };
  return ep;
}

/** setEndpointSliceLabels: the service's labels, the headless marker, and the two labels of ours. */
export function sliceLabels(svc: Service): Record<string, string> {
  const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}) };
  if (svc.spec.clusterIP === 'None') labels[HEADLESS_LABEL] = '';
  else delete labels[HEADLESS_LABEL];
  labels[SERVICE_NAME_LABEL] = svc.metadata.name!;
  labels[MANAGED_BY_LABEL] = CONTROLLER_NAME;
  return labels;
}

/** The controller reference a slice carries to its Service. */
export function serviceOwnerRef(svc: Service): OwnerReference {
  return { apiVersion: 'v1', kind: 'Service', name: svc.metadata.name!, uid: svc.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

/** A canonical key of a port set: the same ports in any order give the same key. */
export function portsKey(ports: readonly DiscoveryEndpointPort[] | undefined): string {
  const norm = (ports ?? []).map((p) => [p.name ?? '', p.protocol ?? 'TCP', p.port ?? null, p.appProtocol ?? null]);
  return JSON.stringify(norm.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)));
}

function compareEndpoints(a: Endpoint, b: Endpoint): number {
  const ka = `${a.addresses[0] ?? ''}\u0000${a.targetRef?.name ?? ''}`;
  const kb = `${b.addresses[0] ?? ''}\u0000${b.targetRef?.name ?? ''}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** What one slice should hold. */
export interface DesiredSlice {
  addressType: AddressType;
  ports: DiscoveryEndpointPort[];
  endpoints: Endpoint[];
}

/**
 * The slices a service with a selector should have: its selected pods that belong (an IP of the
 * family, not finished; terminating ones included) grouped by address type and resolved ports,
 * endpoints sorted by address. An address type without endpoints gets one empty placeholder.
 */
export function desiredSlices(svc: Service, pods: readonly Pod[]): DesiredSlice[] {
  const selector = serviceSelector(svc);
  const selected = selector ? pods.filter((p) => selects(selector, p.metadata.labels)) : [];
  const out: DesiredSlice[] = [];
  for (const addressType of addressTypesFor(svc)) {
    const groups = new Map<string, DesiredSlice>();
    for (const pod of selected) {
      if (!shouldPodBeInEndpoints(pod, true)) continue;
      const addresses = podAddresses(pod, addressType);
      if (addresses.length === 0) continue;
      const ports = slicePorts(svc, pod);
      const key = portsKey(ports);
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { addressType, ports, endpoints: [] }));
      g.endpoints.push(sliceEndpoint(pod, svc, addresses));
    }
    if (groups.size === 0) groups.set(portsKey([]), { addressType, ports: [], endpoints: [] });
    for (const g of groups.values()) {
      g.endpoints.sort(compareEndpoints);
      out.push(g);
    }
  }
  return out;
}

export interface SliceChanges {
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
}

function hasOwnerRef(slice: EndpointSlice, svc: Service): boolean {
  return (slice.metadata.ownerReferences ?? []).some((r) => r.kind === 'Service' && r.uid === svc.metadata.uid && r.controller === true);
}

/**
 * reconcile: what to create, update and delete so that the managed slices of svc (existing, as
 * the informer shows them) become desiredSlices(svc, pods). An existing slice is reused for the
 * desired slice with the same address type and port set; leftovers and duplicates are deleted.
 * A service that should have no slices (no selector, ExternalName) gets all of them deleted.
 */
export function reconcileSlices(svc: Service, pods: readonly Pod[], existing: readonly EndpointSlice[]): SliceChanges {
  const changes: SliceChanges = { create: [], update: [], delete: [] };
  if (!managesEndpoints(svc)) {
    changes.delete.push(...existing);
    return changes;
  }
  const labels = sliceLabels(svc);
  const unused = [...existing].sort((a, b) => ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1));
  for (const want of desiredSlices(svc, pods)) {
    const key = portsKey(want.ports);
    const i = unused.findIndex((s) => s.addressType === want.addressType && portsKey(s.ports) === key);
    if (i < 0) {
      changes.create.push({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { generateName: `${svc.metadata.name}-`, namespace: svc.metadata.namespace!, labels, ownerReferences: [serviceOwnerRef(svc)] },
        addressType: want.addressType,
        endpoints: want.endpoints,
        ports: want.ports,
      });
      continue;
    }
    const cur = unused.splice(i, 1)[0]!;
    const same =
      isDeepStrictEqual(cur.endpoints ?? [], want.endpoints) &&
      portsKey(cur.ports) === key &&
      isDeepStrictEqual(cur.metadata.labels ?? {}, labels) &&
      hasOwnerRef(cur, svc);
    if (same) continue;
    const owners = (cur.metadata.ownerReferences ?? []).filter((r) => !(r.kind === 'Service' && r.controller === true));
    changes.update.push({
      ...structuredClone(cur),
      metadata: { ...structuredClone(cur.metadata), labels, ownerReferences: [...owners, serviceOwnerRef(svc)] },
      endpoints: want.endpoints,
      ports: want.ports,
    });
  }
  changes.delete.push(...unused);
  return changes;
}

/** What we wrote of a slice and the informer has yet to show: its generation, or its deletion. */
export type SliceExpectation = number | 'deleted';

/**
 * Whether the informer's slices of a service lag behind our own writes (a slice we created or
 * updated is missing or older; one we deleted is still there), and which expectations it has
 * now met and can be forgotten.
 */
export function staleSlices(expected: ReadonlyMap<string, SliceExpectation>, cached: readonly EndpointSlice[]): { stale: boolean; met: string[] } {
  const byName = new Map(cached.map((s) => [s.metadata.name ?? '', s]));
  const met: string[] = [];
  let stale = false;
  for (const [name, want] of expected) {
    const s = byName.get(name);
    const ok = want === 'deleted' ? s === undefined : s !== undefined && (s.metadata.generation ?? 0) >= want;
    if (ok) met.push(name);
    else stale = true;
  }
  return { stale, met };
}
