/**
 * What kube-apiserver's bootstrap controllers create when it starts: the system namespaces, and
 * the "kubernetes" Service in "default" (the first IP of the service range, port 443) with
 * Endpoints and an EndpointSlice naming the API server's own address, so that `kubectl get svc`
 * and `kubectl describe svc kubernetes` find it as on any cluster, and pods reach it through the
 * Service when that address is one they can reach (not so for a docker lab's loopback API server:
 * then there are no Endpoints, and the log says why).
 */
import { isStatusError } from '../../api/errors.js';
import { resourceByKind, type ResourceInfo } from '../../api/resources.js';
import type { Endpoints, KObject, Service } from '../../api/types.js';
import type { Store } from './registry/store.js';
import { jsonEqual } from '../../util/json-value.js';
import { nullLogger, type Logger } from '../../util/log.js';

const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
const NAMESPACES = resourceByKind('Namespace')!;
const SERVICES = resourceByKind('Service')!;
const ENDPOINTS = resourceByKind('Endpoints')!;
const SLICES = resourceByKind('EndpointSlice')!;

export async function ensureNamespaces(store: Store): Promise<void> {
  for (const name of SYSTEM_NAMESPACES) {
    if (store.cache.get(NAMESPACES, store.key(NAMESPACES, '', name))) continue;
    await store.create(NAMESPACES, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
}

/** The Service and Endpoints objects kube-apiserver keeps for itself (pure). */
export function kubernetesService(clusterIP: string, address: string | undefined, port: number): { service: Service; endpoints: Endpoints | undefined; slice: KObject | undefined } {
  const labels = { component: 'apiserver', provider: 'kubernetes' };
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels },
    spec: { type: 'ClusterIP', clusterIP, clusterIPs: [clusterIP], sessionAffinity: 'None', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: port }] },
  } as unknown as Service;
  const endpoints = address
    ? ({
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
        subsets: [{ addresses: [{ ip: address }], ports: [{ name: 'https', port, protocol: 'TCP' }] }],
      } as unknown as Endpoints)
    : undefined;
  const slice = address
    ? {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
        addressType: address.includes(':') ? 'IPv6' : 'IPv4',
        endpoints: [{ addresses: [address], conditions: { ready: true } }],
        ports: [{ name: 'https', port, protocol: 'TCP' }],
      }
    : undefined;
  return { service, endpoints, slice };
}

/**
 * Creates the "kubernetes" Service, and its Endpoints when the API server has an address pods
 * can be sent to (advertise); an existing one is brought up to date (a new port after a restart).
 */
export async function ensureKubernetesService(store: Store, advertise: string | undefined, port: number, log: Logger = nullLogger): Promise<void> {
  const { service, endpoints, slice } = kubernetesService(store.allocator.apiServiceIP(), advertise, port);
  const current = store.cache.get(SERVICES, store.key(SERVICES, 'default', 'kubernetes'))?.obj as Service | undefined;
  if (!current) await store.create(SERVICES, 'default', service);
  else if (!jsonEqual(current.spec.ports, service.spec.ports)) {
    await store.update(SERVICES, 'default', 'kubernetes', { ...current, spec: { ...current.spec, ports: service.spec.ports } }, '');
  }
  const written = (endpoints ? await ensure(store, ENDPOINTS, endpoints, (o) => (o as Endpoints).subsets) : false) && (slice ? await ensure(store, SLICES, slice, (o) => [o.endpoints, o.ports]) : false);
  if (!written) {
    log.info('the "kubernetes" Service has no endpoints: pods cannot reach this API server at its address (set --advertise-address to one they can, and --allow-loopback-endpoints for a loopback one)', { advertise: advertise ?? 'none' });
  }
}

/** Creates want, or replaces the existing object when the part that matters differs; false when it is refused. */
async function ensure(store: Store, r: ResourceInfo, want: KObject, part: (o: KObject) => unknown): Promise<boolean> {
  const name = want.metadata.name!;
  const current = store.cache.get(r, store.key(r, 'default', name))?.obj;
  try {
    if (!current) await store.create(r, 'default', want);
    else if (!jsonEqual(part(current), part(want))) {
      await store.update(r, 'default', name, { ...want, metadata: { ...want.metadata, resourceVersion: current.metadata.resourceVersion } }, '');
    }
  } catch (err) {
    // A loopback address is refused in Endpoints and slices unless --allow-loopback-endpoints (a local lab).
    if (!isStatusError(err, 'Invalid')) throw err;
    return false;
  }
  return true;
}
