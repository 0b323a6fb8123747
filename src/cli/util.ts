/**
 * Shared CLI plumbing: the exit codes (0 ok, 1 failed, 2 bad usage), a UsageError for flag
 * values that are wrong, and the global options every command reads.
 */
import type { Command } from 'commander';
import { resolve } from 'node:path';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface GlobalOptions {
  home: string;
  name: string;
}

/** The lab's home and cluster name from the root command's options. */
export function globals(cmd: Command): GlobalOptions {
  const o = cmd.optsWithGlobals<{ home?: string; name?: string }>();
  const name = o.name ?? 'lab';
  const bad = labNameError(name);
  if (bad) throw new UsageError(`--name ${bad}, got ${JSON.stringify(name)}`);
  return { home: resolve(o.home ?? process.env.LAB_HOME ?? '.lab'), name };
}

/**
 * Why name cannot name a lab, or undefined. A lab's name is a directory under the lab home and a
 * prefix of its containers and networks, so it is a DNS label, as kind's cluster names are: never
 * ".", "..", a path or empty.
 */
export function labNameError(name: string): string | undefined {
  if (name.length === 0) return 'must not be empty';
  if (name.length > 63) return 'must be at most 63 characters';
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) return "must be a DNS label: lowercase letters, digits and '-', starting and ending with a letter or digit";
  return undefined;
}

/** Parses a non-negative integer flag, naming the flag when it is not one. */
export function intFlag(flag: string, value: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag} must be a whole number, got "${value}"`);
  const n = Number(value);
  if (n < min || n > max) throw new UsageError(`${flag} must be between ${min} and ${max}, got ${n}`);
  return n;
}

/** Parses a choice flag, naming the flag and the choices. */
export function choiceFlag<T extends string>(flag: string, value: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(value)) throw new UsageError(`${flag} must be one of ${choices.join(', ')}, got "${value}"`);
  return value as T;
}

/** Wraps a command action: UsageError exits 2, any other error 1, with one clear line. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      const usage = err instanceof UsageError;
      process.stderr.write(`error: ${(err as Error).message}\n`);
      if (!usage && process.env.LAB_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
      process.exitCode = usage ? 2 : 1;
    }
  };
}
