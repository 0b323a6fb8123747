/**
 * Server-side printing: the meta.k8s.io/v1 Table that kubectl asks for on `kubectl get`
 * (Accept: application/json;as=Table;v=v1;g=meta.k8s.io). Columns and cells follow Kubernetes'
 * pkg/printers/internalversion/printers.go, which the API server runs with Wide: true, so every
 * row carries the `-o wide` cells too and kubectl hides columns whose priority is above 0.
 * Kinds without a printer get the server's default table convertor (Name, Created At).
 * Pure: the caller passes `now`, so AGE never reads a clock.
 */
import type {
  ConfigMap,
  Container,
  Deployment,
  Endpoints,
  EndpointSlice,
  Event,
  KObject,
  LabelSelector,
  Lease,
  Namespace,
  Node,
  Pod,
  ReplicaSet,
  Service,
} from './types.js';
import { parseTime } from '../util/clock.js';

export interface TableColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  /** 0 for normal columns, 1 for those kubectl shows only with `-o wide`. */
  priority: number;
}

export interface TableRowCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface TableRow {
  cells: unknown[];
  conditions?: TableRowCondition[];
  object?: unknown;
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: { resourceVersion?: string; continue?: string };
  columnDefinitions: TableColumnDefinition[];
  rows: TableRow[];
}

/** What each row's `object` holds: the ?includeObject= parameter of a Table request. */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

// ---- column definitions (descriptions are the SwaggerDoc strings printers.go refers to) ----

const DOC = {
  name: 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
  creationTimestamp:
    'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata',
  containers: 'Names of each container in the template.',
  images: 'Images referenced by each container in the template.',
};

const NODE_ADDRESSES =
  "List of addresses reachable to the node. Queried from cloud provider, if available. More info: https://kubernetes.io/docs/reference/node/node-status/#addresses Note: This field is declared as mergeable, but the merge key is not sufficiently unique, which can cause data corruption when it is merged. Callers should instead use a full-replacement patch. See https://pr.k8s.io/79391 for an example. Consumers should assume that addresses can change during the lifetime of a Node. However, there are some exceptions where this may not be possible, such as Pods that inherit a Node's address in its own status or consumers of the downward API (status.hostIP).";

function col(name: string, type: string, description: string, priority = 0, format = ''): TableColumnDefinition {
  return { name, type, format, description, priority };
}
const nameCol = col('Name', 'string', DOC.name, 0, 'name');
const ageCol = col('Age', 'string', DOC.creationTimestamp);

const COLUMNS: Record<string, TableColumnDefinition[]> = {
  Pod: [
    nameCol,
    col('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
    col('Status', 'string', 'The aggregate status of the containers in this pod.'),
    col('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    ageCol,
    col('IP', 'string', 'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.', 1),
    col('Node', 'string', 'NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName. Once this field is set, the kubelet for this node becomes responsible for the lifecycle of this pod. This field should not be used to express a desire for the pod to be scheduled on a specific node. https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename', 1),
    col('Nominated Node', 'string', 'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled.', 1),
    col('Readiness Gates', 'string', 'If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to "True" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates', 1),
  ],
  Node: [
    nameCol,
    col('Status', 'string', 'The status of the node'),
    col('Roles', 'string', 'The roles of the node'),
    ageCol,
    col('Version', 'string', 'Kubelet Version reported by the node.'),
    col('Internal-IP', 'string', NODE_ADDRESSES, 1),
    col('External-IP', 'string', NODE_ADDRESSES, 1),
    col('OS-Image', 'string', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', 1),
    col('Kernel-Version', 'string', "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", 1),
    col('Container-Runtime', 'string', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).', 1),
  ],
  Namespace: [nameCol, col('Status', 'string', 'The status of the namespace'), ageCol],
  Service: [
    nameCol,
    col('Type', 'string', 'type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer. "ClusterIP" allocates a cluster-internal IP address for load-balancing to endpoints. Endpoints are determined by the selector or if that is not specified, by manual construction of an Endpoints object or EndpointSlice objects. If clusterIP is "None", no virtual IP is allocated and the endpoints are published as a set of endpoints rather than a virtual IP. "NodePort" builds on ClusterIP and allocates a port on every node which routes to the same endpoints as the clusterIP. "LoadBalancer" builds on NodePort and creates an external load-balancer (if supported in the current cloud) which routes to the same endpoints as the clusterIP. "ExternalName" aliases this service to the specified externalName. Several other fields do not apply to ExternalName services. More info: https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types'),
    col('Cluster-IP', 'string', 'clusterIP is the IP address of the service and is usually assigned randomly. If an address is specified manually, is in-range (as per system configuration), and is not in use, it will be allocated to the service; otherwise creation of the service will fail. This field may not be changed through updates unless the type field is also being changed to ExternalName (which requires this field to be blank) or the type field is being changed from ExternalName (in which case this field may optionally be specified, as describe above).  Valid values are "None", empty string (""), or a valid IP address. Setting this to "None" makes a "headless service" (no virtual IP), which is useful when direct endpoint connections are preferred and proxying is not required.  Only applies to types ClusterIP, NodePort, and LoadBalancer. If this field is specified when creating a Service of type ExternalName, creation will fail. This field will be wiped when updating a Service to type ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies'),
    col('External-IP', 'string', 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.  These IPs are not managed by Kubernetes.  The user is responsible for ensuring that traffic arrives at a node with this IP.  A common example is external load-balancers that are not part of the Kubernetes system.'),
    col('Port(s)', 'string', 'The list of ports that are exposed by this service. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies'),
    ageCol,
    col('Selector', 'string', 'Route service traffic to pods with label keys and values matching this selector. If empty or not present, the service is assumed to have an external process managing its endpoints, which Kubernetes will not modify. Only applies to types ClusterIP, NodePort, and LoadBalancer. Ignored if type is ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/', 1),
  ],
  Endpoints: [
    nameCol,
    col('Endpoints', 'string', 'The set of all endpoints is the union of all subsets. Addresses are placed into subsets according to the IPs they share. A single address with multiple ports, some of which are ready and some of which are not (because they come from different containers) will result in the address being displayed in different subsets for the different ports. No address will appear in both Addresses and NotReadyAddresses in the same subset. Sets of addresses and ports that comprise a service.'),
    ageCol,
  ],
  Event: [
    col('Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.'),
    col('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future'),
    col('Reason', 'string', "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
    col('Object', 'string', 'The object that this event is about.'),
    col('Subobject', 'string', 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2]. For example, if the object reference is to a container within a pod, this would take on a value like: "spec.containers{name}" (where "name" refers to the name of the container that triggered the event) or if no container name is specified "spec.containers[2]" (container with index 2 in this pod). This syntax is chosen only to have some well-defined way of referencing a part of an object.', 1),
    col('Source', 'string', 'The component reporting this event. Should be a short machine understandable string.', 1),
    col('Message', 'string', 'A human-readable description of the status of this operation.'),
    col('First Seen', 'string', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', 1),
    col('Count', 'string', 'The number of times this event has occurred.', 1),
    col('Name', 'string', DOC.name, 1, 'name'),
  ],
  ConfigMap: [
    nameCol,
    col('Data', 'string', "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process."),
    ageCol,
  ],
  Deployment: [
    nameCol,
    col('Ready', 'string', 'Number of the pod with ready state'),
    col('Up-to-date', 'string', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
    col('Available', 'string', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
    ageCol,
    col('Containers', 'string', DOC.containers, 1),
    col('Images', 'string', DOC.images, 1),
    col('Selector', 'string', 'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.', 1),
  ],
  ReplicaSet: [
    nameCol,
    col('Desired', 'integer', 'Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller'),
    col('Current', 'integer', 'Replicas is the most recently observed number of replicas. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller'),
    col('Ready', 'integer', 'The number of ready replicas for this replica set.'),
    ageCol,
    col('Containers', 'string', DOC.containers, 1),
    col('Images', 'string', DOC.images, 1),
    col('Selector', 'string', 'Selector is a label query over pods that should match the replica count. If the selector is empty, it is defaulted to the labels present on the pod template. Label keys and values that must match in order to be controlled by this replica set. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors', 1),
  ],
  Lease: [nameCol, col('Holder', 'string', 'holderIdentity contains the identity of the holder of a current lease.'), ageCol],
  EndpointSlice: [
    nameCol,
    col('AddressType', 'string', 'addressType specifies the type of address carried by this EndpointSlice. All addresses in this slice must be the same type. This field is immutable after creation. The following address types are currently supported: * IPv4: Represents an IPv4 Address. * IPv6: Represents an IPv6 Address. * FQDN: Represents a Fully Qualified Domain Name.'),
    col('Ports', 'string', 'ports specifies the list of network ports exposed by each endpoint in this slice. Each port must have a unique name. When ports is empty, it indicates that there are no defined ports. When a port is defined with a nil port value, it indicates "all ports". Each slice may include a maximum of 100 ports.'),
    col('Endpoints', 'string', 'endpoints is a list of unique endpoints in this slice. Each slice may include a maximum of 1000 endpoints.'),
    ageCol,
  ],
};

/** The default table convertor (k8s.io/apiserver/pkg/registry/rest/table.go) for kinds without a printer. */
const DEFAULT_COLUMNS = [nameCol, col('Created At', 'date', DOC.creationTimestamp)];

/** Column definitions for a kind, wide ones (priority 1) included, as the server sends them. */
export function tableColumns(kind: string): TableColumnDefinition[] {
  return (COLUMNS[kind] ?? DEFAULT_COLUMNS).map((c) => ({ ...c }));
}

// ---- durations ----

/**
 * A duration as Kubernetes' duration.HumanDuration prints it: "59s", "5m", "3h10m", "2d", "400d",
 * "2y30d", with coarser units as time goes on. Up to 2s in the future counts as "0s" (clock skew).
 */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  const years = Math.floor(hours / 24 / 365);
  if (hours < 24 * 365 * 8) {
    const dy = Math.floor(hours / 24) % 365;
    return dy === 0 ? `${years}y` : `${years}y${dy}d`;
  }
  return `${years}y`;
}

/** translateTimestampSince: "<unknown>" for an unset time. */
function since(timestamp: string | null | undefined, now: number): string {
  const t = parseTime(timestamp);
  return t === undefined ? '<unknown>' : humanDuration(now - t);
}

// ---- helpers shared by several printers ----

function layoutContainerCells(containers: Container[] | undefined): [string, string] {
  const list = containers ?? [];
  return [list.map((c) => c.name).join(','), list.map((c) => c.image ?? '').join(',')];
}

/** labels.FormatLabels: sorted "k=v" pairs, "<none>" when empty. */
function formatLabels(labels: Record<string, string> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  return keys.length === 0 ? '<none>' : keys.map((k) => `${k}=${labels![k]}`).join(',');
}

/** LabelSelectorAsSelector(...).String(): requirements sorted by key, "" for an empty selector. */
function selectorString(sel: LabelSelector | undefined): string {
  const reqs: [string, string][] = [];
  for (const [k, v] of Object.entries(sel?.matchLabels ?? {})) reqs.push([k, `${k}=${v}`]);
  for (const e of sel?.matchExpressions ?? []) {
    const values = [...new Set(e.values ?? [])].sort().join(',');
    const text =
      e.operator === 'In' ? `${e.key} in (${values})`
      : e.operator === 'NotIn' ? `${e.key} notin (${values})`
      : e.operator === 'Exists' ? e.key
      : `!${e.key}`;
    reqs.push([e.key, text]);
  }
  // A stable sort by key only, as labels.internalSelector sorts its requirements.
  return reqs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((r) => r[1]).join(',');
}

/** metav1.FormatLabelSelector: like selectorString, but "<none>" when empty. */
function formatLabelSelector(sel: LabelSelector | undefined): string {
  return selectorString(sel) || '<none>';
}

// ---- per-kind printers ----

interface PrintedRow {
  cells: unknown[];
  conditions?: TableRowCondition[];
}

type Printer = (obj: KObject, now: number) => PrintedRow;

const podCompleted: Record<string, TableRowCondition[]> = {
  Succeeded: [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }],
  Failed: [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }],
};

function conditionTrue(pod: Pod, type: string): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');
}

/** printPod: READY, STATUS and RESTARTS exactly as Kubernetes derives them. */
function printPod(obj: KObject, now: number): PrintedRow {
  const pod = obj as Pod;
  const status = pod.status ?? {};
  const spec = pod.spec ?? { containers: [] };
  let restarts = 0;
  let restartableInitRestarts = 0;
  let totalContainers = (spec.containers ?? []).length;
  let readyContainers = 0;
  let lastRestart = 0;
  let lastRestartableInitRestart = 0;

  const phase = status.phase ?? '';
  let reason: string = status.reason || phase;
  for (const c of status.conditions ?? []) {
    if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }

  // Sidecars (init containers with restartPolicy Always) count as containers of the pod.
  const restartable = new Set<string>();
  for (const c of spec.initContainers ?? []) {
    if (c.restartPolicy === 'Always') {
      restartable.add(c.name);
      totalContainers++;
    }
  }
  const finishedAt = (s: { lastState?: { terminated?: { finishedAt?: string } } }) => parseTime(s.lastState?.terminated?.finishedAt) ?? 0;

  let initializing = false;
  const initStatuses = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const c = initStatuses[i]!;
    restarts += c.restartCount ?? 0;
    if (c.lastState?.terminated) lastRestart = Math.max(lastRestart, finishedAt(c));
    if (restartable.has(c.name)) {
      restartableInitRestarts += c.restartCount ?? 0;
      if (c.lastState?.terminated) lastRestartableInitRestart = Math.max(lastRestartableInitRestart, finishedAt(c));
    }
    const terminated = c.state?.terminated;
    const waiting = c.state?.waiting;
    if (terminated && terminated.exitCode === 0) continue;
    if (restartable.has(c.name) && c.started) {
      if (c.ready) readyContainers++;
      continue;
    }
    if (terminated) {
      reason = terminated.reason
        ? `Init:${terminated.reason}`
        : terminated.signal
          ? `Init:Signal:${terminated.signal}`
          : `Init:ExitCode:${terminated.exitCode}`;
    } else if (waiting?.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${(spec.initContainers ?? []).length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || conditionTrue(pod, 'Initialized')) {
    restarts = restartableInitRestarts;
    lastRestart = lastRestartableInitRestart;
    let hasRunning = false;
    const statuses = status.containerStatuses ?? [];
    // Backwards, so the first container's state wins, as in printers.go.
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i]!;
      restarts += c.restartCount ?? 0;
      if (c.lastState?.terminated) lastRestart = Math.max(lastRestart, finishedAt(c));
      const waiting = c.state?.waiting;
      const terminated = c.state?.terminated;
      if (waiting?.reason) reason = waiting.reason;
      else if (terminated?.reason) reason = terminated.reason;
      else if (terminated) reason = terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode}`;
      else if (c.ready && c.state?.running) {
        hasRunning = true;
        readyContainers++;
      }
    }
    // A pod with one container completed and another still running is not "Completed".
    if (reason === 'Completed' && hasRunning) reason = conditionTrue(pod, 'Ready') ? 'Running' : 'NotReady';
  }

  if (pod.metadata.deletionTimestamp && status.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';

  const restartsCell = restarts !== 0 && lastRestart !== 0 ? `${restarts} (${humanDuration(now - lastRestart)} ago)` : String(restarts);

  let readinessGates = '<none>';
  const gates = (spec.readinessGates as { conditionType: string }[] | undefined) ?? [];
  if (gates.length > 0) {
    const trueCount = gates.filter((g) => (status.conditions ?? []).find((c) => c.type === g.conditionType)?.status === 'True').length;
    readinessGates = `${trueCount}/${gates.length}`;
  }

  return {
    cells: [
      pod.metadata.name ?? '',
      `${readyContainers}/${totalContainers}`,
      reason,
      restartsCell,
      since(pod.metadata.creationTimestamp, now),
      status.podIPs?.[0]?.ip || '<none>',
      spec.nodeName || '<none>',
      status.nominatedNodeName || '<none>',
      readinessGates,
    ],
    ...(podCompleted[phase] ? { conditions: podCompleted[phase] } : {}),
  };
}

/** Roles from node-role.kubernetes.io/<role> labels and the older kubernetes.io/role label. */
function nodeRoles(node: Node): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const role = k.slice('node-role.kubernetes.io/'.length);
      if (role) roles.add(role);
    } else if (k === 'kubernetes.io/role' && v !== '') roles.add(v);
  }
  return [...roles].sort();
}

function printNode(obj: KObject, now: number): PrintedRow {
  const node = obj as Node;
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  const status = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (node.spec?.unschedulable) status.push('SchedulingDisabled');
  const address = (type: string) => node.status?.addresses?.find((a) => a.type === type)?.address ?? '<none>';
  const info = node.status?.nodeInfo ?? {};
  return {
    cells: [
      node.metadata.name ?? '',
      status.join(','),
      nodeRoles(node).join(',') || '<none>',
      since(node.metadata.creationTimestamp, now),
      info.kubeletVersion ?? '',
      address('InternalIP'),
      address('ExternalIP'),
      info.osImage || '<unknown>',
      info.kernelVersion || '<unknown>',
      info.containerRuntimeVersion || '<unknown>',
    ],
  };
}

function printNamespace(obj: KObject, now: number): PrintedRow {
  const ns = obj as Namespace;
  return { cells: [ns.metadata.name ?? '', ns.status?.phase ?? '', since(ns.metadata.creationTimestamp, now)] };
}

/** getServiceExternalIP with wide=true: the server never clips load-balancer addresses. */
function serviceExternalIP(svc: Service, type: string): string {
  const externalIPs = svc.spec?.externalIPs ?? [];
  switch (type) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = [...new Set((svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip || i.hostname || '').filter((s) => s))].sort();
      if (externalIPs.length > 0) return [...lb, ...externalIPs].join(',');
      return lb.length > 0 ? lb.join(',') : '<pending>';
    }
    case 'ExternalName':
      return svc.spec?.externalName ?? '';
    default:
      return '<unknown>';
  }
}

function printService(obj: KObject, now: number): PrintedRow {
  const svc = obj as Service;
  const spec = svc.spec ?? {};
  // Kubernetes defaults type to ClusterIP and protocol to TCP before anything is printed.
  const type = spec.type ?? 'ClusterIP';
  const clusterIP = spec.clusterIPs?.[0] ?? (spec.clusterIP || '<none>');
  const ports = (spec.ports ?? [])
    .map((p) => (p.nodePort && p.nodePort > 0 ? `${p.port}:${p.nodePort}/${p.protocol ?? 'TCP'}` : `${p.port}/${p.protocol ?? 'TCP'}`))
    .join(',');
  return {
    cells: [
      svc.metadata.name ?? '',
      type,
      clusterIP,
      serviceExternalIP(svc, type),
      ports || '<none>',
      since(svc.metadata.creationTimestamp, now),
      formatLabels(spec.selector),
    ],
  };
}

/** formatEndpoints: at most three "ip:port" entries, then "+ N more...". */
export function formatEndpoints(ep: Endpoints): string {
  const subsets = ep.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const max = 3;
  const list: string[] = [];
  let more = false;
  let count = 0;
  const add = (entry: string) => {
    if (list.length === max) more = true;
    else list.push(entry);
  };
  for (const ss of subsets) {
    const addresses = ss.addresses ?? [];
    if (!ss.ports || ss.ports.length === 0) {
      // Headless services may have no ports.
      count += addresses.length;
      for (const a of addresses) add(a.ip);
      continue;
    }
    for (const port of ss.ports) {
      count += addresses.length;
      for (const a of addresses) add(a.ip.includes(':') ? `[${a.ip}]:${port.port}` : `${a.ip}:${port.port}`);
    }
  }
  const joined = list.join(',');
  return more ? `${joined} + ${count - max} more...` : joined;
}

function printEndpoints(obj: KObject, now: number): PrintedRow {
  const ep = obj as Endpoints;
  return { cells: [ep.metadata.name ?? '', formatEndpoints(ep), since(ep.metadata.creationTimestamp, now)] };
}

function printEvent(obj: KObject, now: number): PrintedRow {
  const ev = obj as Event & { series?: { count?: number; lastObservedTime?: string } };
  const firstSeen = parseTime(ev.firstTimestamp) === undefined ? since(ev.eventTime, now) : since(ev.firstTimestamp, now);
  let lastSeen = parseTime(ev.lastTimestamp) === undefined ? firstSeen : since(ev.lastTimestamp, now);
  let count = ev.count ?? 0;
  if (ev.series) {
    lastSeen = since(ev.series.lastObservedTime, now);
    count = ev.series.count ?? 0;
  } else if (count === 0) {
    // Singleton events don't have a count set in the new API.
    count = 1;
  }
  const io = ev.involvedObject ?? {};
  const kind = (io.kind ?? '').toLowerCase();
  const target = io.name ? `${kind}/${io.name}` : kind;
  const component = ev.source?.component || ev.reportingComponent || '';
  const instance = ev.source?.host || ev.reportingInstance || '';
  return {
    cells: [
      lastSeen,
      ev.type ?? '',
      ev.reason ?? '',
      target,
      io.fieldPath ?? '',
      instance ? `${component}, ${instance}` : component,
      (ev.message ?? '').trim(),
      firstSeen,
      count,
      ev.metadata.name ?? '',
    ],
  };
}

function printConfigMap(obj: KObject, now: number): PrintedRow {
  const cm = obj as ConfigMap;
  const data = Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length;
  return { cells: [cm.metadata.name ?? '', data, since(cm.metadata.creationTimestamp, now)] };
}

function printDeployment(obj: KObject, now: number): PrintedRow {
  const d = obj as Deployment;
  const [names, images] = layoutContainerCells(d.spec?.template?.spec?.containers);
  return {
    cells: [
      d.metadata.name ?? '',
      // spec.replicas defaults to 1 in Kubernetes before the printer sees it.
      `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 1}`,
      d.status?.updatedReplicas ?? 0,
      d.status?.availableReplicas ?? 0,
      since(d.metadata.creationTimestamp, now),
      names,
      images,
      selectorString(d.spec?.selector),
    ],
  };
}

function printReplicaSet(obj: KObject, now: number): PrintedRow {
  const rs = obj as ReplicaSet;
  const [names, images] = layoutContainerCells(rs.spec?.template?.spec?.containers);
  return {
    cells: [
      rs.metadata.name ?? '',
      rs.spec?.replicas ?? 1,
      rs.status?.replicas ?? 0,
      rs.status?.readyReplicas ?? 0,
      since(rs.metadata.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(rs.spec?.selector),
    ],
  };
}

function printLease(obj: KObject, now: number): PrintedRow {
  const lease = obj as Lease;
  return { cells: [lease.metadata.name ?? '', lease.spec?.holderIdentity ?? '', since(lease.metadata.creationTimestamp, now)] };
}

/** listWithMoreString: at most three entries, then "+ N more..."; "<unset>" when there are none. */
function listWithMore(all: readonly string[]): string {
  const max = 3;
  const joined = all.slice(0, max).join(',');
  if (all.length > max) return `${joined} + ${all.length - max} more...`;
  return joined || '<unset>';
}

/** formatDiscoveryPorts: each port's number, else its name, else "*" (all ports). */
export function formatDiscoveryPorts(slice: EndpointSlice): string {
  return listWithMore((slice.ports ?? []).map((p) => (typeof p.port === 'number' ? String(p.port) : (p.name ?? '*'))));
}

/** formatDiscoveryEndpoints: every address of every endpoint, ready or not. */
export function formatDiscoveryEndpoints(slice: EndpointSlice): string {
  return listWithMore((slice.endpoints ?? []).flatMap((e) => e.addresses ?? []));
}

function printEndpointSlice(obj: KObject, now: number): PrintedRow {
  const slice = obj as EndpointSlice;
  return { cells: [slice.metadata.name ?? '', slice.addressType ?? '', formatDiscoveryPorts(slice), formatDiscoveryEndpoints(slice), since(slice.metadata.creationTimestamp, now)] };
}

/** The default convertor prints creationTimestamp as RFC 3339 in UTC (Go's zero time when unset). */
function printDefault(obj: KObject): PrintedRow {
  const t = parseTime(obj.metadata?.creationTimestamp);
  const created = t === undefined ? '0001-01-01T00:00:00Z' : new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return { cells: [obj.metadata?.name ?? '', created] };
}

const PRINTERS: Record<string, Printer> = {
  Pod: printPod,
  Node: printNode,
  Namespace: printNamespace,
  Service: printService,
  Endpoints: printEndpoints,
  Event: printEvent,
  ConfigMap: printConfigMap,
  Deployment: printDeployment,
  ReplicaSet: printReplicaSet,
  Lease: printLease,
  EndpointSlice: printEndpointSlice,
};

/** The cells of one object's row, one per column of tableColumns(kind), wide ones included. */
export function tableRow(kind: string, obj: KObject, now: number): unknown[] {
  return (PRINTERS[kind] ?? printDefault)(obj, now).cells;
}

export interface BuildTableOptions {
  /** Wall-clock milliseconds that AGE columns count from. */
  now: number;
  /** The list's resourceVersion, copied into the Table's metadata. */
  resourceVersion?: string;
  /** The list's continue token, copied into the Table's metadata. */
  continue?: string;
  /** What each row's `object` holds; Kubernetes' default is 'Metadata'. */
  includeObject: IncludeObject;
}

/** A complete meta.k8s.io/v1 Table for objects of one kind. */
export function buildTable(kind: string, objs: readonly KObject[], opts: BuildTableOptions): Table {
  if (!['None', 'Metadata', 'Object'].includes(opts.includeObject)) {
    throw new RangeError(`Invalid includeObject "${opts.includeObject}": must be "None", "Metadata" or "Object"`);
  }
  const printer = PRINTERS[kind] ?? printDefault;
  const metadata: Table['metadata'] = {};
  if (opts.resourceVersion !== undefined) metadata.resourceVersion = opts.resourceVersion;
  if (opts.continue) metadata.continue = opts.continue;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    columnDefinitions: tableColumns(kind),
    rows: objs.map((obj) => {
      const printed = printer(obj, opts.now);
      const row: TableRow = { cells: printed.cells };
      if (printed.conditions) row.conditions = printed.conditions;
      if (opts.includeObject === 'Object') row.object = obj;
      else if (opts.includeObject === 'Metadata') {
        row.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
      }
      return row;
    }),
  };
}
