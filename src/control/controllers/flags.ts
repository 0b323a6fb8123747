/**
 * The controller manager's command-line flags, as kube-controller-manager spells them
 * (--node-monitor-grace-period=40s, --controllers=*,-foo, ...), turned into
 * ControllerManagerOptions. Bad values throw a UsageError naming the flag, which the daemon
 * prints before exiting 2.
 */
import { isIP } from 'node:net';
import { parseDuration } from '../../util/flags.js';
import type { ControllerManagerOptions } from './manager.js';
import { resolveControllers } from './manager.js';
import { cidrRange } from './nodeipam/sync.js';

/** A flag with a bad value; the message names the flag. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The flags as commander hands them over (strings, as typed). */
export interface ControllerManagerFlags {
  kubeconfig: string;
  controllers: string;
  concurrentWorkers: string;
  bindAddress: string;
  port: string;
  nodeMonitorPeriod: string;
  nodeMonitorGracePeriod: string;
  nodeStartupGracePeriod: string;
  nodeEvictionRate: string;
  secondaryNodeEvictionRate: string;
  largeClusterSizeThreshold: string;
  unhealthyZoneThreshold: string;
  endpointUpdatesBatchPeriod: string;
  kubeApiQps: string;
  kubeApiBurst: string;
  allocateNodeCidrs: boolean;
  clusterCidr: string;
  nodeCidrMaskSize: string;
}

function duration(flag: string, v: string, o: { positive: boolean }): number {
  let ms: number;
  try {
    ms = parseDuration(flag, v);
  } catch {
    throw new UsageError(`${flag} "${v}" is not a duration like 5s, 100ms or 1m30s`);
  }
  if (o.positive && ms <= 0) throw new UsageError(`${flag} "${v}" must be longer than 0`);
  return ms;
}

function number(flag: string, v: string, o: { integer?: boolean; min?: number; max?: number; minExclusive?: boolean }): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${flag} "${v}" is not a number`);
  if (o.integer && !Number.isInteger(n)) throw new UsageError(`${flag} "${v}" is not an integer`);
  if (o.min !== undefined && (o.minExclusive ? n <= o.min : n < o.min)) throw new UsageError(`${flag} "${v}" must be ${o.minExclusive ? 'greater than' : 'at least'} ${o.min}`);
  if (o.max !== undefined && n > o.max) throw new UsageError(`${flag} "${v}" must be at most ${o.max}`);
  return n;
}

function ip(flag: string, v: string): string {
  if (isIP(v) === 0) throw new UsageError(`${flag} "${v}" is not an IP address`);
  return v;
}

/** Checks every flag and builds the manager's options (client from --kubeconfig). */
export function optionsFromFlags(f: ControllerManagerFlags): ControllerManagerOptions {
  const controllers = f.controllers.split(',').map((s) => s.trim()).filter(Boolean);
  if (!controllers.length) throw new UsageError('--controllers is empty; use "*" for all controllers');
  try {
    resolveControllers(controllers);
  } catch (err) {
    throw new UsageError(`--controllers: ${(err as Error).message}`);
  }
  if (f.allocateNodeCidrs && !f.clusterCidr) throw new UsageError('--allocate-node-cidrs needs --cluster-cidr');
  if (f.allocateNodeCidrs) {
    try {
      cidrRange(f.clusterCidr, Number(f.nodeCidrMaskSize));
    } catch (err) {
      throw new UsageError(`--cluster-cidr "${f.clusterCidr}" / --node-cidr-mask-size "${f.nodeCidrMaskSize}": ${(err as Error).message}`);
    }
  }
  return {
    kubeconfig: f.kubeconfig,
    ...(f.allocateNodeCidrs ? { clusterCIDR: f.clusterCidr, nodeCIDRMaskSize: Number(f.nodeCidrMaskSize) } : {}),
    controllers,
    concurrentWorkers: number('--concurrent-workers', f.concurrentWorkers, { integer: true, min: 1 }),
    host: ip('--bind-address', f.bindAddress),
    port: number('--port', f.port, { integer: true, min: 0, max: 65535 }),
    kubeApiQps: number('--kube-api-qps', f.kubeApiQps, { min: 0, minExclusive: true }),
    kubeApiBurst: number('--kube-api-burst', f.kubeApiBurst, { integer: true, min: 1 }),
    endpointUpdatesBatchPeriodMs: duration('--endpoint-updates-batch-period', f.endpointUpdatesBatchPeriod, { positive: false }),
    nodeLifecycle: {
      nodeMonitorPeriodMs: duration('--node-monitor-period', f.nodeMonitorPeriod, { positive: true }),
      nodeMonitorGracePeriodMs: duration('--node-monitor-grace-period', f.nodeMonitorGracePeriod, { positive: true }),
      nodeStartupGracePeriodMs: duration('--node-startup-grace-period', f.nodeStartupGracePeriod, { positive: true }),
      nodeEvictionRate: number('--node-eviction-rate', f.nodeEvictionRate, { min: 0 }),
      secondaryNodeEvictionRate: number('--secondary-node-eviction-rate', f.secondaryNodeEvictionRate, { min: 0 }),
      largeClusterSizeThreshold: number('--large-cluster-size-threshold', f.largeClusterSizeThreshold, { integer: true, min: 0 }),
      unhealthyZoneThreshold: number('--unhealthy-zone-threshold', f.unhealthyZoneThreshold, { min: 0, minExclusive: true, max: 1 }),
    },
  };
}
