/**
 * Shared plumbing of the lab's daemons (API server, scheduler, controller manager, kubelet,
 * proxy): flag parsing errors that exit 2, graceful shutdown on SIGTERM/SIGINT, and a readiness
 * line on stdout that the provider waits for.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { createLogger, type Logger } from './log.js';

export interface Running {
  close(): Promise<void>;
}

/** Parses argv with cmd, exiting 2 with the parser's message on bad usage. */
export function parseFlags<T extends Record<string, unknown>>(cmd: Command, argv = process.argv): T {
  cmd.exitOverride();
  cmd.configureOutput({ writeErr: (s) => process.stderr.write(s) });
  try {
    cmd.parse(argv);
  } catch (err) {
    const code = (err as { exitCode?: number }).exitCode ?? 2;
    process.exit(code === 0 ? 0 : 2);
  }
  return cmd.opts<T>();
}

/** Reads a secret from a file, trimmed; the path is named in the error. */
export function readSecret(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (err) {
    throw new Error(`cannot read "${path}": ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Starts a daemon and keeps it until SIGTERM or SIGINT, then closes it (a second signal exits at
 * once). Prints "ready <detail>" on stdout when started; exits 1 if start fails.
 */
export async function runDaemon(name: string, verbosity: number, start: (log: Logger) => Promise<Running & { ready?: string }>): Promise<void> {
  const log = createLogger({ component: name, verbosity });
  let running: (Running & { ready?: string }) | undefined;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    log.info('stopping', { signal });
    try {
      await running?.close();
    } catch (err) {
      log.error('shutdown failed', err);
      process.exit(1);
    }
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  try {
    running = await start(log);
  } catch (err) {
    log.error(`${name} failed to start`, err);
    process.exit(1);
  }
  process.stdout.write(`ready ${running.ready ?? ''}\n`);
}
