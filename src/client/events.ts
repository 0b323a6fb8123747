/**
 * Records core/v1 Events about objects, as client-go's tools/record recorder does: an Event named
 * "<object name>.<hex timestamp>" with the involved object's reference, the source component,
 * first/last timestamps from the Clock and a count. Repeats of the same (object, type, reason,
 * message) within the aggregation window patch count and lastTimestamp of the existing Event
 * instead of creating another, so a crash loop makes one Event, not thousands.
 *
 * Recording never throws into the caller and never blocks it: events are queued and written
 * one at a time in the background. The queue is bounded; identical events still waiting are
 * merged into one write, and distinct ones beyond the bound are dropped (and counted, and logged),
 * so a burst cannot pile up unbounded work or memory.
 */
import { format } from 'node:util';
import type { Event, KObject, ObjectReference } from '../api/types.js';
import { rfc3339, systemClock, type Clock } from '../util/clock.js';
import { nullLogger, type Logger } from '../util/log.js';
import { isAlreadyExists, isNotFound } from './errors.js';
import type { PatchType } from './resource.js';

export type EventType = 'Normal' | 'Warning';

/** Where Events are written; client.resource<Event>('Event') is one. */
export interface EventSink {
  create(ns: string, ev: Event): Promise<Event>;
  patch(ns: string, name: string, patch: unknown, type: PatchType): Promise<Event>;
}

export interface EventRecorderOptions {
  sink: EventSink;
  /** source.component and reportingComponent, e.g. "scheduler", "kubelet". */
  component: string;
  /** source.host and reportingInstance, e.g. the node name. */
  host?: string;
  clock?: Clock;
  log?: Logger;
  /** Repeats within this long of the previous occurrence update the same Event, ms (default 600,000: client-go's 10 min). */
  aggregationWindowMs?: number;
  /** Most distinct events waiting to be written; more are dropped (default 1000, client-go's queue length). */
  maxPending?: number;
  /** Most Events remembered for aggregation, least recently used first out (default 4096, as client-go). */
  maxRemembered?: number;
}

interface Pending {
  ref: ObjectReference;
  namespace: string;
  type: EventType;
  reason: string;
  message: string;
  /** Occurrences merged into this write. */
  count: number;
  first: number;
  last: number;
}

interface Remembered {
  name: string;
  namespace: string;
  count: number;
  first: number;
  last: number;
}

export class EventRecorder {
  private readonly sink: EventSink;
  private readonly component: string;
  private readonly host: string;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly window: number;
  private readonly maxPending: number;
  private readonly maxRemembered: number;
  /** Waiting writes by aggregation key, oldest first (Map keeps insertion order). */
  private readonly pending = new Map<string, Pending>();
  /** Events written, by aggregation key, least recently used first. */
  private readonly remembered = new Map<string, Remembered>();
  private draining: Promise<void> | undefined;
  private droppedTotal = 0;
  private droppedInBurst = 0;
  private seq = 0;

  constructor(o: EventRecorderOptions) {
    if (!o.component) throw new TypeError('EventRecorder needs a component name');
    this.sink = o.sink;
    this.component = o.component;
    this.host = o.host ?? '';
    this.clock = o.clock ?? systemClock;
    this.log = o.log ?? nullLogger;
    this.window = o.aggregationWindowMs ?? 600_000;
    this.maxPending = o.maxPending ?? 1000;
    this.maxRemembered = o.maxRemembered ?? 4096;
    if (!(this.window >= 0)) throw new RangeError(`aggregationWindowMs must be >= 0, not ${o.aggregationWindowMs}`);
    if (!(Number.isInteger(this.maxPending) && this.maxPending >= 1)) throw new RangeError(`maxPending must be a positive integer, not ${o.maxPending}`);
    if (!(Number.isInteger(this.maxRemembered) && this.maxRemembered >= 1)) throw new RangeError(`maxRemembered must be a positive integer, not ${o.maxRemembered}`);
  }

  /**
   * Records that something happened to obj. Never throws; the write happens in the background.
   * fieldPath names a part of obj ("spec.containers{web}"), as the kubelet's container events
   * do; `kubectl get events` shows it as SUBOBJECT.
   */
  event(obj: KObject, type: EventType, reason: string, message: string, fieldPath?: string): void {
    try {
      this.record(obj, type, reason, message, fieldPath);
    } catch (err) {
      this.log.error('cannot record event', err, { reason, object: obj?.metadata?.name });
    }
  }

  /** event() with a printf-style message (node:util format). */
  eventf(obj: KObject, type: EventType, reason: string, fmt: string, ...args: unknown[]): void {
    let message: string;
    try {
      message = format(fmt, ...args);
    } catch {
      message = fmt;
    }
    this.event(obj, type, reason, message);
  }

  /** Resolves when every event recorded so far has been written (or has failed and been logged). */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }

  /** Events dropped because the queue was full, since the recorder was made. */
  dropped(): number {
    return this.droppedTotal;
  }

  private record(obj: KObject, type: EventType, reason: string, message: string, fieldPath: string | undefined): void {
    const m = obj.metadata;
    if (!obj.kind || !m?.name) throw new TypeError(`the object needs kind and metadata.name to be referenced by an Event (kind ${JSON.stringify(obj.kind)}, name ${JSON.stringify(m?.name)})`);
    const ref: ObjectReference = { kind: obj.kind, name: m.name };
    if (m.namespace) ref.namespace = m.namespace;
    if (m.uid) ref.uid = m.uid;
    if (obj.apiVersion) ref.apiVersion = obj.apiVersion;
    if (m.resourceVersion) ref.resourceVersion = m.resourceVersion;
    if (fieldPath) ref.fieldPath = fieldPath;
    // The resourceVersion is left out of the key: repeats about a changing object still aggregate.
    const key = [ref.kind, ref.namespace ?? '', ref.name, ref.uid ?? '', ref.apiVersion ?? '', fieldPath ?? '', type, reason, message].join('\u0000');
    const now = this.clock.now();
    const waiting = this.pending.get(key);
    if (waiting) {
      waiting.count++;
      waiting.last = now;
      waiting.ref = ref;
      return;
    }
    if (this.pending.size >= this.maxPending) {
      this.droppedTotal++;
      if (this.droppedInBurst++ === 0) {
        this.log.error(`dropping events: ${this.maxPending} are waiting to be written`, undefined, { reason, object: `${ref.kind}/${ref.name}` });
      }
      return;
    }
    // Events about cluster-scoped objects live in "default", as client-go puts them.
    this.pending.set(key, { ref, namespace: ref.namespace ?? 'default', type, reason, message, count: 1, first: now, last: now });
    if (!this.draining) {
      this.draining = this.drain().finally(() => {
        this.draining = undefined;
      });
    }
  }

  private async drain(): Promise<void> {
    for (;;) {
      const next = this.pending.entries().next();
      if (next.done) break;
      const [key, p] = next.value;
      this.pending.delete(key);
      try {
        await this.write(key, p);
      } catch (err) {
        this.log.error('cannot write event', err, { reason: p.reason, object: `${p.ref.kind}/${p.ref.namespace ?? ''}/${p.ref.name}` });
      }
    }
    if (this.droppedInBurst > 0) {
      this.log.error(`dropped ${this.droppedInBurst} events while the queue was full`);
      this.droppedInBurst = 0;
    }
  }

  private async write(key: string, p: Pending): Promise<void> {
    const seen = this.remembered.get(key);
    if (seen && p.first - seen.last <= this.window) {
      seen.count += p.count;
      seen.last = p.last;
      this.remember(key, seen);
      try {
        await this.sink.patch(seen.namespace, seen.name, { count: seen.count, lastTimestamp: rfc3339(seen.last) }, 'merge');
        return;
      } catch (err) {
        // The Event expired or was deleted: write it again under its name, with its history.
        if (!isNotFound(err)) throw err;
      }
      await this.create(key, p, seen);
      return;
    }
    await this.create(key, p, { name: this.nameFor(p.ref.name!, p.first), namespace: p.namespace, count: p.count, first: p.first, last: p.last });
  }

  private async create(key: string, p: Pending, r: Remembered): Promise<void> {
    const ev = (name: string): Event => ({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: r.namespace },
      involvedObject: p.ref,
      reason: p.reason,
      message: p.message,
      source: { component: this.component, ...(this.host ? { host: this.host } : {}) },
      firstTimestamp: rfc3339(r.first),
      lastTimestamp: rfc3339(r.last),
      count: r.count,
      type: p.type,
      reportingComponent: this.component,
      reportingInstance: this.host,
    });
    try {
      await this.sink.create(r.namespace, ev(r.name));
    } catch (err) {
      // Another recorder used the same name in the same instant: take a fresh one once.
      if (!isAlreadyExists(err)) throw err;
      r.name = this.nameFor(p.ref.name!, r.last);
      await this.sink.create(r.namespace, ev(r.name));
    }
    this.remember(key, r);
  }

  private remember(key: string, r: Remembered): void {
    this.remembered.delete(key);
    this.remembered.set(key, r);
    if (this.remembered.size > this.maxRemembered) this.remembered.delete(this.remembered.keys().next().value!);
  }

  /** "<name>.<hex nanoseconds>" as client-go; a sequence fills the sub-millisecond digits so names from one recorder never collide. */
  private nameFor(objName: string, ms: number): string {
    const nanos = BigInt(Math.floor(ms)) * 1_000_000n + BigInt(this.seq++ % 1_000_000);
    return `${objName}.${nanos.toString(16)}`;
  }
}
