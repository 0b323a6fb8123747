/**
 * Defaulting, as Kubernetes' SetDefaults_* functions (pkg/apis/core/v1/defaults.go,
 * pkg/apis/apps/v1/defaults.go) fill in what a manifest leaves out, for the fields kubelab
 * models. Go defaults a field when it holds its zero value, so an explicit 0 or "" is defaulted
 * just like an absent field wherever Go's field is not a pointer.
 */
import { formatParsedQuantity, parseQuantityExact, quantityError, roundUpQuantity } from './quantity.js';
import type { ResourceInfo } from './resources.js';
import type { Container, KObject, Pod, PodSpec, Probe, Quantity, ResourceRequirements, Service, ServiceSpec, Volume } from './types.js';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const objects = <T>(v: unknown): T[] => (Array.isArray(v) ? (v.filter(isObj) as T[]) : []);
/** Go's zero value test for the scalar fields defaulted here. */
const unset = (v: unknown) => v === undefined || v === null || v === '' || v === 0;

/** Sets obj[key] to value when Go would consider the field unset. */
function def(obj: Obj, key: string, value: unknown): void {
  if (unset(obj[key])) obj[key] = value;
}

/**
 * The tag of an image reference, or "" when it has none (a digest alone is not a tag):
 * "nginx" -> "", "nginx:1.25" -> "1.25", "localhost:5000/nginx" -> "", "a@sha256:.." -> "".
 */
export function imageTag(image: string): string {
  const noDigest = image.split('@')[0]!;
  const lastSlash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > lastSlash ? noDigest.slice(colon + 1) : '';
}

/** SetDefaults_ResourceList: quantities are rounded up to millis, and stored in canonical form. */
function defaultResourceList(list: unknown): void {
  if (!isObj(list)) return;
  for (const [name, q] of Object.entries(list)) {
    // A malformed quantity is left alone for validation to report.
    if (quantityError(q) !== undefined) continue;
    list[name] = formatParsedQuantity(roundUpQuantity(parseQuantityExact(q as Quantity), -3));
  }
}

function defaultProbe(p: unknown): void {
  if (!isObj(p)) return;
  const probe = p as Obj & Probe;
  def(probe, 'timeoutSeconds', 1);
  def(probe, 'periodSeconds', 10);
  def(probe, 'successThreshold', 1);
  def(probe, 'failureThreshold', 3);
  if (isObj(probe.httpGet)) {
    def(probe.httpGet, 'path', '/');
    def(probe.httpGet, 'scheme', 'HTTP');
  }
}

function defaultContainer(c: Obj & Container): void {
  if (unset(c.imagePullPolicy)) {
    // An image without tag or digest means :latest, which moves, so Kubernetes pulls it every
    // time. An image it cannot parse (here: none at all) gets IfNotPresent, as in Go.
    const image = typeof c.image === 'string' ? c.image : '';
    const tag = imageTag(image);
    const implicitLatest = image !== '' && tag === '' && !image.includes('@');
    c.imagePullPolicy = tag === 'latest' || implicitLatest ? 'Always' : 'IfNotPresent';
  }
  def(c, 'terminationMessagePath', '/dev/termination-log');
  def(c, 'terminationMessagePolicy', 'File');
  for (const port of objects<Obj>(c.ports)) def(port, 'protocol', 'TCP');
  for (const env of objects<Obj>(c.env)) {
    const fieldRef = isObj(env.valueFrom) ? env.valueFrom.fieldRef : undefined;
    if (isObj(fieldRef)) def(fieldRef, 'apiVersion', 'v1');
  }
  if (isObj(c.resources)) {
    defaultResourceList((c.resources as ResourceRequirements).limits);
    defaultResourceList((c.resources as ResourceRequirements).requests);
  }
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
}

/** Every field of a Volume but its name names a volume source. */
function defaultVolume(v: Obj & Volume): void {
  const sources = Object.keys(v).filter((k) => k !== 'name' && v[k] !== undefined && v[k] !== null);
  if (sources.length === 0) v.emptyDir = {};
  if (isObj(v.configMap)) def(v.configMap, 'defaultMode', 0o644);
  // HostPathUnset: the type field is present but empty.
  if (isObj(v.hostPath) && v.hostPath.type === undefined) v.hostPath.type = '';
}

/** SetDefaults_PodSpec and what it calls, for a pod or a pod template's spec. */
export function defaultPodSpec(spec: unknown): void {
  if (!isObj(spec)) return;
  const s = spec as Obj & PodSpec;
  def(s, 'dnsPolicy', 'ClusterFirst');
  def(s, 'restartPolicy', 'Always');
  if (!isObj(s.securityContext)) s.securityContext = {};
  if (s.terminationGracePeriodSeconds === undefined || s.terminationGracePeriodSeconds === null) s.terminationGracePeriodSeconds = 30;
  def(s, 'schedulerName', 'default-scheduler');
  if (typeof s.enableServiceLinks !== 'boolean') s.enableServiceLinks = true;
  for (const c of objects<Obj & Container>(s.containers)) defaultContainer(c);
  for (const c of objects<Obj & Container>(s.initContainers)) defaultContainer(c);
  for (const v of objects<Obj & Volume>(s.volumes)) defaultVolume(v);
}

/** SetDefaults_Pod: what applies to pods but not to templates. */
function defaultPod(pod: Pod): void {
  defaultPodSpec(pod.spec);
  if (!isObj(pod.spec)) return;
  for (const c of [...objects<Container>(pod.spec.containers), ...objects<Container>(pod.spec.initContainers)]) {
    // Requests default to limits, so that limits alone make a Guaranteed pod.
    const res = c.resources;
    if (!isObj(res) || !isObj(res.limits)) continue;
    const requests = isObj(res.requests) ? res.requests : (res.requests = {});
    for (const [name, q] of Object.entries(res.limits)) if (!(name in requests)) requests[name] = q;
  }
  if (pod.spec.hostNetwork === true) {
    // A host-network pod listens on the node: its host ports are its container ports.
    for (const c of [...objects<Container>(pod.spec.containers), ...objects<Container>(pod.spec.initContainers)]) {
      for (const port of objects<Obj>(c.ports)) if (unset(port.hostPort)) port.hostPort = port.containerPort;
    }
  }
}

function defaultTemplate(spec: unknown): void {
  if (isObj(spec) && isObj(spec.template)) defaultPodSpec(spec.template.spec);
}

function defaultDeployment(obj: KObject): void {
  if (!isObj(obj.spec)) return;
  const spec = obj.spec;
  if (spec.replicas === undefined || spec.replicas === null) spec.replicas = 1;
  const strategy = isObj(spec.strategy) ? spec.strategy : (spec.strategy = {});
  def(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const ru = isObj(strategy.rollingUpdate) ? strategy.rollingUpdate : (strategy.rollingUpdate = {});
    // maxUnavailable and maxSurge are pointers in apps/v1: an explicit 0 stays 0.
    if (ru.maxUnavailable === undefined || ru.maxUnavailable === null) ru.maxUnavailable = '25%';
    if (ru.maxSurge === undefined || ru.maxSurge === null) ru.maxSurge = '25%';
  }
  if (spec.revisionHistoryLimit === undefined || spec.revisionHistoryLimit === null) spec.revisionHistoryLimit = 10;
  if (spec.progressDeadlineSeconds === undefined || spec.progressDeadlineSeconds === null) spec.progressDeadlineSeconds = 600;
  defaultTemplate(spec);
}

function defaultReplicaSet(obj: KObject): void {
  if (!isObj(obj.spec)) return;
  if (obj.spec.replicas === undefined || obj.spec.replicas === null) obj.spec.replicas = 1;
  defaultTemplate(obj.spec);
}

/** apiservice.ExternallyAccessible: reachable from outside the cluster. */
function externallyAccessible(spec: ServiceSpec): boolean {
  return spec.type === 'LoadBalancer' || spec.type === 'NodePort' || (spec.type === 'ClusterIP' && (spec.externalIPs?.length ?? 0) > 0);
}

function defaultService(svc: Service): void {
  if (!isObj(svc.spec)) return;
  const spec = svc.spec as Obj & ServiceSpec;
  def(spec, 'sessionAffinity', 'None');
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP') {
    const cfg = isObj(spec.sessionAffinityConfig) ? spec.sessionAffinityConfig : (spec.sessionAffinityConfig = {});
    const clientIP = isObj(cfg.clientIP) ? cfg.clientIP : (cfg.clientIP = {});
    if (clientIP.timeoutSeconds === undefined) clientIP.timeoutSeconds = 10800;
  }
  def(spec, 'type', 'ClusterIP');
  for (const port of objects<Obj>(spec.ports)) {
    def(port, 'protocol', 'TCP');
    if (unset(port.targetPort)) port.targetPort = port.port;
  }
  if (externallyAccessible(spec)) def(spec, 'externalTrafficPolicy', 'Cluster');
  if (spec.type === 'ClusterIP' || spec.type === 'NodePort' || spec.type === 'LoadBalancer') def(spec, 'internalTrafficPolicy', 'Cluster');
  if (spec.type === 'LoadBalancer' && typeof spec.allocateLoadBalancerNodePorts !== 'boolean') spec.allocateLoadBalancerNodePorts = true;
  if (spec.type !== 'ExternalName') {
    // The IP family fields kube-apiserver's service REST fills in on a single-stack IPv4
    // cluster; a headless service without selector asks for every family the cluster has.
    const headlessNoSelector = spec.clusterIP === 'None' && Object.keys(spec.selector ?? {}).length === 0;
    def(spec, 'ipFamilyPolicy', headlessNoSelector ? 'RequireDualStack' : 'SingleStack');
    if (!Array.isArray(spec.ipFamilies) || spec.ipFamilies.length === 0) spec.ipFamilies = ['IPv4'];
  }
}

function defaultNamespace(obj: KObject): void {
  const name = obj.metadata?.name;
  // kubernetes.io/metadata.name lets selectors pick namespaces by name.
  if (name) obj.metadata.labels = { ...(obj.metadata.labels ?? {}), 'kubernetes.io/metadata.name': name };
  const spec = isObj(obj.spec) ? obj.spec : (obj.spec = {});
  // The "kubernetes" finalizer is added on create only (namespaceStrategy.PrepareForCreate): the
  // namespace controller removes it during deletion, and defaulting must not bring it back.
  // An object without resourceVersion has not been stored yet.
  if (!obj.metadata?.resourceVersion) {
    const finalizers: unknown[] = Array.isArray(spec.finalizers) ? spec.finalizers : [];
    spec.finalizers = finalizers.includes('kubernetes') ? finalizers : [...finalizers, 'kubernetes'];
  }
  const status = isObj(obj.status) ? obj.status : (obj.status = {});
  def(status, 'phase', 'Active');
}

function defaultNode(obj: KObject): void {
  if (!isObj(obj.status)) return;
  defaultResourceList(obj.status.capacity);
  defaultResourceList(obj.status.allocatable);
  // SetDefaults_NodeStatus: what is not reserved is allocatable.
  if (obj.status.allocatable === undefined && isObj(obj.status.capacity)) obj.status.allocatable = { ...obj.status.capacity };
}

function defaultEndpoints(obj: KObject): void {
  for (const subset of objects<Obj>(obj.subsets)) {
    for (const port of objects<Obj>(subset.ports)) def(port, 'protocol', 'TCP');
  }
}

/** SetDefaults_EndpointPort: every port has a name ("" when none) and a protocol (TCP). */
function defaultEndpointSlice(obj: KObject): void {
  for (const port of objects<Obj>(obj.ports)) {
    // Pointers in Go: only a field left out (nil) is defaulted; "" stays and is validated.
    if (port.name === undefined || port.name === null) port.name = '';
    if (port.protocol === undefined || port.protocol === null) port.protocol = 'TCP';
  }
}

const DEFAULTERS: Record<string, (obj: KObject) => void> = {
  Pod: (o) => defaultPod(o as Pod),
  Deployment: defaultDeployment,
  ReplicaSet: defaultReplicaSet,
  Service: (o) => defaultService(o as Service),
  Namespace: defaultNamespace,
  Node: defaultNode,
  Endpoints: defaultEndpoints,
  EndpointSlice: defaultEndpointSlice,
};

/**
 * Fills in, in place, the defaults Kubernetes applies to an object of the given resource when
 * it is decoded. Kinds without defaults (ConfigMap, Lease, Event) are left as they are.
 */
export function applyDefaults(obj: KObject, r: ResourceInfo): void {
  DEFAULTERS[r.kind]?.(obj);
}

/** Resources that decide a pod's QoS class. */
const QOS_RESOURCES = ['cpu', 'memory'];

/**
 * The pod's QoS class as Kubernetes computes it (qos.ComputePodQOS): Guaranteed when every
 * container has cpu and memory limits equal to its requests, BestEffort when no container
 * asks for cpu or memory, Burstable otherwise. Requests missing next to limits count as equal
 * to the limits, as the Pod defaults make them, so the answer does not depend on whether
 * defaults were applied first.
 */
export function qosClass(pod: Pod): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const requests = new Map<string, bigint>();
  const limits = new Map<string, bigint>();
  let guaranteed = true;
  const spec = isObj(pod.spec) ? pod.spec : ({ containers: [] } as PodSpec);
  const add = (m: Map<string, bigint>, name: string, nanos: bigint) => m.set(name, (m.get(name) ?? 0n) + nanos);
  const value = (q: unknown): bigint => (quantityError(q) === undefined ? parseQuantityExact(q as Quantity).nanos : 0n);
  for (const c of [...objects<Container>(spec.containers), ...objects<Container>(spec.initContainers)]) {
    const lim = isObj(c.resources?.limits) ? c.resources.limits : {};
    const req = { ...lim, ...(isObj(c.resources?.requests) ? c.resources.requests : {}) };
    for (const name of QOS_RESOURCES) {
      if (name in req && value(req[name]) > 0n) add(requests, name, value(req[name]));
    }
    const found = QOS_RESOURCES.filter((name) => name in lim && value(lim[name]) > 0n);
    for (const name of found) add(limits, name, value(lim[name]));
    if (found.length !== QOS_RESOURCES.length) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [name, req] of requests) {
      if (limits.get(name) !== req) {
        guaranteed = false;
        break;
      }
    }
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}
