/**
 * The kubelet daemon's command line: its flags (named and defaulted as the kubelet's, where it has
 * them) and their conversion into startKubelet options. No side effects, so the conversion is
 * tested without starting anything; main.ts runs it.
 */
import { hostname } from 'node:os';
import { Command, Option } from 'commander';
import { FlagError, withNodeTimingFlags, parseDuration, parseIP, parseInteger, parseLabels, parsePositiveDuration, parseQuantityFlag, parseTaints } from './flags.js';
import { parseCidr } from './runtimes/ip-pool.js';
import { runtimeNames } from './runtimes/registry.js';

function parseCidrFlag(flag: string, s: string): string {
  try {
    parseCidr(s);
  } catch (err) {
    throw new FlagError(flag, (err as Error).message);
  }
  return s;
}

/** The flags as commander hands them over. */
export interface KubeletFlags extends Record<string, unknown> {
  kubeconfig: string;
  nodeName?: string;
  nodeIp: string;
  runtime: string;
  port: string;
  cpu?: string;
  memory?: string;
  maxPods: string;
  leaseRenewInterval?: string;
  leaseDurationSeconds: string;
  nodeStatusUpdateFrequency: string;
  nodeStatusReportFrequency: string;
  restartBackoffBase: string;
  restartBackoffMax: string;
  syncFrequency: string;
  role?: string;
  labels?: string;
  registerWithTaints?: string;
  podCidr?: string;
  podLogsDir?: string;
  rootDir?: string;
  labName?: string;
  dockerNetwork?: string;
  clusterCidr?: string;
  authenticationTokenFile?: string;
  fakeStartDelay: string;
  v: string;
}

/** The kubelet's command: flags with their defaults. */
export function kubeletCommand(): Command {
  return withNodeTimingFlags(new Command('kubelet'))
    .description('The kubelab kubelet: registers a Node, renews its Lease and runs the pods bound to it.')
    .requiredOption('--kubeconfig <path>', 'kubeconfig of the API server')
    .option('--node-name <name>', 'name of the Node (default: the hostname)')
    .option('--node-ip <ip>', 'IP of the node: InternalIP, and where the kubelet listens', '127.0.0.1')
    .option('--runtime <name>', `container runtime: ${runtimeNames().join(', ')}`, 'fake')
    .option('--port <n>', "port of the kubelet's HTTP server (/healthz, /metrics, /containerLogs; 0 picks one)", '10250')
    .option('--cpu <quantity>', 'CPU capacity (default: this machine)')
    .option('--memory <quantity>', 'memory capacity (default: this machine)')
    .option('--max-pods <n>', 'pod capacity', '110')
    .option('--node-status-update-frequency <duration>', 'how often node status is checked for changes', '10s')
    .option('--role <name>', 'adds the label node-role.kubernetes.io/<name>')
    .option('--labels <k=v,...>', 'more node labels')
    .option('--register-with-taints <key=value:Effect,...>', 'taints the node registers with')
    .option('--pod-cidr <cidr>', "pod IP range (default: the Node's spec.podCIDR once allocated)")
    .option('--pod-logs-dir <dir>', 'where runtimes that write log files keep pod logs')
    .option('--root-dir <dir>', "the kubelet's state directory (runtimes keep their files under it)")
    .option('--lab-name <name>', 'the lab this node belongs to (runtimes label what they create with it)')
    .option('--docker-network <name>', 'docker runtime: the network pods join (default: the lab name)')
    .option('--cluster-cidr <cidr>', "docker runtime: the pod network's subnet (default 10.244.0.0/16)")
    .option('--authentication-token-file <path>', 'file holding the bearer token /containerLogs requests must carry (the API server sends the lab token); without it, no check')
    .option('--fake-start-delay <duration>', 'fake runtime: how long a container takes to start', '0s')
    .addOption(new Option('-v <level>', 'log verbosity').default('0'));
}

/** startKubelet options and runtime choice from flags, minus client and runtime; FlagError names a bad flag. */
export interface KubeletCliConfig {
  kubeconfig: string;
  runtime: string;
  rootDir?: string;
  labName?: string;
  network?: { name: string; subnet?: string };
  /** File with the bearer token /containerLogs requires; main.ts reads it. */
  authenticationTokenFile?: string;
  fakeStartDelayMs: number;
  verbosity: number;
  options: {
    nodeName: string;
    nodeIP: string;
    port: number;
    cpu?: string;
    memory?: string;
    maxPods: number;
    leaseDurationSeconds: number;
    leaseRenewIntervalMs?: number;
    nodeStatusUpdateFrequencyMs: number;
    nodeStatusReportFrequencyMs: number;
    restartBackoffBaseMs: number;
    restartBackoffMaxMs: number;
    syncFrequencyMs: number;
    role?: string;
    labels?: Record<string, string>;
    taints?: ReturnType<typeof parseTaints>;
    podCIDR?: string;
    podLogsDir?: string;
  };
}

export function kubeletConfigFromFlags(f: KubeletFlags): KubeletCliConfig {
  if (!runtimeNames().includes(f.runtime)) throw new FlagError('--runtime', `"${f.runtime}" is not one of ${runtimeNames().join(', ')}`);
  const base = parsePositiveDuration('--restart-backoff-base', f.restartBackoffBase);
  const max = parsePositiveDuration('--restart-backoff-max', f.restartBackoffMax);
  if (max < base) throw new FlagError('--restart-backoff-max', `${f.restartBackoffMax} is shorter than --restart-backoff-base ${f.restartBackoffBase}`);
  const nodeName = f.nodeName ?? hostname().toLowerCase();
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(nodeName)) throw new FlagError('--node-name', `"${nodeName}" is not a DNS subdomain name`);
  if (f.role !== undefined && !/^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$/i.test(f.role)) throw new FlagError('--role', `"${f.role}" is not a label name`);
  const v = Number(f.v);
  if (!Number.isInteger(v) || v < 0) throw new FlagError('-v', `"${f.v}" is not a level (0, 1, 2, ...)`);
  return {
    kubeconfig: f.kubeconfig,
    runtime: f.runtime,
    ...(f.rootDir !== undefined ? { rootDir: f.rootDir } : {}),
    ...(f.labName !== undefined ? { labName: f.labName } : {}),
    ...(f.dockerNetwork !== undefined || f.clusterCidr !== undefined
      ? { network: { name: f.dockerNetwork ?? f.labName ?? 'kubelab', ...(f.clusterCidr ? { subnet: f.clusterCidr } : {}) } }
      : {}),
    ...(f.authenticationTokenFile !== undefined ? { authenticationTokenFile: f.authenticationTokenFile } : {}),
    fakeStartDelayMs: parseDuration('--fake-start-delay', f.fakeStartDelay),
    verbosity: v,
    options: {
      nodeName,
      nodeIP: parseIP('--node-ip', f.nodeIp),
      port: parseInteger('--port', f.port, 0, 65535),
      ...(f.cpu !== undefined ? { cpu: parseQuantityFlag('--cpu', f.cpu) } : {}),
      ...(f.memory !== undefined ? { memory: parseQuantityFlag('--memory', f.memory) } : {}),
      maxPods: parseInteger('--max-pods', f.maxPods, 1),
      leaseDurationSeconds: parseInteger('--lease-duration-seconds', f.leaseDurationSeconds, 1),
      ...(f.leaseRenewInterval !== undefined ? { leaseRenewIntervalMs: parsePositiveDuration('--lease-renew-interval', f.leaseRenewInterval) } : {}),
      nodeStatusUpdateFrequencyMs: parsePositiveDuration('--node-status-update-frequency', f.nodeStatusUpdateFrequency),
      nodeStatusReportFrequencyMs: parsePositiveDuration('--node-status-report-frequency', f.nodeStatusReportFrequency),
      restartBackoffBaseMs: base,
      restartBackoffMaxMs: max,
      syncFrequencyMs: parsePositiveDuration('--sync-frequency', f.syncFrequency),
      ...(f.role !== undefined ? { role: f.role } : {}),
      ...(f.labels !== undefined ? { labels: parseLabels('--labels', f.labels) } : {}),
      ...(f.registerWithTaints !== undefined ? { taints: parseTaints('--register-with-taints', f.registerWithTaints) } : {}),
      ...(f.podCidr !== undefined ? { podCIDR: parseCidrFlag('--pod-cidr', f.podCidr) } : {}),
      ...(f.podLogsDir !== undefined ? { podLogsDir: f.podLogsDir } : {}),
    },
  };
}
