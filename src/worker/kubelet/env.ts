/**
 * A container's environment as the kubelet resolves it (makeEnvironmentVariables in
 * pkg/kubelet/kubelet_pods.go), so that runtimes get values only:
 *
 * 1. envFrom: every key of each configMapRef, with its prefix; a later source wins.
 * 2. env, in order: value (with $(VAR) expanded against what is defined so far), or valueFrom:
 *    fieldRef (the downward API), resourceFieldRef (limits and requests, with divisor; an unset
 *    limit is the node's allocatable, as defaultPodLimitsForDownwardAPI makes it) or
 *    configMapKeyRef. Values from valueFrom are not expanded.
 *
 * ConfigMaps are read by the caller first (the kubelet through its client) and handed in, which
 * keeps this module pure. A missing ConfigMap or key fails the container with
 * CreateContainerConfigError and Kubernetes' message, unless the reference is optional.
 * Service links (FOO_SERVICE_HOST ...) and Secrets are not modelled by the lab.
 */
import { parseQuantityExact } from '../../api/quantity.js';
import type { ConfigMap, Container, EnvVar, Pod, Quantity } from '../../api/types.js';
import { expand, mappingFor } from './expansion.js';

/** A container whose config cannot be made: it waits with reason CreateContainerConfigError. */
export class ContainerConfigError extends Error {
  override readonly name = 'ContainerConfigError';
}

/** What resolving a pod's environment needs besides the pod. */
export interface EnvContext {
  /** The pod's IPs, primary first (status.podIP, status.podIPs). */
  podIPs: readonly string[];
  /** The node's IPs, primary first (status.hostIP, status.hostIPs). */
  hostIPs: readonly string[];
  /**
   * ConfigMaps of the pod's namespace that the container refers to, by name; a name mapped to
   * undefined (or absent) does not exist.
   */
  configMaps?: ReadonlyMap<string, ConfigMap | undefined>;
  /** The node's allocatable resources: what an unset limit means for resourceFieldRef. */
  nodeAllocatable?: Readonly<Record<string, Quantity>>;
}

/** One resolved variable. */
export interface EnvValue {
  name: string;
  value: string;
}

/** env[].valueFrom.resourceFieldRef (not in the lab's EnvVar type, which keeps unknown fields). */
interface ResourceFieldRef {
  containerName?: string;
  resource: string;
  divisor?: Quantity;
}

/** envFrom[] entries. */
interface EnvFromSource {
  prefix?: string;
  configMapRef?: { name: string; optional?: boolean };
  secretRef?: { name: string; optional?: boolean };
}

function envFromOf(c: Container): EnvFromSource[] {
  return Array.isArray(c.envFrom) ? (c.envFrom as EnvFromSource[]) : [];
}

/** Names of the ConfigMaps the container's env and envFrom refer to, each once. */
export function configMapNamesOf(c: Container): string[] {
  const names = new Set<string>();
  for (const f of envFromOf(c)) if (f.configMapRef?.name) names.add(f.configMapRef.name);
  for (const e of c.env ?? []) if (e.valueFrom?.configMapKeyRef?.name) names.add(e.valueFrom.configMapKeyRef.name);
  return [...names];
}

/** The value of a downward API fieldRef for this pod (podFieldSelectorRuntimeValue). */
export function fieldRefValue(pod: Pod, fieldPath: string, env: Pick<EnvContext, 'podIPs' | 'hostIPs'>): string {
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(fieldPath);
  if (m) return (m[1] === 'labels' ? pod.metadata.labels : pod.metadata.annotations)?.[m[2]!] ?? '';
  switch (fieldPath) {
    case 'metadata.name':
      return pod.metadata.name ?? '';
    case 'metadata.namespace':
      return pod.metadata.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata.uid ?? '';
    case 'spec.nodeName':
      return pod.spec.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec.serviceAccountName ?? '';
    case 'status.podIP':
      return env.podIPs[0] ?? '';
    case 'status.podIPs':
      return env.podIPs.join(',');
    case 'status.hostIP':
      return env.hostIPs[0] ?? '';
    case 'status.hostIPs':
      return env.hostIPs.join(',');
  }
  throw new ContainerConfigError(`unsupported fieldPath: ${fieldPath}`);
}

const NANO = 1_000_000_000n;
const MILLI_NANOS = 1_000_000n;

function ceilDiv(a: bigint, b: bigint): bigint {
  return a <= 0n ? a / b : (a + b - 1n) / b;
}

/** Quantity.MilliValue / Quantity.Value of a parsed quantity, rounded up as Go does. */
function scaled(nanos: bigint, unit: bigint): bigint {
  return nanos < 0n ? -ceilDiv(-nanos, unit) : ceilDiv(nanos, unit);
}

/**
 * The value of a resourceFieldRef (ExtractContainerResourceValue): cpu as ceil(milli / divisor
 * milli), memory and ephemeral-storage as ceil(bytes / divisor bytes); the divisor defaults to 1.
 */
export function resourceFieldRefValue(ref: ResourceFieldRef, pod: Pod, self: Container, allocatable?: Readonly<Record<string, Quantity>>): string {
  const c = ref.containerName ? [...(pod.spec.initContainers ?? []), ...pod.spec.containers].find((x) => x.name === ref.containerName) : self;
  if (!c) throw new ContainerConfigError(`cannot find container "${ref.containerName}" in pod "${pod.metadata.name}" for resourceFieldRef ${ref.resource}`);
  const m = /^(limits|requests)\.(cpu|memory|ephemeral-storage)$/.exec(ref.resource);
  if (!m) throw new ContainerConfigError(`unsupported container resource : ${ref.resource}`);
  const [, kind, resource] = m as unknown as [string, 'limits' | 'requests', string];
  let q = c.resources?.[kind]?.[resource];
  // An unset limit is what the container can get: the node's allocatable.
  if (q === undefined && kind === 'limits') {
    q = allocatable?.[resource];
    if (q === undefined) throw new ContainerConfigError(`cannot resolve ${ref.resource} of container "${c.name}": it has no limit and the node's allocatable ${resource} is unknown`);
  }
  const value = parseQuantityExact(q ?? 0).nanos;
  const divisorNanos = ref.divisor === undefined ? 0n : parseQuantityExact(ref.divisor).nanos;
  if (resource === 'cpu') {
    const divisor = divisorNanos === 0n ? 1000n : scaled(divisorNanos, MILLI_NANOS);
    return String(ceilDiv(scaled(value, MILLI_NANOS), divisor));
  }
  const divisor = divisorNanos === 0n ? 1n : scaled(divisorNanos, NANO);
  return String(ceilDiv(scaled(value, NANO), divisor));
}

function configMapOf(ctx: EnvContext, name: string): ConfigMap | undefined {
  return ctx.configMaps?.get(name);
}

/**
 * The container's environment with every reference resolved, in definition order (a name
 * defined twice keeps its first position and its last value). Throws ContainerConfigError with
 * Kubernetes' message when a required ConfigMap or key is missing.
 */
export function envOf(pod: Pod, c: Container, ctx: EnvContext): EnvValue[] {
  const ns = pod.metadata.namespace ?? '';
  const vars = new Map<string, string>();
  for (const from of envFromOf(c)) {
    if (from.configMapRef) {
      const name = from.configMapRef.name;
      const cm = configMapOf(ctx, name);
      if (!cm) {
        if (from.configMapRef.optional) continue;
        throw new ContainerConfigError(`configmap "${name}" not found`);
      }
      // Go ranges over a map here; sorted keys give the same set in a stable order.
      for (const k of Object.keys(cm.data ?? {}).sort()) vars.set((from.prefix ?? '') + k, cm.data![k]!);
    } else if (from.secretRef) {
      if (from.secretRef.optional) continue;
      throw new ContainerConfigError(`secret "${from.secretRef.name}" not found (kubelab has no Secrets)`);
    }
  }
  const mapping = mappingFor(vars);
  for (const e of c.env ?? []) {
    const value = valueOf(pod, c, e, ctx, ns, mapping);
    if (value !== undefined) vars.set(e.name, value);
  }
  return [...vars].map(([name, value]) => ({ name, value }));
}

/** One env entry's value; undefined when an optional reference is missing (the entry is skipped). */
function valueOf(pod: Pod, c: Container, e: EnvVar, ctx: EnvContext, ns: string, mapping: (name: string) => string | undefined): string | undefined {
  if (e.value) return expand(e.value, mapping);
  const from = e.valueFrom;
  if (!from) return '';
  if (from.fieldRef) return fieldRefValue(pod, from.fieldRef.fieldPath, ctx);
  if (from.resourceFieldRef) return resourceFieldRefValue(from.resourceFieldRef as ResourceFieldRef, pod, c, ctx.nodeAllocatable);
  if (from.configMapKeyRef) {
    const { name, key, optional } = from.configMapKeyRef;
    const cm = configMapOf(ctx, name);
    if (!cm) {
      if (optional) return undefined;
      throw new ContainerConfigError(`configmap "${name}" not found`);
    }
    const v = cm.data?.[key];
    if (v === undefined) {
      if (optional) return undefined;
      throw new ContainerConfigError(`couldn't find key ${key} in ConfigMap ${ns}/${name}`);
    }
    return v;
  }
  const secret = from.secretKeyRef as { name?: string; optional?: boolean } | undefined;
  if (secret) {
    if (secret.optional) return undefined;
    throw new ContainerConfigError(`secret "${secret.name}" not found (kubelab has no Secrets)`);
  }
  throw new ContainerConfigError(`couldn't resolve environment variable "${e.name}": valueFrom names no source kubelab's kubelet knows`);
}
