/**
 * The kubelab scheduler: kube-scheduler's design at lab scale. It watches pods that have no
 * node and name this scheduler (or none), and binds each to a node through pods/binding.
 *
 * - podinfo.ts, nodeinfo.ts: pods and nodes reduced once to the numbers and sets the filters
 *   and scorers read (requests, allocatable, taints, ports, owners).
 * - filters.ts, scores.ts, algorithm.ts, fit-error.ts: the pure decision: which nodes fit,
 *   which is best, with percentageOfNodesToScore and a rotating start; why none fits.
 * - cache.ts: nodes with per-node totals and assumed pods (counted before their binding is
 *   written; forgotten on failure; expired when never seen).
 * - queue.ts: activeQ, backoffQ and unschedulable pods, as kube-scheduler's PriorityQueue.
 * - scheduler.ts: the loop: synchronous scheduling cycles, asynchronous bindings (bounded).
 * - changes.ts, status.ts: decisions on informer events and on the PodScheduled condition.
 * - io.ts: bindings, status patches and Events behind small interfaces.
 * - server.ts: startScheduler, the wiring; main.ts: the daemon.
 */
export { startScheduler, type RunningScheduler, type SchedulerOptions, type BoundEvent } from './server.js';
export { Scheduler, type SchedulerConfig, type SchedulerDeps } from './scheduler.js';
export { SchedulerCache, type SchedulerCacheOptions, type CacheCounts } from './cache.js';
export { SchedulingQueue, type SchedulingQueueOptions, type QueuedPodInfo, type QueueCounts } from './queue.js';
export { schedulePod, numFeasibleNodesToFind, type AlgorithmOptions, type ScheduleResult, type SearchState } from './algorithm.js';
export { FitError, fitErrorMessage, NO_NODES_AVAILABLE } from './fit-error.js';
export { runFilters, FILTERS, type Filter, type FilterResult } from './filters.js';
export { scoreNodes, selectHost, DEFAULT_SCORE_WEIGHTS, MAX_NODE_SCORE, type ScoreWeights } from './scores.js';
export { podInfoOf, type PodInfo, type Resources } from './podinfo.js';
export { NodeInfo } from './nodeinfo.js';
export { SchedulerMetrics } from './metrics.js';
export { apiBinder, ApiConditionWriter, type Binder, type ConditionWriter, type Recorder } from './io.js';
