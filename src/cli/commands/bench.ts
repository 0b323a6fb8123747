/** `lab bench ...`: benchmarks that print figures and can write JSON (docs/benchmarks.md). */
import type { Command } from 'commander';
import Table from 'cli-table3';
import { writeFileSync } from 'node:fs';
import { runApiBench, type ApiBenchResult } from '../../bench/api.js';
import { action, intFlag } from '../util.js';

const plain = { chars: { top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '', left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ' }, style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 } };

export function printApiBench(r: ApiBenchResult): string {
  const ops = new Table({ head: ['OPERATION', 'CONCURRENCY', 'OPS', 'OPS/S', 'P50 MS', 'P99 MS', 'MAX MS'], ...plain });
  for (const x of r.ops) ops.push([x.op + (x.items ? ` (${x.items} items)` : ''), x.concurrency, x.ops, x.perSecond, x.latency.p50Ms, x.latency.p99Ms, x.latency.maxMs]);
  const w = new Table({ head: ['WATCH', 'WATCHERS', 'EVENTS', 'EVENTS/S PER WATCHER', 'EVENTS/S TOTAL', 'WRITES/S', 'P50 MS', 'P99 MS'], ...plain });
  for (const x of r.watch) {
    w.push([x.mode, x.watchers, x.events, x.eventsPerSecondPerWatcher, x.eventsPerSecondTotal, x.writesPerSecond ?? '-', x.latency?.p50Ms ?? '-', x.latency?.p99Ms ?? '-']);
  }
  return `${ops.toString()}\n\n${w.toString()}\n`;
}

export function registerBenchCommands(program: Command): void {
  const bench = program.command('bench').description('benchmarks: print figures, optionally write JSON');
  bench
    .command('api')
    .description('API server and embedded store: writes/s, latency, lists and watch delivery at concurrency 1 and 32')
    .option('--ops <n>', 'operations per phase at concurrency 32', '20000')
    .option('--watch-events <n>', 'writes per watch phase', '20000')
    .option('--watchers <n>', 'watchers in the many-watchers phase', '100')
    .option('--json <file>', 'also write the results as JSON')
    .action(
      action(async (opts) => {
        const result = await runApiBench({
          ops: intFlag('--ops', opts.ops, 100, 1_000_000),
          watchEvents: intFlag('--watch-events', opts.watchEvents, 100, 1_000_000),
          watchers: intFlag('--watchers', opts.watchers, 1, 1000),
          phaseDeadlineMs: 120_000,
          progress: (l) => process.stderr.write(` • ${l}\n`),
        });
        process.stdout.write(printApiBench(result));
        if (opts.json) {
          writeFileSync(opts.json, JSON.stringify(result, null, 2) + '\n');
          process.stderr.write(`Wrote ${opts.json}\n`);
        }
      }),
    );
}
