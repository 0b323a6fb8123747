/**
 * The pods of one node: the kubelet's syncPod / syncTerminatingPod / syncTerminatedPod on top of
 * a ContainerRuntime, one worker per pod (PodWorkers), status written by a StatusManager.
 *
 * A sync reads what the runtime has for the pod, then:
 * - pod gone from the API (deleted, forced, or unknown after a restart): stop its containers
 *   with the grace period and remove them and its sandboxes;
 * - pod being deleted: stop its containers with the pod's grace period (SIGTERM, then SIGKILL in
 *   real runtimes), stop the sandbox, report the final status, then finish the delete with
 *   gracePeriodSeconds=0 and a uid precondition, as the kubelet's status manager does;
 * - pod finished (Succeeded/Failed): stop its sandbox, keep its containers for their logs;
 * - otherwise: computePodActions, with crash-loop and image-pull back-off, then one status write
 *   if anything the API shows changed. A pod that starts quickly therefore costs one write.
 *   Containers whose spec changed (`kubectl set image`) and containers that failed a liveness or
 *   startup probe are killed and restarted; a pod past its activeDeadlineSeconds is killed and
 *   Failed (DeadlineExceeded).
 *
 * Events about a container (Pulling, Pulled, Created, Started, Killing, BackOff, Failed) name it
 * by fieldPath, "spec.containers{web}" or "spec.initContainers{init}", as the kubelet's do.
 *
 * Probes (prober/) plug in through PodProbes: they learn of pods and of each status computed,
 * answer readiness and liveness per container, and ask for a resync when a result changes.
 * Environment references to ConfigMaps are read through the client when a container is created.
 *
 * Container exits arrive as runtime events and resync the pod at once. Restart-safe: a syncer
 * started on a runtime that already runs containers adopts them (nothing is restarted and
 * nothing is written when the API already shows their state; the spec hash each container was
 * created with survives in the runtime, so only a spec changed meanwhile restarts one) and
 * removes those of pods that no longer exist.
 */
import type { ConfigMap, Container, Pod, PodStatus, Quantity } from '../../api/types.js';
import { isConflict, isNotFound } from '../../client/errors.js';
import type { Client } from '../../client/rest.js';
import type { Clock } from '../../util/clock.js';
import type { Logger } from '../../util/log.js';
import { activeDeadlineRemainingMs, DEADLINE_EXCEEDED } from './active-deadline.js';
import { formatGoDuration, type RestartBackoff } from './backoff.js';
import { ContainerConfigError, containerConfigOf, containerFieldPath, sandboxConfigOf } from './container-config.js';
import { configMapNamesOf } from './env.js';
import type { KubeletMetrics } from './metrics.js';
import { computePodActions, newestSandbox, staleContainers, type KillAction } from './pod-actions.js';
import { PodWorkers } from './pod-workers.js';
import { ImagePullError, isRuntimeNotFound, type ContainerRuntime, type ContainerStatusInfo, type PodSandbox, type PodSandboxConfig } from './runtime.js';
import { generatePodStatus, isTerminalPhase, type ContainerWaiting, type PodEviction, type ProbeStatus } from './status/pod-status.js';
import { StatusManager } from './status/status-manager.js';

/** Kubernetes never gives a container less than this to stop (kuberuntime's minimumGracePeriodInSeconds). */
export const MINIMUM_GRACE_PERIOD_SECONDS = 2;

export interface PodSyncerOptions {
  nodeName: string;
  /** The node's IPs, primary first: pods' hostIPs, and podIPs of host-network pods. */
  hostIPs: readonly string[];
  runtime: ContainerRuntime;
  client: Client;
  clock: Clock;
  log: Logger;
  metrics: KubeletMetrics;
  /** Crash-loop back-off; may be shared between nodes (keys carry the pod uid). */
  restartBackoff: RestartBackoff;
  /** Image-pull back-off; may be shared too. */
  imageBackoff: RestartBackoff;
  /** The prober (readiness, liveness, startup); without one a running container is ready. */
  probes?: PodProbes;
  /** The node's allocatable resources: what an unset limit means for env resourceFieldRefs. */
  nodeAllocatable?: Readonly<Record<string, Quantity>>;
  /** Where runtimes that write log files keep pod logs (the sandbox's logDirectory). */
  podLogsDir?: string;
  /** Where to report what happened to pods (Events); none for hollow nodes, whose writes are counted. */
  events?: PodEventSink;
}

/** Where the syncer reports what it did to a pod, as the kubelet's Events (Pulling, Created, Started, Killing, BackOff ...). */
export interface PodEventSink {
  /**
   * Records one event about pod; must not throw or block. fieldPath names the container it is
   * about ("spec.containers{web}", the involvedObject's fieldPath: kubectl's SUBOBJECT column);
   * absent for events about the whole pod.
   */
  event(pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string, fieldPath?: string): void;
}

/**
 * The prober as the syncer sees it: probe results (ProbeStatus), and the pod lifecycle it needs
 * to run its workers. Every hook must be cheap and must not throw.
 */
export interface PodProbes extends ProbeStatus {
  /** A pod bound to the node was added or changed (its workers see deletion through it). */
  addPod?(pod: Pod): void;
  /** The pod is gone or finished: stop its workers and drop its results. */
  removePod?(uid: string): void;
  /** The status just computed for pod: workers read container IDs and states from it. */
  statusComputed?(pod: Pod, status: PodStatus): void;
}

/** What the runtime has for one pod. */
export interface RuntimePod {
  sandboxes: PodSandbox[];
  containers: ContainerStatusInfo[];
}

/** The grace period to stop a pod's containers with (killContainer's choice), at least 2 s. */
export function gracePeriodOf(pod: Pod | undefined): number {
  const g = pod?.metadata.deletionGracePeriodSeconds ?? pod?.spec.terminationGracePeriodSeconds ?? MINIMUM_GRACE_PERIOD_SECONDS;
  return Math.max(MINIMUM_GRACE_PERIOD_SECONDS, g);
}

/**
 * The grace period to kill a container that failed a probe with (setTerminationGracePeriod): the
 * pod's deletion grace period if it is being deleted, else the probe's
 * terminationGracePeriodSeconds, else the pod's; at least 2 s. A container killed because its
 * spec changed ("changed") gets the pod's.
 */
export function probeKillGracePeriod(pod: Pod, c: Container, reason: KillAction['reason']): number {
  const probe = reason === 'liveness' ? c.livenessProbe : reason === 'startup' ? c.startupProbe : undefined;
  const g = pod.metadata.deletionGracePeriodSeconds ?? probe?.terminationGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? MINIMUM_GRACE_PERIOD_SECONDS;
  return Math.max(MINIMUM_GRACE_PERIOD_SECONDS, g);
}

/** Kubernetes' CrashLoopBackOff message (format.Pod is name_namespace(uid)). */
export function crashLoopMessage(backoffMs: number, container: string, pod: Pod): string {
  return `back-off ${formatGoDuration(backoffMs)} restarting failed container=${container} pod=${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
}

type ImageResult = { image: string } | { waiting: ContainerWaiting; retryMs: number };

export class PodSyncer {
  /** Pods bound to this node, by uid, as the informer last showed them (shared objects: never changed). */
  private readonly pods = new Map<string, Pod>();
  /** Pods that left the API, kept until their containers are gone (for the grace period). */
  private readonly gone = new Map<string, Pod>();
  /** When each pod was first seen (monotonic), until it first runs: pod start latency. */
  private readonly firstSeen = new Map<string, number>();
  /** Pods with a ready sandbox. */
  private readonly running = new Set<string>();
  /** Pods whose status was written before a slow image pull. */
  private readonly interim = new Set<string>();
  /** Exited containers whose exit has been shown (terminated) before their CrashLoopBackOff, by pod uid. */
  private readonly exitsShown = new Map<string, Set<string>>();
  private readonly workers: PodWorkers;
  private readonly statusManager: StatusManager;
  private readonly removeGauge: () => void;
  private runtimeName = '';
  private readonly ac = new AbortController();
  private events: Promise<void> | undefined;
  private started = false;

  constructor(private readonly o: PodSyncerOptions) {
    this.workers = new PodWorkers({ sync: (uid, signal) => this.sync(uid, signal), clock: o.clock, log: o.log });
    this.statusManager = new StatusManager({ pods: o.client.resource<Pod>('Pod'), log: o.log, onWrite: () => o.metrics.podStatusWrites.inc() });
    this.removeGauge = o.metrics.addRunningPodsSource(() => this.running.size);
  }

  /**
   * Starts syncing: learns the runtime's name, listens for container exits, and adopts what the
   * runtime already has. Call it once the pods bound to the node are known (informer synced).
   */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.runtimeName = (await this.o.runtime.version()).runtimeName;
    this.events = this.watchEvents(this.ac.signal);
    await this.resyncAll();
  }

  /** The pod was added or changed in the API. */
  podUpdated(pod: Pod): void {
    const uid = pod.metadata.uid;
    if (!uid || pod.spec.nodeName !== this.o.nodeName) return;
    const known = this.pods.has(uid);
    this.pods.set(uid, pod);
    if (!known && !isTerminalPhase(pod.status?.phase) && pod.status?.phase !== 'Running') this.firstSeen.set(uid, this.o.clock.monotonic());
    if (!isTerminalPhase(pod.status?.phase)) this.o.probes?.addPod?.(pod);
    // The echo of our own status write needs no sync: it shows what the last sync decided.
    if (this.statusManager.observe(pod) && known) return;
    if (this.started) this.workers.enqueue(uid);
  }

  /** The pod left the API (deleted, or force-deleted). */
  podDeleted(pod: Pod): void {
    const uid = pod.metadata.uid;
    if (!uid) return;
    this.pods.delete(uid);
    this.gone.set(uid, pod);
    if (this.started) this.workers.enqueue(uid);
  }

  /** Syncs pod uid soon: a prober saw its readiness change, or a liveness failure killed a container. */
  requestSync(uid: string): void {
    if (this.started) this.workers.enqueue(uid);
  }

  /** Syncs every known pod, and every pod the runtime has that the API no longer does. */
  async resyncAll(): Promise<void> {
    if (!this.started || this.workers.isPaused()) return;
    for (const uid of this.pods.keys()) this.workers.enqueue(uid);
    const sandboxes = await this.o.runtime.listPodSandboxes();
    for (const sb of sandboxes) if (!this.pods.has(sb.metadata.uid)) this.workers.enqueue(sb.metadata.uid);
  }

  /** Stops touching pods (a node that vanished): no syncs, no writes, until resume(). */
  pause(): void {
    this.workers.pause();
  }

  /** Touches pods again after pause(), starting with a full resync. */
  async resume(): Promise<void> {
    this.workers.resume();
    await this.resyncAll();
  }

  isPaused(): boolean {
    return this.workers.isPaused();
  }

  /** Pods with a ready sandbox. */
  get runningPods(): number {
    return this.running.size;
  }

  /** Pods bound to this node that the API has. */
  get podCount(): number {
    return this.pods.size;
  }

  /** The pod with this uid, as the syncer knows it. */
  pod(uid: string): Pod | undefined {
    return this.pods.get(uid);
  }

  /** The freshest status of pod the kubelet knows: its last write, or what the API shows. */
  latestStatus(pod: Pod): PodStatus | undefined {
    return this.statusManager.latestStatus(pod);
  }

  /** Resolves when no sync is running. */
  idle(): Promise<void> {
    return this.workers.idle();
  }

  /** Stops syncing (containers keep running: a restarted kubelet adopts them). */
  async close(): Promise<void> {
    this.ac.abort();
    await this.workers.close();
    await this.events;
    this.removeGauge();
  }

  private async watchEvents(signal: AbortSignal): Promise<void> {
    try {
      for await (const e of this.o.runtime.events(signal)) {
        if (e.type === 'stopped') this.workers.enqueue(e.pod.uid);
      }
    } catch (err) {
      if (!signal.aborted) this.o.log.error('the runtime event stream failed; relying on periodic resyncs', err);
    }
  }

  /** What the runtime has for pod uid. */
  async runtimePod(uid: string): Promise<RuntimePod> {
    const rt = this.o.runtime;
    const [sandboxes, infos] = await Promise.all([rt.listPodSandboxes({ podUid: uid }), rt.listContainers({ podUid: uid })]);
    const statuses = await Promise.all(
      infos.map((c) =>
        rt.containerStatus(c.id).catch((err: unknown) => {
          if (isRuntimeNotFound(err)) return undefined; // removed in between
          throw err;
        }),
      ),
    );
    return { sandboxes, containers: statuses.filter((s): s is ContainerStatusInfo => s !== undefined) };
  }

  private async sync(uid: string, signal: AbortSignal): Promise<number | void> {
    const pod = this.pods.get(uid);
    const rt = await this.runtimePod(uid);
    if (!pod) {
      await this.killPod(rt, gracePeriodOf(this.gone.get(uid)));
      await this.removeAll(rt);
      this.forget(uid);
      return;
    }
    if (pod.metadata.deletionTimestamp) return this.terminate(pod, rt, signal);
    if (isTerminalPhase(pod.status?.phase)) {
      // Finished: nothing runs again, so the sandbox (and its IP) is released; containers stay for logs.
      this.o.probes?.removePod?.(uid);
      await this.killPod(rt, gracePeriodOf(pod));
      this.running.delete(uid);
      return;
    }
    return this.reconcile(pod, rt, signal);
  }

  private async reconcile(pod: Pod, rt: RuntimePod, signal: AbortSignal): Promise<number | void> {
    const uid = pod.metadata.uid!;
    const runtime = this.o.runtime;
    const deadline = activeDeadlineRemainingMs(pod, this.statusManager.latestStatus(pod), this.o.clock.now());
    if (deadline !== undefined && deadline <= 0) return this.evict(pod, rt, DEADLINE_EXCEEDED, signal);
    const actions = computePodActions(pod, rt.sandboxes, rt.containers, this.o.probes);
    const waiting = new Map<string, ContainerWaiting>();
    let requeue: number | undefined;
    const retryIn = (ms: number) => (requeue = requeue === undefined ? ms : Math.min(requeue, ms));

    for (const id of actions.remove) await runtime.removeContainer(id);
    for (const k of actions.kill) {
      this.event(pod, 'Normal', 'Killing', k.message, k.container.name);
      await runtime.stopContainer(k.id, probeKillGracePeriod(pod, k.container, k.reason)).catch(ignoreNotFound);
    }
    if (actions.killPod) await this.killPod(rt, gracePeriodOf(pod));
    let sandboxId = actions.sandboxId;
    const sandboxConfig = sandboxConfigOf(pod, actions.createSandbox ? actions.sandboxAttempt : (newestSandbox(rt.sandboxes)?.metadata.attempt ?? 0), this.o.podLogsDir);
    if (actions.createSandbox) sandboxId = await runtime.runPodSandbox(sandboxConfig);
    const sandbox = sandboxId ? await runtime.podSandboxStatus(sandboxId) : undefined;
    const podIPs = pod.spec.hostNetwork ? [...this.o.hostIPs] : (sandbox?.ips ?? []);

    for (const s of actions.start) {
      if (signal.aborted || !sandboxId) break;
      const name = s.container.name;
      const key = `${uid}/${name}`;
      if (s.previous) {
        const finished = s.previous.finishedAt ?? this.o.clock.now();
        if (this.o.restartBackoff.isInBackOffSince(key, finished)) {
          // The exit is shown first (terminated: Error or Completed), then the back-off, as the
          // kubelet's status of a sync precedes the SyncPod that finds the back-off.
          const shown = this.exitsShown.get(uid) ?? new Set<string>();
          if (!shown.has(s.previous.id)) {
            shown.add(s.previous.id);
            this.exitsShown.set(uid, shown);
            retryIn(0);
            if (s.init) break;
            continue;
          }
          waiting.set(name, { reason: 'CrashLoopBackOff', message: crashLoopMessage(this.o.restartBackoff.get(key), name, pod) });
          this.event(pod, 'Warning', 'BackOff', `Back-off restarting failed container ${name} in pod ${pod.metadata.name}_${pod.metadata.namespace}(${uid})`, name);
          retryIn(this.o.restartBackoff.remaining(key, finished));
          if (s.init) break;
          continue;
        }
        this.o.restartBackoff.next(key, finished);
      }
      const image = await this.ensureImage(pod, s.container, rt, signal);
      if ('waiting' in image) {
        waiting.set(name, image.waiting);
        retryIn(image.retryMs);
        if (s.init) break;
        continue;
      }
      let config;
      try {
        const configMaps = await this.configMapsFor(pod, s.container, signal);
        config = containerConfigOf(pod, s.container, s.attempt, image.image, {
          podIPs,
          hostIPs: this.o.hostIPs,
          configMaps,
          ...(this.o.nodeAllocatable ? { nodeAllocatable: this.o.nodeAllocatable } : {}),
        });
      } catch (err) {
        if (!(err instanceof ContainerConfigError)) throw err;
        waiting.set(name, { reason: 'CreateContainerConfigError', message: err.message });
        this.event(pod, 'Warning', 'Failed', `Error: ${err.message}`, name);
        retryIn(this.o.restartBackoff.policy.initialMs);
        if (s.init) break;
        continue;
      }
      const started = await this.startContainer(pod, sandboxId, config, sandboxConfig, name, waiting);
      if (started === undefined) retryIn(this.o.restartBackoff.policy.initialMs);
      else if (s.attempt > 0) this.o.metrics.containerRestarts.inc();
      // Init containers run one at a time: the next one starts when this one has completed.
      if (s.init) break;
    }

    if (signal.aborted) return;
    const acted = actions.remove.length > 0 || actions.kill.length > 0 || actions.killPod || actions.createSandbox || actions.start.length > 0;
    let after = acted ? await this.runtimePod(uid) : rt;
    // A container started again in this sync makes an older exit stale (only the newest exit is
    // kept once its successor runs): removed now rather than at the next sync.
    if (actions.start.length > 0) {
      const stale = staleContainers(pod, after.containers);
      if (stale.length > 0) {
        for (const id of stale) await runtime.removeContainer(id).catch(ignoreNotFound);
        after = await this.runtimePod(uid);
      }
    }
    const status = this.statusOf(pod, after, waiting);
    await this.statusManager.set(pod, status, signal);
    // The pod's deadline counts from the startTime just computed: come back when it passes.
    const left = activeDeadlineRemainingMs(pod, status, this.o.clock.now());
    if (left !== undefined && !isTerminalPhase(status.phase)) retryIn(Math.max(0, left));
    const sb = newestSandbox(after.sandboxes);
    if (sb?.state === 'ready') this.running.add(uid);
    else this.running.delete(uid);
    const seen = this.firstSeen.get(uid);
    if (seen !== undefined && status.phase === 'Running') {
      this.o.metrics.podStartDuration.observe((this.o.clock.monotonic() - seen) / 1000);
      this.firstSeen.delete(uid);
    }
    if (isTerminalPhase(status.phase)) {
      // Every container has finished for good: release the sandbox now that the status says so.
      await this.killPod(after, gracePeriodOf(pod));
      this.running.delete(uid);
      this.firstSeen.delete(uid);
    }
    return requeue;
  }

  /**
   * Ends a pod the kubelet decided to stop (pod sync handlers' ShouldEvict: the active deadline):
   * an event, its containers killed with the pod's grace period, then phase Failed with the reason.
   */
  private async evict(pod: Pod, rt: RuntimePod, eviction: PodEviction, signal: AbortSignal): Promise<void> {
    const uid = pod.metadata.uid!;
    this.event(pod, 'Normal', eviction.reason, eviction.message);
    this.o.probes?.removePod?.(uid);
    await this.killPod(rt, gracePeriodOf(pod), pod);
    this.running.delete(uid);
    this.firstSeen.delete(uid);
    if (signal.aborted) return;
    const after = await this.runtimePod(uid);
    await this.statusManager.set(pod, this.statusOf(pod, after, new Map(), true, eviction), signal);
  }

  /**
   * The ConfigMaps the container's environment refers to, read from the API (missing ones map to
   * undefined). A read that fails for another reason is the container's config error, as the
   * kubelet's configmap manager reports it.
   */
  private async configMapsFor(pod: Pod, c: Container, signal: AbortSignal): Promise<Map<string, ConfigMap | undefined>> {
    const out = new Map<string, ConfigMap | undefined>();
    const ns = pod.metadata.namespace ?? '';
    for (const name of configMapNamesOf(c)) {
      try {
        out.set(name, await this.o.client.resource<ConfigMap>('ConfigMap').get(ns, name, { signal }));
      } catch (err) {
        if (isNotFound(err)) out.set(name, undefined);
        else if (signal.aborted) throw err;
        else throw new ContainerConfigError(`couldn't get configMap ${ns}/${name}: ${(err as Error).message}`, { cause: err });
      }
    }
    return out;
  }

  /** Creates and starts one container; resolves with its ID, or undefined when it could not (reason in waiting). */
  private async startContainer(pod: Pod, sandboxId: string, config: ReturnType<typeof containerConfigOf>, sandboxConfig: PodSandboxConfig, name: string, waiting: Map<string, ContainerWaiting>): Promise<string | undefined> {
    let id: string;
    try {
      id = await this.o.runtime.createContainer(sandboxId, config, sandboxConfig);
    } catch (err) {
      waiting.set(name, { reason: 'CreateContainerError', message: (err as Error).message });
      this.event(pod, 'Warning', 'Failed', `Error: ${(err as Error).message}`, name);
      return undefined;
    }
    this.event(pod, 'Normal', 'Created', `Created container ${name}`, name);
    try {
      await this.o.runtime.startContainer(id);
      this.event(pod, 'Normal', 'Started', `Started container ${name}`, name);
    } catch (err) {
      // The runtime leaves it exited (StartError): restartPolicy and back-off take it from here.
      this.o.log.v(2).info('container failed to start', { container: name, err: (err as Error).message });
      this.event(pod, 'Warning', 'Failed', `Error: ${(err as Error).message}`, name);
    }
    return id;
  }

  /** Records an event about pod, or about its container of that name (with its fieldPath). */
  private event(pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string, container?: string): void {
    const fieldPath = container === undefined ? undefined : containerFieldPath(pod, container);
    this.o.events?.event(pod, type, reason, message, fieldPath);
  }

  /**
   * Makes sure the container's image is there per imagePullPolicy (Kubernetes' imageManager):
   * Never needs it present; IfNotPresent pulls when absent; Always pulls. A failed pull is
   * ErrImagePull, and tries within its back-off are ImagePullBackOff.
   */
  private async ensureImage(pod: Pod, c: Container, rt: RuntimePod, signal: AbortSignal): Promise<ImageResult> {
    const image = c.image ?? '';
    const policy = c.imagePullPolicy ?? 'IfNotPresent';
    const present = await this.o.runtime.imageStatus(image);
    if (present && policy !== 'Always') {
      this.event(pod, 'Normal', 'Pulled', `Container image "${image}" already present on machine`, c.name);
      return { image };
    }
    if (!present && policy === 'Never') {
      this.event(pod, 'Warning', 'ErrImageNeverPull', `Container image "${image}" is not present with pull policy of Never`, c.name);
      return { waiting: { reason: 'ErrImageNeverPull', message: `Container image "${image}" is not present with pull policy of Never` }, retryMs: this.o.imageBackoff.policy.initialMs };
    }
    const key = `${pod.metadata.uid}/${image}`;
    const now = this.o.clock.now();
    if (this.o.imageBackoff.isInBackOffSinceUpdate(key, now)) {
      this.event(pod, 'Normal', 'BackOff', `Back-off pulling image "${image}"`, c.name);
      this.event(pod, 'Warning', 'Failed', 'Error: ImagePullBackOff', c.name);
      return { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` }, retryMs: this.o.imageBackoff.remainingSinceUpdate(key) };
    }
    if (!present) await this.writeInterimStatus(pod, rt, signal);
    this.event(pod, 'Normal', 'Pulling', `Pulling image "${image}"`, c.name);
    const started = this.o.clock.monotonic();
    try {
      await this.o.runtime.pullImage(image, { signal });
      this.o.imageBackoff.reset(key);
      this.event(pod, 'Normal', 'Pulled', `Successfully pulled image "${image}" in ${formatGoDuration(Math.round(this.o.clock.monotonic() - started))}`, c.name);
      return { image };
    } catch (err) {
      if (signal.aborted) throw err;
      this.o.imageBackoff.next(key, now);
      const message = err instanceof ImagePullError ? err.message : `failed to pull image "${image}": ${(err as Error).message}`;
      this.event(pod, 'Warning', 'Failed', `Failed to pull image "${image}": ${message}`, c.name);
      this.event(pod, 'Warning', 'Failed', 'Error: ErrImagePull', c.name);
      // Synced again halfway through the back-off, as the kubelet's pod worker resyncs a failed pod
      // before its image back-off ends: that sync shows ImagePullBackOff, the one after pulls again.
      return { waiting: { reason: 'ErrImagePull', message }, retryMs: Math.max(1, Math.floor(this.o.imageBackoff.get(key) / 2)) };
    }
  }

  /** Before a pull that may take long, the pod shows ContainerCreating rather than a bare Pending. */
  private async writeInterimStatus(pod: Pod, rt: RuntimePod, signal: AbortSignal): Promise<void> {
    const uid = pod.metadata.uid!;
    if (this.interim.has(uid) || pod.status?.containerStatuses?.length) return;
    this.interim.add(uid);
    const sandboxes = await this.o.runtime.listPodSandboxes({ podUid: uid });
    await this.statusManager.set(pod, this.statusOf(pod, { sandboxes, containers: rt.containers }, new Map()), signal);
  }

  private statusOf(pod: Pod, rt: RuntimePod, waiting: ReadonlyMap<string, ContainerWaiting>, terminal = false, evicted?: PodEviction): PodStatus {
    const sb = newestSandbox(rt.sandboxes);
    const latest = this.statusManager.latestStatus(pod);
    const status = generatePodStatus({
      pod: latest === pod.status ? pod : { ...pod, status: latest },
      ...(sb ? { sandbox: { ready: sb.state === 'ready', ips: sb.ips } } : {}),
      containers: rt.containers,
      waiting,
      ...(this.o.probes ? { probes: this.o.probes } : {}),
      hostIPs: this.o.hostIPs,
      now: this.o.clock.now(),
      runtimeName: this.runtimeName,
      terminal,
      ...(evicted ? { evicted } : {}),
    });
    this.o.probes?.statusComputed?.(pod, status);
    return status;
  }

  /** syncTerminatingPod + the status manager's final write and delete. */
  private async terminate(pod: Pod, rt: RuntimePod, signal: AbortSignal): Promise<void> {
    const uid = pod.metadata.uid!;
    await this.killPod(rt, gracePeriodOf(pod), pod);
    this.running.delete(uid);
    if (signal.aborted) return;
    const after = await this.runtimePod(uid);
    await this.statusManager.set(pod, this.statusOf(pod, after, new Map(), true), signal);
    try {
      await this.o.client.resource<Pod>('Pod').delete(pod.metadata.namespace ?? '', pod.metadata.name ?? '', { gracePeriodSeconds: 0, preconditions: { uid } }, { signal });
    } catch (err) {
      // Gone already, or the name belongs to a new pod now: either way ours is deleted.
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
    await this.removeAll(after);
  }

  /** Stops every running container of a pod (in parallel, with grace seconds), then its sandboxes. */
  private async killPod(rt: RuntimePod, grace: number, pod?: Pod): Promise<void> {
    const runtime = this.o.runtime;
    const live = rt.containers.filter((c) => c.state === 'running' || c.state === 'created');
    if (pod) for (const c of live) this.event(pod, 'Normal', 'Killing', `Stopping container ${c.metadata.name}`, c.metadata.name);
    await Promise.all(live.map((c) => runtime.stopContainer(c.id, grace).catch(ignoreNotFound)));
    await Promise.all(rt.sandboxes.filter((s) => s.state === 'ready').map((s) => runtime.stopPodSandbox(s.id).catch(ignoreNotFound)));
  }

  private async removeAll(rt: RuntimePod): Promise<void> {
    const runtime = this.o.runtime;
    for (const c of rt.containers) await runtime.removeContainer(c.id);
    for (const s of rt.sandboxes) await runtime.removePodSandbox(s.id);
  }

  private forget(uid: string): void {
    this.gone.delete(uid);
    this.firstSeen.delete(uid);
    this.running.delete(uid);
    this.interim.delete(uid);
    this.exitsShown.delete(uid);
    this.statusManager.forget(uid);
    this.workers.forget(uid);
    this.o.probes?.removePod?.(uid);
    this.o.restartBackoff.resetPrefix(`${uid}/`);
    this.o.imageBackoff.resetPrefix(`${uid}/`);
  }
}

function ignoreNotFound(err: unknown): void {
  if (!isRuntimeNotFound(err)) throw err;
}
