/**
 * ExecSync of the process runtime: the command runs on the host with the container's environment
 * and working directory (there is no namespace to enter), in a process group of its own so that a
 * timeout kills all of it, shells' children included.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { ExecResult } from '../../runtime.js';
import { resolveExecutable, signalGroup, withMemoryLimit } from './host.js';

const osSignals = constants.signals as Record<string, number>;

/** Output kept per stream; probes only look at the start (the kubelet keeps 10 KiB of it). */
export const MAX_EXEC_OUTPUT = 1024 * 1024;

/** What execInHost runs. */
export interface HostExec {
  cmd: string[];
  env: Record<string, string>;
  cwd: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Applies the container's memory limit to the command too, as a cgroup would. */
  memoryLimit?: { bytes: number; prlimit: string };
  /** Names the container in errors. */
  what: string;
}

/**
 * Runs cmd and resolves with its exit code and output. A command that cannot be found exits 127,
 * as a shell reports it; a timeout or abort kills the command's group and throws.
 */
export async function execInHost(o: HostExec): Promise<ExecResult> {
  if (o.cmd.length === 0) throw new TypeError(`cannot exec in ${o.what}: the command is empty`);
  const program = resolveExecutable(o.cmd[0]!, { path: o.env.PATH ?? '', cwd: o.cwd });
  if (!program) return { exitCode: 127, stdout: '', stderr: `exec: "${o.cmd[0]}": executable file not found in $PATH\n` };
  let argv = [program, ...o.cmd.slice(1)];
  if (o.memoryLimit) argv = withMemoryLimit(argv, o.memoryLimit.bytes, o.memoryLimit.prlimit);
  const child = spawn(argv[0]!, argv.slice(1), { cwd: o.cwd, env: o.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  for (const name of ['stdout', 'stderr'] as const) {
    child[name]!.setEncoding('utf8');
    child[name]!.on('data', (s: string) => {
      if (out[name].length < MAX_EXEC_OUTPUT) out[name] += s.slice(0, MAX_EXEC_OUTPUT - out[name].length);
    });
  }
  const signals = [o.signal, o.timeoutMs !== undefined ? AbortSignal.timeout(o.timeoutMs) : undefined].filter((s): s is AbortSignal => s !== undefined);
  const stop = signals.length > 0 ? AbortSignal.any(signals) : undefined;
  return new Promise<ExecResult>((resolve, reject) => {
    let failed: Error | undefined;
    const onAbort = () => {
      const timedOut = !o.signal?.aborted;
      failed = new Error(timedOut ? `exec ${JSON.stringify(o.cmd)} in ${o.what} timed out after ${o.timeoutMs} ms` : `exec ${JSON.stringify(o.cmd)} in ${o.what} was aborted`, { cause: stop?.reason });
      if (child.pid) signalGroup(child.pid, 'SIGKILL');
    };
    if (stop?.aborted) onAbort();
    else stop?.addEventListener('abort', onAbort, { once: true });
    child.once('error', (err) => {
      stop?.removeEventListener('abort', onAbort);
      reject(new Error(`cannot exec ${JSON.stringify(o.cmd)} in ${o.what}: ${err.message}`, { cause: err }));
    });
    child.once('close', (code, signal) => {
      stop?.removeEventListener('abort', onAbort);
      if (failed) return reject(failed);
      const exitCode = code ?? 128 + (signal ? (osSignals[signal] ?? 0) : 0);
      resolve({ exitCode, ...out });
    });
  });
}
