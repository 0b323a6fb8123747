/**
 * The EndpointSlice half of the endpoints controller: for the service at a key, writes what
 * reconcileSlices (endpointslice-sync.ts) decides, and remembers its own writes until the
 * informer shows them, so that a sync from a cache one event behind never creates a second slice.
 * The controller (controller.ts) owns the queue; this part only asks it to queue services.
 */
import { StatusError } from '../../../api/errors.js';
import type { EndpointSlice, Pod, Service } from '../../../api/types.js';
import { isNotFound } from '../../../client/errors.js';
import type { Informer } from '../../../client/informer.js';
import { splitKey } from '../../../client/store.js';
import type { Logger } from '../../../util/log.js';
import type { ControllerContext } from '../context.js';
import { ensureIndex } from '../shared.js';
import { reconcileSlices, serviceKeyOfSlice, staleSlices, type SliceExpectation } from './endpointslice-sync.js';

/** Index of managed slices by "<namespace>/<service>". */
const SERVICE_INDEX = 'endpointslice-service';
/** When the cache lags our writes, look again after this long even if no event comes, ms. */
const STALE_RETRY_MS = 1000;

export interface EndpointSliceSyncOptions {
  services: Informer<Service>;
  podsIn: (namespace: string) => Pod[];
  /** Queues a service key now. */
  enqueue: (key: string) => void;
  /** Queues a service key after a delay, ms. */
  enqueueAfter: (key: string, ms: number) => void;
  log: Logger;
}

export class EndpointSliceSync {
  private readonly slices: Informer<EndpointSlice>;
  /** Per service key: slice name -> what we wrote and the cache has yet to show. */
  private readonly expected = new Map<string, Map<string, SliceExpectation>>();

  constructor(
    private readonly ctx: ControllerContext,
    private readonly o: EndpointSliceSyncOptions,
  ) {
    this.slices = ctx.informers.informerFor<EndpointSlice>('EndpointSlice');
    ensureIndex(this.slices, SERVICE_INDEX, (s) => {
      const key = serviceKeyOfSlice(s);
      return key ? [key] : [];
    });
    // A managed slice changed or deleted by anyone (us included) has its service looked at again.
    const changed = (s: EndpointSlice) => {
      const key = serviceKeyOfSlice(s);
      if (key) o.enqueue(key);
    };
    this.slices.addEventHandler({
      onAdd: changed,
      onUpdate: (old, s) => {
        changed(s);
        if (serviceKeyOfSlice(old) !== serviceKeyOfSlice(s)) changed(old);
      },
      onDelete: (s) => {
        const key = serviceKeyOfSlice(s);
        // A slice deleted by someone else before we saw our own write of it: nothing left to wait for.
        if (key && s.metadata.name) this.expected.get(key)?.delete(s.metadata.name);
        changed(s);
      },
    });
  }

  /** Services of managed slices, so that slices left by a service deleted while we were down go. */
  leftoverKeys(): string[] {
    return [...new Set(this.slices.list().map(serviceKeyOfSlice).filter((k): k is string => k !== undefined))];
  }

  /** Makes the managed slices of the service at key what its pods say (none when it is gone). */
  async sync(key: string): Promise<void> {
    const { namespace } = splitKey(key);
    const existing = this.slices.byIndex(SERVICE_INDEX, key);
    const expected = this.expected.get(key) ?? new Map<string, SliceExpectation>();
    const { stale, met } = staleSlices(expected, existing);
    for (const name of met) expected.delete(name);
    if (expected.size === 0) this.expected.delete(key);
    if (stale) {
      this.o.log.v(4).info('endpointslice cache behind our writes; waiting', { service: key });
      this.o.enqueueAfter(key, STALE_RETRY_MS);
      return;
    }
    const svc = this.o.services.get(key);
    const changes = svc ? reconcileSlices(svc, this.o.podsIn(namespace), existing) : { create: [], update: [], delete: [...existing] };
    const client = this.ctx.client.resource<EndpointSlice>('EndpointSlice');
    const expect = (name: string, what: SliceExpectation) => {
      const m = this.expected.get(key) ?? new Map<string, SliceExpectation>();
      m.set(name, what);
      this.expected.set(key, m);
    };
    for (const s of changes.delete) {
      try {
        await client.delete(namespace, s.metadata.name!);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      expect(s.metadata.name!, 'deleted');
    }
    for (const s of changes.update) {
      const written = await client.update(s);
      expect(written.metadata.name!, written.metadata.generation ?? 0);
    }
    for (const s of changes.create) {
      let written: EndpointSlice;
      try {
        written = await client.create(namespace, s);
      } catch (err) {
        // Creating in a namespace being deleted is refused; the namespace controller removes the rest.
        if (err instanceof StatusError && err.code === 403) return;
        throw err;
      }
      expect(written.metadata.name!, written.metadata.generation ?? 0);
    }
    const n = changes.create.length + changes.update.length + changes.delete.length;
    if (n > 0) this.o.log.v(2).info('endpointslices written', { service: key, created: changes.create.length, updated: changes.update.length, deleted: changes.delete.length });
  }
}
