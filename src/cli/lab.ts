/**
 * Bringing a lab up from CLI flags, shared by `lab up` and `lab demo`: the flags every bring-up
 * takes, their checks, and "reuse it when it is already up and healthy".
 */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { providerFor, PROVIDERS } from '../bootstrap/providers/index.js';
import { loadState, type LabState } from '../bootstrap/state.js';
import { TIMING_PROFILES } from '../bootstrap/timings.js';
import { choiceFlag, intFlag, type GlobalOptions } from './util.js';

export const RUNTIMES = ['process', 'docker', 'fake'] as const;

/** Adds the bring-up flags to a command. */
export function withUpOptions(cmd: Command, defaults: { workers: string }): Command {
  return cmd
    .option('--provider <name>', `where the nodes run (${PROVIDERS.join(', ')})`, 'local')
    .option('--workers <n>', 'worker nodes (0: control plane only)', defaults.workers)
    .option('--runtime <name>', `container runtime of the kubelets (${RUNTIMES.join(', ')})`, 'process')
    .option('--timings <profile>', `failure detection and back-off: ${TIMING_PROFILES.join(' or ')} (see docs/architecture.md)`, 'lab')
    .option('--api-port <port>', 'API server port; 0: 6443, or a free one when 6443 is taken', '0')
    .option('--retain', 'keep what started when bring-up fails, for debugging', false)
    .option('-v, --verbosity <level>', 'daemon log verbosity', '0');
}

export interface EnsuredLab {
  state: LabState;
  /** False when a healthy lab of that name was already up and is reused as it is. */
  created: boolean;
}

/** Brings the lab up per the flags, or returns the running one when every component is healthy. */
export async function ensureLab(g: GlobalOptions, opts: Record<string, string | boolean>, log: (line: string) => void, given: (flag: string) => boolean = () => true): Promise<EnsuredLab> {
  const provider = providerFor(choiceFlag('--provider', String(opts.provider), PROVIDERS));
  const workers = intFlag('--workers', String(opts.workers), 0, 100);
  const runtime = choiceFlag('--runtime', String(opts.runtime), RUNTIMES);
  const timings = choiceFlag('--timings', String(opts.timings), TIMING_PROFILES);
  const apiPort = intFlag('--api-port', String(opts.apiPort), 0, 65535);
  const verbosity = intFlag('--verbosity', String(opts.verbosity), 0, 10);
  const existing = loadState(g.home, g.name);
  if (existing && existing.components.length > 0) {
    const health = await providerFor(existing.provider as 'local').status(existing);
    const differs = shapeDifferences(existing, { provider: provider.name, workers, runtime, timings }, given);
    if (differs.length > 0) {
      throw new Error(`lab "${g.name}" is already up with ${differs.map((d) => d.has).join(', ')}; ${differs.map((d) => d.asked).join(', ')} asks for another lab: run ./lab down first, or pick another --name`);
    }
    if (health.every((h) => h.healthy)) return { state: existing, created: false };
    // Partly running (a component crashed or was killed): start what is stopped, as minikube
    // start does for a stopped cluster. A component that runs but is unhealthy is left to the user.
    const restarted = await providerFor(existing.provider as 'local').restartStopped(existing);
    if (restarted.length) log(`Started again in lab "${g.name}": ${restarted.join(', ')}`);
    const after = await providerFor(existing.provider as 'local').status(existing);
    const sick = after.filter((h) => !h.healthy);
    if (sick.length === 0) return { state: existing, created: false };
    throw new Error(`lab "${g.name}" is partly running: ${sick.map((h) => `${h.component}${h.node === 'master' ? '' : ` on ${h.node}`} (${h.detail})`).join(', ')}; see ./lab status, or ./lab down and up again`);
  }
  log(`Creating lab "${g.name}" (provider ${provider.name}, ${workers} worker${workers === 1 ? '' : 's'}, runtime ${runtime}, ${timings} timings)`);
  const state = await provider.up({ name: g.name, home: g.home, workers, runtime, apiPort, timings, retain: opts.retain === true, verbosity, progress: log });
  const note = workers > 0 ? lowPortNote(process.getuid?.(), readUnprivilegedPortStart()) : undefined;
  if (note) log(note);
  return { state, created: true };
}

function readUnprivilegedPortStart(): number | undefined {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8').trim());
  } catch {
    return undefined;
  }
}

/**
 * What a lab run by a normal user cannot do, said once at bring-up (pure): its proxies cannot
 * listen on Service ports below the unprivileged start (1024 by default), which include the
 * "kubernetes" Service's 443; each such port also gets a FailedToListen Warning Event.
 */
export function lowPortNote(uid: number | undefined, unprivilegedStart: number | undefined): string | undefined {
  if (uid === undefined || uid === 0 || unprivilegedStart === undefined || unprivilegedStart <= 443) return undefined;
  return (
    ` ! Running as a normal user: the proxies cannot listen on Service ports below ${unprivilegedStart}, such as the "kubernetes" Service's 443` +
    ` (a FailedToListen Warning says so; kubectl is not affected). To allow them: sudo sysctl -w net.ipv4.ip_unprivileged_port_start=0`
  );
}

/** Where a running lab differs from what flags given on the command line ask for (pure). */
export function shapeDifferences(
  state: LabState,
  want: { provider: string; workers: number; runtime: string; timings: string },
  given: (flag: string) => boolean,
): { has: string; asked: string }[] {
  const out: { has: string; asked: string }[] = [];
  const workers = state.nodes.filter((n) => n.role === 'worker').length;
  if (given('provider') && state.provider !== want.provider) out.push({ has: `provider ${state.provider}`, asked: `--provider ${want.provider}` });
  if (given('workers') && workers !== want.workers) out.push({ has: `${workers} worker${workers === 1 ? '' : 's'}`, asked: `--workers ${want.workers}` });
  if (given('runtime') && state.runtime !== want.runtime) out.push({ has: `runtime ${state.runtime}`, asked: `--runtime ${want.runtime}` });
  if (given('timings') && state.timings !== want.timings) out.push({ has: `${state.timings} timings`, asked: `--timings ${want.timings}` });
  return out;
}
