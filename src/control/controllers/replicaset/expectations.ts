/**
 * Expectations, as Kubernetes' pkg/controller/controller_utils.go (ControllerExpectations and
 * UIDTrackingControllerExpectations): a controller records how many creates and which deletes
 * it has issued for an owner, and does not act for that owner again until its informer has
 * shown every one of them, or until they expire (5 minutes). The informer cache lags behind
 * the controller's own writes; without expectations a sync that runs before the watch delivers
 * the new pods would create them a second time.
 *
 * Deletions are tracked by pod key, so the same pod seen deleted twice (a graceful delete shows
 * a deletionTimestamp, then the removal) lowers the count once.
 */
import type { Clock } from '../../../util/clock.js';

/** ExpectationsTimeout: expectations older than this are ignored, so a lost event cannot wedge an owner. */
export const EXPECTATIONS_TIMEOUT_MS = 5 * 60 * 1000;

interface Expectation {
  add: number;
  del: number;
  /** When the expectations were set (Clock.now()). */
  timestamp: number;
  /** Keys of the pods whose deletion is awaited. */
  deleting: Set<string>;
}

/** What the expectations of one owner look like, for logs and tests. */
export interface ExpectationsSnapshot {
  add: number;
  del: number;
  timestamp: number;
}

export class Expectations {
  private readonly byKey = new Map<string, Expectation>();

  constructor(private readonly clock: Clock) {}

  /**
   * SatisfiedExpectations: whether the owner may act. True when it has no expectations, when
   * they are fulfilled (every create and delete seen) or when they have expired.
   */
  satisfied(key: string): boolean {
    const e = this.byKey.get(key);
    if (!e) return true;
    if (e.add <= 0 && e.del <= 0) return true;
    return this.clock.now() - e.timestamp > EXPECTATIONS_TIMEOUT_MS;
  }

  /** ExpectCreations: n creates are about to be issued; replaces earlier expectations. */
  expectCreations(key: string, n: number): void {
    this.byKey.set(key, { add: n, del: 0, timestamp: this.clock.now(), deleting: new Set() });
  }

  /** ExpectDeletions: these pods are about to be deleted; replaces earlier expectations. */
  expectDeletions(key: string, podKeys: readonly string[]): void {
    const deleting = new Set(podKeys);
    this.byKey.set(key, { add: 0, del: deleting.size, timestamp: this.clock.now(), deleting });
  }

  /** CreationObserved: one create was seen (or will never happen: a failed create). */
  creationObserved(key: string): void {
    const e = this.byKey.get(key);
    if (e) e.add--;
  }

  /** DeletionObserved: the pod's deletion was seen (or will never happen); only expected pods count. */
  deletionObserved(key: string, podKey: string): void {
    const e = this.byKey.get(key);
    if (e && e.deleting.delete(podKey)) e.del--;
  }

  /** DeleteExpectations: forget the owner (it was deleted). */
  delete(key: string): void {
    this.byKey.delete(key);
  }

  /** The owner's current expectations, if any. */
  get(key: string): ExpectationsSnapshot | undefined {
    const e = this.byKey.get(key);
    return e && { add: e.add, del: e.del, timestamp: e.timestamp };
  }
}
