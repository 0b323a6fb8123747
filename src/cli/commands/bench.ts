/** `lab bench ...`: benchmarks that print figures and can write JSON (docs/benchmarks.md). */
import type { Command } from 'commander';
import { plainTable, render } from '../table.js';
import { writeFileSync } from 'node:fs';
import { runApiBench, type ApiBenchResult } from '../../bench/api.js';
import { runHostBench, type HostBenchResult } from '../../bench/host.js';
import { runConvergenceBench, type ConvergenceResult } from '../../bench/proxy.js';
import { runRestartBench, type RestartBenchResult } from '../../bench/restart.js';
import { runSchedulingBench, type SchedulingBenchResult } from '../../bench/scheduling.js';
import { action, choiceFlag, intFlag } from '../util.js';

export function printApiBench(r: ApiBenchResult): string {
  const ops = plainTable(['OPERATION', 'CONCURRENCY', 'OPS', 'OPS/S', 'P50 MS', 'P99 MS', 'MAX MS']);
  for (const x of r.ops) ops.push([x.op + (x.items ? ` (${x.items} items)` : ''), x.concurrency, x.ops, x.perSecond, x.latency.p50Ms, x.latency.p99Ms, x.latency.maxMs]);
  const w = plainTable(['WATCH', 'WATCHERS', 'EVENTS', 'EVENTS/S PER WATCHER', 'EVENTS/S TOTAL', 'WRITES/S', 'P50 MS', 'P99 MS']);
  for (const x of r.watch) {
    w.push([x.mode, x.watchers, x.events, x.eventsPerSecondPerWatcher, x.eventsPerSecondTotal, x.writesPerSecond ?? '-', x.latency?.p50Ms ?? '-', x.latency?.p99Ms ?? '-']);
  }
  return `${render(ops)}\n\n${render(w)}\n`;
}

export function printSchedulingBench(r: SchedulingBenchResult): string {
  const t = plainTable(['NODES', 'PODS', 'RATE', 'BOUND', 'SECONDS', 'PODS/S', 'P50 MS', 'P90 MS', 'P99 MS', 'MAX MS']);
  t.push([r.options.nodes, r.options.pods, r.options.rate || 'all at once', r.bound, r.seconds, r.podsPerSecond, r.latency.p50Ms, r.latency.p90Ms, r.latency.p99Ms, r.latency.maxMs]);
  const cpu = Object.entries(r.cpuSeconds).map(([k, v]) => `${k} ${v} s`).join(', ');
  return [
    render(t),
    '',
    `bound per second: ${r.perSecond.join(' ')}`,
    `creates offered: ${r.createdPerSecond} pods/s; hollow nodes: ${Math.round(r.hollowRssPerNodeBytes / 1024)} KiB RSS per node`,
    `CPU used while measuring: ${cpu}`,
    `API requests per pod: ${Object.entries(r.requestsPerPod).map(([k, v]) => `${k} ${v}`).join(', ')}`,
  ].join('\n') + '\n';
}

export function printProxyBench(r: ConvergenceResult): string {
  const t = plainTable(['MEASURE', 'COUNT', 'P50 MS', 'P90 MS', 'P99 MS', 'MAX MS']);
  t.push(['Endpoints write sent -> proxy routing changed', r.convergence.count, r.convergence.p50Ms, r.convergence.p90Ms, r.convergence.p99Ms, r.convergence.maxMs]);
  t.push(['Endpoints write round trip', r.writeRoundTrip.count, r.writeRoundTrip.p50Ms, r.writeRoundTrip.p90Ms, r.writeRoundTrip.p99Ms, r.writeRoundTrip.maxMs]);
  return `${render(t)}\n\n${r.changes} readiness changes, ${r.mismatches} routing mismatches\n`;
}

export function printRestartBench(r: RestartBenchResult): string {
  const t = plainTable(['FROM KILL TO', 'COUNT', 'P50 MS', 'P90 MS', 'P99 MS', 'MAX MS']);
  if (r.runtimeLatency) t.push(['container started again (Docker event)', r.runtimeLatency.count, r.runtimeLatency.p50Ms, r.runtimeLatency.p90Ms, r.runtimeLatency.p99Ms, r.runtimeLatency.maxMs]);
  t.push(['API shows it Running, restartCount 1', r.apiLatency.count, r.apiLatency.p50Ms, r.apiLatency.p90Ms, r.apiLatency.p99Ms, r.apiLatency.maxMs]);
  return `${render(t)}\n\n${r.restarted} of ${r.options.pods} containers restarted (${r.options.runtime} runtime)\n`;
}

export function printHostBench(r: HostBenchResult): string {
  const t = plainTable(['MEASURE', 'COUNT', 'P50 µs', 'P99 µs', 'MAX µs', 'CPU µs/OP', 'OF WHICH SYSTEM']);
  const us = (ms: number) => Math.round(ms * 1000);
  for (const m of r.measures) t.push([m.measure, m.latency.count, us(m.latency.p50Ms), us(m.latency.p99Ms), us(m.latency.maxMs), m.cpuMicrosPerOp, m.systemMicrosPerOp]);
  return `${render(t)}\n\n${r.machine.cpus} CPUs, Node.js ${r.machine.node}, ${r.machine.platform}\n`;
}

function writeJson(file: string | undefined, result: unknown): void {
  if (!file) return;
  writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  process.stderr.write(`Wrote ${file}\n`);
}

export function registerBenchCommands(program: Command): void {
  const bench = program.command('bench').description('benchmarks: print figures, optionally write JSON');
  bench
    .command('api')
    .description('API server and embedded store: writes/s, latency, lists and watch delivery at concurrency 1 and 32')
    .option('--ops <n>', 'operations per phase at concurrency 32', '20000')
    .option('--watch-events <n>', 'writes per watch phase', '20000')
    .option('--watchers <n>', 'watchers in the many-watchers phase', '100')
    .option('--warmup <n>', 'creates and as many updates at concurrency 32 before measuring (not measured)', '10000')
    .option('--json <file>', 'also write the results as JSON')
    .action(
      action(async (opts) => {
        const result = await runApiBench({
          ops: intFlag('--ops', opts.ops, 100, 1_000_000),
          watchEvents: intFlag('--watch-events', opts.watchEvents, 100, 1_000_000),
          watchers: intFlag('--watchers', opts.watchers, 1, 1000),
          warmupOps: intFlag('--warmup', opts.warmup, 0, 1_000_000),
          phaseDeadlineMs: 120_000,
          progress: (l) => process.stderr.write(` • ${l}\n`),
        });
        process.stdout.write(printApiBench(result));
        writeJson(opts.json, result);
      }),
    );
  bench
    .command('proxy')
    .description('readiness change to proxy routing change: p50/p99 over many Endpoints updates')
    .option('--changes <n>', 'Endpoints updates to make', '200')
    .option('--json <file>', 'also write the results as JSON')
    .action(
      action(async (opts) => {
        const result = await runConvergenceBench({ changes: intFlag('--changes', opts.changes, 1, 100_000), progress: (l) => process.stderr.write(` • ${l}\n`) });
        process.stdout.write(printProxyBench(result));
        writeJson(opts.json, result);
        if (result.mismatches > 0) process.exitCode = 1;
      }),
    );
  bench
    .command('restart')
    .description('a killed container running again: p50/p99 from kill to restart, on the docker or process runtime')
    .option('--runtime <name>', 'docker or process', 'process')
    .option('--pods <n>', 'containers to kill (each once)', '30')
    .option('--json <file>', 'also write the results as JSON')
    .action(
      action(async (opts) => {
        const result = await runRestartBench({
          runtime: choiceFlag('--runtime', opts.runtime, ['docker', 'process'] as const),
          pods: intFlag('--pods', opts.pods, 1, 100),
          progress: (l) => process.stderr.write(` • ${l}\n`),
        });
        process.stdout.write(printRestartBench(result));
        writeJson(opts.json, result);
      }),
    );
  bench
    .command('host')
    .description("what this machine charges per message between processes (TCP, TLS), between threads, and per synced write: the costs every other benchmark is made of")
    .option('--round-trips <n>', 'round trips per measurement', '5000')
    .option('--syncs <n>', 'synced writes per disk measurement', '500')
    .option('--dir <path>', "directory on the filesystem to measure (default: the system's temporary directory)")
    .option('--json <file>', 'also write the results as JSON')
    .action(
      action(async (opts) => {
        const result = await runHostBench({
          roundTrips: intFlag('--round-trips', opts.roundTrips, 1, 1_000_000),
          syncs: intFlag('--syncs', opts.syncs, 1, 100_000),
          ...(opts.dir ? { dir: opts.dir } : {}),
        });
        process.stdout.write(printHostBench(result));
        writeJson(opts.json, result);
      }),
    );
  bench
    .command('scheduling')
    .description('scheduling throughput and create-to-bound latency with API server, scheduler, controllers and hollow nodes on this machine')
    .option('--nodes <n>', 'hollow nodes', '1000')
    .option('--pods <n>', 'pods to schedule', '2000')
    .option('--rate <r>', 'pods per second as a steady stream (0: all at once)', '0')
    .option('--create-concurrency <n>', 'concurrent creates when --rate is 0', '64')
    .option('--warmup <n>', 'pods scheduled before measuring, in the same shape (default 500; with --rate, 5 s of the stream)')
    .option('--lease-duration-seconds <n>', "hollow nodes' lease duration (renewed every quarter)", '40')
    .option('--parallel-bindings <n>', 'scheduler --parallel-bindings', '256')
    .option('--json <file>', 'also write the results as JSON')
    .action(
      action(async (opts) => {
        const rate = intFlag('--rate', opts.rate, 0, 100_000);
        const result = await runSchedulingBench({
          nodes: intFlag('--nodes', opts.nodes, 1, 20_000),
          pods: intFlag('--pods', opts.pods, 1, 1_000_000),
          rate,
          createConcurrency: intFlag('--create-concurrency', opts.createConcurrency, 1, 1024),
          warmupPods: opts.warmup === undefined ? Math.max(500, rate * 5) : intFlag('--warmup', opts.warmup, 0, 100_000),
          leaseDurationSeconds: intFlag('--lease-duration-seconds', opts.leaseDurationSeconds, 4, 3600),
          parallelBindings: intFlag('--parallel-bindings', opts.parallelBindings, 1, 10_000),
          deadlineMs: 600_000,
          progress: (l) => process.stderr.write(` • ${l}\n`),
        });
        process.stdout.write(printSchedulingBench(result));
        writeJson(opts.json, result);
      }),
    );
}
