/**
 * The host side of running a container as a process: finding the program, the environment a
 * container sees, memory limits, and telling whether a recorded pid is still the same process.
 */
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

/** Variables of the kubelet's environment that containers inherit; the rest (credentials, NODE_OPTIONS) stay out. */
export const INHERITED_ENV: readonly string[] = ['PATH', 'HOME', 'USER', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR'];

/** PATH when neither the container nor the host gives one (Docker's default). */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The environment of a container's process, later entries winning: the inherited host variables,
 * then HOSTNAME, POD_IP and PORT (the first containerPort) from the runtime, then the container's
 * own env as the kubelet resolved it.
 */
export function containerEnv(o: { host: NodeJS.ProcessEnv; hostname: string; podIP?: string; port?: number; env: { name: string; value: string }[] }): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of INHERITED_ENV) {
    const v = o.host[name];
    if (v !== undefined) env[name] = v;
  }
  env.PATH ??= DEFAULT_PATH;
  env.HOSTNAME = o.hostname;
  if (o.podIP) env.POD_IP = o.podIP;
  if (o.port !== undefined) env.PORT = String(o.port);
  for (const { name, value } of o.env) env[name] = value;
  return env;
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * The file program names, as execvp finds it: a name with a slash is a path (relative to cwd),
 * others are looked up in PATH. Undefined when there is no such executable.
 */
export function resolveExecutable(program: string, o: { path: string; cwd: string }): string | undefined {
  if (program === '') return undefined;
  if (program.includes('/')) {
    const p = isAbsolute(program) ? program : resolve(o.cwd, program);
    return isExecutableFile(p) ? p : undefined;
  }
  for (const dir of o.path.split(delimiter)) {
    if (!dir) continue;
    const p = join(isAbsolute(dir) ? dir : resolve(o.cwd, dir), program);
    if (isExecutableFile(p)) return p;
  }
  return undefined;
}

/** What runc says when a container's command cannot be found, so the message reads as users know it. */
export function notFoundMessage(program: string, hasSlash: boolean): string {
  return hasSlash
    ? `failed to start container process: exec: "${program}": stat ${program}: no such file or directory`
    : `failed to start container process: exec: "${program}": executable file not found in $PATH`;
}

/**
 * argv that runs argv under a memory limit: `prlimit --data=<bytes> -- argv`. RLIMIT_DATA (Linux
 * 4.7+ counts heap and private anonymous mappings) rather than RLIMIT_AS, because V8 reserves
 * gigabytes of address space and Node.js would not even start under an --as limit of a few
 * hundred MB. prlimit sets the limit and execs, so the pid is the workload's.
 */
export function withMemoryLimit(argv: string[], memoryBytes: number, prlimit: string): string[] {
  return [prlimit, `--data=${Math.floor(memoryBytes)}`, '--', ...argv];
}

/** The start time of pid in clock ticks since boot (/proc/<pid>/stat field 22); undefined without /proc. */
export function processStartTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false;
  }
}

/**
 * Whether pid is alive and is still the process recorded (same start time when one was recorded
 * and /proc can tell), so that a pid reused after the process died is not taken for it.
 */
export function processAlive(pid: number, startTicks?: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (isZombie(pid)) return false;
  if (startTicks === undefined) return true;
  const now = processStartTicks(pid);
  return now === undefined || now === startTicks;
}

/** Sends signal to every process of group pgid; false when the group no longer exists. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  if (!(pgid > 1)) throw new RangeError(`refusing to signal process group ${pgid}`);
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

/** The first prlimit on PATH, or undefined (not Linux, util-linux missing). */
export function findPrlimit(path = process.env.PATH ?? DEFAULT_PATH): string | undefined {
  return process.platform === 'linux' ? resolveExecutable('prlimit', { path, cwd: '/' }) : undefined;
}
