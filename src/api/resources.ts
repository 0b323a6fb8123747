/**
 * The resource registry: every kind the API serves, with its group, version, REST names,
 * scope and subresources. Discovery documents, routing, storage keys and kubectl's short
 * names all derive from this one table.
 */

export type Subresource = 'status' | 'scale' | 'binding' | 'log' | 'eviction';

export interface ResourceInfo {
  /** API group; '' is the core (legacy) group served under /api. */
  group: string;
  version: string;
  kind: string;
  listKind: string;
  /** Lower-case plural used in REST paths, e.g. "deployments". */
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  subresources: Subresource[];
  /** Whether a change to anything but metadata and status bumps metadata.generation. */
  hasGeneration: boolean;
  /** Whether the object has a status that only the status subresource may change. */
  hasStatus: boolean;
}

function res(r: Omit<ResourceInfo, 'listKind' | 'singular' | 'categories' | 'shortNames' | 'subresources' | 'hasGeneration' | 'hasStatus'> & Partial<ResourceInfo>): ResourceInfo {
  return {
    listKind: `${r.kind}List`,
    singular: r.kind.toLowerCase(),
    categories: [],
    shortNames: [],
    subresources: [],
    hasGeneration: false,
    hasStatus: false,
    ...r,
  };
}

export const RESOURCES: readonly ResourceInfo[] = [
  res({ group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false, shortNames: ['ns'], subresources: ['status'], hasStatus: true }),
  res({ group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: true, shortNames: ['po'], categories: ['all'], subresources: ['status', 'binding', 'log', 'eviction'], hasStatus: true }),
  res({ group: '', version: 'v1', kind: 'Node', plural: 'nodes', namespaced: false, shortNames: ['no'], subresources: ['status'], hasStatus: true }),
  res({ group: '', version: 'v1', kind: 'Service', plural: 'services', namespaced: true, shortNames: ['svc'], categories: ['all'], subresources: ['status'], hasStatus: true }),
  res({ group: '', version: 'v1', kind: 'Endpoints', plural: 'endpoints', singular: 'endpoints', namespaced: true, shortNames: ['ep'] }),
  res({ group: '', version: 'v1', kind: 'Event', plural: 'events', namespaced: true, shortNames: ['ev'] }),
  res({ group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true, shortNames: ['cm'] }),
  res({ group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', namespaced: true, shortNames: ['deploy'], categories: ['all'], subresources: ['status', 'scale'], hasGeneration: true, hasStatus: true }),
  res({ group: 'apps', version: 'v1', kind: 'ReplicaSet', plural: 'replicasets', namespaced: true, shortNames: ['rs'], categories: ['all'], subresources: ['status', 'scale'], hasGeneration: true, hasStatus: true }),
  res({ group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', namespaced: true }),
  // Endpoints of a service as kube-proxy and kubectl 1.32 (describe service) read them; no status.
  res({ group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice', plural: 'endpointslices', namespaced: true, hasGeneration: true }),
];

export function apiVersionOf(r: Pick<ResourceInfo, 'group' | 'version'>): string {
  return r.group === '' ? r.version : `${r.group}/${r.version}`;
}

/** "deployments.apps", or "pods" for the core group: the form Kubernetes uses in messages. */
export function qualifiedResource(r: Pick<ResourceInfo, 'group' | 'plural'>): string {
  return r.group === '' ? r.plural : `${r.plural}.${r.group}`;
}

const byGroupPlural = new Map(RESOURCES.map((r) => [`${r.group}/${r.plural}`, r]));
const byApiVersionKind = new Map(RESOURCES.map((r) => [`${apiVersionOf(r)}/${r.kind}`, r]));
const byKind = new Map(RESOURCES.map((r) => [r.kind, r]));

export function resourceFor(group: string, plural: string): ResourceInfo | undefined {
  return byGroupPlural.get(`${group}/${plural}`);
}

export function resourceForKind(apiVersion: string, kind: string): ResourceInfo | undefined {
  return byApiVersionKind.get(`${apiVersion}/${kind}`);
}

export function resourceByKind(kind: string): ResourceInfo | undefined {
  return byKind.get(kind);
}

/** Group versions the server serves, core first. */
export function groupVersions(): { group: string; version: string }[] {
  const seen = new Map<string, { group: string; version: string }>();
  for (const r of RESOURCES) seen.set(apiVersionOf(r), { group: r.group, version: r.version });
  return [...seen.values()];
}

/**
 * Storage key of an object: /registry/<group or "core">/<plural>/<namespace>/<name>, or
 * without the namespace for cluster-scoped kinds. A prefix (trailing slash) lists them.
 */
export function storageKey(r: ResourceInfo, namespace: string | undefined, name: string): string {
  return r.namespaced ? `${storagePrefix(r, namespace)}${name}` : `${storagePrefix(r)}${name}`;
}

export function storagePrefix(r: ResourceInfo, namespace?: string): string {
  const base = `/registry/${r.group || 'core'}/${r.plural}/`;
  return r.namespaced && namespace ? `${base}${namespace}/` : base;
}
