/**
 * Bringing a lab up from CLI flags, shared by `lab up` and `lab demo`: the flags every bring-up
 * takes, their checks, and "reuse it when it is already up and healthy".
 */
import type { Command } from 'commander';
import { providerFor, PROVIDERS } from '../bootstrap/providers/index.js';
import { loadState, type LabState } from '../bootstrap/state.js';
import { TIMING_PROFILES } from '../bootstrap/timings.js';
import { choiceFlag, intFlag, UsageError, type GlobalOptions } from './util.js';

export const RUNTIMES = ['process', 'docker', 'fake'] as const;

/** Adds the bring-up flags to a command. */
export function withUpOptions(cmd: Command, defaults: { workers: string }): Command {
  return cmd
    .option('--provider <name>', `where the nodes run (${PROVIDERS.join(', ')})`, 'local')
    .option('--workers <n>', 'worker nodes (0: control plane only)', defaults.workers)
    .option('--runtime <name>', `container runtime of the kubelets (${RUNTIMES.join(', ')})`, 'process')
    .option('--timings <profile>', `failure detection and back-off: ${TIMING_PROFILES.join(' or ')} (see docs/architecture.md)`, 'lab')
    .option('--api-port <port>', 'API server port (default 6443, or a free one when taken)', '0')
    .option('--retain', 'keep what started when bring-up fails, for debugging', false)
    .option('-v, --verbosity <level>', 'daemon log verbosity', '0');
}

export interface EnsuredLab {
  state: LabState;
  /** False when a healthy lab of that name was already up and is reused as it is. */
  created: boolean;
}

/** Brings the lab up per the flags, or returns the running one when every component is healthy. */
export async function ensureLab(g: GlobalOptions, opts: Record<string, string | boolean>, log: (line: string) => void): Promise<EnsuredLab> {
  const provider = providerFor(choiceFlag('--provider', String(opts.provider), PROVIDERS));
  const workers = intFlag('--workers', String(opts.workers), 0, 100);
  const runtime = choiceFlag('--runtime', String(opts.runtime), RUNTIMES);
  const timings = choiceFlag('--timings', String(opts.timings), TIMING_PROFILES);
  const apiPort = intFlag('--api-port', String(opts.apiPort), 0, 65535);
  const verbosity = intFlag('--verbosity', String(opts.verbosity), 0, 10);
  const existing = loadState(g.home, g.name);
  if (existing && existing.components.length > 0) {
    const health = await providerFor(existing.provider as 'local').status(existing);
    if (health.every((h) => h.healthy)) return { state: existing, created: false };
    throw new UsageError(`lab "${g.name}" is partly running (see ./lab status); run ./lab down first`);
  }
  log(`Creating lab "${g.name}" (provider ${provider.name}, ${workers} worker${workers === 1 ? '' : 's'}, runtime ${runtime}, ${timings} timings)`);
  const state = await provider.up({ name: g.name, home: g.home, workers, runtime, apiPort, timings, retain: opts.retain === true, verbosity, progress: log });
  return { state, created: true };
}
