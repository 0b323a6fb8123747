/** `lab up`, `lab down`, `lab status`, `lab kubeconfig`: a lab's life cycle. */
import type { Command } from 'commander';
import Table from 'cli-table3';
import { providerFor, PROVIDERS } from '../../bootstrap/providers/index.js';
import { loadState, type LabState } from '../../bootstrap/state.js';
import { action, choiceFlag, globals, intFlag, UsageError } from '../util.js';

function requireState(home: string, name: string): LabState {
  const state = loadState(home, name);
  if (!state) throw new Error(`no lab named "${name}" under ${home}; start one with ./lab up`);
  return state;
}

export function registerClusterCommands(program: Command): void {
  program
    .command('up')
    .description('bring a lab up and write its kubeconfig; returns once the API server is ready')
    .option('--provider <name>', `where the nodes run (${PROVIDERS.join(', ')})`, 'local')
    .option('--workers <n>', 'worker nodes', '0')
    .option('--runtime <name>', 'container runtime of the kubelets (process, docker, fake)', 'process')
    .option('--api-port <port>', 'API server port (default 6443, or a free one when taken)', '0')
    .option('--retain', 'keep what started when bring-up fails, for debugging', false)
    .option('-v, --verbosity <level>', 'daemon log verbosity', '0')
    .option('--json', 'print the lab state as JSON', false)
    .action(
      action(async (opts, cmd: Command) => {
        const g = globals(cmd);
        const provider = providerFor(choiceFlag('--provider', opts.provider, PROVIDERS));
        const workers = intFlag('--workers', opts.workers, 0, 100);
        const runtime = choiceFlag('--runtime', opts.runtime, ['process', 'docker', 'fake'] as const);
        const apiPort = intFlag('--api-port', opts.apiPort, 0, 65535);
        const existing = loadState(g.home, g.name);
        if (existing && existing.components.length > 0) {
          const health = await providerFor(existing.provider as 'local').status(existing);
          if (health.every((h) => h.healthy)) {
            if (opts.json) process.stdout.write(JSON.stringify(existing, null, 2) + '\n');
            else process.stdout.write(`Lab "${g.name}" is already up.\nkubectl --kubeconfig ${existing.kubeconfig} get nodes\n`);
            return;
          }
          throw new UsageError(`lab "${g.name}" is partly running (see ./lab status); run ./lab down first`);
        }
        const log = (line: string) => process.stderr.write(line + '\n');
        log(`Creating lab "${g.name}" (provider ${provider.name}, ${workers} worker${workers === 1 ? '' : 's'}, runtime ${runtime})`);
        const state = await provider.up({
          name: g.name,
          home: g.home,
          workers,
          runtime,
          apiPort,
          retain: opts.retain,
          verbosity: intFlag('--verbosity', opts.verbosity, 0, 10),
          progress: log,
        });
        if (opts.json) process.stdout.write(JSON.stringify(state, null, 2) + '\n');
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
    .description('show each component of the lab and its health')
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
          const t = new Table({ head: ['COMPONENT', 'NODE', 'PID', 'STATE', 'DETAIL'], style: { head: [], border: [] } });
          for (const h of health) t.push([h.component, h.node, String(h.pid ?? ''), h.healthy ? 'healthy' : h.running ? 'unhealthy' : 'stopped', h.detail]);
          process.stdout.write(`Lab "${g.name}" (${state.provider}): API server ${state.apiServer.url}\n${t.toString()}\n`);
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
