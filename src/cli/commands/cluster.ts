/** `lab up`, `lab down`, `lab status`, `lab kubeconfig`: a lab's life cycle. */
import type { Command } from 'commander';
import { plainTable, render } from '../table.js';
import { providerFor } from '../../bootstrap/providers/index.js';
import { loadState, type LabState } from '../../bootstrap/state.js';
import { ensureLab, withUpOptions } from '../lab.js';
import { action, globals } from '../util.js';

export function requireState(home: string, name: string): LabState {
  const state = loadState(home, name);
  if (!state) throw new Error(`no lab named "${name}" under ${home}; start one with ./lab up`);
  return state;
}

export function registerClusterCommands(program: Command): void {
  withUpOptions(program.command('up').description('bring a lab up and write its kubeconfig; returns once every component is ready'), { workers: '3' })
    .option('--json', 'print the lab state as JSON', false)
    .action(
      action(async (opts, cmd: Command) => {
        const g = globals(cmd);
        const { state, created } = await ensureLab(g, opts, (line) => process.stderr.write(line + '\n'), (flag) => cmd.getOptionValueSource(flag) === 'cli');
        if (opts.json) process.stdout.write(JSON.stringify(state, null, 2) + '\n');
        else if (!created) process.stdout.write(`Lab "${g.name}" is already up.\n\n  export KUBECONFIG=${state.kubeconfig}\n`);
        else process.stdout.write(`Lab "${g.name}" is up: API server ${state.apiServer.url}\n\n  export KUBECONFIG=${state.kubeconfig}\n  kubectl get nodes\n`);
      }),
    );

  program
    .command('down')
    .description('stop every component the lab started (and nothing else)')
    .option('--purge', 'also delete the lab\'s data, logs and kubeconfig', false)
    .action(
      action(async (opts, cmd: Command) => {
        const g = globals(cmd);
        const state = loadState(g.home, g.name);
        if (!state) {
          process.stderr.write(`No lab named "${g.name}" under ${g.home}; nothing to stop.\n`);
          return;
        }
        process.stderr.write(`Stopping lab "${g.name}"\n`);
        await providerFor(state.provider as 'local').down(state, { purge: opts.purge, progress: (l) => process.stderr.write(l + '\n') });
        process.stdout.write(`Lab "${g.name}" is down${opts.purge ? ' and its data deleted' : ` (data kept in ${state.dir}; --purge deletes it)`}.\n`);
      }),
    );

  program
    .command('status')
    .description('show each component of the lab and its health; exits 1 when any component is not healthy (a crashed node, a stopped lab)')
    .option('--json', 'print as JSON', false)
    .action(
      action(async (opts, cmd: Command) => {
        const g = globals(cmd);
        const state = requireState(g.home, g.name);
        const health = await providerFor(state.provider as 'local').status(state);
        const healthy = health.length > 0 && health.every((h) => h.healthy);
        if (opts.json) {
          process.stdout.write(JSON.stringify({ name: state.name, provider: state.provider, apiServer: state.apiServer.url, kubeconfig: state.kubeconfig, healthy, components: health }, null, 2) + '\n');
        } else if (health.length === 0) {
          process.stdout.write(`Lab "${g.name}" is down (./lab up starts it).\n`);
        } else {
          const t = plainTable(['COMPONENT', 'NODE', 'PID', 'STATE', 'DETAIL']);
          for (const h of health) t.push([h.component, h.node, String(h.pid ?? ''), h.healthy ? 'healthy' : h.running ? 'unhealthy' : 'stopped', h.detail]);
          process.stdout.write(`Lab "${g.name}" (${state.provider}): API server ${state.apiServer.url}\n${render(t)}\n`);
        }
        if (!healthy) process.exitCode = 1;
      }),
    );

  program
    .command('kubeconfig')
    .description('print the path of the lab\'s kubeconfig')
    .action(
      action(async (_opts, cmd: Command) => {
        const g = globals(cmd);
        process.stdout.write(requireState(g.home, g.name).kubeconfig + '\n');
      }),
    );
}
