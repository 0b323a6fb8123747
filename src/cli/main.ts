/**
 * The lab's command-line interface. Exit codes: 0 ok, 1 failed, 2 bad usage.
 */
import { Command, CommanderError } from 'commander';
import { registerBenchCommands } from './commands/bench.js';
import { registerClusterCommands } from './commands/cluster.js';
import { registerDemoCommands } from './commands/demo.js';

const program = new Command('lab')
  .description('kubelab: a multi-node lab for a Kubernetes-style orchestrator — bring it up, break it, measure how it recovers.')
  .option('--home <dir>', 'where labs keep their state (default ./.lab, or $LAB_HOME)')
  .option('--name <cluster>', 'which lab (default "lab")')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

registerClusterCommands(program);
registerDemoCommands(program);
registerBenchCommands(program);

for (const c of program.commands) {
  c.exitOverride();
  for (const sub of c.commands) sub.exitOverride();
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // Help and version are successes; everything else commander reports is bad usage.
    process.exitCode = err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0 ? 0 : 2;
  } else {
    process.stderr.write(`error: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}
