/**
 * The live routing state of one proxy: every Service's entries (table.ts) and the round-robin
 * state of each endpoint list (balancer.ts). update() applies one Service's current objects
 * synchronously, so the next connection already goes by them; the informer handlers call it
 * directly, which is what keeps readiness changes within milliseconds of the watch event.
 */
import type { Endpoints, Service } from '../../api/types.js';
import { nullLogger, type Logger } from '../../util/log.js';
import { RoundRobin, type RoundRobinOptions } from './balancer.js';
import type { ProxyMetrics } from './metrics.js';
import { balancerKey, serviceRoutes, servicePortId, type Scope, type ServicePortEntry } from './table.js';

export class Routing {
  private readonly byService = new Map<string, ServicePortEntry[]>();
  private readonly rr: RoundRobin;
  private readonly loggedSkips = new Set<string>();

  constructor(
    private readonly o: { nodeName: string; metrics: ProxyMetrics; log?: Logger } & RoundRobinOptions,
  ) {
    this.rr = new RoundRobin(o);
  }

  /**
   * Makes the routes of service key ("ns/name") those of svc and eps (svc undefined: the Service
   * is gone).
   */
  update(key: string, svc: Service | undefined, eps: Endpoints | undefined): void {
    const log = this.o.log ?? nullLogger;
    const routes = svc ? serviceRoutes(svc, eps, this.o.nodeName) : { entries: [], skipped: [] };
    for (const s of routes.skipped) {
      const id = `${servicePortId(key, s.portName)}/${s.reason}`;
      if (this.loggedSkips.has(id)) continue;
      this.loggedSkips.add(id);
      log.info(`not proxying port ${s.port} of service "${key}": ${s.reason}`);
    }
    const kept = new Set<string>();
    const ids = new Set<string>();
    for (const e of routes.entries) {
      ids.add(e.id);
      const lists: [Scope, string[]][] = [['cluster', e.clusterEndpoints]];
      if (e.nodePort) lists.push(['external', e.externalEndpoints]);
      for (const [scope, endpoints] of lists) {
        const bk = balancerKey(e.id, scope);
        kept.add(bk);
        if (this.rr.set(bk, endpoints, e.affinity)) log.v(2).info('endpoints changed', { service: e.id, scope, endpoints: endpoints.join(',') || 'none' });
      }
      this.o.metrics.endpoints.set({ service: e.service, port: e.portName }, e.clusterEndpoints.length);
    }
    for (const e of this.byService.get(key) ?? []) {
      for (const scope of ['cluster', 'external'] as const) {
        const bk = balancerKey(e.id, scope);
        if (!kept.has(bk)) this.rr.delete(bk);
      }
      if (!ids.has(e.id)) this.o.metrics.endpoints.remove({ service: e.service, port: e.portName });
    }
    if (routes.entries.length > 0) this.byService.set(key, routes.entries);
    else this.byService.delete(key);
  }

  /** Every entry of every Service. */
  entries(): ServicePortEntry[] {
    return [...this.byService.values()].flat();
  }

  /** The endpoint for the next connection to entry id from clientIP (see RoundRobin.next). */
  next(id: string, scope: Scope, clientIP: string, nowMs: number, resetAffinity: boolean): string | undefined {
    return this.rr.next(balancerKey(id, scope), clientIP, nowMs, resetAffinity);
  }

  /** The endpoints of entry id for scope, in rotation order. */
  endpoints(id: string, scope: Scope): readonly string[] {
    return this.rr.endpoints(balancerKey(id, scope));
  }
}
