/**
 * The namespace controller (kube-controller-manager's namespace-controller, from
 * pkg/controller/namespace): finishes `kubectl delete namespace`. The API server only marks a
 * namespace Terminating (deletionTimestamp, "kubernetes" in spec.finalizers); this controller
 * deletes everything in it, kind by kind (deletecollection with background propagation), lists
 * again to see what is left, reports that in the namespace's deletion conditions, waits for what
 * is still shutting down, and when nothing is left removes "kubernetes" through
 * PUT /api/v1/namespaces/{name}/finalize, upon which the API server deletes the namespace.
 */
import { qualifiedResource, RESOURCES } from '../../../api/resources.js';
import type { KObject, Namespace } from '../../../api/types.js';
import { isConflict, isNotFound } from '../../../client/errors.js';
import type { Informer } from '../../../client/informer.js';
import { runWorkers } from '../../../client/workers.js';
import { WorkQueue } from '../../../client/workqueue.js';
import type { Logger } from '../../../util/log.js';
import type { Controller, ControllerContext } from '../context.js';
import { workQueueMetrics } from '../shared.js';
import { deletionConditions, finalizedSpec, needsDeletion, requeueSeconds, statusWithConditions, summarizeRemaining, type Remaining } from './sync.js';

/** Tries of the finalize call against concurrent writers. */
const FINALIZE_RETRIES = 5;

/** Builds the namespace controller; it registers its informer and handlers now. */
export function newNamespaceController(ctx: ControllerContext): Controller {
  return new NamespaceController(ctx);
}

class NamespaceController implements Controller {
  readonly name = 'namespace-controller';
  private readonly log: Logger;
  private readonly namespaces: Informer<Namespace>;
  private readonly queue: WorkQueue<string>;

  constructor(private readonly ctx: ControllerContext) {
    this.log = ctx.log.child(this.name);
    this.namespaces = ctx.informers.informerFor<Namespace>('Namespace');
    this.queue = new WorkQueue({ clock: ctx.clock, metrics: workQueueMetrics(ctx.metrics, 'namespace') });
    const enqueue = (ns: Namespace) => {
      if (needsDeletion(ns)) this.queue.add(ns.metadata.name!);
    };
    this.namespaces.addEventHandler({ onAdd: enqueue, onUpdate: (_old, ns) => enqueue(ns) });
  }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    await runWorkers(this.queue, workers, (name, sig) => this.sync(name, sig), { signal, log: this.log, name: 'namespaces' });
  }

  /** Deletes the content of a Terminating namespace and finalizes it once empty. */
  async sync(name: string, signal: AbortSignal): Promise<void> {
    const client = this.ctx.client.resource<Namespace>('Namespace');
    let ns: Namespace;
    try {
      // The live object: finalizing on a stale cache could race a namespace recreated under the same name.
      ns = await client.get('', name, { signal });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    if (!needsDeletion(ns) || !finalizedSpec(ns)) return;

    const { left, errors } = await this.deleteAllContent(name, signal);
    const summary = summarizeRemaining(left);
    const status = statusWithConditions(ns, deletionConditions(summary, errors), this.ctx.clock.now());
    if (status) {
      try {
        ns = await client.updateStatus({ ...ns, status }, { signal });
      } catch (err) {
        // Only a report: the next pass writes it again.
        if (!isConflict(err) && !isNotFound(err)) this.log.error(`cannot update the status of namespace "${name}"`, err);
      }
    }
    if (errors.length) throw new Error(`cannot delete all content of namespace "${name}": ${errors.join('; ')}`);
    if (summary.unexpected.length) throw new Error(`unexpected items still remain in namespace "${name}": ${summary.unexpected.join(', ')}`);
    if (summary.estimateSeconds > 0) {
      const wait = requeueSeconds(summary.estimateSeconds);
      this.log.v(2).info('namespace content is still going; looking again later', { namespace: name, seconds: wait, remaining: Object.fromEntries(summary.remaining) });
      this.queue.addAfter(name, wait * 1000);
      return;
    }
    await this.finalize(name, ns, signal);
  }

  /** Deletes every namespaced kind's objects in ns, then lists what is left of each. */
  private async deleteAllContent(ns: string, signal: AbortSignal): Promise<{ left: Remaining[]; errors: string[] }> {
    const left: Remaining[] = [];
    const errors: string[] = [];
    for (const r of RESOURCES) {
      if (!r.namespaced) continue;
      const rc = this.ctx.client.resource<KObject>(r.kind);
      const resource = qualifiedResource(r);
      try {
        await this.ctx.client.request({
          method: 'DELETE',
          path: rc.collectionPath('deletecollection', ns, true),
          body: { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background' },
          signal,
        });
        const list = await rc.listAll(ns, { signal });
        left.push({ resource, items: list.items });
      } catch (err) {
        if (signal.aborted) throw err;
        errors.push(`${resource}: ${(err as Error).message}`);
      }
    }
    return { left, errors };
  }

  private async finalize(name: string, ns: Namespace, signal: AbortSignal): Promise<void> {
    const client = this.ctx.client.resource<Namespace>('Namespace');
    for (let attempt = 1; ; attempt++) {
      const spec = finalizedSpec(ns);
      if (!spec) return;
      try {
        await this.ctx.client.request({ method: 'PUT', path: client.objectPath('finalize', '', name, 'finalize'), body: { ...ns, spec }, signal });
        this.log.info('namespace finalized', { namespace: name });
        return;
      } catch (err) {
        if (isNotFound(err)) return;
        if (!isConflict(err) || attempt >= FINALIZE_RETRIES) throw err;
      }
      try {
        ns = await client.get('', name, { signal });
      } catch (err) {
        if (isNotFound(err)) return;
        throw err;
      }
    }
  }
}
