/**
 * The lab's daemons started as processes for a benchmark (API server first, then the others
 * against a kubeconfig in the same temporary directory), each stopped and its files removed
 * afterwards. Every process prints "ready <detail>" when serving.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { writeKubeconfig } from '../bootstrap/kubeconfig.js';
import { nodeArgv } from '../util/paths.js';
import type { BenchApiServer } from './apiserver-process.js';

export interface BenchDaemon {
  name: string;
  pid: number;
  ready: string;
  /** Resident memory now, bytes (Linux /proc; 0 elsewhere). */
  rss(): number;
  /** CPU time used so far (user + system), seconds (Linux /proc; 0 elsewhere). */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/** Writes a kubeconfig for the bench API server and returns its path. */
export function benchKubeconfig(api: BenchApiServer): string {
  const path = join(api.dir, 'kubeconfig');
  writeKubeconfig(path, { cluster: 'bench', server: api.url, token: api.token, ca: api.ca });
  return path;
}

/**
 * Starts a daemon of this repository and resolves once it printed "ready". nodeFlags go to
 * Node.js itself (e.g. --cpu-prof to profile a daemon under load); without them, the daemons
 * other than the API server take LAB_BENCH_DAEMON_NODE_OPTIONS.
 */
export async function startBenchDaemon(name: string, script: string, args: string[], o: { timeoutMs?: number; nodeFlags?: string[] } = {}): Promise<BenchDaemon> {
  const timeoutMs = o.timeoutMs ?? 300_000;
  const argv = nodeArgv(script, args);
  const nodeFlags = o.nodeFlags ?? (process.env.LAB_BENCH_DAEMON_NODE_OPTIONS ?? '').split(' ').filter(Boolean);
  const proc: ChildProcess = spawn(argv[0]!, [...nodeFlags, ...argv.slice(1)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGTERM');
    const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(t);
  };
  try {
    const ready = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} was not ready within ${timeoutMs} ms:\n${err}`)), timeoutMs);
      createInterface({ input: proc.stdout! }).on('line', (line) => {
        if (line.startsWith('ready')) {
          clearTimeout(timer);
          resolve(line.slice(5).trim());
        }
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`${name} exited before it was ready:\n${err}`));
      });
    });
    return {
      name,
      pid: proc.pid!,
      ready,
      rss: () => {
        try {
          const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'));
          return m ? Number(m[1]) * 1024 : 0;
        } catch {
          return 0;
        }
      },
      cpuSeconds: () => {
        try {
          // Fields 14 and 15 of /proc/<pid>/stat, after the command name in parentheses.
          const f = readFileSync(`/proc/${proc.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
          return (Number(f[11]) + Number(f[12])) / 100;
        } catch {
          return 0;
        }
      },
      stop,
    };
  } catch (e) {
    proc.kill('SIGKILL');
    await exited;
    throw e;
  }
}
