/**
 * The hollow-node daemon's command line: its flags (the kubelet's timing and capacity flags, plus
 * --nodes and --pod-start-delay) and their conversion into startHollowNodes options, without side
 * effects; main.ts runs it.
 */
import { Command, Option } from 'commander';
import type { Taint } from '../../api/types.js';
import { FlagError, withNodeTimingFlags, parseDuration, parseIP, parseInteger, parseLabels, parsePositiveDuration, parseQuantityFlag, parseTaints } from '../kubelet/flags.js';
import { MAX_HOLLOW_INDEX } from './addresses.js';

/** The flags as commander hands them over. */
export interface HollowFlags extends Record<string, unknown> {
  kubeconfig: string;
  nodes: string;
  namePrefix: string;
  startIndex: string;
  address: string;
  port: string;
  podStartDelay: string;
  cpu: string;
  memory: string;
  maxPods: string;
  leaseRenewInterval?: string;
  leaseDurationSeconds: string;
  nodeStatusReportFrequency: string;
  restartBackoffBase: string;
  restartBackoffMax: string;
  syncFrequency: string;
  role?: string;
  labels?: string;
  registerWithTaints?: string;
  kubeletPort: string;
  v: string;
}

export function hollowCommand(): Command {
  return withNodeTimingFlags(new Command('hollow-nodes'))
    .description('Hollow nodes: N kubelets on fake runtimes in one process, for scale tests and fault injection.')
    .requiredOption('--kubeconfig <path>', 'kubeconfig of the API server')
    .requiredOption('--nodes <n>', 'how many nodes')
    .option('--name-prefix <prefix>', 'node names are <prefix><index>', 'hollow-node-')
    .option('--start-index <n>', 'index of the first node (several processes can share a cluster)', '0')
    .option('--address <ip>', 'address of the health, metrics and admin server', '127.0.0.1')
    .option('--port <n>', 'port of the health, metrics and admin server (0 picks one)', '10260')
    .option('--pod-start-delay <duration>', 'how long a pod takes to start on a hollow node', '0s')
    .option('--cpu <quantity>', 'CPU capacity of each node', '4')
    .option('--memory <quantity>', 'memory capacity of each node', '16Gi')
    .option('--max-pods <n>', 'pod capacity of each node', '110')
    .option('--role <name>', 'adds the label node-role.kubernetes.io/<name> to every node')
    .option('--labels <k=v,...>', 'more labels on every node')
    .option('--register-with-taints <key=value:Effect,...>', 'taints every node registers with')
    .option('--kubelet-port <n>', 'daemonEndpoints port the nodes advertise', '10250')
    .addOption(new Option('-v <level>', 'log verbosity').default('0'));
}

export interface HollowCliConfig {
  kubeconfig: string;
  address: string;
  port: number;
  verbosity: number;
  options: {
    count: number;
    namePrefix: string;
    startIndex: number;
    podStartDelayMs: number;
    cpu: string;
    memory: string;
    maxPods: number;
    leaseDurationSeconds: number;
    leaseRenewIntervalMs?: number;
    nodeStatusReportFrequencyMs: number;
    restartBackoffBaseMs: number;
    restartBackoffMaxMs: number;
    syncFrequencyMs: number;
    kubeletPort: number;
    role?: string;
    labels?: Record<string, string>;
    taints?: Taint[];
  };
}

/** Options from flags; FlagError names a bad flag. */
export function hollowConfigFromFlags(f: HollowFlags): HollowCliConfig {
  const count = parseInteger('--nodes', f.nodes, 0, MAX_HOLLOW_INDEX + 1);
  const startIndex = parseInteger('--start-index', f.startIndex, 0, MAX_HOLLOW_INDEX);
  if (startIndex + count - 1 > MAX_HOLLOW_INDEX) throw new FlagError('--nodes', `--start-index ${startIndex} + ${count} nodes exceeds the ${MAX_HOLLOW_INDEX + 1} addresses hollow nodes have`);
  if (!/^[a-z0-9]([-a-z0-9.]*)?$/.test(f.namePrefix)) throw new FlagError('--name-prefix', `"${f.namePrefix}" cannot start a DNS subdomain name`);
  const base = parsePositiveDuration('--restart-backoff-base', f.restartBackoffBase);
  const max = parsePositiveDuration('--restart-backoff-max', f.restartBackoffMax);
  if (max < base) throw new FlagError('--restart-backoff-max', `${f.restartBackoffMax} is shorter than --restart-backoff-base ${f.restartBackoffBase}`);
  if (f.role !== undefined && !/^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$/i.test(f.role)) throw new FlagError('--role', `"${f.role}" is not a label name`);
  const v = Number(f.v);
  if (!Number.isInteger(v) || v < 0) throw new FlagError('-v', `"${f.v}" is not a level (0, 1, 2, ...)`);
  return {
    kubeconfig: f.kubeconfig,
    address: parseIP('--address', f.address),
    port: parseInteger('--port', f.port, 0, 65535),
    verbosity: v,
    options: {
      count,
      namePrefix: f.namePrefix,
      startIndex,
      podStartDelayMs: parseDuration('--pod-start-delay', f.podStartDelay),
      cpu: parseQuantityFlag('--cpu', f.cpu),
      memory: parseQuantityFlag('--memory', f.memory),
      maxPods: parseInteger('--max-pods', f.maxPods, 1),
      leaseDurationSeconds: parseInteger('--lease-duration-seconds', f.leaseDurationSeconds, 1),
      ...(f.leaseRenewInterval !== undefined ? { leaseRenewIntervalMs: parsePositiveDuration('--lease-renew-interval', f.leaseRenewInterval) } : {}),
      nodeStatusReportFrequencyMs: parsePositiveDuration('--node-status-report-frequency', f.nodeStatusReportFrequency),
      restartBackoffBaseMs: base,
      restartBackoffMaxMs: max,
      syncFrequencyMs: parsePositiveDuration('--sync-frequency', f.syncFrequency),
      kubeletPort: parseInteger('--kubelet-port', f.kubeletPort, 1, 65535),
      ...(f.role !== undefined ? { role: f.role } : {}),
      ...(f.labels !== undefined ? { labels: parseLabels('--labels', f.labels) } : {}),
      ...(f.registerWithTaints !== undefined ? { taints: parseTaints('--register-with-taints', f.registerWithTaints) } : {}),
    },
  };
}
