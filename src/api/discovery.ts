/**
 * Discovery documents, derived from the resource registry (resources.ts): /api (APIVersions),
 * /apis (APIGroupList), /api/v1 and /apis/<group>/<version> (APIResourceList), and the aggregated
 * apidiscovery.k8s.io/v2 APIGroupDiscoveryList that kubectl 1.32 asks for first, with
 * Accept: application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList.
 * Pure: no I/O; the HTTP handlers serve what these functions return.
 */
import { createHash } from 'node:crypto';
import { RESOURCES, apiVersionOf, groupVersions, type ResourceInfo, type Subresource } from './resources.js';

/** Content type of the aggregated discovery response; the server must send it as Content-Type. */
export const AGGREGATED_DISCOVERY_CONTENT_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** Verbs of a resource itself, in the order Kubernetes lists them (alphabetical). */
export function resourceVerbs(r: ResourceInfo): string[] {
  // Namespace storage implements no DeleteCollection: deleting every namespace is not offered.
  const verbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
  return r.kind === 'Namespace' ? verbs.filter((v) => v !== 'deletecollection') : verbs;
}

export interface GroupVersionForDiscovery {
  groupVersion: string;
  version: string;
}

export interface APIGroup {
  name: string;
  versions: GroupVersionForDiscovery[];
  preferredVersion: GroupVersionForDiscovery;
}

export interface APIVersions {
  kind: 'APIVersions';
  versions: string[];
  serverAddressByClientCIDRs?: { clientCIDR: string; serverAddress: string }[];
}

export interface APIGroupList {
  kind: 'APIGroupList';
  apiVersion: 'v1';
  groups: APIGroup[];
}

/** metav1.APIResource. group and version are set only on subresources whose kind lives elsewhere. */
export interface APIResource {
  name: string;
  singularName: string;
  namespaced: boolean;
  group?: string;
  version?: string;
  kind: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  storageVersionHash?: string;
}

export interface APIResourceList {
  kind: 'APIResourceList';
  apiVersion: 'v1';
  groupVersion: string;
  resources: APIResource[];
}

/** apidiscovery/v2 APISubresourceDiscovery. */
export interface APISubresourceDiscovery {
  subresource: string;
  responseKind: GroupVersionKind;
  verbs: string[];
}

/** apidiscovery/v2 APIResourceDiscovery. */
export interface APIResourceDiscovery {
  resource: string;
  responseKind: GroupVersionKind;
  scope: 'Cluster' | 'Namespaced';
  singularResource: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  subresources?: APISubresourceDiscovery[];
}

/** apidiscovery/v2 APIGroupDiscoveryList; the core group's item has no name. */
export interface APIGroupDiscoveryList {
  kind: 'APIGroupDiscoveryList';
  apiVersion: 'apidiscovery.k8s.io/v2';
  metadata: Record<string, never>;
  items: {
    metadata: { name?: string };
    versions: { version: string; resources: APIResourceDiscovery[]; freshness: 'Current' | 'Stale' }[];
  }[];
}

export interface SubresourceInfo {
  /** The kind the subresource accepts and returns. */
  gvk: GroupVersionKind;
  verbs: string[];
}

/** Kind and verbs of a subresource, as Kubernetes serves them. */
export function subresourceInfo(r: ResourceInfo, sub: Subresource): SubresourceInfo {
  const own = { group: r.group, version: r.version, kind: r.kind };
  switch (sub) {
    case 'status':
      return { gvk: own, verbs: ['get', 'patch', 'update'] };
    case 'scale':
      return { gvk: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: ['get', 'patch', 'update'] };
    case 'binding':
      return { gvk: { group: '', version: 'v1', kind: 'Binding' }, verbs: ['create'] };
    case 'eviction':
      return { gvk: { group: 'policy', version: 'v1', kind: 'Eviction' }, verbs: ['create'] };
    case 'log':
      return { gvk: own, verbs: ['get'] };
  }
}

/**
 * storageVersionHash as k8s.io/apiserver/pkg/endpoints/discovery computes it: the first 8 bytes
 * of sha256("<group>/<version>/<kind>") in base64. Clients only compare it for changes.
 */
export function storageVersionHash(group: string, version: string, kind: string): string {
  return createHash('sha256').update(`${group}/${version}/${kind}`).digest().subarray(0, 8).toString('base64');
}

function resourcesOf(group: string, version: string): ResourceInfo[] {
  return RESOURCES.filter((r) => r.group === group && r.version === version).sort((a, b) => (a.plural < b.plural ? -1 : 1));
}

/** GET /api: the legacy group's versions. serverAddress, when given, is advertised for 0.0.0.0/0. */
export function apiVersions(serverAddress?: string): APIVersions {
  return {
    kind: 'APIVersions',
    versions: groupVersions().filter((gv) => gv.group === '').map((gv) => gv.version),
    ...(serverAddress ? { serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] } : {}),
  };
}

/** GET /apis: every named group with its versions; the first version is the preferred one. */
export function apiGroupList(): APIGroupList {
  const groups = new Map<string, string[]>();
  for (const gv of groupVersions()) {
    if (gv.group !== '') groups.set(gv.group, [...(groups.get(gv.group) ?? []), gv.version]);
  }
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [...groups].map(([name, versions]) => ({
      name,
      versions: versions.map((version) => ({ groupVersion: `${name}/${version}`, version })),
      preferredVersion: { groupVersion: `${name}/${versions[0]!}`, version: versions[0]! },
    })),
  };
}

/** GET /apis/<group>: one group of apiGroupList() as an APIGroup object, or undefined. */
export function apiGroup(name: string): (APIGroup & { kind: 'APIGroup'; apiVersion: 'v1' }) | undefined {
  const group = apiGroupList().groups.find((g) => g.name === name);
  return group ? { kind: 'APIGroup', apiVersion: 'v1', ...group } : undefined;
}

/**
 * GET /api/v1 or /apis/<group>/<version>: each resource, then each of its subresources as
 * "<plural>/<sub>" entries. Undefined when the group version is not served.
 */
export function apiResourceList(group: string, version: string): APIResourceList | undefined {
  const resources = resourcesOf(group, version);
  if (resources.length === 0) return undefined;
  const entries: APIResource[] = [];
  for (const r of resources) {
    entries.push({
      name: r.plural,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: resourceVerbs(r),
      ...(r.shortNames.length > 0 ? { shortNames: r.shortNames } : {}),
      ...(r.categories.length > 0 ? { categories: r.categories } : {}),
      storageVersionHash: storageVersionHash(r.group, r.version, r.kind),
    });
    for (const sub of [...r.subresources].sort()) {
      const info = subresourceInfo(r, sub);
      entries.push({
        name: `${r.plural}/${sub}`,
        singularName: '',
        namespaced: r.namespaced,
        // group and version appear only when the subresource's kind lives elsewhere (Scale, Eviction).
        ...(info.gvk.group !== r.group || info.gvk.version !== r.version ? { group: info.gvk.group, version: info.gvk.version } : {}),
        kind: info.gvk.kind,
        verbs: info.verbs,
      });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf({ group, version }), resources: entries };
}

function resourceDiscovery(r: ResourceInfo): APIResourceDiscovery {
  return {
    resource: r.plural,
    responseKind: { group: r.group, version: r.version, kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singular,
    verbs: resourceVerbs(r),
    ...(r.shortNames.length > 0 ? { shortNames: r.shortNames } : {}),
    ...(r.categories.length > 0 ? { categories: r.categories } : {}),
    ...(r.subresources.length > 0
      ? {
          subresources: [...r.subresources].sort().map((sub) => {
            const info = subresourceInfo(r, sub);
            return { subresource: sub, responseKind: info.gvk, verbs: info.verbs };
          }),
        }
      : {}),
  };
}

/**
 * The apidiscovery.k8s.io/v2 APIGroupDiscoveryList for /api ('api': the legacy group, named "")
 * or /apis ('apis': every named group), versions in order of preference.
 */
export function aggregatedDiscovery(kind: 'api' | 'apis'): APIGroupDiscoveryList {
  const groups = new Map<string, string[]>();
  for (const gv of groupVersions()) {
    if ((gv.group === '') !== (kind === 'api')) continue;
    groups.set(gv.group, [...(groups.get(gv.group) ?? []), gv.version]);
  }
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: 'apidiscovery.k8s.io/v2',
    metadata: {},
    items: [...groups].map(([group, versions]) => ({
      metadata: group === '' ? {} : { name: group },
      versions: versions.map((version) => ({
        version,
        resources: resourcesOf(group, version).map(resourceDiscovery),
        freshness: 'Current' as const,
      })),
    })),
  };
}
