/**
 * The runtimes a kubelet can be started with (--runtime NAME): a small table from name to
 * factory, so adding docker and process is one entry each.
 */
import type { Clock } from '../../../util/clock.js';
import type { Logger } from '../../../util/log.js';
import type { ContainerRuntime } from '../runtime.js';
import { FakeRuntime } from './fake.js';
import { dockerRuntimeEntry } from './docker/index.js';
import { processRuntimeEntry } from './process/index.js';

/** What a factory gets to make a runtime for a kubelet. */
export interface RuntimeContext {
  nodeName: string;
  /** The node's IP. */
  nodeIP: string;
  /** Pod IP range of this node, when known at start. */
  podCIDR?: string;
  /** The kubelet's state directory, for runtimes that keep files (logs, pid files). */
  rootDir?: string;
  /** The lab this node belongs to (runtimes label what they make with it). */
  lab?: string;
  /** Docker runtime: the network pods join and its subnet (the cluster CIDR). */
  network?: { name: string; subnet?: string };
  /** Fake runtime: how long a container takes to start, ms. */
  fakeStartDelayMs?: number;
  clock: Clock;
  log: Logger;
}

export interface RuntimeEntry {
  /** One line for --help. */
  description: string;
  /** Makes the runtime for one kubelet; errors say what is missing (no Docker socket ...). */
  create(ctx: RuntimeContext): ContainerRuntime | Promise<ContainerRuntime>;
}

const runtimes = new Map<string, RuntimeEntry>([
  [
    'fake',
    {
      description: 'nothing runs: containers start after --fake-start-delay and run until stopped (kwok-style)',
      create: (ctx) => new FakeRuntime({ clock: ctx.clock, startDelayMs: ctx.fakeStartDelayMs ?? 0, ...(ctx.podCIDR ? { podCIDR: ctx.podCIDR } : {}) }),
    },
  ],
  ['process', processRuntimeEntry],
  ['docker', dockerRuntimeEntry()],
]);

/** Adds a runtime to the table (docker, process). Throws if the name is taken. */
export function registerRuntime(name: string, entry: RuntimeEntry): void {
  if (runtimes.has(name)) throw new Error(`Cannot register runtime "${name}": a runtime of that name exists`);
  runtimes.set(name, entry);
}

/** Names of the runtimes that can be created. */
export function runtimeNames(): string[] {
  return [...runtimes.keys()];
}

/** The runtime entry of name, or undefined. */
export function runtimeEntry(name: string): RuntimeEntry | undefined {
  return runtimes.get(name);
}

/** Creates the runtime called name; TypeError naming the known ones for an unknown name. */
export async function createRuntime(name: string, ctx: RuntimeContext): Promise<ContainerRuntime> {
  const entry = runtimes.get(name);
  if (!entry) throw new TypeError(`unknown runtime "${name}": choose one of ${runtimeNames().join(', ')}`);
  return entry.create(ctx);
}
