/**
 * The process runtime's files: what it writes so that a restarted kubelet finds every sandbox and
 * container again. Each record is one small JSON file written atomically (a temporary file, then
 * rename), so a crash leaves the old or the new record, never half of one. Each file has one
 * writer: the runtime writes sandbox.json and container.json, the shim writes started.json and
 * exit.json (the runtime writes exit.json only for containers no shim runs: never started, start
 * errors, dead shims). See index.ts for the layout.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { rename, writeFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContainerMetadata, PodRef, PodSandboxMetadata, PortMapping } from '../../runtime.js';

/** Paths below the state directory. */
export class StateLayout {
  constructor(readonly root: string) {}
  get network(): string {
    return join(this.root, 'network.json');
  }
  get lock(): string {
    return join(this.root, 'runtime.lock');
  }
  get sandboxesDir(): string {
    return join(this.root, 'sandboxes');
  }
  get containersDir(): string {
    return join(this.root, 'containers');
  }
  sandboxDir(id: string): string {
    return join(this.sandboxesDir, id);
  }
  sandboxFile(id: string): string {
    return join(this.sandboxDir(id), 'sandbox.json');
  }
  containerDir(id: string): string {
    return join(this.containersDir, id);
  }
  containerFile(id: string): string {
    return join(this.containerDir(id), 'container.json');
  }
  startedFile(id: string): string {
    return join(this.containerDir(id), 'started.json');
  }
  exitFile(id: string): string {
    return join(this.containerDir(id), 'exit.json');
  }
  shimLog(id: string): string {
    return join(this.containerDir(id), 'shim.log');
  }
  /** The log of a container whose sandbox has no logDirectory. */
  defaultLogFile(id: string): string {
    return join(this.containerDir(id), 'container.log');
  }
  /** The working directory of a container whose config names none. */
  defaultWorkDir(id: string): string {
    return join(this.containerDir(id), 'work');
  }
}

/** network.json: the pod CIDR handed down last and the next-fit cursor. */
export interface NetworkRecord {
  podCIDR?: string;
  lastAllocated?: string;
}

/** sandbox.json. */
export interface SandboxRecord {
  id: string;
  metadata: PodSandboxMetadata;
  hostname: string;
  hostNetwork: boolean;
  /** The pod IP while ready; removed when the sandbox stops and the address is reclaimed. */
  ip?: string;
  state: 'ready' | 'notready';
  createdAt: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  logDirectory?: string;
  portMappings: PortMapping[];
}

/** What the shim runs: argv as executed (limits wrapper included), environment and directory. */
export interface ProcessSpec {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
}

/** container.json. */
export interface ContainerRecord {
  id: string;
  sandboxId: string;
  pod: PodRef;
  metadata: ContainerMetadata;
  image: string;
  imageRef: string;
  createdAt: number;
  labels: Record<string, string>;
  /** The config's annotations plus the runtime's notes (kubelab.io/cpu-limit, kubelab.io/memory-limit). */
  annotations: Record<string, string>;
  /** The command as Kubernetes composes it from command, args and the image, before PATH lookup. */
  command: string[];
  /** Where the container's CRI log goes. */
  logFile: string;
  /** Whether logFile lies outside the container's directory (the sandbox's logDirectory), to delete it too. */
  logOutside: boolean;
  memoryBytes?: number;
  cpuMillis?: number;
  /** Set when the container is started: what the shim runs. */
  process: ProcessSpec;
}

/** started.json, by the shim once the process runs. */
export interface StartedRecord {
  /** The container's main process; also its process group (it runs in a session of its own). */
  pid: number;
  pgid: number;
  shimPid: number;
  startedAt: number;
  /** Start times of pid and shimPid in clock ticks since boot (/proc/<pid>/stat), to tell a reused pid. */
  pidStart?: string;
  shimStart?: string;
}

/** exit.json, by the shim when the process has exited and its output is in the log. */
export interface ExitRecord {
  exitCode: number;
  /** The signal that killed the process, when one did ("SIGKILL"). */
  signal?: string;
  reason: string;
  message?: string;
  finishedAt: number;
  /** For containers that never ran (start errors): when the start was attempted. */
  startedAt?: number;
}

/** Writes value as JSON to path atomically: readers see the old file or the new one. */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, JSON.stringify(value, null, 1) + '\n');
  try {
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** writeJsonAtomic for the few writes that happen while the runtime loads. */
export function writeJsonAtomicSync(path: string, value: unknown): void {
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, JSON.stringify(value, null, 1) + '\n');
  renameSync(tmp, path);
}

/** The JSON in path, undefined when the file does not exist. Throws for unreadable or malformed files. */
export function readJsonSync<T>(path: string): T | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new Error(`cannot read "${path}": not JSON`, { cause: err });
  }
}

/** A container as found on disk. */
export interface LoadedContainer {
  record: ContainerRecord;
  started?: StartedRecord;
  exit?: ExitRecord;
}

/** Everything found under the state directory, and what could not be read (skipped, to be logged). */
export interface LoadedState {
  network: NetworkRecord;
  sandboxes: SandboxRecord[];
  containers: LoadedContainer[];
  problems: string[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function validSandbox(v: unknown, id: string): v is SandboxRecord {
  return isObject(v) && v.id === id && isObject(v.metadata) && typeof v.metadata.uid === 'string' && (v.state === 'ready' || v.state === 'notready') && typeof v.createdAt === 'number';
}

function validContainer(v: unknown, id: string): v is ContainerRecord {
  return isObject(v) && v.id === id && typeof v.sandboxId === 'string' && isObject(v.pod) && isObject(v.metadata) && typeof v.logFile === 'string' && isObject(v.process) && Array.isArray(v.process.argv);
}

/**
 * Reads the state directory, creating it when missing. Records that cannot be read are skipped and
 * reported in problems; leftover temporary files of interrupted writes are removed. Containers
 * whose sandbox is gone are skipped (a crash between removing the two).
 */
export function loadState(layout: StateLayout): LoadedState {
  mkdirSync(layout.sandboxesDir, { recursive: true });
  mkdirSync(layout.containersDir, { recursive: true });
  const problems: string[] = [];
  const read = <T>(path: string): T | undefined => {
    try {
      return readJsonSync<T>(path);
    } catch (err) {
      problems.push(err instanceof Error ? err.message : String(err));
      return undefined;
    }
  };
  const sweep = (dir: string) => {
    for (const f of readdirSync(dir)) if (f.endsWith('.tmp')) rmSync(join(dir, f), { force: true });
  };
  sweep(layout.root);
  const network = read<NetworkRecord>(layout.network) ?? {};
  const sandboxes: SandboxRecord[] = [];
  for (const id of readdirSync(layout.sandboxesDir)) {
    sweep(layout.sandboxDir(id));
    const r = read<unknown>(layout.sandboxFile(id));
    if (validSandbox(r, id)) sandboxes.push(r);
    else if (r !== undefined) problems.push(`skipping sandbox "${id}": ${layout.sandboxFile(id)} is not a sandbox record`);
  }
  const known = new Set(sandboxes.map((s) => s.id));
  const containers: LoadedContainer[] = [];
  for (const id of readdirSync(layout.containersDir)) {
    sweep(layout.containerDir(id));
    const record = read<unknown>(layout.containerFile(id));
    if (!validContainer(record, id)) {
      if (record !== undefined || existsSync(layout.containerDir(id))) problems.push(`skipping container "${id}": ${layout.containerFile(id)} is missing or not a container record`);
      continue;
    }
    if (!known.has(record.sandboxId)) {
      problems.push(`skipping container "${id}": its sandbox "${record.sandboxId}" is gone`);
      continue;
    }
    const c: LoadedContainer = { record };
    const started = read<StartedRecord>(layout.startedFile(id));
    const exit = read<ExitRecord>(layout.exitFile(id));
    if (started) c.started = started;
    if (exit) c.exit = exit;
    containers.push(c);
  }
  return { network, sandboxes, containers, problems };
}
