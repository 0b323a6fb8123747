/**
 * Running commands (here: `ip`) behind a small interface, so the code that changes interfaces
 * can be pointed at a network namespace in tests, and its failures read like kind's RunError:
 * the command as one could paste it into a shell, its exit code and its output.
 */
import { execFile } from 'node:child_process';

export interface ExecResult {
  stdout: string;
  stderr: string;
}

/** Runs cmd with args; rejects with an ExecError when it cannot start or exits non-zero. */
export type Exec = (cmd: string, args: readonly string[], o?: { signal?: AbortSignal }) => Promise<ExecResult>;

/** Quotes an argument for a POSIX shell when it needs it. */
function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A command failed: callers branch on stderr (e.g. "File exists"). */
export class ExecError extends Error {
  constructor(
    readonly command: string,
    readonly exitCode: number | null,
    readonly stdout: string,
    readonly stderr: string,
    cause?: unknown,
  ) {
    const out = stderr.trim() || stdout.trim();
    super(`command "${command}" failed${exitCode !== null ? ` with exit code ${exitCode}` : ''}${out ? `: ${out}` : ''}`, cause === undefined ? undefined : { cause });
    this.name = 'ExecError';
  }
}

/** The Exec that runs commands on this host, without a shell. */
export const hostExec: Exec = (cmd, args, o = {}) =>
  new Promise((resolve, reject) => {
    execFile(cmd, [...args], { encoding: 'utf8', timeout: 30_000, ...(o.signal ? { signal: o.signal } : {}) }, (err, stdout, stderr) => {
      if (!err) return resolve({ stdout, stderr });
      const code = typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : null;
      reject(new ExecError([cmd, ...args].map(shellQuote).join(' '), code, stdout, stderr || err.message, err));
    });
  });

/** An Exec that runs every command inside the network namespace ns (`ip netns exec ns ...`). */
export function netnsExec(ns: string, inner: Exec = hostExec): Exec {
  return (cmd, args, o) => inner('ip', ['netns', 'exec', ns, cmd, ...args], o);
}
