/**
 * kube-scheduler's counterpart: `node src/control/scheduler/main.ts --kubeconfig FILE ...`.
 * Serves /healthz (200 once the informers have synced), /readyz, /livez and /metrics on
 * 127.0.0.1:--port and prints "ready <url>" once serving. Bad flags exit 2.
 */
import { Command, Option } from 'commander';
import { isIP } from 'node:net';
import { parseFlags, runDaemon } from '../../util/daemon.js';
import { startScheduler } from './server.js';

interface Flags extends Record<string, unknown> {
  kubeconfig: string;
  bindAddress: string;
  port: string;
  schedulerName: string;
  parallelBindings: string;
  podInitialBackoffSeconds: string;
  podMaxBackoffSeconds: string;
  podMaxInUnschedulablePodsSeconds: string;
  unschedulableFlushIntervalSeconds: string;
  percentageOfNodesToScore: string;
  v: string;
}

const cmd = new Command('scheduler')
  .description('The kubelab scheduler: binds pending pods to nodes, as kube-scheduler does.')
  .requiredOption('--kubeconfig <path>', 'kubeconfig of the API server to schedule for')
  .option('--bind-address <ip>', 'address of /healthz and /metrics', '127.0.0.1')
  .option('--port <n>', 'port of /healthz and /metrics on --bind-address (0 picks one)', '10251')
  .option('--scheduler-name <name>', 'schedule pods whose spec.schedulerName is this (or unset)', 'default-scheduler')
  .option('--parallel-bindings <n>', 'most bindings in flight at once', '64')
  .option('--pod-initial-backoff-seconds <s>', 'backoff after the first failed attempt', '1')
  .option('--pod-max-backoff-seconds <s>', 'longest backoff', '10')
  .option('--pod-max-in-unschedulable-pods-seconds <s>', 'retry an unschedulable pod after this long even without a cluster event', '300')
  .option('--unschedulable-flush-interval-seconds <s>', 'how often unschedulable pods are checked against the previous limit', '30')
  .option('--percentage-of-nodes-to-score <p>', 'share of nodes to find feasible before scoring (0 = adaptive, 100 = all)', '0')
  .addOption(new Option('-v <level>', 'log verbosity').default('0'));

const f = parseFlags<Flags>(cmd);

function usage(msg: string): never {
  process.stderr.write(`error: ${msg}\n`);
  process.exit(2);
}

/** A number flag within [min, max], integer when asked; exits 2 naming the flag otherwise. */
function num(flag: string, value: string, o: { min: number; max?: number; integer?: boolean; exclusiveMin?: boolean }): number {
  const n = value.trim() === '' ? NaN : Number(value);
  const low = o.exclusiveMin ? n > o.min : n >= o.min;
  if (!Number.isFinite(n) || !low || (o.max !== undefined && n > o.max) || (o.integer && !Number.isInteger(n))) {
    const range = `${o.exclusiveMin ? '>' : '>='} ${o.min}${o.max !== undefined ? ` and <= ${o.max}` : ''}`;
    usage(`option '--${flag}' must be ${o.integer ? 'an integer' : 'a number'} ${range}, not "${value}"`);
  }
  return n;
}

const port = num('port', f.port, { min: 0, max: 65535, integer: true });
if (isIP(f.bindAddress) === 0) usage(`option '--bind-address' must be an IP address, not "${f.bindAddress}"`);
const parallelBindings = num('parallel-bindings', f.parallelBindings, { min: 1, integer: true });
const initialBackoff = num('pod-initial-backoff-seconds', f.podInitialBackoffSeconds, { min: 0, exclusiveMin: true });
const maxBackoff = num('pod-max-backoff-seconds', f.podMaxBackoffSeconds, { min: 0, exclusiveMin: true });
if (maxBackoff < initialBackoff) usage(`option '--pod-max-backoff-seconds' (${maxBackoff}) must not be less than '--pod-initial-backoff-seconds' (${initialBackoff})`);
const maxInUnschedulable = num('pod-max-in-unschedulable-pods-seconds', f.podMaxInUnschedulablePodsSeconds, { min: 0 });
const flushInterval = num('unschedulable-flush-interval-seconds', f.unschedulableFlushIntervalSeconds, { min: 0, exclusiveMin: true });
const percentage = num('percentage-of-nodes-to-score', f.percentageOfNodesToScore, { min: 0, max: 100 });
const verbosity = num('v', f.v, { min: 0, integer: true });
if (!f.schedulerName) usage(`option '--scheduler-name' must not be empty`);

await runDaemon('scheduler', verbosity, async (log) => {
  const s = await startScheduler({
    kubeconfig: f.kubeconfig,
    host: f.bindAddress,
    port,
    schedulerName: f.schedulerName,
    parallelBindings,
    podInitialBackoffMs: initialBackoff * 1000,
    podMaxBackoffMs: maxBackoff * 1000,
    podMaxInUnschedulableMs: maxInUnschedulable * 1000,
    unschedulableFlushIntervalMs: flushInterval * 1000,
    percentageOfNodesToScore: percentage,
    processMetrics: true,
    log,
  });
  return { ready: s.url, close: () => s.close() };
});
