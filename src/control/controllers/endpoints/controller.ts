/**
 * The endpoints controller (kube-controller-manager's endpoints-controller, from
 * pkg/controller/endpoint): keeps, for every Service with a selector, an Endpoints object of the
 * same name listing the selected pods' addresses, ready or not, with the resolved ports (see
 * sync.ts). Services without a selector keep the Endpoints their users write; Endpoints of a
 * deleted Service are deleted. Writes happen only when the content changes.
 *
 * It also keeps each such Service's EndpointSlices (discovery.k8s.io/v1), as Kubernetes'
 * EndpointSlice controller does, in a simplified form (endpointslice.ts, endpointslice-sync.ts):
 * kubectl 1.32 reads those, not Endpoints, for `kubectl describe service`.
 *
 * Pod changes reach the queue at once unless --endpoint-updates-batch-period asks to batch them
 * (Kubernetes' default is no batching), so a pod that stops being ready leaves the ready
 * addresses as soon as its status reaches the informer.
 */
import { isDeepStrictEqual } from 'node:util';
import { StatusError } from '../../../api/errors.js';
import type { Endpoints, Pod, Service } from '../../../api/types.js';
import { isNotFound } from '../../../client/errors.js';
import type { Informer } from '../../../client/informer.js';
import { keyOf, splitKey } from '../../../client/store.js';
import { runWorkers } from '../../../client/workers.js';
import { WorkQueue } from '../../../client/workqueue.js';
import type { Logger } from '../../../util/log.js';
import type { Controller, ControllerContext } from '../context.js';
import { byNamespace, isPodReady, workQueueMetrics } from '../shared.js';
import { EndpointSliceSync } from './endpointslice.js';
import { desiredEndpoints, managesEndpoints, selects, serviceSelector } from './sync.js';

export interface EndpointsOptions {
  /** --endpoint-updates-batch-period: delay pod-triggered syncs by this long to batch them, ms (default 0: none). */
  endpointUpdatesBatchPeriodMs?: number;
}

/** Endpoints with this annotation are leader-election records, not a service's: never touched. */
const LEADER_ANNOTATION = 'control-plane.alpha.kubernetes.io/leader';

/** Builds the endpoints controller; it registers its informers and handlers now. */
export function newEndpointsController(ctx: ControllerContext, o: EndpointsOptions = {}): Controller {
  const batch = o.endpointUpdatesBatchPeriodMs ?? 0;
  if (!(Number.isFinite(batch) && batch >= 0)) throw new RangeError(`endpointUpdatesBatchPeriodMs must be >= 0, not ${JSON.stringify(o.endpointUpdatesBatchPeriodMs)}`);
  return new EndpointsController(ctx, batch);
}

/** What of a pod can change its place in Endpoints. */
function endpointView(p: Pod): unknown {
  return [
    p.metadata.labels ?? {},
    p.metadata.deletionTimestamp ?? '',
    p.status?.podIP ?? '',
    p.status?.podIPs ?? [],
    p.status?.phase ?? '',
    isPodReady(p),
    p.spec.nodeName ?? '',
    p.spec['hostname'] ?? '',
    p.spec['subdomain'] ?? '',
    p.spec.containers.map((c) => c.ports ?? []),
  ];
}

class EndpointsController implements Controller {
  readonly name = 'endpoints-controller';
  private readonly log: Logger;
  private readonly services: Informer<Service>;
  private readonly pods: Informer<Pod>;
  private readonly endpoints: Informer<Endpoints>;
  private readonly servicesIn: (ns: string) => Service[];
  private readonly podsIn: (ns: string) => Pod[];
  private readonly queue: WorkQueue<string>;
  private readonly slices: EndpointSliceSync;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly batchMs: number,
  ) {
    this.log = ctx.log.child(this.name);
    this.services = ctx.informers.informerFor<Service>('Service');
    this.pods = ctx.informers.informerFor<Pod>('Pod');
    this.endpoints = ctx.informers.informerFor<Endpoints>('Endpoints');
    this.servicesIn = byNamespace(this.services);
    this.podsIn = byNamespace(this.pods);
    this.queue = new WorkQueue({ clock: ctx.clock, metrics: workQueueMetrics(ctx.metrics, 'endpoint') });

    const enqueue = (o: { metadata: { namespace?: string; name?: string } }) => this.queue.add(keyOf(o));
    this.services.addEventHandler({ onAdd: enqueue, onUpdate: (_o, n) => enqueue(n), onDelete: enqueue });
    this.pods.addEventHandler({
      onAdd: (p) => this.podChanged(p),
      onUpdate: (old, p) => {
        if (isDeepStrictEqual(endpointView(old), endpointView(p))) return;
        this.podChanged(p, old);
      },
      onDelete: (p) => this.podChanged(p),
    });
    // A deleted Endpoints of a live service is written again.
    this.endpoints.addEventHandler({ onDelete: enqueue });
    this.slices = new EndpointSliceSync(ctx, {
      services: this.services,
      podsIn: this.podsIn,
      enqueue: (key) => this.queue.add(key),
      enqueueAfter: (key, ms) => this.queue.addAfter(key, ms),
      log: this.log,
    });
  }

  /** Queues the services that select the pod now or selected it before. */
  private podChanged(pod: Pod, old?: Pod): void {
    for (const svc of this.servicesIn(pod.metadata.namespace ?? '')) {
      const sel = serviceSelector(svc);
      if (!sel) continue;
      if (!selects(sel, pod.metadata.labels) && !(old && selects(sel, old.metadata.labels))) continue;
      if (this.batchMs > 0) this.queue.addAfter(keyOf(svc), this.batchMs);
      else this.queue.add(keyOf(svc));
    }
  }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    // checkLeftoverEndpoints: Endpoints whose service went away while we were not watching.
    for (const ep of this.endpoints.list()) {
      if (ep.metadata.annotations?.[LEADER_ANNOTATION] !== undefined) continue;
      this.queue.add(keyOf(ep));
    }
    for (const key of this.slices.leftoverKeys()) this.queue.add(key);
    await runWorkers(this.queue, workers, (key) => this.sync(key), { signal, log: this.log, name: 'endpoints' });
  }

  /** syncService: make the Endpoints and the EndpointSlices of the service at key what its pods say. */
  async sync(key: string): Promise<void> {
    let failed: unknown;
    try {
      await this.syncEndpoints(key);
    } catch (err) {
      failed = err;
    }
    // The slices are written even when the Endpoints could not be; either error retries both.
    await this.slices.sync(key);
    if (failed !== undefined) throw failed;
  }

  private async syncEndpoints(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const client = this.ctx.client.resource<Endpoints>('Endpoints');
    const svc = this.services.get(key);
    if (!svc) {
      const ep = this.endpoints.get(key);
      if (ep?.metadata.annotations?.[LEADER_ANNOTATION] !== undefined) return;
      try {
        await client.delete(namespace, name);
        this.log.v(2).info('endpoints of a deleted service removed', { service: key });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      return;
    }
    if (!managesEndpoints(svc)) return;
    const action = desiredEndpoints(svc, this.podsIn(namespace), this.endpoints.get(key));
    if (action.op === 'none') return;
    try {
      if (action.op === 'create') await client.create(namespace, action.endpoints);
      else await client.update(action.endpoints);
    } catch (err) {
      // Creating in a namespace being deleted is refused; the namespace controller removes the rest.
      if (action.op === 'create' && err instanceof StatusError && err.code === 403) return;
      throw err;
    }
    const count = (f: 'addresses' | 'notReadyAddresses') => (action.endpoints.subsets ?? []).reduce((n, s) => n + (s[f]?.length ?? 0), 0);
    this.log.v(2).info(`endpoints ${action.op === 'create' ? 'created' : 'updated'}`, { service: key, ready: count('addresses'), notReady: count('notReadyAddresses') });
  }
}
