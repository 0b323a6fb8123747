/**
 * The scheduling loop (kube-scheduler's scheduleOne), split as kube-scheduler splits it:
 *
 * - the scheduling cycle, synchronous and one pod at a time: pop the next pod, filter and
 *   score nodes against the cache, assume the pod on the chosen node;
 * - the binding cycle, asynchronous: write the binding while the loop goes on with the next
 *   pod. Up to parallelBindings bindings are in flight; assumed pods keep the cache honest
 *   meanwhile. On success the pod's expiry clock starts and a Scheduled Event is recorded; on
 *   failure the assumption is forgotten, waiting pods are retried (room came free) and the pod
 *   goes to backoff.
 *
 * A pod that fits nowhere goes to the unschedulable pods, gets PodScheduled=False/Unschedulable
 * with the FitError message and a FailedScheduling Event. Informer handlers only update the
 * cache and the queue; nothing slow happens in them.
 *
 * The loop yields to the event loop every few milliseconds so watch events and binding answers
 * are handled while a backlog is worked off.
 */
import { setMaxListeners } from 'node:events';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Node, Pod } from '../../api/types.js';
import { isNotFound } from '../../client/errors.js';
import { systemClock, type Clock } from '../../util/clock.js';
import { nullLogger, type Logger } from '../../util/log.js';
import { schedulePod, type SearchState } from './algorithm.js';
import type { SchedulerCache } from './cache.js';
import { isAssigned, needsScheduling, nodeChangedForScheduling } from './changes.js';
import { FitError } from './fit-error.js';
import { runFilters } from './filters.js';
import type { Binder, ConditionWriter, Recorder } from './io.js';
import type { SchedulerMetrics } from './metrics.js';
import type { NodeInfo } from './nodeinfo.js';
import { podInfoOf, type PodInfo } from './podinfo.js';
import type { QueuedPodInfo, SchedulingQueue } from './queue.js';
import { DEFAULT_SCORE_WEIGHTS, type ScoreWeights } from './scores.js';
import { podScheduledCondition, REASON_SCHEDULER_ERROR, REASON_UNSCHEDULABLE } from './status.js';

/** What onBound learns about each pod bound. */
export interface BoundEvent {
  namespace: string;
  name: string;
  uid: string;
  node: string;
  /** Wall-clock ms (Clock.now) when the binding was confirmed by the API server. */
  boundAt: number;
  /** From first entering the queue to bound, ms (monotonic, sub-millisecond). */
  latencyMs: number;
  /** Scheduling attempts it took. */
  attempts: number;
}

export interface SchedulerDeps {
  cache: SchedulerCache;
  queue: SchedulingQueue;
  binder: Binder;
  conditions: ConditionWriter;
  recorder: Recorder;
  metrics?: SchedulerMetrics;
  clock?: Clock;
  log?: Logger;
}

export interface SchedulerConfig {
  /** Pods whose spec.schedulerName is this (or unset) are ours (default "default-scheduler"). */
  schedulerName?: string;
  /** Most bindings in flight at once (default 64). */
  parallelBindings?: number;
  /** percentageOfNodesToScore: 0 (default) is adaptive, 100 scores every node. */
  percentageOfNodesToScore?: number;
  /** Scorer weights (default kube-scheduler's: leastAllocated 1, spread 2, taintToleration 3). */
  weights?: Partial<ScoreWeights>;
  /** Tie breaker, [0, 1) (default Math.random). */
  random?: () => number;
  /** Called synchronously for every pod bound; must be quick and must not throw. */
  onBound?: (e: BoundEvent) => void;
  /** How often expired assumed pods are cleaned up, ms (default 1000). */
  cleanupIntervalMs?: number;
}

/** How long the loop works before letting the event loop in, ms. */
const SLICE_MS = 5;

export class Scheduler {
  readonly schedulerName: string;
  private readonly cache: SchedulerCache;
  private readonly queue: SchedulingQueue;
  private readonly binder: Binder;
  private readonly conditions: ConditionWriter;
  private readonly recorder: Recorder;
  private readonly metrics: SchedulerMetrics | undefined;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly parallelBindings: number;
  private readonly percentage: number;
  private readonly weights: ScoreWeights;
  private readonly random: () => number;
  private readonly onBound: ((e: BoundEvent) => void) | undefined;
  private readonly cleanupIntervalMs: number;
  private readonly search: SearchState = { nextStartNodeIndex: 0 };
  private readonly inFlight = new Set<Promise<void>>();
  /** The signal of run(): aborting it also aborts the bindings in flight. */
  private runSignal: AbortSignal | undefined;
  private slotWaiters: (() => void)[] = [];

  constructor(deps: SchedulerDeps, config: SchedulerConfig = {}) {
    this.cache = deps.cache;
    this.queue = deps.queue;
    this.binder = deps.binder;
    this.conditions = deps.conditions;
    this.recorder = deps.recorder;
    this.metrics = deps.metrics;
    this.clock = deps.clock ?? systemClock;
    this.log = deps.log ?? nullLogger;
    this.schedulerName = config.schedulerName ?? 'default-scheduler';
    if (!this.schedulerName) throw new TypeError('schedulerName must not be empty');
    this.parallelBindings = config.parallelBindings ?? 64;
    if (!(Number.isInteger(this.parallelBindings) && this.parallelBindings >= 1)) throw new RangeError(`parallelBindings must be a positive integer, not ${config.parallelBindings}`);
    this.percentage = config.percentageOfNodesToScore ?? 0;
    if (!(Number.isFinite(this.percentage) && this.percentage >= 0 && this.percentage <= 100)) {
      throw new RangeError(`percentageOfNodesToScore must be between 0 and 100, not ${config.percentageOfNodesToScore}`);
    }
    this.weights = { ...DEFAULT_SCORE_WEIGHTS, ...config.weights };
    for (const [k, v] of Object.entries(this.weights)) if (!(Number.isFinite(v) && v >= 0)) throw new RangeError(`weight of ${k} must be >= 0, not ${v}`);
    this.random = config.random ?? Math.random;
    this.onBound = config.onBound;
    this.cleanupIntervalMs = config.cleanupIntervalMs ?? 1000;
  }

  // ---- informer handlers: update the cache and the queue, nothing else ----

  /** A pod appeared (or the informer relisted it). */
  onPodAdd(pod: Pod): void {
    this.guard('pod add', pod, () => {
      if (isAssigned(pod)) {
        this.cache.addPod(podInfoOf(pod));
        this.queue.delete(keyOfPod(pod));
      } else if (needsScheduling(pod, this.schedulerName) && !this.cache.has(pod.metadata.uid ?? '')) {
        this.queue.add(podInfoOf(pod));
      }
    });
  }

  /** A pod changed. */
  onPodUpdate(oldPod: Pod, pod: Pod): void {
    this.guard('pod update', pod, () => {
      const uid = pod.metadata.uid ?? '';
      if (isAssigned(pod)) {
        // A bound pod's requests do not change; only its binding or its terminating state matter.
        const known = this.cache.has(uid) && !this.cache.isAssumed(uid) && this.cache.nodeOf(uid) === pod.spec.nodeName;
        if (!known || !!oldPod.metadata.deletionTimestamp !== !!pod.metadata.deletionTimestamp) this.cache.addPod(podInfoOf(pod));
        this.queue.delete(keyOfPod(pod));
      } else if (isAssigned(oldPod) || (this.cache.has(uid) && !this.cache.isAssumed(uid))) {
        // Finished (Succeeded or Failed): its resources are free.
        this.cache.removePod(uid);
        this.moveAll('AssignedPodTerminated');
      } else if (needsScheduling(pod, this.schedulerName)) {
        // A pod whose binding is in flight is not queued again.
        if (!this.cache.has(uid)) this.queue.update(podInfoOf(pod));
      } else {
        this.queue.delete(keyOfPod(pod));
      }
    });
  }

  /** A pod was deleted. */
  onPodDelete(pod: Pod): void {
    this.guard('pod delete', pod, () => {
      this.queue.delete(keyOfPod(pod));
      const uid = pod.metadata.uid ?? '';
      if (this.cache.has(uid)) {
        this.cache.removePod(uid);
        this.moveAll('AssignedPodDelete');
      }
    });
  }

  /** A node appeared. */
  onNodeAdd(node: Node): void {
    this.guard('node add', node, () => {
      const ni = this.cache.setNode(node);
      this.moveAll('NodeAdd', ni);
    });
  }

  /** A node changed; heartbeats that change nothing the scheduler reads are ignored. */
  onNodeUpdate(oldNode: Node, node: Node): void {
    if (!nodeChangedForScheduling(oldNode, node)) return;
    this.guard('node update', node, () => {
      const ni = this.cache.setNode(node);
      this.moveAll('NodeUpdate', ni);
    });
  }

  /** A node was deleted. */
  onNodeDelete(node: Node): void {
    this.cache.removeNode(node.metadata.name ?? '');
  }

  // ---- the loop ----

  /**
   * Schedules pods until signal aborts, then waits for the bindings in flight. Start it after
   * the informers have synced, so the first decisions see every node and pod.
   */
  async run(signal: AbortSignal): Promise<void> {
    // Every binding in flight listens on this signal: a signal of our own, sized for that.
    const bindings = new AbortController();
    setMaxListeners(this.parallelBindings + 10, bindings.signal);
    signal.addEventListener('abort', () => bindings.abort(signal.reason), { once: true });
    this.runSignal = bindings.signal;
    this.queue.run(signal);
    const stopCleanup = this.startCleanup(signal);
    let slice = performance.now();
    try {
      while (!signal.aborted) {
        if (this.inFlight.size >= this.parallelBindings) {
          await this.slotFree(signal);
          continue;
        }
        const q = this.queue.pop();
        if (!q) {
          await this.queue.waitForPod(signal);
          slice = performance.now();
          continue;
        }
        this.scheduleOne(q);
        if (performance.now() - slice >= SLICE_MS) {
          await yieldToEventLoop();
          slice = performance.now();
        }
      }
    } finally {
      stopCleanup();
      await Promise.allSettled([...this.inFlight]);
    }
  }

  /** Bindings in flight. */
  bindingsInFlight(): number {
    return this.inFlight.size;
  }

  /** One scheduling cycle for q: decide synchronously, bind in the background. */
  scheduleOne(q: QueuedPodInfo): void {
    const info = q.info;
    const cycle = this.queue.schedulingCycle();
    // A pod being deleted, or already assumed, is not scheduled (skipPodSchedule).
    if (info.terminating || this.cache.has(info.uid)) return;
    const started = performance.now();
    let result: ReturnType<typeof schedulePod>;
    try {
      result = schedulePod(info, this.cache.nodeList(), this.search, { percentageOfNodesToScore: this.percentage, weights: this.weights, random: this.random });
    } catch (err) {
      this.attempt('error', started);
      this.log.error(`cannot schedule pod "${info.key}"`, err);
      this.queue.addUnschedulableIfNotPresent(q, cycle, false);
      this.recordFailure(info.pod, REASON_SCHEDULER_ERROR, (err as Error).message);
      return;
    }
    if (result instanceof FitError) {
      this.attempt('unschedulable', started);
      this.log.v(2).info('unable to schedule pod; no fit; waiting', { pod: info.key, err: result.message });
      this.queue.addUnschedulableIfNotPresent(q, cycle, true);
      this.recordFailure(info.pod, REASON_UNSCHEDULABLE, result.message);
      return;
    }
    this.metrics?.schedulingAttemptDuration.observe({ profile: this.schedulerName, result: 'scheduled' }, (performance.now() - started) / 1000);
    const node = result.node.name;
    this.cache.assumePod(info, node);
    const p = this.bind(q, node, cycle);
    this.inFlight.add(p);
    void p.finally(() => {
      this.inFlight.delete(p);
      const w = this.slotWaiters;
      this.slotWaiters = [];
      for (const fn of w) fn();
    });
  }

  private async bind(q: QueuedPodInfo, node: string, cycle: number): Promise<void> {
    const { info } = q;
    const pod = info.pod;
    const started = performance.now();
    try {
      await this.binder.bind(pod, node, this.runSignal);
    } catch (err) {
      if (this.runSignal?.aborted) {
        // Shutting down: not a failure, and there is nobody left to retry it.
        this.cache.forgetPod(info.uid);
        return;
      }
      this.bindingFailed(q, node, cycle, err);
      return;
    }
    this.metrics?.bindingDuration.observe((performance.now() - started) / 1000);
    this.cache.finishBinding(info.uid);
    const latencyMs = this.clock.monotonic() - q.initialAttemptTimestamp;
    this.metrics?.scheduleAttempts.inc({ profile: this.schedulerName, result: 'scheduled' });
    // kube-scheduler's getAttemptsLabel: the label set stays bounded however often a pod is retried.
    this.metrics?.podSchedulingDuration.observe({ attempts: q.attempts >= 15 ? '15+' : String(q.attempts) }, latencyMs / 1000);
    const { namespace = '', name = '' } = pod.metadata;
    this.recorder.event(pod, 'Normal', 'Scheduled', `Successfully assigned ${namespace}/${name} to ${node}`);
    this.log.v(2).info('successfully bound pod to node', { pod: info.key, node, attempts: q.attempts });
    if (this.onBound) {
      try {
        this.onBound({ namespace, name, uid: info.uid, node, boundAt: this.clock.now(), latencyMs, attempts: q.attempts });
      } catch (err) {
        this.log.error('onBound failed', err, { pod: info.key });
      }
    }
  }

  private bindingFailed(q: QueuedPodInfo, node: string, cycle: number, err: unknown): void {
    const { info } = q;
    this.metrics?.scheduleAttempts.inc({ profile: this.schedulerName, result: 'error' });
    this.cache.forgetPod(info.uid);
    // Its room on the node is free again, which may be what another pod was waiting for.
    this.moveAll('AssumedPodForgotten');
    if (isNotFound(err)) {
      this.log.v(2).info('pod was deleted before it could be bound', { pod: info.key, node });
      return;
    }
    if (this.cache.has(info.uid)) return; // the informer shows it bound after all (by someone else)
    this.log.error(`cannot bind pod "${info.key}" to node "${node}"`, err);
    this.queue.addUnschedulableIfNotPresent(q, cycle, false);
    this.recordFailure(info.pod, REASON_SCHEDULER_ERROR, `binding rejected: ${(err as Error).message}`);
  }

  private attempt(result: 'unschedulable' | 'error', started: number): void {
    if (!this.metrics) return;
    this.metrics.scheduleAttempts.inc({ profile: this.schedulerName, result });
    this.metrics.schedulingAttemptDuration.observe({ profile: this.schedulerName, result }, (performance.now() - started) / 1000);
  }

  private recordFailure(pod: Pod, reason: string, message: string): void {
    this.recorder.event(pod, 'Warning', 'FailedScheduling', message);
    const cond = podScheduledCondition(pod, reason, message, this.clock.now());
    if (cond) this.conditions.write(pod, cond);
  }

  /** Retries unschedulable pods after a change; with a node, only those that fit on it. */
  private moveAll(event: string, node?: NodeInfo): void {
    const moved = this.queue.moveAllToActiveOrBackoff(node ? (p: PodInfo) => node.node !== undefined && runFilters(p, node) === undefined : undefined);
    if (moved > 0) this.log.v(4).info('moved unschedulable pods to the active or backoff queue', { event, moved });
  }

  private slotFree(signal: AbortSignal): Promise<void> {
    if (this.inFlight.size < this.parallelBindings || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.slotWaiters.push(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private startCleanup(signal: AbortSignal): () => void {
    let cancel = () => {};
    const tick = () => {
      if (signal.aborted) return;
      const expired = this.cache.cleanupExpired();
      for (const p of expired) this.log.info('assumed pod expired: its binding was never seen', { pod: p.key });
      if (expired.length) this.moveAll('AssumedPodExpired');
      cancel = this.clock.setTimer(this.cleanupIntervalMs, tick);
    };
    cancel = this.clock.setTimer(this.cleanupIntervalMs, tick);
    return () => cancel();
  }

  /** Runs a handler body; a malformed object is logged, never thrown into the informer. */
  private guard(what: string, obj: Pod | Node, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error(`scheduler: ${what} failed`, err, { object: `${obj.metadata.namespace ? obj.metadata.namespace + '/' : ''}${obj.metadata.name}` });
    }
  }
}

function keyOfPod(pod: Pod): string {
  return `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
}
