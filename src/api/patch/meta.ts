/**
 * Strategic merge patch metadata: for each field of our kinds, the patchStrategy and
 * patchMergeKey that the Go struct tags in k8s.io/api (core/v1, apps/v1) and
 * k8s.io/apimachinery (meta/v1) declare. A field without an entry has the default strategy:
 * objects merge key by key, lists are replaced whole ("atomic").
 *
 * Fields we do not model in types.ts but that real manifests carry (ephemeralContainers,
 * topologySpreadConstraints, ...) are listed too, because objects keep unknown fields and a
 * kubectl apply of them must merge the way the real API server would.
 */

/** A patchStrategy tag value; Go allows a comma-separated combination such as "merge,retainKeys". */
export type PatchStrategy = 'merge' | 'replace' | 'retainKeys';

/**
 * One node of the metadata tree. For an object field, `fields` describes its fields; for a list
 * field, `strategies` and `mergeKey` describe the list and `fields` the fields of each element.
 */
export interface PatchMeta {
  /** The field's patchStrategy; absent means the default (objects merge, lists are replaced). */
  readonly strategies?: readonly PatchStrategy[];
  /** The field's patchMergeKey: the element field that identifies an item of a merging list. */
  readonly mergeKey?: string;
  /** Metadata of the fields below this one, by JSON name. */
  readonly fields?: Readonly<Record<string, PatchMeta>>;
}

/** Metadata of a field that has no tags: the default strategy all the way down. */
export const NO_PATCH_META: PatchMeta = Object.freeze({});

/** The metadata of one field of an object (or of each element of a list) described by meta. */
export function fieldMeta(meta: PatchMeta, field: string): PatchMeta {
  const fields = meta.fields;
  return fields !== undefined && Object.prototype.hasOwnProperty.call(fields, field) ? (fields[field] as PatchMeta) : NO_PATCH_META;
}

/** Whether a list field merges (patchStrategy "merge") instead of being replaced whole. */
export function isMergeList(meta: PatchMeta): boolean {
  return meta.strategies?.includes('merge') ?? false;
}

/** Whether an object field is replaced whole (patchStrategy "replace") instead of merged. */
export function isReplaceMap(meta: PatchMeta): boolean {
  return meta.strategies?.includes('replace') ?? false;
}

// ---- building blocks ----

/** `patchStrategy:"merge" patchMergeKey:"<key>"` on a list of objects. */
function byKey(mergeKey: string, fields?: Record<string, PatchMeta>): PatchMeta {
  return fields ? { strategies: ['merge'], mergeKey, fields } : { strategies: ['merge'], mergeKey };
}

/** `patchStrategy:"merge,retainKeys" patchMergeKey:"<key>"`: the list merges; kubectl also sends $retainKeys. */
function byKeyRetainingKeys(mergeKey: string): PatchMeta {
  return { strategies: ['merge', 'retainKeys'], mergeKey };
}

/** `patchStrategy:"merge"` on a list of strings: merged as a set. */
const SET: PatchMeta = { strategies: ['merge'] };

/**
 * No patch tags: the list is replaced whole. Spelled out (rather than left out) where people
 * commonly expect a merge, so that the table documents the decision.
 */
const ATOMIC: PatchMeta = {};

// ---- meta/v1 ----

const objectMeta: PatchMeta = {
  fields: {
    finalizers: SET,
    ownerReferences: byKey('uid'),
    managedFields: ATOMIC,
  },
};

// ---- core/v1 ----

/** Container and EphemeralContainer (EphemeralContainerCommon has the same tags). */
const containerFields: Record<string, PatchMeta> = {
  ports: byKey('containerPort'),
  env: byKey('name'),
  volumeMounts: byKey('mountPath'),
  volumeDevices: byKey('devicePath'),
  envFrom: ATOMIC,
  resizePolicy: ATOMIC,
};

const podSpec: PatchMeta = {
  fields: {
    volumes: byKeyRetainingKeys('name'),
    initContainers: byKey('name', containerFields),
    containers: byKey('name', containerFields),
    ephemeralContainers: byKey('name', containerFields),
    imagePullSecrets: byKey('name'),
    hostAliases: byKey('ip'),
    topologySpreadConstraints: byKey('topologyKey'),
    resourceClaims: byKeyRetainingKeys('name'),
    schedulingGates: byKey('name'),
    tolerations: ATOMIC,
    readinessGates: ATOMIC,
  },
};

const podStatus: PatchMeta = {
  fields: {
    conditions: byKey('type'),
    podIPs: byKey('ip'),
    hostIPs: byKey('ip'),
    resourceClaimStatuses: byKeyRetainingKeys('name'),
    // The kubelet replaces container statuses wholesale; they have no merge key tag.
    containerStatuses: ATOMIC,
    initContainerStatuses: ATOMIC,
    ephemeralContainerStatuses: ATOMIC,
  },
};

const podTemplateSpec: PatchMeta = { fields: { metadata: objectMeta, spec: podSpec } };

const nodeSpec: PatchMeta = { fields: { podCIDRs: SET, taints: ATOMIC } };

const nodeStatus: PatchMeta = {
  fields: {
    conditions: byKey('type'),
    addresses: byKey('type'),
    images: ATOMIC,
    volumesInUse: ATOMIC,
    volumesAttached: ATOMIC,
  },
};

const serviceSpec: PatchMeta = {
  fields: {
    // Server-side apply keys ports by (port, protocol); strategic merge patch only by port.
    ports: byKey('port'),
  },
};

const serviceStatus: PatchMeta = { fields: { conditions: byKey('type') } };

const namespaceStatus: PatchMeta = { fields: { conditions: byKey('type') } };

// ---- apps/v1 ----

const deploymentSpec: PatchMeta = {
  fields: {
    template: podTemplateSpec,
    // retainKeys: kubectl sends $retainKeys so that switching to Recreate clears rollingUpdate.
    strategy: { strategies: ['retainKeys'] },
  },
};

const conditionsByType: PatchMeta = { fields: { conditions: byKey('type') } };

function kind(fields: Record<string, PatchMeta>): PatchMeta {
  return { fields: { metadata: objectMeta, ...fields } };
}

const TABLE: ReadonlyMap<string, PatchMeta> = new Map([
  ['v1/Pod', kind({ spec: podSpec, status: podStatus })],
  ['v1/Node', kind({ spec: nodeSpec, status: nodeStatus })],
  ['v1/Service', kind({ spec: serviceSpec, status: serviceStatus })],
  ['v1/Namespace', kind({ spec: { fields: { finalizers: ATOMIC } }, status: namespaceStatus })],
  ['v1/Endpoints', kind({ subsets: ATOMIC })],
  ['v1/Event', kind({})],
  ['v1/ConfigMap', kind({})],
  ['v1/Binding', kind({})],
  ['apps/v1/Deployment', kind({ spec: deploymentSpec, status: conditionsByType })],
  ['apps/v1/ReplicaSet', kind({ spec: { fields: { template: podTemplateSpec } }, status: conditionsByType })],
  ['autoscaling/v1/Scale', kind({})],
  ['coordination.k8s.io/v1/Lease', kind({})],
  ['discovery.k8s.io/v1/EndpointSlice', kind({ endpoints: ATOMIC, ports: ATOMIC })],
]);

deepFreeze(TABLE);

/**
 * The strategic merge patch metadata of a kind. For a kind we do not know, the empty tree: with
 * it a strategic merge patch behaves like a JSON merge patch (objects merge, lists are replaced).
 * Use hasPatchMeta to tell the two apart (Kubernetes refuses strategic merge patches for kinds
 * without Go types, such as custom resources, with 415).
 */
export function patchMetaFor(apiVersion: string, kind: string): PatchMeta {
  return TABLE.get(`${apiVersion}/${kind}`) ?? NO_PATCH_META;
}

/** Whether patchMetaFor knows the kind. */
export function hasPatchMeta(apiVersion: string, kind: string): boolean {
  return TABLE.has(`${apiVersion}/${kind}`);
}

/** Freezes the shared tree so that no caller can change the metadata for everyone. */
function deepFreeze(table: ReadonlyMap<string, PatchMeta>): void {
  const seen = new Set<object>();
  const freeze = (m: PatchMeta): void => {
    if (seen.has(m)) return;
    seen.add(m);
    if (m.strategies) Object.freeze(m.strategies);
    if (m.fields) {
      Object.values(m.fields).forEach(freeze);
      Object.freeze(m.fields);
    }
    Object.freeze(m);
  };
  table.forEach(freeze);
}
