/**
 * A ListerWatcher around a real ResourceClient that lets a test control the informer's
 * connection: count lists and watches, hold new watches at a gate (so writes provably happen
 * while the informer is disconnected), and cut open watches (a normal end, as a server timeout).
 */
import type { KList, KObject, WatchEvent } from '../../../src/api/types.js';
import type { ListerWatcher } from '../../../src/client/informer.js';
import type { ListOptions, ResourceClient, WatchOptions } from '../../../src/client/resource.js';

export class GatedListerWatcher<T extends KObject> implements ListerWatcher<T> {
  lists = 0;
  readonly watches: WatchOptions[] = [];
  /** Watches past the gate and not yet ended. */
  open = 0;
  private gate: Promise<void> | undefined;
  private readonly cuts = new Set<() => void>();

  constructor(private readonly rc: ResourceClient<T>) {}

  list(ns: string, o: ListOptions): Promise<KList<T>> {
    this.lists++;
    return this.rc.list(ns, o);
  }

  watch(ns: string, o: WatchOptions): AsyncIterable<WatchEvent<T>> {
    const self = this;
    return (async function* () {
      self.watches.push(o);
      if (self.gate) await raceAbort(self.gate, o.signal);
      const cut = new AbortController();
      const signal = o.signal ? AbortSignal.any([o.signal, cut.signal]) : cut.signal;
      const onCut = () => cut.abort();
      self.cuts.add(onCut);
      self.open++;
      try {
        yield* self.rc.watch(ns, { ...o, signal });
      } catch (err) {
        if (cut.signal.aborted && !o.signal?.aborted) return; // cut by the test: a normal end
        throw err;
      } finally {
        self.open--;
        self.cuts.delete(onCut);
      }
    })();
  }

  /** New watches wait at the gate until the returned function is called. */
  hold(): () => void {
    let release!: () => void;
    this.gate = new Promise((r) => (release = r));
    return () => {
      this.gate = undefined;
      release();
    };
  }

  /** Ends every open watch normally. */
  cutWatches(): void {
    for (const c of this.cuts) c();
  }
}

function raceAbort(p: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return p;
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    void p.then(resolve);
  });
}
