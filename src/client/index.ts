/**
 * The client machinery every component is built on; components talk to the API server only
 * through it:
 *
 * - Client / ResourceClient (rest.ts, resource.ts): typed REST over keep-alive node:http, watch
 *   streams, StatusError for API errors and isNotFound/isConflict/... to branch on them.
 * - Informer / InformerFactory: list + watch caches with indexes and event handlers that never
 *   stop on their own.
 * - WorkQueue / runWorkers: deduplicating, rate-limited queues and the standard worker loop.
 * - EventRecorder: core/v1 Events with client-go's aggregation of repeats.
 */
export { Client, type CallOptions, type ClientConfig, type HttpMethod, type RequestOptions } from './rest.js';
export {
  ResourceClient,
  type ListAllOptions,
  type ListOptions,
  type PatchOptions,
  type PatchType,
  type WatchOptions,
  type WriteOptions,
} from './resource.js';
export {
  errorOfResponse,
  isAbort,
  isAlreadyExists,
  isConflict,
  isGone,
  isInvalid,
  isNotFound,
  isTooManyRequests,
  networkError,
  statusErrorOf,
} from './errors.js';
export { loadKubeconfig, parseKubeconfig, type KubeconfigContext } from './kubeconfig.js';
export { listAllPages, DEFAULT_PAGE_SIZE, type PageRequest } from './pager.js';
export { JsonLinesDecoder, WatchEventDecoder, toWatchEvent } from './watch-parse.js';
export { TokenBucket, type TokenBucketOptions } from './token-bucket.js';
export { Backoff, type BackoffOptions } from './backoff.js';
export { IndexedStore, keyOf, splitKey, namespaceIndex, type IndexFunc, type IndexErrorHandler } from './store.js';
export { Informer, type EventHandler, type InformerOptions, type ListerWatcher } from './informer.js';
export { InformerFactory, type InformerFactoryOptions, type InformerSelection } from './informer-factory.js';
export { ItemRateLimiter, type RateLimiterOptions } from './rate-limiter.js';
export { WorkQueue, type WorkQueueMetrics, type WorkQueueOptions } from './workqueue.js';
export { runWorkers, type RunWorkersOptions } from './workers.js';
export { EventRecorder, type EventRecorderOptions, type EventSink, type EventType } from './events.js';
