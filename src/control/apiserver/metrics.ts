/**
 * Prometheus metrics of the API server, named as kube-apiserver names them where there is an
 * equivalent: requests by verb, resource and code, request latency, open watchers, storage
 * commit latency and group-commit batch sizes.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { StorageObserver } from './storage/sqlite.js';

export class ApiServerMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'apiserver_request_total',
    help: 'Requests by verb, resource, subresource and HTTP code.',
    labelNames: ['verb', 'resource', 'subresource', 'code'] as const,
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: 'apiserver_request_duration_seconds',
    help: 'Request latency by verb and resource (watches: time to first byte).',
    labelNames: ['verb', 'resource', 'subresource'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly watchers = new Gauge({
    name: 'apiserver_registered_watchers',
    help: 'Open watches by resource.',
    labelNames: ['resource'] as const,
    registers: [this.registry],
  });
  readonly commitLatency = new Histogram({
    name: 'apiserver_storage_commit_duration_seconds',
    help: 'Duration of one durable group commit (transaction and fsync).',
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
    registers: [this.registry],
  });
  readonly commitBatch = new Histogram({
    name: 'apiserver_storage_commit_batch_size',
    help: 'Writes per group commit.',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
    registers: [this.registry],
  });
  readonly objects = new Gauge({
    name: 'apiserver_storage_objects',
    help: 'Objects stored, by resource.',
    labelNames: ['resource'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  storageObserver(): StorageObserver {
    return {
      commit: (ops, seconds) => {
        this.commitLatency.observe(seconds);
        this.commitBatch.observe(ops);
      },
    };
  }
}
