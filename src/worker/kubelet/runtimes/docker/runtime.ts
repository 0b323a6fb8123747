/**
 * The docker runtime: ContainerRuntime over the Docker Engine API (dockerode), shaped as
 * dockershim was. A sandbox is a kubelab/pause container holding the pod's network and IPC
 * namespaces on the lab's bridge network with a fixed IP from the node's pod CIDR; app containers
 * join it. Everything is labelled with its pod, node and lab, and listing reads `docker ps` by
 * those labels, so a restarted kubelet adopts what runs instead of starting it again, and two
 * kubelets on one Docker host never touch each other's containers.
 */
import Docker from 'dockerode';
import { join } from 'node:path';
import { systemClock, type Clock } from '../../../../util/clock.js';
import { nullLogger, type Logger } from '../../../../util/log.js';
import { labImageRef } from '../../../images/recipes.js';
import {
  ImagePullError,
  NotFoundError,
  POD_UID_LABEL,
  type ContainerEvent,
  type ContainerFilter,
  type ContainerInfo,
  type ContainerRuntime,
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
import { containerFromInspect, containerFromPs, criState, ipOn, sandboxFromInspect, sandboxFromPs, type DockerState } from './convert.js';
import { containerCreateOptions, sandboxCreateOptions } from './create-options.js';
import { dockerMessage, followProgress, isDockerConflict, isDockerNotFound, isDockerNotModified } from './docker-api.js';
import { dockerContainerEvents, type EventsBackoff } from './events.js';
import { dockerExec } from './exec.js';
import { parseCidr } from '../ip-pool.js';
import { cidrContains, PodIpAllocator } from './ipam.js';
import { HOST_NETWORK_LABEL, ownedBy, ownerFilters, podRefOf, SANDBOX_ID_LABEL, sandboxName, TYPE_CONTAINER, TYPE_SANDBOX, type Owner } from './labels.js';
import { dockerLogs } from './logs.js';
import { bindsFor, removePodVolumes, type DockerContainerConfig } from './mounts.js';
import { ensureLabNetwork } from './network.js';

/** Options of the docker runtime. */
export interface DockerRuntimeOptions {
  /** The daemon (default: dockerode's default, DOCKER_HOST or /var/run/docker.sock). */
  docker?: Docker;
  /** The node this runtime serves; labels everything it creates. Required. */
  nodeName: string;
  /** The lab the node belongs to; labels everything it creates, for teardown (default "kubelab"). */
  lab?: string;
  /**
   * The lab's pod network, shared by the nodes on this daemon: name (default the lab's name) and
   * subnet, the cluster CIDR (default "10.244.0.0/16"). Created if missing.
   */
  network?: { name?: string; subnet?: string };
  /** The node's pod CIDR until updateRuntimeConfig gives one; must lie in the network's subnet. */
  podCIDR?: string;
  /** Where the runtime keeps its pod IP state and emptyDir volumes. Required. */
  stateDir: string;
  /** The sandbox image (default kubelab/pause at this tree's version; see ensureLabImages). */
  pauseImage?: string;
  /** Times of creation labels and backoff waits (default the system clock). */
  clock?: Clock;
  log?: Logger;
  /** Reconnect delays of the events stream. */
  eventsBackoff?: EventsBackoff;
}

const DEFAULT_SUBNET = '10.244.0.0/16';
/** How long the pause process gets to exit on SIGTERM before SIGKILL, s: it exits at once. */
const SANDBOX_STOP_SECONDS = 2;
/** How long status() waits for the daemon's answer, ms. */
const STATUS_TIMEOUT_MS = 5000;
/** Attempts at a sandbox address before giving up, when Docker says addresses are taken. */
const IP_ATTEMPTS = 8;

export class DockerRuntime implements ContainerRuntime {
  /** The daemon, for tests and tools that inspect what the runtime made. */
  readonly docker: Docker;
  /** Node and lab labels of everything this runtime makes. */
  readonly owner: Owner;
  /** The lab network's name and subnet. */
  readonly network: { name: string; subnet: string };
  private readonly stateDir: string;
  private readonly pauseImage: string;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly eventsBackoff: EventsBackoff | undefined;
  private readonly ips: PodIpAllocator;
  private podCIDR: string | undefined;
  private networkReady: Promise<void> | undefined;
  private ipsReconciled: Promise<void> | undefined;
  /** Aborted by close(): ends event streams and log follows. */
  private readonly closed = new AbortController();

  constructor(o: DockerRuntimeOptions) {
    if (!o.nodeName) throw new TypeError('DockerRuntime needs nodeName: it labels every container with its node');
    if (!o.stateDir) throw new TypeError('DockerRuntime needs stateDir: where pod IP state and emptyDir volumes live');
    this.docker = o.docker ?? new Docker();
    const lab = o.lab ?? 'kubelab';
    this.owner = { node: o.nodeName, lab };
    this.network = { name: o.network?.name ?? lab, subnet: o.network?.subnet ?? DEFAULT_SUBNET };
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(this.network.name)) throw new TypeError(`network name "${this.network.name}" is not a valid Docker network name`);
    parseCidr(this.network.subnet);
    this.stateDir = o.stateDir;
    this.pauseImage = o.pauseImage ?? labImageRef('pause');
    this.clock = o.clock ?? systemClock;
    this.log = o.log ?? nullLogger;
    this.eventsBackoff = o.eventsBackoff;
    this.ips = new PodIpAllocator(join(o.stateDir, 'pod-ips.json'));
    if (o.podCIDR) this.checkCidr(o.podCIDR);
    this.podCIDR = o.podCIDR;
  }

  // ---- RuntimeService

  async version(): Promise<RuntimeVersion> {
    try {
      const v = await this.docker.version();
      return { runtimeName: 'docker', runtimeVersion: v.Version, runtimeApiVersion: v.ApiVersion };
    } catch (err) {
      throw new Error(`Cannot get the Docker version: ${dockerMessage(err)}`, { cause: err });
    }
  }

  async status(): Promise<RuntimeCondition[]> {
    let runtime: RuntimeCondition = { type: 'RuntimeReady', status: true };
    let network: RuntimeCondition = { type: 'NetworkReady', status: true };
    try {
      // Bounded: a hung daemon must turn the node NotReady, not hang the status loop.
      const ping = this.docker.ping as unknown as (this: Docker, o: { abortSignal: AbortSignal }) => Promise<unknown>;
      await ping.call(this.docker, { abortSignal: AbortSignal.timeout(STATUS_TIMEOUT_MS) });
    } catch (err) {
      runtime = { type: 'RuntimeReady', status: false, reason: 'DockerDaemonNotReady', message: `docker: ${dockerMessage(err)}` };
    }
    if (!runtime.status) network = { type: 'NetworkReady', status: false, reason: 'DockerDaemonNotReady', message: 'docker: the daemon does not answer' };
    else if (!this.podCIDR) network = { type: 'NetworkReady', status: false, reason: 'NetworkPluginNotReady', message: 'docker: network plugin is not ready: the node has no pod CIDR yet' };
    else {
      try {
        await this.ensureNetwork();
      } catch (err) {
        network = { type: 'NetworkReady', status: false, reason: 'NetworkPluginNotReady', message: `docker: ${err instanceof Error ? err.message : String(err)}` };
      }
    }
    return [runtime, network];
  }

  async updateRuntimeConfig(config: RuntimeConfig): Promise<void> {
    if (!config.podCIDR || config.podCIDR === this.podCIDR) return;
    this.checkCidr(config.podCIDR);
    this.podCIDR = config.podCIDR;
    await this.ips.setRange(config.podCIDR);
    this.log.v(1).info('pod CIDR set', { podCIDR: config.podCIDR, network: this.network.name });
  }

  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    const m = config.metadata;
    const name = sandboxName(m);
    const what = `Cannot run the sandbox of pod "${m.namespace}/${m.name}"`;
    await this.ensureImage(this.pauseImage, what);
    if (config.hostNetwork) return this.createSandbox(config, undefined, what);
    if (!this.podCIDR) throw new Error(`${what}: the node has no pod CIDR yet`);
    await this.ensureNetwork();
    await this.reconcileIps();
    await this.ips.setRange(this.podCIDR);
    for (let attempt = 1; ; attempt++) {
      const ip = await this.ips.allocate(name);
      try {
        return await this.createSandbox(config, ip, what);
      } catch (err) {
        await this.ips.release(ip);
        // Another allocator (a stale state file, a foreign container) holds the address: skip it.
        if (/address already in use|is in use/i.test(dockerMessage(err)) && attempt < IP_ATTEMPTS) {
          await this.ips.markTaken(ip, 'docker');
          continue;
        }
        throw err;
      }
    }
  }

  async stopPodSandbox(id: string): Promise<void> {
    const sb = await this.inspectOwned(id, TYPE_SANDBOX);
    for (const c of await this.psContainers([`${SANDBOX_ID_LABEL}=${sb.Id}`])) {
      if (c.State !== 'running') continue;
      await this.docker
        .getContainer(c.Id)
        .kill()
        .catch((err: unknown) => {
          // Exited meanwhile (409) or removed (404): what stop wanted.
          if (!isDockerConflict(err) && !isDockerNotFound(err)) throw new Error(`Cannot stop sandbox "${id}": cannot kill container "${c.Id}": ${dockerMessage(err)}`, { cause: err });
        });
    }
    await this.stopDocker(sb.Id, SANDBOX_STOP_SECONDS);
    await this.releaseIp(sb);
  }

  async removePodSandbox(id: string): Promise<void> {
    let sb: Docker.ContainerInspectInfo;
    try {
      sb = await this.inspectOwned(id, TYPE_SANDBOX);
    } catch (err) {
      if (err instanceof NotFoundError) return;
      throw err;
    }
    for (const c of await this.psContainers([`${SANDBOX_ID_LABEL}=${sb.Id}`])) await this.removeDocker(c.Id);
    await this.removeDocker(sb.Id);
    await this.releaseIp(sb);
    // emptyDir belongs to the pod, not the sandbox: keep it while another sandbox of the pod exists.
    const uid = podRefOf(sb.Config.Labels ?? {}).uid;
    if ((await this.listPodSandboxes({ podUid: uid })).length === 0) await removePodVolumes(this.stateDir, uid);
  }

  async podSandboxStatus(id: string): Promise<PodSandbox> {
    return sandboxFromInspect(await this.inspectOwned(id, TYPE_SANDBOX), this.network.name);
  }

  async listPodSandboxes(filter: PodSandboxFilter = {}): Promise<PodSandbox[]> {
    const list = await this.ps(TYPE_SANDBOX, filter.podUid !== undefined ? [`${POD_UID_LABEL}=${filter.podUid}`] : [], filter.id);
    return list
      .map((c) => sandboxFromPs(c, this.network.name))
      .filter((sb) => (filter.id === undefined || sb.id === filter.id) && (filter.state === undefined || sb.state === filter.state));
  }

  async createContainer(sandboxId: string, config: DockerContainerConfig, _sandboxConfig: PodSandboxConfig): Promise<string> {
    const sb = await this.inspectOwned(sandboxId, TYPE_SANDBOX);
    const what = `Cannot create container "${config.metadata.name}" in sandbox "${sandboxId}"`;
    if (!sb.State.Running) throw new Error(`${what}: the sandbox is not ready`);
    const pod = podRefOf(sb.Config.Labels ?? {});
    const binds = await bindsFor(config.mounts ?? [], this.stateDir, pod.uid);
    const options = containerCreateOptions(config, { sandboxId: sb.Id, pod, owner: this.owner, binds, createdAt: this.clock.now() });
    const id = await this.createDocker(options, what);
    this.log.v(2).info('created container', { pod: `${pod.namespace}/${pod.name}`, container: config.metadata.name, id: id.slice(0, 12) });
    return id;
  }

  async startContainer(id: string): Promise<void> {
    await this.inspectOwned(id, TYPE_CONTAINER);
    try {
      await this.docker.getContainer(id).start();
    } catch (err) {
      if (isDockerNotModified(err)) return;
      if (isDockerNotFound(err)) throw new NotFoundError('container', id);
      // The container stays behind with State.Error: containerStatus reports it as a StartError.
      throw new Error(`Cannot start container "${id}": ${dockerMessage(err)}`, { cause: err });
    }
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    if (!(timeoutSeconds >= 0)) throw new RangeError(`stop timeout must be >= 0 seconds, not ${timeoutSeconds}`);
    await this.inspectOwned(id, TYPE_CONTAINER);
    await this.stopDocker(id, timeoutSeconds);
  }

  async removeContainer(id: string): Promise<void> {
    try {
      await this.inspectOwned(id, TYPE_CONTAINER);
    } catch (err) {
      if (err instanceof NotFoundError) return;
      throw err;
    }
    await this.removeDocker(id);
  }

  async listContainers(filter: ContainerFilter = {}): Promise<ContainerInfo[]> {
    const extra: string[] = [];
    if (filter.sandboxId !== undefined) extra.push(`${SANDBOX_ID_LABEL}=${filter.sandboxId}`);
    if (filter.podUid !== undefined) extra.push(`${POD_UID_LABEL}=${filter.podUid}`);
    const out: ContainerInfo[] = [];
    for (const c of await this.ps(TYPE_CONTAINER, extra, filter.id)) {
      if (filter.id !== undefined && c.Id !== filter.id) continue;
      let state = criState({ Status: c.State });
      if (c.State === 'created') {
        // ps cannot tell a container not started yet from one whose start failed.
        state = await this.docker
          .getContainer(c.Id)
          .inspect()
          .then((i) => criState(i.State as DockerState))
          .catch(() => state);
      }
      if (filter.state !== undefined && state !== filter.state) continue;
      out.push(containerFromPs(c, state));
    }
    return out;
  }

  async containerStatus(id: string): Promise<ContainerStatusInfo> {
    return containerFromInspect(await this.inspectOwned(id, TYPE_CONTAINER));
  }

  events(signal: AbortSignal): AsyncIterable<ContainerEvent> {
    // The start time is taken now, not at the first next(): events right after the call count.
    return dockerContainerEvents(this.docker, this.owner, {
      signal: AbortSignal.any([signal, this.closed.signal]),
      clock: this.clock,
      log: this.log.child('events'),
      sinceMs: Date.now(),
      ...(this.eventsBackoff ? { backoff: this.eventsBackoff } : {}),
    });
  }

  async execSync(id: string, cmd: string[], o: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<ExecResult> {
    const c = await this.inspectOwned(id, TYPE_CONTAINER);
    if (!c.State.Running) throw new Error(`Cannot exec ${JSON.stringify(cmd)} in container "${id}": it is ${criState(c.State as DockerState)}, not running`);
    return dockerExec(this.docker, this.docker.getContainer(id), cmd, { ...o, signal: AbortSignal.any([o.signal ?? new AbortController().signal, this.closed.signal]) });
  }

  async *containerLogs(id: string, o: LogOptions = {}): AsyncIterable<LogEntry> {
    await this.inspectOwned(id, TYPE_CONTAINER);
    yield* dockerLogs(this.docker.getContainer(id), { ...o, signal: AbortSignal.any([o.signal ?? new AbortController().signal, this.closed.signal]) });
  }

  async close(): Promise<void> {
    // Containers keep running; only the streams this object opened end.
    this.closed.abort();
  }

  // ---- ImageService

  async imageStatus(image: string): Promise<ImageInfo | undefined> {
    try {
      const info = await this.docker.getImage(image).inspect();
      return { ref: info.Id, sizeBytes: info.Size };
    } catch (err) {
      if (isDockerNotFound(err)) return undefined;
      throw new Error(`Cannot inspect image "${image}": ${dockerMessage(err)}`, { cause: err });
    }
  }

  async pullImage(image: string, o: { signal?: AbortSignal } = {}): Promise<string> {
    try {
      const pull = this.docker.pull as unknown as (this: Docker, ref: string, o: object) => Promise<NodeJS.ReadableStream>;
      await followProgress(this.docker, await pull.call(this.docker, image, o.signal ? { abortSignal: o.signal } : {}));
    } catch (err) {
      throw new ImagePullError(image, dockerMessage(err), { cause: err });
    }
    const info = await this.imageStatus(image);
    if (!info) throw new ImagePullError(image, `pulled "${image}" but the daemon does not show it`);
    return info.ref;
  }

  // ---- internals

  private checkCidr(cidr: string): void {
    if (!cidrContains(this.network.subnet, cidr)) throw new RangeError(`pod CIDR "${cidr}" is not inside the subnet "${this.network.subnet}" of network "${this.network.name}"`);
  }

  private ensureNetwork(): Promise<void> {
    // Once per runtime; a failure is retried on the next call.
    this.networkReady ??= ensureLabNetwork(this.docker, { name: this.network.name, subnet: this.network.subnet, lab: this.owner.lab }).then(
      () => undefined,
      (err: unknown) => {
        this.networkReady = undefined;
        throw err;
      },
    );
    return this.networkReady;
  }

  private reconcileIps(): Promise<void> {
    // Once per runtime: after that, this object is the only allocator of the node's range.
    this.ipsReconciled ??= (async () => {
      const live = new Map<string, string>();
      for (const c of await this.ps(TYPE_SANDBOX, [])) {
        const ip = c.State === 'running' && c.Labels?.[HOST_NETWORK_LABEL] !== 'true' ? ipOn(c.NetworkSettings?.Networks as Record<string, { IPAddress?: string }>, this.network.name) : undefined;
        if (ip) live.set(ip, c.Names?.[0]?.replace(/^\//, '') ?? c.Id);
      }
      await this.ips.reconcile(live);
    })().catch((err: unknown) => {
      this.ipsReconciled = undefined;
      throw err;
    });
    return this.ipsReconciled;
  }

  private async releaseIp(sb: Docker.ContainerInspectInfo): Promise<void> {
    const ip = ipOn(sb.NetworkSettings?.Networks as Record<string, { IPAddress?: string }>, this.network.name);
    if (ip) await this.ips.release(ip);
    // A sandbox whose pause process died shows no address any more; its name still finds it.
    await this.ips.releaseOwner(sb.Name.replace(/^\//, ''));
  }

  private async ensureImage(image: string, what: string): Promise<void> {
    if (await this.imageStatus(image)) return;
    try {
      await this.pullImage(image);
    } catch (err) {
      throw new Error(`${what}: image "${image}" is missing and cannot be pulled (build it with ensureLabImages): ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }

  private async createSandbox(config: PodSandboxConfig, ip: string | undefined, what: string): Promise<string> {
    const options = sandboxCreateOptions(config, { image: this.pauseImage, owner: this.owner, network: this.network.name, ...(ip ? { ip } : {}), createdAt: this.clock.now() });
    const id = await this.createDocker(options, what);
    try {
      await this.docker.getContainer(id).start();
    } catch (err) {
      await this.removeDocker(id).catch(() => undefined);
      throw new Error(`${what}: ${dockerMessage(err)}`, { cause: err });
    }
    this.log.v(2).info('sandbox running', { pod: `${config.metadata.namespace}/${config.metadata.name}`, id: id.slice(0, 12), ip: ip ?? 'host' });
    return id;
  }

  /**
   * Creates a container; a leftover of the same name (a kubelet that crashed between create and
   * recording it) that is ours and not running is removed first, as dockershim did.
   */
  private async createDocker(options: Docker.ContainerCreateOptions, what: string): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      try {
        return (await this.docker.createContainer(options)).id;
      } catch (err) {
        if (!isDockerConflict(err) || attempt > 0 || !options.name) throw new Error(`${what}: ${dockerMessage(err)}`, { cause: err });
        const old = await this.docker
          .getContainer(options.name)
          .inspect()
          .catch(() => undefined);
        const mine = old && (ownedBy(old.Config.Labels, this.owner, TYPE_SANDBOX) || ownedBy(old.Config.Labels, this.owner, TYPE_CONTAINER));
        if (!old || !mine || old.State.Running) throw new Error(`${what}: ${dockerMessage(err)}`, { cause: err });
        this.log.v(1).info('removing a leftover container of the same name', { name: options.name, id: old.Id.slice(0, 12) });
        await this.removeDocker(old.Id);
      }
    }
  }

  private async stopDocker(id: string, timeoutSeconds: number): Promise<void> {
    try {
      await this.docker.getContainer(id).stop({ t: Math.ceil(timeoutSeconds) });
    } catch (err) {
      if (isDockerNotModified(err)) return;
      if (isDockerNotFound(err)) throw new NotFoundError('container', id);
      throw new Error(`Cannot stop container "${id}": ${dockerMessage(err)}`, { cause: err });
    }
  }

  private async removeDocker(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).remove({ force: true, v: true });
    } catch (err) {
      // Gone already, or Docker is already removing it: either way it is going.
      if (isDockerNotFound(err) || (isDockerConflict(err) && /already in progress/.test(dockerMessage(err)))) return;
      throw new Error(`Cannot remove container "${id}": ${dockerMessage(err)}`, { cause: err });
    }
  }

  /** inspect, with NotFoundError for unknown IDs and for containers of other nodes, labs or types. */
  private async inspectOwned(id: string, type: typeof TYPE_SANDBOX | typeof TYPE_CONTAINER): Promise<Docker.ContainerInspectInfo> {
    const kind = type === TYPE_SANDBOX ? 'sandbox' : 'container';
    if (!id) throw new NotFoundError(kind, id);
    let info: Docker.ContainerInspectInfo;
    try {
      info = await this.docker.getContainer(id).inspect();
    } catch (err) {
      if (isDockerNotFound(err)) throw new NotFoundError(kind, id);
      throw new Error(`Cannot inspect ${kind} "${id}": ${dockerMessage(err)}`, { cause: err });
    }
    if (!ownedBy(info.Config.Labels, this.owner, type)) throw new NotFoundError(kind, id);
    return info;
  }

  private async ps(type: typeof TYPE_SANDBOX | typeof TYPE_CONTAINER, extra: string[], id?: string): Promise<Docker.ContainerInfo[]> {
    const filters: Record<string, string[]> = { label: ownerFilters(this.owner, type, extra) };
    if (id !== undefined) filters.id = [id];
    try {
      return await this.docker.listContainers({ all: true, filters: JSON.stringify(filters) } as Docker.ContainerListOptions);
    } catch (err) {
      throw new Error(`Cannot list ${type === TYPE_SANDBOX ? 'sandboxes' : 'containers'}: ${dockerMessage(err)}`, { cause: err });
    }
  }

  private psContainers(extra: string[]): Promise<Docker.ContainerInfo[]> {
    return this.ps(TYPE_CONTAINER, extra);
  }
}
