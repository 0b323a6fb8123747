/**
 * Shared informers (client-go's SharedInformerFactory): one informer per kind, namespace and
 * selectors, whoever asks for it, so a process such as the controller manager opens one watch
 * per resource however many controllers read it.
 */
import type { KObject } from '../api/types.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/log.js';
import type { BackoffOptions } from './backoff.js';
import { Informer } from './informer.js';
import type { Client } from './rest.js';

export interface InformerFactoryOptions {
  /** Default resync period of the informers, ms (default 0: none). */
  resyncPeriodMs?: number;
  /** Default namespace of namespaced kinds ('' = all, the default); cluster-scoped kinds ignore it. */
  namespace?: string;
  /** Page size of lists (default 500). */
  pageSize?: number;
  watchTimeoutSeconds?: number;
  backoff?: BackoffOptions;
  clock?: Clock;
  log?: Logger;
}

/** What selects one shared informer besides its kind. */
export interface InformerSelection {
  /** Overrides the factory's namespace. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Overrides the factory's resync period (only when this call creates the informer). */
  resyncPeriodMs?: number;
}

export class InformerFactory {
  private readonly informers = new Map<string, Informer<KObject>>();
  private readonly running = new Map<Informer<KObject>, Promise<void>>();

  constructor(
    private readonly client: Client,
    private readonly o: InformerFactoryOptions = {},
  ) {}

  /**
   * The shared informer of kind (as in src/api/resources.ts) with that selection, created on
   * first use. It starts with the next startAll().
   */
  informerFor<T extends KObject>(kind: string, sel: InformerSelection = {}): Informer<T> {
    const rc = this.client.resource<KObject>(kind);
    // The factory's namespace applies to namespaced kinds only; naming one for a cluster-scoped
    // kind is a mistake that would otherwise surface as an informer retrying forever.
    if (!rc.info.namespaced && sel.namespace) throw new TypeError(`Cannot make an informer for ${kind} in namespace "${sel.namespace}": ${kind} is cluster-scoped`);
    const namespace = rc.info.namespaced ? (sel.namespace ?? this.o.namespace ?? '') : '';
    const id = JSON.stringify([kind, namespace, sel.labelSelector ?? '', sel.fieldSelector ?? '']);
    let inf = this.informers.get(id);
    if (!inf) {
      const o = this.o;
      const resync = sel.resyncPeriodMs ?? o.resyncPeriodMs;
      const label = [rc.info.plural, namespace && `ns=${namespace}`, sel.labelSelector && `labels=${sel.labelSelector}`, sel.fieldSelector && `fields=${sel.fieldSelector}`].filter(Boolean).join(' ');
      inf = new Informer<KObject>(rc, {
        name: `informer ${label}`,
        namespace,
        ...(sel.labelSelector ? { labelSelector: sel.labelSelector } : {}),
        ...(sel.fieldSelector ? { fieldSelector: sel.fieldSelector } : {}),
        ...(resync !== undefined ? { resyncPeriodMs: resync } : {}),
        ...(o.pageSize !== undefined ? { pageSize: o.pageSize } : {}),
        ...(o.watchTimeoutSeconds !== undefined ? { watchTimeoutSeconds: o.watchTimeoutSeconds } : {}),
        ...(o.backoff ? { backoff: o.backoff } : {}),
        ...(o.clock ? { clock: o.clock } : {}),
        ...(o.log ? { log: o.log } : {}),
      });
      this.informers.set(id, inf);
    }
    return inf as unknown as Informer<T>;
  }

  /** Starts every informer not started yet; they run until signal aborts. Safe to call again after adding informers. */
  startAll(signal: AbortSignal): void {
    for (const inf of this.informers.values()) {
      if (this.running.has(inf)) continue;
      this.running.set(inf, inf.run(signal));
    }
  }

  /** Resolves true once every informer created so far has synced, false when signal aborts first. */
  async waitForCacheSync(signal: AbortSignal): Promise<boolean> {
    const results = await Promise.all([...this.informers.values()].map((inf) => inf.waitForCacheSync(signal)));
    return results.every(Boolean);
  }

  /** Resolves when every started informer has stopped (after the startAll signal aborted). */
  async stopped(): Promise<void> {
    await Promise.all(this.running.values());
  }
}
