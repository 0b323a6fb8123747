/**
 * Daemons as local processes: started detached with output to a log file, recognised later by
 * their exact command line (so a reused pid is never signalled), stopped with SIGTERM and, after
 * a grace period, SIGKILL.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { httpGet } from '../../../util/http.js';

/** Starts argv detached from this process, stdout and stderr appended to logFile. Returns the pid. */
export function spawnDaemon(argv: string[], logFile: string, env: NodeJS.ProcessEnv = process.env): number {
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: ['ignore', fd, fd], env });
    if (child.pid === undefined) throw new Error(`cannot start ${argv.join(' ')}`);
    child.unref();
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !isZombie(pid);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isZombie(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return false;
  try {
    return readFileSync(stat, 'utf8').split(') ')[1]?.startsWith('Z') ?? false;
  } catch {
    return false;
  }
}

/** Whether pid runs exactly argv (Linux /proc; elsewhere pid liveness is all we can check). */
export function isOurProcess(pid: number, argv: string[]): boolean {
  if (!processAlive(pid)) return false;
  const path = `/proc/${pid}/cmdline`;
  if (!existsSync('/proc/self/cmdline')) return true;
  try {
    const cmdline = readFileSync(path, 'utf8').split('\0').filter(Boolean);
    return cmdline.length === argv.length && cmdline.every((a, i) => a === argv[i]);
  } catch {
    return false;
  }
}

/**
 * Stops pid if it still runs argv: SIGTERM, then SIGKILL after graceMs.
 * Returns what happened: 'gone' (was not running ours), 'stopped' or 'killed'.
 */
export async function stopProcess(pid: number, argv: string[], graceMs = 10_000): Promise<'gone' | 'stopped' | 'killed'> {
  if (!isOurProcess(pid, argv)) return 'gone';
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!processAlive(pid)) return 'stopped';
    await sleep(50);
  }
  if (isOurProcess(pid, argv)) process.kill(pid, 'SIGKILL');
  while (processAlive(pid)) await sleep(20);
  return 'killed';
}

/** The last lines of a log file, for error messages. */
export function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/**
 * Polls url until it answers 200, the process dies, or timeoutMs passes. Errors carry the tail
 * of the component's log so the user sees why.
 */
export async function waitHealthy(o: { url: string; token?: string; ca?: string; pid: number; log: string; timeoutMs: number; signal?: AbortSignal }): Promise<void> {
  const deadline = Date.now() + o.timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    o.signal?.throwIfAborted();
    if (!processAlive(o.pid)) throw new Error(`process ${o.pid} exited before it was healthy; last lines of ${o.log}:\n${tail(o.log)}`);
    try {
      const res = await httpGet(o.url, { ...(o.token ? { token: o.token } : {}), ...(o.ca ? { ca: o.ca } : {}) });
      if (res.status === 200) return;
      last = `${res.status} ${res.body.slice(0, 200)}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(100);
  }
  throw new Error(`${o.url} did not become healthy within ${o.timeoutMs} ms (last answer: ${last}); last lines of ${o.log}:\n${tail(o.log)}`);
}
