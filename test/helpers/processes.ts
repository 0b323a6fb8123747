/**
 * Daemons of this repository started as real processes for integration tests: each prints
 * "ready <detail>" on stdout when serving. Every process is killed in teardown, even when the
 * test fails.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { ExecutionContext } from 'ava';
import { nodeArgv } from '../../src/util/paths.js';

export interface Daemon {
  proc: ChildProcess;
  /** What the daemon printed after "ready " (the API server prints its URL). */
  ready: string;
  /** All output so far, for assertion messages. */
  output(): string;
  /** Resolves when the process has exited. */
  exited: Promise<number | null>;
}

export async function startDaemon(t: ExecutionContext, script: string, args: string[], timeoutMs = 30_000): Promise<Daemon> {
  const argv = nodeArgv(script, args);
  const proc = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  // 'close', not 'exit': output() is complete only once the pipes are closed.
  const exited = new Promise<number | null>((resolve) => proc.once('close', (code) => resolve(code)));
  t.teardown(async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGKILL');
      await exited;
    }
  });
  const ready = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} not ready after ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const rl = createInterface({ input: proc.stdout! });
    rl.on('line', (line) => {
      out += line + '\n';
      if (line.startsWith('ready')) {
        clearTimeout(timer);
        resolve(line.slice('ready'.length).trim());
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code} before it was ready:\n${out}`));
    });
  });
  return { proc, ready, output: () => out, exited };
}
