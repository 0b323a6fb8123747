/**
 * Helpers for integration tests of the ReplicaSet and Deployment controllers: the controllers
 * running in the test's process against a real API server, a fake kubelet that makes pods
 * Ready through their status (there is no real kubelet, and pods are never bound), and a
 * watch-driven sampler of how many pods are available. Everything stops in t.teardown.
 */
import type { ExecutionContext } from 'ava';
import { Registry } from 'prom-client';
import type { Deployment, Pod } from '../../../src/api/types.js';
import { isConflict, isNotFound } from '../../../src/client/errors.js';
import { EventRecorder } from '../../../src/client/events.js';
import { InformerFactory } from '../../../src/client/informer-factory.js';
import type { Client } from '../../../src/client/rest.js';
import type { ControllerContext } from '../../../src/control/controllers/context.js';
import { newDeploymentController } from '../../../src/control/controllers/deployment/controller.js';
import { isPodReady } from '../../../src/control/controllers/replicaset/pods.js';
import { newReplicaSetController } from '../../../src/control/controllers/replicaset/controller.js';
import { rfc3339, systemClock } from '../../../src/util/clock.js';
import { createLogger } from '../../../src/util/log.js';

export interface RunningControllers {
  ctx: ControllerContext;
  /** Log lines of the controllers, for failure messages. */
  logs(): string;
}

/**
 * Builds a ControllerContext on client (as the controller manager would), starts the
 * ReplicaSet and Deployment controllers with workers each, and stops them in teardown.
 */
export async function startWorkloadControllers(t: ExecutionContext, client: Client, o: { workers?: number } = {}): Promise<RunningControllers> {
  const lines: string[] = [];
  const log = createLogger({ component: 'test', verbosity: Number(process.env.LAB_VERBOSITY ?? 0), write: (l) => lines.push(l), clock: systemClock });
  const informers = new InformerFactory(client, { clock: systemClock, log: log.child('informers') });
  const ctx: ControllerContext = {
    client,
    informers,
    clock: systemClock,
    log,
    recorder: (component) => new EventRecorder({ sink: client.resource('Event'), component, clock: systemClock, log: log.child('events') }),
    metrics: new Registry(),
  };
  const controllers = [newReplicaSetController(ctx), newDeploymentController(ctx)];
  const ac = new AbortController();
  informers.startAll(ac.signal);
  const runs: Promise<void>[] = [];
  t.teardown(async () => {
    ac.abort();
    await Promise.allSettled(runs);
    await informers.stopped();
  });
  if (!(await informers.waitForCacheSync(ac.signal))) throw new Error('the controllers\' informers did not sync');
  for (const c of controllers) runs.push(c.run(o.workers ?? 2, ac.signal));
  return { ctx, logs: () => lines.join('\n') };
}

export interface FakeKubelet {
  /** Pods made ready so far. */
  readied(): number;
  /** Lets pods for which the predicate was false be readied now (after changing it). */
  recheck(): void;
}

/**
 * Acts as the kubelet for readiness: every pod that is not being deleted and that ready(pod)
 * accepts is patched (status subresource) to Running with a pod IP and Ready/ContainersReady
 * True, as a kubelet reports a started pod. ready defaults to every pod.
 */
export async function fakeKubelet(t: ExecutionContext, client: Client, o: { ready?: (pod: Pod) => boolean; startupMs?: number } = {}): Promise<FakeKubelet> {
  const pods = client.resource<Pod>('Pod');
  const informers = new InformerFactory(client);
  const inf = informers.informerFor<Pod>('Pod');
  const inFlight = new Set<string>();
  let count = 0;
  let ip = 0;
  const ac = new AbortController();
  const timers = new Set<NodeJS.Timeout>();
  const consider = (pod: Pod) => {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    if (pod.metadata.deletionTimestamp || isPodReady(pod) || inFlight.has(key)) return;
    if (o.ready && !o.ready(pod)) return;
    inFlight.add(key);
    // A container takes a while to start: the pod turns ready startupMs after it was seen.
    const timer = setTimeout(() => {
      timers.delete(timer);
      markReady(pod, key);
    }, o.startupMs ?? 0);
    timers.add(timer);
  };
  const markReady = (pod: Pod, key: string) => {
    const now = rfc3339(Date.now());
    const n = ++ip;
    const podIP = `10.244.${(n >> 8) & 255}.${n & 255}`;
    const status = {
      phase: 'Running',
      podIP,
      podIPs: [{ ip: podIP }],
      startTime: now,
      conditions: [
        { type: 'PodReadyToStartContainers', status: 'True', lastTransitionTime: now },
        { type: 'Initialized', status: 'True', lastTransitionTime: now },
        { type: 'Ready', status: 'True', lastTransitionTime: now },
        { type: 'ContainersReady', status: 'True', lastTransitionTime: now },
      ],
    };
    const patch = async () => {
      // A write racing ours (an adoption patch, say) is a conflict: the kubelet tries again.
      for (let attempt = 0; ; attempt++) {
        try {
          return await pods.patch(pod.metadata.namespace ?? '', pod.metadata.name ?? '', { status }, 'merge', { subresource: 'status' });
        } catch (err) {
          if (!isConflict(err) || attempt >= 5) throw err;
        }
      }
    };
    patch()
      .then(
        () => count++,
        (err) => {
          if (!isNotFound(err) && !ac.signal.aborted) t.log(`fake kubelet: cannot ready ${key}: ${(err as Error).message}`);
        },
      )
      .finally(() => inFlight.delete(key));
  };
  inf.addEventHandler({ onAdd: consider, onUpdate: (_old, cur) => consider(cur) });
  informers.startAll(ac.signal);
  t.teardown(async () => {
    ac.abort();
    for (const timer of timers) clearTimeout(timer);
    await informers.stopped();
  });
  await informers.waitForCacheSync(ac.signal);
  return { readied: () => count, recheck: () => inf.list().forEach(consider) };
}

/** A minimal Deployment of image with the label app=name. */
export function deploymentOf(name: string, replicas: number, image: string, extra: Partial<Deployment['spec']> = {}): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image }] } },
      ...extra,
    },
  };
}

/** What a pod watch saw: the fewest available pods, and every sample's (ready, total) pair. */
export interface AvailabilitySampler {
  /** The smallest number of ready, not-terminating pods seen since start. */
  minReady(): number;
  /** The largest number of not-terminating pods seen since start. */
  maxPods(): number;
  /** The pods as last seen. */
  pods(): Pod[];
  samples(): number;
  stop(): Promise<void>;
}

/**
 * Watches the pods selected by labelSelector from the current state on, and after every event
 * samples how many are ready and not being deleted (what a Service would send traffic to).
 */
export async function sampleAvailability(t: ExecutionContext, client: Client, namespace: string, labelSelector: string): Promise<AvailabilitySampler> {
  const podsApi = client.resource<Pod>('Pod');
  const list = await podsApi.list(namespace, { labelSelector });
  const pods = new Map<string, Pod>(list.items.map((p) => [p.metadata.name ?? '', p]));
  const count = () => {
    let ready = 0;
    let total = 0;
    for (const p of pods.values()) {
      if (p.metadata.deletionTimestamp) continue;
      total++;
      if (isPodReady(p)) ready++;
    }
    return { ready, total };
  };
  let { ready: minReady, total: maxPods } = count();
  let samples = 1;
  const ac = new AbortController();
  let failure: unknown;
  const done = (async () => {
    try {
      for await (const ev of podsApi.watch(namespace, { labelSelector, resourceVersion: list.metadata.resourceVersion ?? '', signal: ac.signal })) {
        if (ev.type === 'BOOKMARK') continue;
        if (ev.type === 'ERROR') throw new Error(`pod watch failed: ${JSON.stringify(ev.object)}`);
        if (ev.type === 'DELETED') pods.delete(ev.object.metadata.name ?? '');
        else pods.set(ev.object.metadata.name ?? '', ev.object);
        const c = count();
        minReady = Math.min(minReady, c.ready);
        maxPods = Math.max(maxPods, c.total);
        samples++;
      }
      // The server ended the watch: samples would silently stop, so the measurement is void.
      if (!ac.signal.aborted) failure = new Error('the pod watch ended before the sampler was stopped');
    } catch (err) {
      if (!ac.signal.aborted) failure = err;
    }
  })();
  const stop = async () => {
    ac.abort();
    await done;
    if (failure) throw failure;
  };
  t.teardown(() => stop().catch(() => undefined));
  return { minReady: () => minReady, maxPods: () => maxPods, pods: () => [...pods.values()], samples: () => samples, stop };
}
