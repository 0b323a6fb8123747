/**
 * ProcessRuntime: the ContainerRuntime that runs each container's command as a host process, with
 * Docker's kill and restart semantics. The module comment of index.ts describes the model and the
 * state directory; this file is the wiring of sandboxes, containers, events and logs on top of
 * the state files (state.ts), the shim (shim.mjs), images (images.ts) and pod IPs (ip-alloc.ts).
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { systemClock, type Clock } from '../../../../util/clock.js';
import { nullLogger, type Logger } from '../../../../util/log.js';
import { repoRoot as defaultRepoRoot } from '../../../../util/paths.js';
import {
  CONTAINER_NAME_LABEL,
  ImagePullError,
  NotFoundError,
  POD_NAME_LABEL,
  POD_NAMESPACE_LABEL,
  POD_UID_LABEL,
  type ContainerConfig,
  type ContainerEvent,
  type ContainerEventType,
  type ContainerFilter,
  type ContainerInfo,
  type ContainerRuntime,
  type ContainerState,
  type ContainerStatusInfo,
  type ExecResult,
  type ImageInfo,
  type LogEntry,
  type LogOptions,
  type PodSandbox,
  type PodSandboxConfig,
  type PodSandboxFilter,
  type RuntimeCondition,
  type RuntimeConfig,
  type RuntimeVersion,
} from '../../runtime.js';
import { parseCidr } from '../ip-pool.js';
import { execInHost } from './exec.js';
import { containerEnv, findPrlimit, notFoundMessage, processAlive, processStartTicks, resolveExecutable, signalGroup, withMemoryLimit } from './host.js';
import { HOST_IMAGES, ProcessImages, composeCommand, nameRef } from './images.js';
import { allocateIp, probeListen } from './ip-alloc.js';
import { readContainerLog } from './log-reader.js';
import { startShim } from './shim-client.js';
import {
  StateLayout,
  loadState,
  readJsonSync,
  writeJsonAtomic,
  writeJsonAtomicSync,
  type ContainerRecord,
  type ExitRecord,
  type NetworkRecord,
  type SandboxRecord,
  type StartedRecord,
} from './state.js';

/** Annotation keys under which a container records how its limits are (not) enforced. */
export const MEMORY_LIMIT_ANNOTATION = 'kubelab.io/memory-limit';
export const CPU_LIMIT_ANNOTATION = 'kubelab.io/cpu-limit';

/** How long a container may take to die after SIGKILL before stopping it fails. */
const KILL_WAIT_MS = 10_000;

/** Options of ProcessRuntime; every field but stateDir has a default. */
export interface ProcessRuntimeOptions {
  /** Directory of every file the runtime keeps (required; created when missing). One runtime per directory at a time. */
  stateDir: string;
  /**
   * The node's pod CIDR when known at start (default: the one handed down last, kept in
   * network.json; none means NetworkReady=false until updateRuntimeConfig gives one).
   */
  podCIDR?: string;
  /** POD_IP of hostNetwork containers (default: none, so their servers listen on every address). */
  nodeIP?: string;
  /** Where process images are described, <imagesDir>/<dir>/process-image.json (default "<repo>/workloads"). */
  imagesDir?: string;
  /** Relative paths in process images are resolved against this (default: the repository root). */
  repoRoot?: string;
  /** Node.js that runs shims and "node" entrypoints (default: process.execPath). */
  nodePath?: string;
  /** prlimit used for memory limits (default: found on PATH on Linux; null: memory limits are not enforced). */
  prlimitPath?: string | null;
  /** How often running containers are checked for exits not seen as child exits (adopted ones), ms (default 200). */
  pollIntervalMs?: number;
  /** How long a container's shim may take to start its process, ms (default 10000). */
  startTimeoutMs?: number;
  /** Timestamps of records and the stop grace period (default: the system clock). */
  clock?: Clock;
  log?: Logger;
  /** Version reported (default "0.1.0"). */
  version?: string;
}

interface Sandbox {
  rec: SandboxRecord;
  containers: Set<Container>;
}

interface Container {
  rec: ContainerRecord;
  sandbox: Sandbox;
  started?: StartedRecord;
  exit?: ExitRecord;
  /** The shim, when this instance started it (adopted containers have none). */
  child?: ChildProcess;
  /** startContainer is running: exits are handled once it settles, so 'started' comes before 'stopped'. */
  starting: boolean;
  removed: boolean;
  /** Called on exit and on removal (log followers, stoppers). */
  waiters: Set<() => void>;
}

type Subscriber = (e: ContainerEvent | undefined) => void;

/**
 * Runs containers as host processes (see index.ts). Construct one per state directory: it reads
 * the directory at once and adopts what runs; close() leaves the containers running for the next.
 */
export class ProcessRuntime implements ContainerRuntime {
  private readonly layout: StateLayout;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly images: ProcessImages;
  private readonly nodePath: string;
  private readonly prlimit: string | undefined;
  private readonly pollIntervalMs: number;
  private readonly startTimeoutMs: number;
  private readonly versionString: string;
  private readonly nodeIP: string | undefined;
  private network: NetworkRecord;
  /** Whether this host can listen on the pod CIDR's addresses, probed once per CIDR. */
  private probe: Promise<{ ok: true } | { ok: false; message: string }> | undefined;
  private readonly sandboxes = new Map<string, Sandbox>();
  private readonly containers = new Map<string, Container>();
  private readonly subscribers = new Set<Subscriber>();
  /** Pod containers whose unenforced CPU limit was logged already, to say it once and not at every restart. */
  private readonly cpuWarned = new Set<string>();
  private pollTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(o: ProcessRuntimeOptions) {
    if (typeof o?.stateDir !== 'string' || o.stateDir === '') throw new TypeError(`stateDir must be a directory path, not ${JSON.stringify(o?.stateDir)}`);
    this.pollIntervalMs = o.pollIntervalMs ?? 200;
    this.startTimeoutMs = o.startTimeoutMs ?? 10_000;
    if (!(this.pollIntervalMs > 0)) throw new RangeError(`pollIntervalMs must be > 0, not ${o.pollIntervalMs}`);
    if (!(this.startTimeoutMs > 0)) throw new RangeError(`startTimeoutMs must be > 0, not ${o.startTimeoutMs}`);
    if (o.podCIDR !== undefined) parseCidr(o.podCIDR);
    // Absolute: shims and containers run in other working directories.
    this.layout = new StateLayout(resolve(o.stateDir));
    this.clock = o.clock ?? systemClock;
    this.log = o.log ?? nullLogger;
    this.nodePath = o.nodePath ?? process.execPath;
    this.prlimit = o.prlimitPath === null ? undefined : (o.prlimitPath ?? findPrlimit());
    this.versionString = o.version ?? '0.1.0';
    this.nodeIP = o.nodeIP;
    const repo = o.repoRoot ?? defaultRepoRoot;
    this.images = new ProcessImages({ imagesDir: o.imagesDir ?? join(repo, 'workloads'), repoRoot: repo, nodePath: this.nodePath });

    mkdirSync(this.layout.root, { recursive: true });
    this.lock();
    // A few small files: read synchronously so the runtime is complete once constructed.
    let state: ReturnType<typeof loadState>;
    try {
      state = loadState(this.layout);
    } catch (err) {
      rmSync(this.layout.lock, { force: true });
      throw new Error(`cannot read the process runtime's state in "${this.layout.root}"`, { cause: err });
    }
    for (const p of state.problems) this.log.info('process runtime: skipping unreadable state', { problem: p });
    this.network = state.network;
    if (o.podCIDR && o.podCIDR !== this.network.podCIDR) {
      this.network = { podCIDR: o.podCIDR };
      writeJsonAtomicSync(this.layout.network, this.network);
    }
    if (this.network.podCIDR) this.probe = probeListen(this.network.podCIDR);
    for (const rec of state.sandboxes) this.sandboxes.set(rec.id, { rec, containers: new Set() });
    let adopted = 0;
    for (const l of state.containers) {
      const sandbox = this.sandboxes.get(l.record.sandboxId)!;
      const c: Container = { rec: l.record, sandbox, starting: false, removed: false, waiters: new Set() };
      if (l.started) c.started = l.started;
      if (l.exit) c.exit = l.exit;
      sandbox.containers.add(c);
      this.containers.set(c.rec.id, c);
      if (c.started && !c.exit) adopted++;
    }
    if (state.sandboxes.length > 0) this.log.info('process runtime: found existing state', { sandboxes: state.sandboxes.length, containers: state.containers.length, running: adopted });
    this.ensurePolling();
  }

  /**
   * The pid, process group and shim of a started container (what `docker inspect` calls
   * State.Pid), for tests and debugging; undefined before it started.
   */
  processInfo(id: string): { pid: number; pgid: number; shimPid: number } | undefined {
    const s = this.containers.get(id)?.started;
    return s ? { pid: s.pid, pgid: s.pgid, shimPid: s.shimPid } : undefined;
  }

  /** The log file of a container (in the sandbox's logDirectory, else its own directory). */
  logFile(id: string): string {
    const c = this.containers.get(id);
    if (!c) throw new NotFoundError('container', id);
    return c.rec.logFile;
  }

  // ---- RuntimeService

  async version(): Promise<RuntimeVersion> {
    return { runtimeName: 'process', runtimeVersion: this.versionString, runtimeApiVersion: 'v1' };
  }

  async status(): Promise<RuntimeCondition[]> {
    const runtime: RuntimeCondition = this.closed
      ? { type: 'RuntimeReady', status: false, reason: 'RuntimeClosed', message: 'the process runtime was closed' }
      : { type: 'RuntimeReady', status: true };
    let network: RuntimeCondition = { type: 'NetworkReady', status: true };
    const cidr = this.network.podCIDR;
    if (!cidr) {
      network = { type: 'NetworkReady', status: false, reason: 'NoPodCIDR', message: 'process runtime: no pod CIDR has been handed down yet (node spec.podCIDR), so pods cannot get an IP' };
    } else {
      const p = await this.probe;
      if (p && !p.ok) network = { type: 'NetworkReady', status: false, reason: 'PodCIDRNotLocal', message: `process runtime: ${p.message}` };
    }
    return [runtime, network];
  }

  async updateRuntimeConfig(config: RuntimeConfig): Promise<void> {
    const cidr = config.podCIDR;
    if (!cidr || cidr === this.network.podCIDR) return;
    parseCidr(cidr);
    // Addresses handed out stay with their pods; new sandboxes take from the new range.
    this.network = { podCIDR: cidr };
    this.probe = probeListen(cidr);
    await writeJsonAtomic(this.layout.network, this.network);
    this.log.info('process runtime: pod CIDR set', { podCIDR: cidr });
  }

  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    this.requireOpen();
    const m = config.metadata;
    const what = `pod "${m.namespace}/${m.name}"`;
    let ip: string | undefined;
    if (!config.hostNetwork) {
      const cidr = this.network.podCIDR;
      if (!cidr) throw new Error(`cannot run sandbox of ${what}: the node has no pod CIDR yet, so there is no IP to give it`);
      const p = await this.probe;
      if (p && !p.ok) throw new Error(`cannot run sandbox of ${what}: ${p.message}`);
      // No await between choosing the address and recording the sandbox: calls run concurrently.
      const inUse = new Set<string>();
      for (const sb of this.sandboxes.values()) if (sb.rec.state === 'ready' && sb.rec.ip) inUse.add(sb.rec.ip);
      ip = allocateIp(this.network.podCIDR!, inUse, this.network.lastAllocated);
      this.network = { ...this.network, lastAllocated: ip };
    }
    const rec: SandboxRecord = {
      id: randomBytes(32).toString('hex'),
      metadata: { ...m },
      hostname: config.hostname,
      hostNetwork: config.hostNetwork,
      ...(ip ? { ip } : {}),
      state: 'ready',
      createdAt: this.clock.now(),
      labels: { ...config.labels },
      annotations: { ...config.annotations },
      ...(config.logDirectory ? { logDirectory: config.logDirectory } : {}),
      portMappings: config.portMappings.map((p) => ({ ...p })),
    };
    this.sandboxes.set(rec.id, { rec, containers: new Set() });
    await mkdir(this.layout.sandboxDir(rec.id), { recursive: true });
    await writeJsonAtomic(this.layout.sandboxFile(rec.id), rec);
    if (ip) await writeJsonAtomic(this.layout.network, this.network);
    if (config.logDirectory) await mkdir(config.logDirectory, { recursive: true });
    for (const p of config.portMappings) {
      // There is no NAT here: say so instead of pretending the port is published.
      this.log.info('process runtime: hostPort is not published; reach the pod on its IP', { pod: `${m.namespace}/${m.name}`, hostPort: p.hostPort, target: `${ip ?? this.nodeIP ?? 'node'}:${p.containerPort}` });
    }
    this.log.v(1).info('process runtime: sandbox ready', { pod: `${m.namespace}/${m.name}`, sandbox: rec.id.slice(0, 12), ip: ip ?? 'host' });
    return rec.id;
  }

  async stopPodSandbox(id: string): Promise<void> {
    const sb = this.sandboxes.get(id);
    if (!sb) throw new NotFoundError('sandbox', id);
    await Promise.all([...sb.containers].map((c) => this.kill(c)));
    if (sb.rec.state === 'notready' && !sb.rec.ip) return;
    const { ip: _reclaimed, ...rest } = sb.rec;
    sb.rec = { ...rest, state: 'notready' };
    await writeJsonAtomic(this.layout.sandboxFile(id), sb.rec);
  }

  async removePodSandbox(id: string): Promise<void> {
    const sb = this.sandboxes.get(id);
    if (!sb) return;
    await this.stopPodSandbox(id);
    for (const c of [...sb.containers]) await this.removeContainer(c.rec.id);
    this.sandboxes.delete(id);
    await rm(this.layout.sandboxDir(id), { recursive: true, force: true });
  }

  async podSandboxStatus(id: string): Promise<PodSandbox> {
    const sb = this.sandboxes.get(id);
    if (!sb) throw new NotFoundError('sandbox', id);
    return sandboxOf(sb);
  }

  async listPodSandboxes(filter: PodSandboxFilter = {}): Promise<PodSandbox[]> {
    const out: PodSandbox[] = [];
    for (const sb of this.sandboxes.values()) {
      if (filter.id !== undefined && sb.rec.id !== filter.id) continue;
      if (filter.state !== undefined && sb.rec.state !== filter.state) continue;
      if (filter.podUid !== undefined && sb.rec.metadata.uid !== filter.podUid) continue;
      out.push(sandboxOf(sb));
    }
    return out;
  }

  async createContainer(sandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string> {
    this.requireOpen();
    const sb = this.sandboxes.get(sandboxId);
    if (!sb) throw new NotFoundError('sandbox', sandboxId);
    const name = config.metadata.name;
    if (sb.rec.state !== 'ready') throw new Error(`cannot create container "${name}" in sandbox "${sandboxId}": the sandbox is not ready`);
    const image = await this.images.find(config.image);
    if (config.command.length === 0 && !image) {
      throw new Error(`cannot create container "${name}": image "${config.image}" is not a process image and the container has no command (${await this.knownImages()})`);
    }
    const command = composeCommand(config.command, config.args, image);
    if (command.length === 0) throw new Error(`cannot create container "${name}": no command specified`);

    const id = randomBytes(32).toString('hex');
    const m = sb.rec.metadata;
    const cwd = config.workingDir || this.layout.defaultWorkDir(id);
    const logOutside = Boolean(sb.rec.logDirectory && config.logPath);
    const logFile = logOutside ? join(sb.rec.logDirectory!, config.logPath!) : this.layout.defaultLogFile(id);
    const annotations = { ...config.annotations, ...this.limitNotes(config, `${m.namespace}/${m.name}/${name}`, m.uid) };
    const podIP = sb.rec.hostNetwork ? this.nodeIP : sb.rec.ip;
    const port = config.ports[0]?.containerPort;
    const rec: ContainerRecord = {
      id,
      sandboxId,
      pod: { uid: m.uid, name: m.name, namespace: m.namespace },
      metadata: { ...config.metadata },
      image: config.image,
      imageRef: image?.ref ?? nameRef(config.image),
      createdAt: this.clock.now(),
      labels: { ...config.labels },
      annotations,
      command,
      logFile,
      logOutside,
      ...(config.resources.memoryBytes !== undefined ? { memoryBytes: config.resources.memoryBytes } : {}),
      ...(config.resources.cpuMillis !== undefined ? { cpuMillis: config.resources.cpuMillis } : {}),
      process: {
        argv: command,
        env: containerEnv({ host: process.env, hostname: sandboxConfig.hostname || sb.rec.hostname, ...(podIP ? { podIP } : {}), ...(port !== undefined ? { port } : {}), env: config.env }),
        cwd,
      },
    };
    await mkdir(this.layout.containerDir(id), { recursive: true });
    if (!config.workingDir) await mkdir(cwd, { recursive: true });
    await mkdir(dirname(logFile), { recursive: true });
    // The file belongs to this container now: a stale file of an earlier container at the same path goes.
    await writeFile(logFile, '');
    await writeJsonAtomic(this.layout.containerFile(id), rec);
    const c: Container = { rec, sandbox: sb, starting: false, removed: false, waiters: new Set() };
    sb.containers.add(c);
    this.containers.set(id, c);
    this.emit('created', c);
    return id;
  }

  async startContainer(id: string): Promise<void> {
    this.requireOpen();
    const c = this.containers.get(id);
    if (!c) throw new NotFoundError('container', id);
    if (c.started || c.exit || c.starting) throw new Error(`cannot start container "${id}": it is ${stateOf(c)}, not created`);
    if (c.sandbox.rec.state !== 'ready') throw new Error(`cannot start container "${c.rec.metadata.name}": its sandbox "${c.sandbox.rec.id}" is not ready`);
    c.starting = true;
    try {
      await this.launch(c);
    } finally {
      c.starting = false;
    }
    // An exit that came while starting was held back so that 'started' is seen first.
    this.checkExit(c);
    this.ensurePolling();
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    const c = this.containers.get(id);
    if (!c) throw new NotFoundError('container', id);
    this.checkExit(c);
    if (c.exit || c.removed) return;
    if (!c.started) {
      // Never started: it just becomes exited, as Docker does.
      await this.recordExit(c, { exitCode: 0, reason: 'Completed', finishedAt: this.clock.now() });
      return;
    }
    const graceMs = Math.max(0, timeoutSeconds * 1000);
    signalGroup(c.started.pgid, 'SIGTERM');
    if (graceMs > 0 && (await this.waitExit(c, graceMs))) return;
    await this.kill(c);
  }

  async removeContainer(id: string): Promise<void> {
    const c = this.containers.get(id);
    if (!c) return;
    await this.kill(c);
    c.removed = true;
    c.sandbox.containers.delete(c);
    this.containers.delete(id);
    for (const w of [...c.waiters]) w();
    await rm(this.layout.containerDir(id), { recursive: true, force: true });
    if (c.rec.logOutside) await rm(c.rec.logFile, { force: true });
    this.emit('deleted', c);
  }

  async listContainers(filter: ContainerFilter = {}): Promise<ContainerInfo[]> {
    const out: ContainerInfo[] = [];
    for (const c of this.containers.values()) {
      if (filter.id !== undefined && c.rec.id !== filter.id) continue;
      if (filter.sandboxId !== undefined && c.rec.sandboxId !== filter.sandboxId) continue;
      if (filter.podUid !== undefined && c.rec.pod.uid !== filter.podUid) continue;
      if (filter.state !== undefined && stateOf(c) !== filter.state) continue;
      out.push(infoOf(c));
    }
    return out;
  }

  async containerStatus(id: string): Promise<ContainerStatusInfo> {
    const c = this.containers.get(id);
    if (!c) throw new NotFoundError('container', id);
    this.checkExit(c);
    const s: ContainerStatusInfo = infoOf(c);
    const startedAt = c.started?.startedAt ?? c.exit?.startedAt;
    if (startedAt !== undefined) s.startedAt = startedAt;
    if (c.exit) {
      s.finishedAt = c.exit.finishedAt;
      s.exitCode = c.exit.exitCode;
      s.reason = c.exit.reason;
      if (c.exit.message !== undefined) s.message = c.exit.message;
    }
    return s;
  }

  async *events(signal: AbortSignal): AsyncIterable<ContainerEvent> {
    if (this.closed) return;
    const queue: (ContainerEvent | undefined)[] = [];
    let wake: (() => void) | undefined;
    const sub: Subscriber = (e) => {
      queue.push(e);
      wake?.();
    };
    const onAbort = () => wake?.();
    this.subscribers.add(sub);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      while (!signal.aborted) {
        if (queue.length === 0) {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
          continue;
        }
        const e = queue.shift();
        if (!e) return; // closed
        yield e;
      }
    } finally {
      this.subscribers.delete(sub);
      signal.removeEventListener('abort', onAbort);
    }
  }

  async execSync(id: string, cmd: string[], o: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<ExecResult> {
    const c = this.containers.get(id);
    if (!c) throw new NotFoundError('container', id);
    this.checkExit(c);
    if (stateOf(c) !== 'running') throw new Error(`cannot exec in container "${id}": it is ${stateOf(c)}, not running`);
    const p = c.rec.process;
    return execInHost({
      cmd,
      env: p.env,
      cwd: p.cwd,
      ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
      ...(c.rec.memoryBytes !== undefined && this.prlimit ? { memoryLimit: { bytes: c.rec.memoryBytes, prlimit: this.prlimit } } : {}),
      what: `container "${c.rec.metadata.name}" (${id.slice(0, 12)})`,
    });
  }

  async *containerLogs(id: string, o: LogOptions = {}): AsyncIterable<LogEntry> {
    const c = this.containers.get(id);
    if (!c) throw new NotFoundError('container', id);
    const finished = () => {
      this.checkExit(c);
      return c.exit !== undefined || c.removed;
    };
    yield* readContainerLog(c.rec.logFile, o, { finished, waiters: c.waiters }, this.pollIntervalMs);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
    for (const s of [...this.subscribers]) s(undefined);
    // Containers keep running under their shims; the next runtime on this directory adopts them.
    for (const c of this.containers.values()) c.child?.removeAllListeners('exit');
    rmSync(this.layout.lock, { force: true });
  }

  // ---- ImageService

  async imageStatus(image: string): Promise<ImageInfo | undefined> {
    const found = await this.images.find(image);
    return found ? { ref: found.ref, sizeBytes: found.sizeBytes } : undefined;
  }

  async pullImage(image: string, _o: { signal?: AbortSignal } = {}): Promise<string> {
    let found;
    try {
      found = await this.images.find(image);
    } catch (err) {
      throw new ImagePullError(image, `cannot pull "${image}": ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    if (!found) throw new ImagePullError(image, `image "${image}" not found: the process runtime has no registry (${await this.knownImages()})`);
    return found.ref;
  }

  // ---- internals

  private async knownImages(): Promise<string> {
    const own = await this.images.names();
    return `process images: ${own.length > 0 ? own.join(', ') : 'none'}; host images, for containers with a command: ${HOST_IMAGES.join(', ')}`;
  }

  private requireOpen(): void {
    if (this.closed) throw new Error('the process runtime is closed');
  }

  /** Takes the state directory: two runtimes on one directory would allocate the same IPs. */
  private lock(): void {
    const path = this.layout.lock;
    const held = readJsonSync<{ pid?: number; start?: string }>(path);
    if (held?.pid && processAlive(held.pid, held.start)) {
      throw new Error(`cannot use state directory "${this.layout.root}": a process runtime of pid ${held.pid} uses it (close it first)`);
    }
    const start = processStartTicks(process.pid);
    writeJsonAtomicSync(path, { pid: process.pid, ...(start ? { start } : {}) });
  }

  /** Annotations saying how the container's limits are enforced, and a log line for what is not. */
  private limitNotes(config: ContainerConfig, who: string, podUid: string): Record<string, string> {
    const notes: Record<string, string> = {};
    const { memoryBytes, cpuMillis } = config.resources;
    if (memoryBytes !== undefined) {
      if (this.prlimit) notes[MEMORY_LIMIT_ANNOTATION] = `RLIMIT_DATA=${Math.floor(memoryBytes)} (prlimit --data); exceeding it fails allocations, it is not an OOM kill`;
      else {
        notes[MEMORY_LIMIT_ANNOTATION] = 'not enforced: prlimit is not available on this host';
        this.log.info('process runtime: memory limit not enforced (no prlimit)', { container: who, memoryBytes });
      }
    }
    if (cpuMillis !== undefined) {
      notes[CPU_LIMIT_ANNOTATION] = `not enforced: the process runtime has no cgroups (limit ${cpuMillis}m)`;
      const key = `${podUid}/${config.metadata.name}`;
      if (!this.cpuWarned.has(key)) {
        this.cpuWarned.add(key);
        this.log.info('process runtime: cpu limit not enforced (no cgroups)', { container: who, cpuMillis });
      }
    }
    return notes;
  }

  /** Starts c's process under a shim and waits for the shim to say it runs, or why not. */
  private async launch(c: Container): Promise<void> {
    const p = c.rec.process;
    const name = c.rec.metadata.name;
    try {
      mkdirSync(p.cwd, { recursive: true });
    } catch {
      // An unwritable place: the check below reports it as the start error it is.
    }
    if (!isDirectory(p.cwd)) return this.startError(c, `failed to start container process: chdir to cwd ("${p.cwd}") set in config.json failed: no such file or directory`);
    const program = c.rec.command[0]!;
    const resolved = resolveExecutable(program, { path: p.env.PATH ?? '', cwd: p.cwd });
    if (!resolved) return this.startError(c, notFoundMessage(program, program.includes('/')));
    let argv = [resolved, ...c.rec.command.slice(1)];
    if (c.rec.memoryBytes !== undefined && this.prlimit) argv = withMemoryLimit(argv, c.rec.memoryBytes, this.prlimit);
    c.rec = { ...c.rec, process: { ...p, argv } };
    await writeJsonAtomic(this.layout.containerFile(c.rec.id), c.rec);

    const { child, hello } = await startShim({
      nodePath: this.nodePath,
      containerDir: this.layout.containerDir(c.rec.id),
      shimLog: this.layout.shimLog(c.rec.id),
      startedFile: this.layout.startedFile(c.rec.id),
      timeoutMs: this.startTimeoutMs,
      clock: this.clock,
    });
    if ('error' in hello) {
      // The shim records its start errors itself; a shim that died or hung could not.
      let exit: ExitRecord | undefined;
      try {
        exit = readJsonSync<ExitRecord>(this.layout.exitFile(c.rec.id));
      } catch {
        exit = undefined;
      }
      if (exit) this.exited(c, exit);
      else await this.recordExit(c, { exitCode: 128, reason: 'StartError', message: hello.error, startedAt: this.clock.now(), finishedAt: this.clock.now() });
      throw new Error(`failed to start container "${name}": ${hello.error}`);
    }
    c.started = hello.started;
    c.child = child;
    child.once('exit', () => this.checkExit(c));
    this.emit('started', c);
    this.log.v(1).info('process runtime: container started', { container: `${c.rec.pod.namespace}/${c.rec.pod.name}/${name}`, pid: hello.started.pid });
  }

  private async startError(c: Container, message: string): Promise<never> {
    const now = this.clock.now();
    await this.recordExit(c, { exitCode: 128, reason: 'StartError', message, startedAt: now, finishedAt: now });
    throw new Error(`failed to start container "${c.rec.metadata.name}": ${message}`);
  }

  /** Writes exit.json for a container no shim runs, and reports the exit. */
  private async recordExit(c: Container, exit: ExitRecord): Promise<void> {
    await writeJsonAtomic(this.layout.exitFile(c.rec.id), exit);
    this.exited(c, exit);
  }

  /**
   * Looks for c's exit: exit.json, written by its shim once the output is in the log; and a shim
   * that died without writing it (killed with the kubelet's cgroup, say), whose container is
   * then killed and reported with exit code 137.
   */
  private checkExit(c: Container): void {
    if (c.exit || c.removed || c.starting || this.closed || !c.started) return;
    const read = () => {
      try {
        return readJsonSync<ExitRecord>(this.layout.exitFile(c.rec.id));
      } catch {
        return undefined; // cannot be torn (atomic rename); unreadable counts as not yet there
      }
    };
    const exit = read();
    if (exit) return this.exited(c, exit);
    const s = c.started;
    if (processAlive(s.shimPid, s.shimStart)) return;
    const late = read(); // written between the two looks
    if (late) return this.exited(c, late);
    const orphan = processAlive(s.pid, s.pidStart);
    if (orphan) signalGroup(s.pgid, 'SIGKILL');
    const synthesized: ExitRecord = {
      exitCode: 137,
      reason: 'Error',
      message: orphan ? `the container's shim (pid ${s.shimPid}) died; its processes were killed` : `the container's shim (pid ${s.shimPid}) died before recording the exit code`,
      finishedAt: this.clock.now(),
    };
    try {
      writeJsonAtomicSync(this.layout.exitFile(c.rec.id), synthesized);
    } catch (err) {
      this.log.error('process runtime: cannot record exit', err, { container: c.rec.id });
    }
    this.exited(c, synthesized);
  }

  private exited(c: Container, exit: ExitRecord): void {
    if (c.exit) return;
    c.exit = exit;
    for (const w of [...c.waiters]) w();
    this.emit('stopped', c);
    this.log.v(1).info('process runtime: container exited', { container: `${c.rec.pod.namespace}/${c.rec.pod.name}/${c.rec.metadata.name}`, exitCode: exit.exitCode, reason: exit.reason });
  }

  /** Resolves true once c has exited (or was removed), false when ms pass first. */
  private waitExit(c: Container, ms: number): Promise<boolean> {
    if (c.exit || c.removed) return Promise.resolve(true);
    this.ensurePolling();
    return new Promise((resolve) => {
      const done = (v: boolean) => {
        c.waiters.delete(onExit);
        cancel();
        resolve(v);
      };
      const onExit = () => done(true);
      const cancel = this.clock.setTimer(ms, () => done(c.exit !== undefined));
      c.waiters.add(onExit);
    });
  }

  /** SIGKILL to a running container's group, then waits for the exit. */
  private async kill(c: Container): Promise<void> {
    this.checkExit(c);
    if (c.exit || c.removed || !c.started) return;
    signalGroup(c.started.pgid, 'SIGKILL');
    if (!(await this.waitExit(c, KILL_WAIT_MS))) throw new Error(`container "${c.rec.metadata.name}" (${c.rec.id.slice(0, 12)}) did not exit within ${KILL_WAIT_MS} ms of SIGKILL`);
  }

  /**
   * Polls running containers for exits while there are any: adopted containers are not our
   * children, so no exit event tells of theirs. Real time, not the clock: these are real processes.
   */
  private ensurePolling(): void {
    if (this.pollTimer || this.closed) return;
    const running = () => [...this.containers.values()].filter((c) => c.started && !c.exit && !c.removed);
    if (running().length === 0) return;
    const tick = () => {
      this.pollTimer = undefined;
      for (const c of running()) this.checkExit(c);
      if (!this.closed && running().length > 0) {
        this.pollTimer = setTimeout(tick, this.pollIntervalMs);
        this.pollTimer.unref();
      }
    };
    this.pollTimer = setTimeout(tick, this.pollIntervalMs);
    this.pollTimer.unref();
  }

  private emit(type: ContainerEventType, c: Container): void {
    if (this.subscribers.size === 0) return;
    const e: ContainerEvent = { type, containerId: c.rec.id, sandboxId: c.rec.sandboxId, pod: { ...c.rec.pod }, containerName: c.rec.metadata.name, time: this.clock.now() };
    for (const s of this.subscribers) s(e);
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function stateOf(c: Container): ContainerState {
  if (c.removed) return 'unknown';
  if (c.exit) return 'exited';
  if (c.started) return 'running';
  return 'created';
}

function sandboxOf(sb: Sandbox): PodSandbox {
  const m = sb.rec.metadata;
  return {
    id: sb.rec.id,
    metadata: { ...m },
    state: sb.rec.state,
    createdAt: sb.rec.createdAt,
    ips: sb.rec.state === 'ready' && sb.rec.ip ? [sb.rec.ip] : [],
    labels: { ...sb.rec.labels, [POD_UID_LABEL]: m.uid, [POD_NAME_LABEL]: m.name, [POD_NAMESPACE_LABEL]: m.namespace },
  };
}

function infoOf(c: Container): ContainerInfo {
  const r = c.rec;
  return {
    id: r.id,
    sandboxId: r.sandboxId,
    pod: { ...r.pod },
    metadata: { ...r.metadata },
    image: r.image,
    imageRef: r.imageRef,
    state: stateOf(c),
    createdAt: r.createdAt,
    labels: { ...r.labels, [POD_UID_LABEL]: r.pod.uid, [POD_NAME_LABEL]: r.pod.name, [POD_NAMESPACE_LABEL]: r.pod.namespace, [CONTAINER_NAME_LABEL]: r.metadata.name },
    annotations: { ...r.annotations },
  };
}
