/**
 * The fake runtime (kwok's and kubemark's idea): sandboxes get IPs from a pod CIDR, containers
 * "start" after a configurable delay and "run" until stopped or until a scripted exit, and their
 * logs are a few lines generated from their record. Nothing runs; each container is one small
 * object, so one process can hold the pods of thousands of hollow nodes.
 *
 * Deterministic: IDs come from a counter and every time from the injected Clock, so tests on a
 * FakeClock see the same results every run.
 *
 * Test hooks make things happen that a real node does by itself: exitContainer() (a crash),
 * script() (crash loops, OOM kills, start errors, processes that ignore SIGTERM), failImage()
 * (pull errors) and setCondition() (a runtime that goes down).
 */
import { systemClock, type Clock } from '../../../util/clock.js';
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
  type PodSandboxMetadata,
  type RuntimeCondition,
  type RuntimeConfig,
  type RuntimeVersion,
} from '../runtime.js';
import { Ipv4Pool } from './ip-pool.js';

export interface FakeRuntimeOptions {
  /** Source of every time (default: the system clock). */
  clock?: Clock;
  /** How long StartContainer takes before the container runs, ms (default 0). */
  startDelayMs?: number;
  /** How long RunPodSandbox takes, ms (default 0): a per-pod start delay, as hollow nodes use it. */
  sandboxDelayMs?: number;
  /** How long PullImage takes, ms (default 0). */
  pullDelayMs?: number;
  /** Pod IPs come from here until updateRuntimeConfig gives another (default "127.64.0.0/16"). */
  podCIDR?: string;
  /** Exit code of a container stopped with SIGTERM (default 0: it shuts down cleanly). */
  stopExitCode?: number;
  /** Version reported (default "0.1.0"). */
  version?: string;
  /**
   * Whether every image counts as present, as on kwok's nodes (default true): pulls then happen
   * only for imagePullPolicy Always. With false, each image is pulled once first.
   */
  imagesPresent?: boolean;
}

/** Which containers a script or hook applies to; every field given must match. */
export interface FakeSelector {
  namespace?: string;
  /** Pod name. */
  pod?: string;
  podUid?: string;
  /** Container name. */
  container?: string;
}

/** How matching containers behave once started. */
export interface FakeScript {
  /** Exit this long after starting (default: run until stopped). */
  exitAfterMs?: number;
  /** Exit code of that exit (default 0). */
  exitCode?: number;
  /** Reason of that exit (default "Completed" for 0, else "Error"; "OOMKilled" to simulate one). */
  reason?: string;
  /** Fail StartContainer with this message: the container ends exited, code 128, reason StartError. */
  startError?: string;
  /** Ignore SIGTERM: StopContainer waits the whole timeout, then kills (exit code 137). */
  ignoreSigterm?: boolean;
}

/** Operations done so far, for tests of adoption (nothing created twice) and restarts. */
export interface FakeCounters {
  sandboxesCreated: number;
  sandboxesStopped: number;
  containersCreated: number;
  containersStarted: number;
  containersStopped: number;
  containersRemoved: number;
  pulls: number;
}

interface Sandbox {
  id: string;
  metadata: PodSandboxMetadata;
  state: 'ready' | 'notready';
  createdAt: number;
  ip: string | undefined;
  hostNetwork: boolean;
  containers: Set<Container>;
}

interface Container {
  id: string;
  sandbox: Sandbox;
  name: string;
  attempt: number;
  image: string;
  /** The config's labels and annotations, given back by list and status (the spec hash among them). */
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: ContainerState;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  exitCode?: number;
  reason?: string;
  message?: string;
  script: FakeScript | undefined;
  /** Cancels a scripted exit. */
  cancelExit?: () => void;
  /** Wakes log followers and stoppers when the container exits. */
  waiters?: (() => void)[];
}

type Subscriber = (e: ContainerEvent) => void;

const DEFAULT_CIDR = '127.64.0.0/16';

export class FakeRuntime implements ContainerRuntime {
  /** Operations done so far. */
  readonly counters: FakeCounters = { sandboxesCreated: 0, sandboxesStopped: 0, containersCreated: 0, containersStarted: 0, containersStopped: 0, containersRemoved: 0, pulls: 0 };
  private readonly clock: Clock;
  private readonly startDelayMs: number;
  private readonly sandboxDelayMs: number;
  private readonly pullDelayMs: number;
  private readonly stopExitCode: number;
  private readonly versionString: string;
  private readonly imagesPresent: boolean;
  private pool: Ipv4Pool;
  private readonly sandboxes = new Map<string, Sandbox>();
  private readonly containers = new Map<string, Container>();
  /** Sandboxes by pod uid: the kubelet lists by pod, and a scan would cost O(pods) per sync. */
  private readonly byUid = new Map<string, Set<Sandbox>>();
  private readonly images = new Set<string>();
  private readonly pullFailures = new Map<string, string>();
  private readonly scripts: { selector: FakeSelector; script: FakeScript }[] = [];
  private readonly subscribers = new Set<Subscriber>();
  private readonly conditions: Record<'RuntimeReady' | 'NetworkReady', RuntimeCondition> = {
    RuntimeReady: { type: 'RuntimeReady', status: true },
    NetworkReady: { type: 'NetworkReady', status: true },
  };
  private execHandler: ((c: ContainerStatusInfo, cmd: string[]) => ExecResult) | undefined;
  private seq = 0;

  constructor(o: FakeRuntimeOptions = {}) {
    this.clock = o.clock ?? systemClock;
    this.startDelayMs = o.startDelayMs ?? 0;
    this.sandboxDelayMs = o.sandboxDelayMs ?? 0;
    this.pullDelayMs = o.pullDelayMs ?? 0;
    this.stopExitCode = o.stopExitCode ?? 0;
    this.versionString = o.version ?? '0.1.0';
    this.imagesPresent = o.imagesPresent ?? true;
    if (!(this.startDelayMs >= 0)) throw new RangeError(`startDelayMs must be >= 0, not ${o.startDelayMs}`);
    if (!(this.sandboxDelayMs >= 0)) throw new RangeError(`sandboxDelayMs must be >= 0, not ${o.sandboxDelayMs}`);
    if (!(this.pullDelayMs >= 0)) throw new RangeError(`pullDelayMs must be >= 0, not ${o.pullDelayMs}`);
    this.pool = new Ipv4Pool(o.podCIDR ?? DEFAULT_CIDR);
  }

  // ---- test hooks

  /**
   * Makes containers matching selector (or the one with this ID) behave as script says from
   * their next start on. Later scripts win over earlier ones. Returns a function that removes it.
   */
  script(selector: FakeSelector, script: FakeScript): () => void {
    const entry = { selector, script };
    this.scripts.unshift(entry);
    return () => {
      const i = this.scripts.indexOf(entry);
      if (i >= 0) this.scripts.splice(i, 1);
    };
  }

  /**
   * Makes running containers matching selector (or the one with this ID) exit now with exitCode,
   * as a crash or an OOM kill would. Returns how many exited.
   */
  exitContainer(selector: FakeSelector | string, exitCode: number, o: { reason?: string; message?: string } = {}): number {
    let n = 0;
    for (const c of this.containers.values()) {
      if (c.state !== 'running' || !this.selects(selector, c)) continue;
      this.exit(c, exitCode, o.reason, o.message);
      n++;
    }
    return n;
  }

  /**
   * Makes pulls of image fail with message, and the image absent so that it must be pulled
   * (undefined: pulls succeed again).
   */
  failImage(image: string, message: string | undefined): void {
    if (message === undefined) this.pullFailures.delete(image);
    else {
      this.pullFailures.set(image, message);
      this.images.delete(image);
    }
  }

  /** Marks an image as present, as if pulled earlier. */
  preloadImage(image: string): void {
    this.images.add(image);
  }

  /** Sets RuntimeReady or NetworkReady, to simulate a runtime or network that goes down. */
  setCondition(type: 'RuntimeReady' | 'NetworkReady', status: boolean, reason?: string, message?: string): void {
    this.conditions[type] = { type, status, ...(reason ? { reason } : {}), ...(message ? { message } : {}) };
  }

  /** Answers ExecSync; by default a running container answers exit code 0 with no output. */
  setExecHandler(fn: ((container: ContainerStatusInfo, cmd: string[]) => ExecResult) | undefined): void {
    this.execHandler = fn;
  }

  /** Containers (all, or matching selector) with their state, for assertions. */
  inspect(selector: FakeSelector = {}): ContainerStatusInfo[] {
    const out: ContainerStatusInfo[] = [];
    for (const c of this.containers.values()) if (this.selects(selector, c)) out.push(this.statusOf(c));
    return out;
  }

  // ---- RuntimeService

  async version(): Promise<RuntimeVersion> {
    return { runtimeName: 'fake', runtimeVersion: this.versionString, runtimeApiVersion: 'v1' };
  }

  async status(): Promise<RuntimeCondition[]> {
    return [{ ...this.conditions.RuntimeReady }, { ...this.conditions.NetworkReady }];
  }

  async updateRuntimeConfig(config: RuntimeConfig): Promise<void> {
    // Addresses already handed out stay valid; new sandboxes take from the new range.
    if (config.podCIDR && config.podCIDR !== this.pool.cidr) {
      const pool = new Ipv4Pool(config.podCIDR);
      for (const sb of this.sandboxes.values()) if (sb.ip) pool.reserve(sb.ip);
      this.pool = pool;
    }
  }

  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    this.requireReady();
    if (this.sandboxDelayMs > 0) await this.clock.sleep(this.sandboxDelayMs);
    const id = this.newId('sb');
    const sb: Sandbox = {
      id,
      metadata: { ...config.metadata },
      state: 'ready',
      createdAt: this.clock.now(),
      ip: config.hostNetwork ? undefined : this.pool.allocate(),
      hostNetwork: config.hostNetwork,
      containers: new Set(),
    };
    this.sandboxes.set(id, sb);
    let set = this.byUid.get(sb.metadata.uid);
    if (!set) this.byUid.set(sb.metadata.uid, (set = new Set()));
    set.add(sb);
    this.counters.sandboxesCreated++;
    return id;
  }

  async stopPodSandbox(id: string): Promise<void> {
    const sb = this.sandboxes.get(id);
    if (!sb) throw new NotFoundError('sandbox', id);
    for (const c of sb.containers) if (c.state === 'running') this.exit(c, 137, 'Error', undefined, true);
    if (sb.state === 'ready') this.counters.sandboxesStopped++;
    sb.state = 'notready';
    if (sb.ip) this.pool.release(sb.ip);
    sb.ip = undefined;
  }

  async removePodSandbox(id: string): Promise<void> {
    const sb = this.sandboxes.get(id);
    if (!sb) return;
    await this.stopPodSandbox(id);
    for (const c of [...sb.containers]) this.remove(c);
    this.sandboxes.delete(id);
    const set = this.byUid.get(sb.metadata.uid);
    set?.delete(sb);
    if (set?.size === 0) this.byUid.delete(sb.metadata.uid);
  }

  async podSandboxStatus(id: string): Promise<PodSandbox> {
    const sb = this.sandboxes.get(id);
    if (!sb) throw new NotFoundError('sandbox', id);
    return this.sandboxOf(sb);
  }

  async listPodSandboxes(filter: PodSandboxFilter = {}): Promise<PodSandbox[]> {
    const out: PodSandbox[] = [];
    for (const sb of this.candidates(filter.podUid, filter.id)) {
      if (filter.id !== undefined && sb.id !== filter.id) continue;
      if (filter.state !== undefined && sb.state !== filter.state) continue;
      out.push(this.sandboxOf(sb));
    }
    return out;
  }

  async createContainer(sandboxId: string, config: ContainerConfig, _sandboxConfig: PodSandboxConfig): Promise<string> {
    this.requireReady();
    const sb = this.sandboxes.get(sandboxId);
    if (!sb) throw new NotFoundError('sandbox', sandboxId);
    if (sb.state !== 'ready') throw new Error(`cannot create container "${config.metadata.name}" in sandbox "${sandboxId}": the sandbox is not ready`);
    const c: Container = {
      id: this.newId('c'),
      sandbox: sb,
      name: config.metadata.name,
      attempt: config.metadata.attempt,
      image: config.image,
      labels: { ...config.labels },
      annotations: { ...config.annotations },
      state: 'created',
      createdAt: this.clock.now(),
      script: undefined,
    };
    sb.containers.add(c);
    this.containers.set(c.id, c);
    this.counters.containersCreated++;
    this.emit('created', c);
    return c.id;
  }

  async startContainer(id: string): Promise<void> {
    const c = this.containers.get(id);
    if (!c) throw new NotFoundError('container', id);
    if (c.state !== 'created') throw new Error(`cannot start container "${id}": it is ${c.state}, not created`);
    c.script = this.scriptFor(c);
    if (c.script?.startError) {
      c.startedAt = this.clock.now();
      this.exit(c, 128, 'StartError', c.script.startError);
      throw new Error(`failed to start container "${c.name}": ${c.script.startError}`);
    }
    if (this.startDelayMs > 0) await this.clock.sleep(this.startDelayMs);
    // Removed or its sandbox stopped while it was starting: nothing left to start.
    if (c.state !== 'created') throw new Error(`cannot start container "${id}": it was ${c.state === 'exited' ? 'stopped' : 'removed'} while starting`);
    c.state = 'running';
    c.startedAt = this.clock.now();
    this.counters.containersStarted++;
    this.emit('started', c);
    const s = c.script;
    if (s?.exitAfterMs !== undefined) {
      c.cancelExit = this.clock.setTimer(s.exitAfterMs, () => {
        if (c.state === 'running') this.exit(c, s.exitCode ?? 0, s.reason, undefined);
      });
    }
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    const c = this.containers.get(id);
    if (!c) throw new NotFoundError('container', id);
    if (c.state === 'created') {
      // Never started: it just becomes exited, as docker does.
      this.exit(c, 0, 'Completed', undefined, true);
      return;
    }
    if (c.state !== 'running') return;
    if (c.script?.ignoreSigterm && timeoutSeconds > 0) {
      await new Promise<void>((resolve) => {
        const cancel = this.clock.setTimer(timeoutSeconds * 1000, () => {
          done();
          if (c.state === 'running') this.exit(c, 137, 'Error', undefined, true);
        });
        const done = () => {
          cancel();
          resolve();
        };
        (c.waiters ??= []).push(done);
      });
      return;
    }
    this.exit(c, this.stopExitCode, undefined, undefined, true);
  }

  async removeContainer(id: string): Promise<void> {
    const c = this.containers.get(id);
    if (!c) return;
    if (c.state === 'running') this.exit(c, 137, 'Error', undefined, true);
    this.remove(c);
  }

  async listContainers(filter: ContainerFilter = {}): Promise<ContainerInfo[]> {
    const out: ContainerInfo[] = [];
    const consider = (c: Container) => {
      if (filter.id !== undefined && c.id !== filter.id) return;
      if (filter.sandboxId !== undefined && c.sandbox.id !== filter.sandboxId) return;
      if (filter.podUid !== undefined && c.sandbox.metadata.uid !== filter.podUid) return;
      if (filter.state !== undefined && c.state !== filter.state) return;
      out.push(this.infoOf(c));
    };
    if (filter.id !== undefined) {
      const c = this.containers.get(filter.id);
      if (c) consider(c);
    } else if (filter.podUid !== undefined || filter.sandboxId !== undefined) {
      for (const sb of this.candidates(filter.podUid, filter.sandboxId)) for (const c of sb.containers) consider(c);
    } else {
      for (const c of this.containers.values()) consider(c);
    }
    return out;
  }

  async containerStatus(id: string): Promise<ContainerStatusInfo> {
    const c = this.containers.get(id);
    if (!c) throw new NotFoundError('container', id);
    return this.statusOf(c);
  }

  async *events(signal: AbortSignal): AsyncIterable<ContainerEvent> {
    const queue: ContainerEvent[] = [];
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
        yield queue.shift()!;
      }
    } finally {
      this.subscribers.delete(sub);
      signal.removeEventListener('abort', onAbort);
    }
  }

  async execSync(id: string, cmd: string[], _o: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<ExecResult> {
    const c = this.containers.get(id);
    if (!c) throw new NotFoundError('container', id);
    if (c.state !== 'running') throw new Error(`cannot exec in container "${id}": it is ${c.state}, not running`);
    return this.execHandler ? this.execHandler(this.statusOf(c), cmd) : { exitCode: 0, stdout: '', stderr: '' };
  }

  async *containerLogs(id: string, o: LogOptions = {}): AsyncIterable<LogEntry> {
    const c = this.containers.get(id);
    if (!c) throw new NotFoundError('container', id);
    let sent = 0;
    const select = (all: LogEntry[]) => {
      let lines = o.sinceTime !== undefined ? all.filter((e) => e.time >= o.sinceTime!) : all;
      if (o.tailLines !== undefined) lines = lines.slice(Math.max(0, lines.length - o.tailLines));
      return lines;
    };
    const first = logLinesOf(c);
    for (const e of select(first)) yield e;
    sent = first.length;
    if (!o.follow) return;
    while (c.state === 'running' || c.state === 'created') {
      if (o.signal?.aborted) return;
      await new Promise<void>((resolve) => {
        const done = () => {
          o.signal?.removeEventListener('abort', done);
          resolve();
        };
        (c.waiters ??= []).push(done);
        o.signal?.addEventListener('abort', done, { once: true });
      });
    }
    const all = logLinesOf(c);
    for (const e of all.slice(sent)) if (o.sinceTime === undefined || e.time >= o.sinceTime) yield e;
  }

  async close(): Promise<void> {
    // Nothing to release: the containers are this object, and stay for a kubelet that restarts on it.
  }

  // ---- ImageService

  async imageStatus(image: string): Promise<ImageInfo | undefined> {
    const present = this.images.has(image) || (this.imagesPresent && !this.pullFailures.has(image));
    return present ? { ref: imageRefOf(image), sizeBytes: 1 << 20 } : undefined;
  }

  async pullImage(image: string, _o: { signal?: AbortSignal } = {}): Promise<string> {
    this.counters.pulls++;
    if (this.pullDelayMs > 0) await this.clock.sleep(this.pullDelayMs);
    const failure = this.pullFailures.get(image);
    if (failure !== undefined) throw new ImagePullError(image, failure);
    this.images.add(image);
    return imageRefOf(image);
  }

  // ---- internals

  private requireReady(): void {
    const r = this.conditions.RuntimeReady;
    if (!r.status) throw new Error(`the fake runtime is down: ${r.message ?? r.reason ?? 'RuntimeReady is false'}`);
  }

  private newId(prefix: string): string {
    // 64 hex digits like docker's, made from a counter so runs are reproducible.
    return prefix + (++this.seq).toString(16).padStart(64 - prefix.length, '0');
  }

  private candidates(podUid: string | undefined, id: string | undefined): Iterable<Sandbox> {
    if (podUid !== undefined) return this.byUid.get(podUid) ?? [];
    if (id !== undefined) {
      const byId = this.sandboxes.get(id);
      return byId ? [byId] : [];
    }
    return this.sandboxes.values();
  }

  private selects(selector: FakeSelector | string, c: Container): boolean {
    if (typeof selector === 'string') return c.id === selector;
    const m = c.sandbox.metadata;
    return (
      (selector.namespace === undefined || selector.namespace === m.namespace) &&
      (selector.pod === undefined || selector.pod === m.name) &&
      (selector.podUid === undefined || selector.podUid === m.uid) &&
      (selector.container === undefined || selector.container === c.name)
    );
  }

  private scriptFor(c: Container): FakeScript | undefined {
    return this.scripts.find((s) => this.selects(s.selector, c))?.script;
  }

  private exit(c: Container, exitCode: number, reason: string | undefined, message: string | undefined, stopped = false): void {
    c.cancelExit?.();
    c.cancelExit = undefined;
    c.state = 'exited';
    c.exitCode = exitCode;
    c.reason = reason ?? (exitCode === 0 ? 'Completed' : 'Error');
    c.message = message;
    c.finishedAt = this.clock.now();
    if (stopped) this.counters.containersStopped++;
    const waiters = c.waiters;
    c.waiters = undefined;
    for (const w of waiters ?? []) w();
    this.emit('stopped', c);
  }

  private remove(c: Container): void {
    c.cancelExit?.();
    c.state = 'unknown';
    const waiters = c.waiters;
    c.waiters = undefined;
    for (const w of waiters ?? []) w();
    c.sandbox.containers.delete(c);
    this.containers.delete(c.id);
    this.counters.containersRemoved++;
    this.emit('deleted', c);
  }

  private emit(type: ContainerEventType, c: Container): void {
    if (this.subscribers.size === 0) return;
    const m = c.sandbox.metadata;
    const e: ContainerEvent = { type, containerId: c.id, sandboxId: c.sandbox.id, pod: { uid: m.uid, name: m.name, namespace: m.namespace }, containerName: c.name, time: this.clock.now() };
    for (const s of this.subscribers) s(e);
  }

  private sandboxOf(sb: Sandbox): PodSandbox {
    const m = sb.metadata;
    return {
      id: sb.id,
      metadata: { ...m },
      state: sb.state,
      createdAt: sb.createdAt,
      ips: sb.ip ? [sb.ip] : [],
      labels: { [POD_UID_LABEL]: m.uid, [POD_NAME_LABEL]: m.name, [POD_NAMESPACE_LABEL]: m.namespace },
    };
  }

  private infoOf(c: Container): ContainerInfo {
    const m = c.sandbox.metadata;
    return {
      id: c.id,
      sandboxId: c.sandbox.id,
      pod: { uid: m.uid, name: m.name, namespace: m.namespace },
      metadata: { name: c.name, attempt: c.attempt },
      image: c.image,
      imageRef: imageRefOf(c.image),
      state: c.state,
      createdAt: c.createdAt,
      labels: { ...c.labels, [POD_UID_LABEL]: m.uid, [POD_NAME_LABEL]: m.name, [POD_NAMESPACE_LABEL]: m.namespace, [CONTAINER_NAME_LABEL]: c.name },
      annotations: { ...c.annotations },
    };
  }

  private statusOf(c: Container): ContainerStatusInfo {
    const s: ContainerStatusInfo = this.infoOf(c);
    if (c.startedAt !== undefined) s.startedAt = c.startedAt;
    if (c.finishedAt !== undefined) s.finishedAt = c.finishedAt;
    if (c.exitCode !== undefined) s.exitCode = c.exitCode;
    if (c.reason !== undefined) s.reason = c.reason;
    if (c.message !== undefined) s.message = c.message;
    return s;
  }
}

/** A stable fake image ID: "sha256:" and 64 hex digits derived from the name. */
export function imageRefOf(image: string): string {
  // FNV-1a over the name, widened to 64 hex digits: stable across runs, distinct enough for a lab.
  let h = 0x811c9dc5;
  for (let i = 0; i < image.length; i++) {
    h ^= image.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return `sha256:${h.toString(16).padStart(8, '0').repeat(8)}`;
}

/** The lines a fake container "wrote": generated from its record, so they cost no memory. */
function logLinesOf(c: Container): LogEntry[] {
  if (c.startedAt === undefined) return [];
  const m = c.sandbox.metadata;
  const lines: LogEntry[] = [];
  if (c.reason === 'StartError') {
    lines.push({ time: c.startedAt, stream: 'stderr', line: `fake: cannot start ${c.name}: ${c.message ?? ''}` });
    return lines;
  }
  lines.push({ time: c.startedAt, stream: 'stdout', line: `fake: starting container ${c.name} of pod ${m.namespace}/${m.name} (image ${c.image}, attempt ${c.attempt})` });
  lines.push({ time: c.startedAt, stream: 'stdout', line: `fake: ${c.name} is running` });
  if (c.state === 'exited' && c.finishedAt !== undefined) {
    lines.push({ time: c.finishedAt, stream: c.exitCode === 0 ? 'stdout' : 'stderr', line: `fake: ${c.name} exited with code ${c.exitCode}${c.reason && c.reason !== 'Completed' && c.reason !== 'Error' ? ` (${c.reason})` : ''}` });
  }
  return lines;
}
