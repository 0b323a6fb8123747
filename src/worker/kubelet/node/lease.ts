/**
 * Node leases (kube-node-lease/<node>, the kubelet's heartbeat since Kubernetes 1.17): a port of
 * component-helpers' lease controller. The lease is created if missing, then updated with a new
 * renewTime every renew interval (Kubernetes: 0.25 x leaseDurationSeconds = 10 s), holder the
 * node, owned by the Node so that deleting the Node deletes it. Updates carry the last
 * resourceVersion seen; a conflict or a missing lease starts over from a GET. A failed renewal
 * is retried after 200 ms doubling to 7 s, as the controller's backoff does.
 *
 * One LeaseRenewer serves any number of nodes from one SpreadScheduler, so hollow nodes renew
 * evenly spread over the interval.
 */
import type { Lease } from '../../../api/types.js';
import { isAlreadyExists, isConflict, isNotFound } from '../../../client/errors.js';
import type { Client } from '../../../client/rest.js';
import { rfc3339Micro, type Clock } from '../../../util/clock.js';
import type { Logger } from '../../../util/log.js';
import { SpreadScheduler } from './spread.js';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

/** The renew interval Kubernetes derives from the lease duration (nodeLeaseRenewIntervalFraction = 0.25). */
export function defaultRenewIntervalMs(leaseDurationSeconds: number): number {
  return leaseDurationSeconds * 250;
}

/** Delay before retry number `failures` (1-based) of a failed renewal: 200 ms doubling to 7 s. */
export function leaseRetryDelayMs(failures: number): number {
  return Math.min(7000, 200 * 2 ** Math.max(0, Math.min(failures - 1, 10)));
}

/** The lease of a node renewed at now, built on base (the last one seen) when given. */
export function leaseFor(nodeName: string, o: { durationSeconds: number; now: number; ownerUid?: string; base?: Lease }): Lease {
  const base = o.base;
  const meta = { ...(base?.metadata ?? {}), name: nodeName, namespace: NODE_LEASE_NAMESPACE };
  if (o.ownerUid && !meta.ownerReferences?.some((r) => r.uid === o.ownerUid)) {
    meta.ownerReferences = [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: o.ownerUid }];
  }
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: meta,
    spec: { ...(base?.spec ?? {}), holderIdentity: nodeName, leaseDurationSeconds: o.durationSeconds, renewTime: rfc3339Micro(o.now) },
  };
}

/** Whether a lease is still valid at now: renewed within its duration. */
export function leaseValid(lease: Lease | undefined, now: number): boolean {
  const renew = lease?.spec?.renewTime ? Date.parse(lease.spec.renewTime) : NaN;
  const d = lease?.spec?.leaseDurationSeconds;
  return Number.isFinite(renew) && typeof d === 'number' && now - renew < d * 1000;
}

export interface LeaseRenewerOptions {
  client: Client;
  clock: Clock;
  log: Logger;
  /** spec.leaseDurationSeconds (Kubernetes: 40). */
  leaseDurationSeconds: number;
  /** Time between renewals, ms (default 0.25 x the duration). */
  renewIntervalMs?: number;
  /** Renewals in flight at once (default 32). */
  concurrency?: number;
  /** Told of every renewal: ok or failed. */
  onRenew?(nodeName: string, ok: boolean): void;
}

interface LeaseState {
  latest?: Lease;
  ownerUid?: string;
  failures: number;
}

export class LeaseRenewer {
  readonly renewIntervalMs: number;
  private readonly nodes = new Map<string, LeaseState>();
  private readonly scheduler: SpreadScheduler<string>;

  constructor(private readonly o: LeaseRenewerOptions) {
    if (!(Number.isInteger(o.leaseDurationSeconds) && o.leaseDurationSeconds > 0)) throw new RangeError(`leaseDurationSeconds must be a positive integer, not ${o.leaseDurationSeconds}`);
    this.renewIntervalMs = o.renewIntervalMs ?? defaultRenewIntervalMs(o.leaseDurationSeconds);
    this.scheduler = new SpreadScheduler<string>({
      intervalMs: this.renewIntervalMs,
      run: (name) => this.renew(name),
      clock: o.clock,
      log: o.log,
      ...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}),
    });
  }

  /**
   * Renews node's lease every interval from now on: the first renewal after firstInMs (default:
   * the node's spread slot in the interval). ownerUid is the Node's uid, for ownerReferences.
   */
  add(nodeName: string, ownerUid?: string, firstInMs?: number): void {
    const st = this.nodes.get(nodeName);
    if (st) {
      if (ownerUid) st.ownerUid = ownerUid;
    } else {
      this.nodes.set(nodeName, { failures: 0, ...(ownerUid ? { ownerUid } : {}) });
    }
    this.scheduler.add(nodeName, firstInMs);
  }

  /** Stops renewing node's lease (a renewal in flight completes). */
  remove(nodeName: string): void {
    this.scheduler.remove(nodeName);
    this.nodes.delete(nodeName);
  }

  /** Whether node's lease is being renewed. */
  has(nodeName: string): boolean {
    return this.scheduler.has(nodeName);
  }

  /**
   * Renews node's lease now (creating it if missing); resolves true when it worked. fresh says
   * the Node was just created, so the lease is most likely missing: it is created without a GET
   * first, which saves a request per node when thousands register at once.
   */
  async renewNow(nodeName: string, ownerUid?: string, fresh = false): Promise<boolean> {
    let st = this.nodes.get(nodeName);
    if (!st) this.nodes.set(nodeName, (st = { failures: 0 }));
    if (ownerUid) st.ownerUid = ownerUid;
    return (await this.renew(nodeName, fresh)) === undefined;
  }

  /** Stops every renewal. */
  stop(): void {
    this.scheduler.stop();
  }

  private async renew(nodeName: string, fresh = false): Promise<number | void> {
    const st = this.nodes.get(nodeName);
    if (!st) return;
    const leases = this.o.client.resource<Lease>('Lease');
    const build = (base?: Lease) => leaseFor(nodeName, { durationSeconds: this.o.leaseDurationSeconds, now: this.o.clock.now(), ...(st.ownerUid ? { ownerUid: st.ownerUid } : {}), ...(base ? { base } : {}) });
    try {
      if (!st.latest) st.latest = await this.ensure(nodeName, build, fresh);
      else st.latest = await leases.update(build(st.latest));
      st.failures = 0;
      this.o.onRenew?.(nodeName, true);
      return;
    } catch (err) {
      // Someone else wrote it, or it was deleted: start over from what the API has.
      if (isConflict(err) || isNotFound(err)) st.latest = undefined;
      st.failures++;
      this.o.onRenew?.(nodeName, false);
      const delay = Math.min(leaseRetryDelayMs(st.failures), this.renewIntervalMs);
      this.o.log.error(`failed to renew lease ${NODE_LEASE_NAMESPACE}/${nodeName}; retrying in ${delay} ms`, err);
      return delay;
    }
  }

  /** Gets the lease and renews it, or creates it (fresh: tries the create first). */
  private async ensure(nodeName: string, build: (base?: Lease) => Lease, fresh: boolean): Promise<Lease> {
    const leases = this.o.client.resource<Lease>('Lease');
    if (fresh) {
      try {
        return await leases.create(NODE_LEASE_NAMESPACE, build());
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
      }
    }
    try {
      const cur = await leases.get(NODE_LEASE_NAMESPACE, nodeName);
      return await leases.update(build(cur));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    // Created by someone else between the GET and the POST: AlreadyExists, and the retry takes it over.
    return await leases.create(NODE_LEASE_NAMESPACE, build());
  }
}
