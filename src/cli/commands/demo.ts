/** `lab demo` and `lab node crash|start`: the lab's main job, and a node fault by hand. */
import type { Command } from 'commander';
import { plainTable, render } from '../table.js';
import { writeFileSync } from 'node:fs';
import { providerFor } from '../../bootstrap/providers/index.js';
import { runDemo, DEMO_NAMESPACE, type DemoResult } from '../../demo/demo.js';
import { formatTimeline } from '../../demo/timeline.js';
import { systemClock } from '../../util/clock.js';
import { ensureLab, withUpOptions } from '../lab.js';
import { action, globals, UsageError } from '../util.js';
import { requireState } from './cluster.js';

export function printDemo(r: DemoResult): string {
  const spread = plainTable(['POD', 'ANSWERS'], 2);
  for (const [pod, n] of Object.entries(r.spread).sort()) spread.push([pod, n]);
  const t = r.traffic;
  return [
    `Deployed and serving in ${r.deploySeconds.toFixed(1)} s. 30 requests to ${r.serviceURL}, answered by every replica:`,
    render(spread),
    '',
    `Crashed ${r.victim}. What happened (times from the crash):`,
    formatTimeline(r.timeline, r.faultAt),
    '',
    `Recovered in ${r.recoverySeconds.toFixed(1)} s: every replica Ready again on the other nodes.`,
    `Traffic during the fault: ${t.sent} requests, ${t.answered} answered, ${t.failed} failed; longest time without an answer ${Math.round(t.longestGapMs)} ms.`,
    ...(t.errors.length ? [`Last failures: ${[...new Set(t.errors)].join('; ')}`] : []),
  ].join('\n') + '\n';
}

export function registerDemoCommands(program: Command): void {
  withUpOptions(program.command('demo').description('bring a lab up, deploy the echo app, crash a node and report how it recovered'), { workers: '3' })
    .option('--rm', 'take the lab down (and delete its data) afterwards', false)
    .option('--json <file>', 'also write the results as JSON')
    .action(
      action(async (opts, cmd: Command) => {
        const g = globals(cmd);
        const log = (line: string) => process.stderr.write(line + '\n');
        const { state } = await ensureLab(g, opts, log, (flag) => cmd.getOptionValueSource(flag) === 'cli');
        const workers = state.nodes.filter((n) => n.role === 'worker').length;
        if (workers < 2) throw new UsageError(`the demo needs at least 2 worker nodes; lab "${g.name}" has ${workers} (./lab down, then ./lab demo --workers 3)`);
        const provider = providerFor(state.provider as 'local');
        let result: DemoResult;
        try {
          result = await runDemo({ provider, state, clock: systemClock, timeoutMs: 120_000, progress: (l) => log(` • ${l}`) });
        } finally {
          if (opts.rm) await provider.down(state, { purge: true, progress: () => {} });
        }
        process.stdout.write(printDemo(result));
        if (opts.json) writeFileSync(opts.json, JSON.stringify(result, null, 2) + '\n');
        if (opts.rm) process.stdout.write(`\nLab "${g.name}" taken down and its data deleted.\n`);
        else process.stdout.write(`\nThe lab is still up:\n  export KUBECONFIG=${state.kubeconfig}\n  kubectl -n ${DEMO_NAMESPACE} get pods -o wide\n  ./lab down\n`);
      }),
    );

  const node = program.command('node').description('faults on one node of a lab');
  node
    .command('crash <name>')
    .description('kill a worker node at once, as a power loss would: kubelet, proxy and its pods')
    .action(
      action(async (name: string, _opts, cmd: Command) => {
        const g = globals(cmd);
        const state = requireState(g.home, g.name);
        await providerFor(state.provider as 'local').crashNode(state, name);
        process.stdout.write(`${name} crashed at ${new Date(systemClock.now()).toISOString()}.\n`);
      }),
    );
  node
    .command('start <name>')
    .description('start a crashed or stopped node again')
    .action(
      action(async (name: string, _opts, cmd: Command) => {
        const g = globals(cmd);
        const state = requireState(g.home, g.name);
        const started = await providerFor(state.provider as 'local').startNode(state, name);
        process.stdout.write(started.length === 0 ? `${name} is already running; nothing to start.\n` : `${name} started (${started.join(', ')}).\n`);
      }),
    );
}
