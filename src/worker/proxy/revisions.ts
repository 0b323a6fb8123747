/**
 * "Synced to revision": the resourceVersion of each watched kind that the proxy's routing has
 * caught up with, and promises that resolve when it reaches a given one. A test or benchmark
 * writes an object, takes the resourceVersion of the answer, and waits for the proxy to have
 * applied it instead of sleeping.
 *
 * resourceVersions are opaque in Kubernetes; the lab's API server hands out increasing decimal
 * numbers, and within one watch they arrive in order, so comparing them is meaningful here.
 */

/** Orders decimal resourceVersions ("" is below everything). Non-numeric ones compare as strings. */
export function compareResourceVersions(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) {
    a = a.replace(/^0+(?=\d)/, '');
    b = b.replace(/^0+(?=\d)/, '');
    if (a.length !== b.length) return a.length - b.length;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

interface Waiter {
  rv: string;
  resolve(): void;
  reject(err: unknown): void;
}

export class RevisionTracker<K extends string> {
  private readonly applied = new Map<K, string>();
  private readonly waiters = new Map<K, Set<Waiter>>();
  private closedWith: Error | undefined;

  /** The newest resourceVersion of kind applied so far ("" before any). */
  current(kind: K): string {
    return this.applied.get(kind) ?? '';
  }

  /** Records that everything of kind up to rv is applied; older revisions are ignored. */
  advance(kind: K, rv: string): void {
    if (!rv || compareResourceVersions(rv, this.current(kind)) <= 0) return;
    this.applied.set(kind, rv);
    const ws = this.waiters.get(kind);
    if (!ws) return;
    for (const w of ws) {
      if (compareResourceVersions(w.rv, rv) <= 0) {
        ws.delete(w);
        w.resolve();
      }
    }
  }

  /** Resolves once kind has reached rv; rejects when signal aborts or the tracker is closed. */
  wait(kind: K, rv: string, signal?: AbortSignal): Promise<void> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    if (compareResourceVersions(rv, this.current(kind)) <= 0) return Promise.resolve();
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      let ws = this.waiters.get(kind);
      if (!ws) this.waiters.set(kind, (ws = new Set()));
      const onAbort = () => {
        ws.delete(w);
        reject(signal!.reason);
      };
      const w: Waiter = {
        rv,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject: (err) => {
          signal?.removeEventListener('abort', onAbort);
          reject(err);
        },
      };
      ws.add(w);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Rejects every waiter (and every later wait) with err. */
  close(err: Error): void {
    this.closedWith = err;
    for (const ws of this.waiters.values()) for (const w of ws) w.reject(err);
    this.waiters.clear();
  }
}
