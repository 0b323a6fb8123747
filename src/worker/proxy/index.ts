/**
 * The service proxy (kube-proxy's counterpart, userspace TCP): one per node. It watches Services
 * and Endpoints and forwards TCP connections to ready endpoints, round robin:
 *
 * - clusterIP:port for every TCP port of every Service with a cluster IP;
 * - nodeAddress:nodePort for NodePort and LoadBalancer Services, on each node port address;
 * - readiness changes apply synchronously in the informer handler: an endpoint that leaves
 *   `addresses` gets no new connection from then on; established connections are left alone;
 * - a Service without ready endpoints accepts and closes at once (Kubernetes rejects with ICMP);
 * - several proxies on one host (the local lab) share cluster IPs: the one that gets the socket
 *   serves, the others stand by and take over when it goes (listeners.ts);
 * - with a cluster IP interface, cluster IPs from a range no interface has become local
 *   addresses, as kube-proxy's IPVS mode does with kube-ipvs0 (iface.ts).
 *
 * Pure decisions: table.ts (routes from Service + Endpoints), balancer.ts (round robin and
 * session affinity), plan.ts (which listeners to open and close), addresses.ts, flags.ts.
 * Wiring: proxy.ts (startProxy), main.ts (the daemon).
 */
export { startProxy, TRIGGER_TIME_ANNOTATION, type Proxy, type ProxyOptions, type SyncEvent, type WatchedKind } from './proxy.js';
export { ProxyMetrics, type ListenerState } from './metrics.js';
export { defaultListen, type ListenFn, type ListenerStatus } from './listeners.js';
export { hostExec, netnsExec, ExecError, type Exec, type ExecResult } from './exec.js';
export { ClusterIPInterface } from './iface.js';
export type { ListenerSpec, ListenerKind } from './plan.js';
export type { ServicePortEntry, Scope } from './table.js';
