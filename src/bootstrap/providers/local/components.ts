/**
 * What a local lab runs, decided without side effects: the nodes and their loopback addresses,
 * the address ranges, and every component with its command line and health URL.
 *
 * Every local node has its own loopback address (in the lab's slot s: master 127.0.s.1, worker-N
 * 127.0.s.(N+1); see slots.ts), so the kubelets and proxies of several nodes, and several labs,
 * use the same well-known ports without colliding. With the process runtime pods get loopback
 * addresses too (127.(244+s).N.M from the node's pod CIDR) and Services a loopback service range
 * (127.(96+s).0.0/16): on Linux every 127.x.y.z is local, so none of it needs root. The docker
 * runtime uses Kubernetes' usual ranges on a Docker network.
 */
import { join } from 'node:path';
import type { NodeState } from '../../state.js';
import type { Timings } from '../../timings.js';
import type { SlotAddresses } from './slots.js';

export type Runtime = 'process' | 'docker' | 'fake';

export interface LocalLabConfig {
  name: string;
  addresses: SlotAddresses;
  dir: string;
  apiPort: number;
  apiServerURL: string;
  tokenFile: string;
  certFile: string;
  keyFile: string;
  kubeconfig: string;
  runtime: Runtime;
  workers: number;
  timings: Timings;
  verbosity: number;
}

export interface ComponentSpec {
  name: 'apiserver' | 'controller-manager' | 'scheduler' | 'kubelet' | 'proxy';
  node: string;
  script: string;
  args: string[];
  /** URL answering 200 once the component is ready. */
  health: string;
}

export interface Network {
  serviceCIDR: string;
  clusterCIDR: string;
}

export function networkFor(runtime: Runtime, a: SlotAddresses): Network {
  // Docker labs share the host's Docker networks by name, so their ranges only need to differ by slot too.
  return runtime === 'docker'
    ? { serviceCIDR: `10.${96 + a.slot}.0.0/16`, clusterCIDR: `10.${244 - a.slot}.0.0/16` }
    : { serviceCIDR: a.serviceCIDR, clusterCIDR: a.processClusterCIDR };
}

/** The lab's nodes: the master (control plane only, no kubelet) and worker-1..N. */
export function localNodes(workers: number, a: SlotAddresses): NodeState[] {
  if (!Number.isInteger(workers) || workers < 0 || workers > 200) throw new RangeError(`workers must be 0..200, not ${workers}`);
  return [
    { name: 'master', role: 'control-plane', address: a.node(0) },
    ...Array.from({ length: workers }, (_, i): NodeState => ({ name: `worker-${i + 1}`, role: 'worker', address: a.node(i + 1) })),
  ];
}

/**
 * What names a lab outside its directory (Docker network, container labels): by slot, since two
 * labs may share a name in different homes but never a slot.
 */
export function labId(slot: number): string {
  return `kubelab-s${slot}`;
}

const v = (cfg: LocalLabConfig) => ['-v', String(cfg.verbosity)];

export function controlPlaneComponents(cfg: LocalLabConfig): ComponentSpec[] {
  const net = networkFor(cfg.runtime, cfg.addresses);
  const master = cfg.addresses.node(0);
  const t = cfg.timings;
  return [
    {
      name: 'apiserver',
      node: 'master',
      script: 'src/control/apiserver/main.ts',
      args: [
        '--data-dir', join(cfg.dir, 'data'),
        '--host', master,
        '--port', String(cfg.apiPort),
        '--token-file', cfg.tokenFile,
        '--tls-cert-file', cfg.certFile,
        '--tls-private-key-file', cfg.keyFile,
        '--service-cidr', net.serviceCIDR,
        '--default-toleration-seconds', String(t.defaultTolerationSeconds),
        ...(cfg.runtime === 'docker' ? [] : ['--allow-loopback-endpoints']),
        ...v(cfg),
      ],
      health: `${cfg.apiServerURL}/readyz`,
    },
    {
      name: 'controller-manager',
      node: 'master',
      script: 'src/control/controllers/main.ts',
      args: [
        '--kubeconfig', cfg.kubeconfig,
        '--bind-address', master,
        '--port', '10257',
        '--node-monitor-period', t.nodeMonitorPeriod,
        '--node-monitor-grace-period', t.nodeMonitorGracePeriod,
        '--node-eviction-rate', t.nodeEvictionRate,
        '--allocate-node-cidrs',
        '--cluster-cidr', net.clusterCIDR,
        '--kube-api-qps', '500',
        '--kube-api-burst', '1000',
        ...v(cfg),
      ],
      health: `http://${master}:10257/healthz`,
    },
    {
      name: 'scheduler',
      node: 'master',
      script: 'src/control/scheduler/main.ts',
      args: [
        '--kubeconfig', cfg.kubeconfig,
        '--bind-address', master,
        '--port', '10259',
        '--pod-initial-backoff-seconds', String(t.podInitialBackoffSeconds),
        '--pod-max-backoff-seconds', String(t.podMaxBackoffSeconds),
        ...v(cfg),
      ],
      health: `http://${master}:10259/healthz`,
    },
  ];
}

/** The kubelet and proxy of one worker. */
export function workerComponents(cfg: LocalLabConfig, node: NodeState): ComponentSpec[] {
  const t = cfg.timings;
  return [
    {
      name: 'kubelet',
      node: node.name,
      script: 'src/worker/kubelet/main.ts',
      args: [
        '--kubeconfig', cfg.kubeconfig,
        '--node-name', node.name,
        '--node-ip', node.address,
        '--port', '10250',
        '--runtime', cfg.runtime,
        '--root-dir', join(cfg.dir, 'nodes', node.name),
        '--role', 'worker',
        '--cpu', '4',
        '--memory', '8Gi',
        '--lease-duration-seconds', String(t.leaseDurationSeconds),
        '--lease-renew-interval', t.leaseRenewInterval,
        '--restart-backoff-base', t.restartBackoffBase,
        '--restart-backoff-max', t.restartBackoffMax,
        '--authentication-token-file', cfg.tokenFile,
        '--lab-name', labId(cfg.addresses.slot),
        ...(cfg.runtime === 'docker' ? ['--docker-network', labId(cfg.addresses.slot), '--cluster-cidr', networkFor('docker', cfg.addresses).clusterCIDR] : []),
        ...v(cfg),
      ],
      health: `http://${node.address}:10250/healthz`,
    },
    {
      name: 'proxy',
      node: node.name,
      script: 'src/worker/proxy/main.ts',
      args: [
        '--kubeconfig', cfg.kubeconfig,
        '--node-name', node.name,
        '--node-ip', node.address,
        '--port', '10256',
        // With Docker the service range is not local: the proxy adds cluster IPs to an interface of its own.
        ...(cfg.runtime === 'docker' ? ['--cluster-ip-interface', `kl-${node.name}`.slice(0, 15)] : []),
        ...v(cfg),
      ],
      health: `http://${node.address}:10256/healthz`,
    },
  ];
}
