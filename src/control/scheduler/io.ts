/**
 * The scheduler's side effects behind small interfaces, so the scheduling loop can be tested
 * with fakes: writing a binding, writing the PodScheduled condition, recording an Event.
 * The implementations here talk to the API server through the Client.
 */
import type { Binding, Condition, KObject, Pod } from '../../api/types.js';
import type { ResourceClient } from '../../client/resource.js';
import type { Client } from '../../client/rest.js';
import { isNotFound } from '../../client/errors.js';
import { nullLogger, type Logger } from '../../util/log.js';
import { conditionPatch } from './status.js';

/** Writes bindings. */
export interface Binder {
  /** Binds pod to node; rejects with the API error (Conflict if already bound, NotFound if gone). */
  bind(pod: Pod, node: string, signal?: AbortSignal): Promise<void>;
}

/** Writes the PodScheduled condition of pods, in the background. */
export interface ConditionWriter {
  /** Queues the write; never throws, never waits. A newer condition for the same pod replaces one still waiting. */
  write(pod: Pod, cond: Condition): void;
}

/** Records Events; the client's EventRecorder is one. */
export interface Recorder {
  event(obj: KObject, type: 'Normal' | 'Warning', reason: string, message: string): void;
}

/** A Binder that POSTs pods/binding with the pod's uid as precondition. */
export function apiBinder(client: Client): Binder {
  const pods = client.resource<Pod>('Pod');
  return {
    async bind(pod, node, signal) {
      const { namespace, name, uid } = pod.metadata;
      const body: Binding = { apiVersion: 'v1', kind: 'Binding', metadata: { name: name!, namespace: namespace!, uid: uid! }, target: { kind: 'Node', name: node } };
      await pods.createSubresource(namespace!, name!, 'binding', body, signal ? { signal } : undefined);
    },
  };
}

export interface ApiConditionWriterOptions {
  /** Patches in flight at once (default 4): status writes must not crowd out bindings. */
  concurrency?: number;
  log?: Logger;
}

/**
 * Writes conditions with strategic merge patches of pods/status, a few at a time. Writes wait
 * in a map keyed by pod, so a burst of unschedulable pods costs one write per pod at most.
 */
export class ApiConditionWriter implements ConditionWriter {
  private readonly pods: ResourceClient<Pod>;
  private readonly waiting = new Map<string, { pod: Pod; cond: Condition }>();
  private readonly concurrency: number;
  private readonly log: Logger;
  private active = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(client: Client, o: ApiConditionWriterOptions = {}) {
    this.pods = client.resource<Pod>('Pod');
    this.concurrency = o.concurrency ?? 4;
    if (!(Number.isInteger(this.concurrency) && this.concurrency >= 1)) throw new RangeError(`concurrency must be a positive integer, not ${o.concurrency}`);
    this.log = o.log ?? nullLogger;
  }

  write(pod: Pod, cond: Condition): void {
    this.waiting.set(`${pod.metadata.namespace}/${pod.metadata.name}`, { pod, cond });
    while (this.active < this.concurrency && this.waiting.size > 0) void this.worker();
  }

  /** Resolves when nothing waits and nothing is being written. */
  flush(): Promise<void> {
    if (this.active === 0 && this.waiting.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async worker(): Promise<void> {
    this.active++;
    try {
      for (;;) {
        const next = this.waiting.entries().next();
        if (next.done) break;
        const [key, { pod, cond }] = next.value;
        this.waiting.delete(key);
        try {
          await this.pods.patch(pod.metadata.namespace!, pod.metadata.name!, conditionPatch(cond), 'strategic', { subresource: 'status' });
        } catch (err) {
          // A pod deleted meanwhile needs no condition.
          if (!isNotFound(err)) this.log.error(`cannot write condition PodScheduled of pod "${key}"`, err);
        }
      }
    } finally {
      this.active--;
      if (this.active === 0 && this.waiting.size === 0) {
        const w = this.idleWaiters;
        this.idleWaiters = [];
        for (const fn of w) fn();
      }
    }
  }
}
