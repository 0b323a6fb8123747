/**
 * `lab bench scheduling`: how fast pods get bound, with the whole control plane on this machine —
 * the API server (every binding durably stored), the scheduler, the controller manager and N
 * hollow nodes, each its own process — and the benchmark creating M pods, all at once (as
 * Kubernetes' scheduler_perf does) or as a steady stream (--rate). It reports throughput from the
 * first create to the last binding and per second, and create-to-bound latency (from just before
 * the create request to the watch event that shows the pod bound) p50/p90/p99/max.
 */
import type { Node, Pod } from '../api/types.js';
import { Client } from '../client/rest.js';
import { startBenchApiServer } from './apiserver-process.js';
import { benchKubeconfig, startBenchDaemon, type BenchDaemon } from './daemons.js';
import { requestDelta, scrapeRequestCounts, type RequestCounts } from './request-counts.js';
import { Latency, round, type LatencySummary } from './stats.js';

export interface SchedulingBenchOptions {
  nodes: number;
  pods: number;
  /** Pods per second as a steady stream; 0: create them all at once (concurrently). */
  rate: number;
  /** Concurrent creates when rate is 0. */
  createConcurrency: number;
  /** Pods created and scheduled before measuring, so the measurement is not of cold code (default 500). */
  warmupPods: number;
  /** Hollow nodes' lease duration (renewal every quarter of it). */
  leaseDurationSeconds: number;
  /** Scheduler --parallel-bindings. */
  parallelBindings: number;
  /** Upper bound of the whole measured phase, ms. */
  deadlineMs: number;
  progress(line: string): void;
}

export interface SchedulingBenchResult {
  benchmark: 'scheduling';
  startedAt: string;
  machine: { cpus: number; node: string; platform: string };
  options: Omit<SchedulingBenchOptions, 'progress'>;
  /** Pods bound by the end (all, unless the deadline cut it short). */
  bound: number;
  /** Seconds from the first create request to the last binding seen. */
  seconds: number;
  /** bound / seconds. */
  podsPerSecond: number;
  /** Pods created per second by the benchmark (the offered load). */
  createdPerSecond: number;
  /** Bindings observed in each second since the first create. */
  perSecond: number[];
  latency: LatencySummary;
  /** Resident memory of the hollow-node process, bytes per node (after the run). */
  hollowRssPerNodeBytes: number;
  /** CPU seconds each process used during the measured phase (the machine's budget is cores x seconds). */
  cpuSeconds: Record<string, number>;
  /** API requests per measured pod during the measured phase, by "verb resource[/subresource]". */
  requestsPerPod: RequestCounts;
  setupSeconds: number;
}

const NS = 'bench';

export async function runSchedulingBench(o: SchedulingBenchOptions): Promise<SchedulingBenchResult> {
  const setupStart = performance.now();
  o.progress('starting the API server');
  const api = await startBenchApiServer(['--watch-cache-size', String(Math.max(100_000, o.pods * 4))]);
  const daemons: BenchDaemon[] = [];
  const client = new Client({ server: api.url, token: api.token, ca: api.ca, maxSockets: 256 });
  try {
    const kubeconfig = benchKubeconfig(api);
    o.progress(`starting ${o.nodes} hollow nodes`);
    const hollow = await startBenchDaemon('hollow-nodes', 'src/worker/hollow/main.ts', [
      '--kubeconfig', kubeconfig,
      '--nodes', String(o.nodes),
      '--port', '0',
      '--cpu', '32',
      '--memory', '256Gi',
      '--max-pods', '110',
      '--lease-duration-seconds', String(o.leaseDurationSeconds),
    ]);
    daemons.push(hollow);
    await waitForReadyNodes(client, o.nodes, o.progress);
    o.progress('starting the controller manager and the scheduler');
    daemons.push(await startBenchDaemon('controller-manager', 'src/control/controllers/main.ts', ['--kubeconfig', kubeconfig, '--port', '0', '--kube-api-qps', '1000', '--kube-api-burst', '2000']));
    daemons.push(await startBenchDaemon('scheduler', 'src/control/scheduler/main.ts', ['--kubeconfig', kubeconfig, '--port', '0', '--parallel-bindings', String(o.parallelBindings)]));
    await client.resource('Namespace').create('', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    const pods = client.resource<Pod>('Pod');
    if (o.warmupPods > 0) {
      o.progress(`warming up: scheduling ${o.warmupPods} pods (not measured)`);
      await warmUp(client, o.warmupPods, o.rate);
    }
    const setupSeconds = (performance.now() - setupStart) / 1000;

    const from = (await pods.list(NS, { limit: 1 })).metadata.resourceVersion!;
    const cpuBefore = new Map<string, number>([['apiserver', api.cpuSeconds()], ...daemons.map((d) => [d.name, d.cpuSeconds()] as [string, number])]);
    const requestsBefore = await scrapeRequestCounts(client);
    const benchCpuBefore = process.cpuUsage();
    const createdAt = new Map<string, number>();
    const boundAt: number[] = [];
    const latency = new Latency();
    const abort = new AbortController();
    let t0 = 0;
    let lastBound = 0;
    const allBound = new Promise<void>((resolve) => {
      void (async () => {
        try {
          for await (const ev of pods.watch(NS, { resourceVersion: from, signal: abort.signal, timeoutSeconds: Math.ceil(o.deadlineMs / 1000) + 60 })) {
            if (ev.type !== 'MODIFIED' && ev.type !== 'ADDED') continue;
            const pod = ev.object as Pod;
            const name = pod.metadata.name!;
            if (!pod.spec.nodeName || !createdAt.has(name)) continue;
            const now = performance.now();
            latency.record(now - createdAt.get(name)!);
            createdAt.delete(name);
            boundAt.push(now);
            lastBound = now;
            if (boundAt.length === o.pods) return resolve();
          }
        } catch (err) {
          if (!abort.signal.aborted) o.progress(`watch failed: ${(err as Error).message}`);
        }
        resolve();
      })();
    });

    o.progress(o.rate ? `creating ${o.pods} pods at ${o.rate}/s` : `creating ${o.pods} pods at once (${o.createConcurrency} concurrent creates)`);
    const create = async (i: number) => {
      createdAt.set(`p-${i}`, performance.now());
      try {
        await pods.create(NS, benchPod(`p-${i}`, NS));
      } catch (err) {
        createdAt.delete(`p-${i}`);
        o.progress(`create p-${i} failed: ${(err as Error).message}`);
      }
    };
    t0 = performance.now();
    const deadline = t0 + o.deadlineMs;
    if (o.rate > 0) {
      const inflight: Promise<void>[] = [];
      for (let i = 0; i < o.pods && performance.now() < deadline; i++) {
        const due = t0 + (i * 1000) / o.rate;
        const wait = due - performance.now();
        if (wait > 1) await new Promise((r) => setTimeout(r, wait));
        inflight.push(create(i));
      }
      await Promise.all(inflight);
    } else {
      let next = 0;
      await Promise.all(Array.from({ length: o.createConcurrency }, async () => {
        while (next < o.pods && performance.now() < deadline) await create(next++);
      }));
    }
    const createdSeconds = (performance.now() - t0) / 1000;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([allBound, new Promise<void>((r) => (timer = setTimeout(r, Math.max(0, deadline - performance.now()))))]);
    clearTimeout(timer);
    abort.abort();
    const seconds = (lastBound - t0) / 1000;
    const benchCpu = process.cpuUsage(benchCpuBefore);
    const requestsPerPod = requestDelta(requestsBefore, await scrapeRequestCounts(client), Math.max(1, boundAt.length));
    const cpuSeconds: Record<string, number> = { apiserver: round(api.cpuSeconds() - cpuBefore.get('apiserver')!, 1) };
    for (const d of daemons) cpuSeconds[d.name] = round(d.cpuSeconds() - cpuBefore.get(d.name)!, 1);
    cpuSeconds['benchmark (creates and watch)'] = round((benchCpu.user + benchCpu.system) / 1e6, 1);
    const perSecond: number[] = [];
    for (const t of boundAt) {
      const s = Math.floor((t - t0) / 1000);
      while (perSecond.length <= s) perSecond.push(0);
      perSecond[s]!++;
    }
    return {
      benchmark: 'scheduling',
      startedAt: new Date(Date.now() - (performance.now() - setupStart)).toISOString(),
      machine: { cpus: (await import('node:os')).cpus().length, node: process.version, platform: `${process.platform}/${process.arch}` },
      options: { nodes: o.nodes, pods: o.pods, rate: o.rate, createConcurrency: o.createConcurrency, warmupPods: o.warmupPods, leaseDurationSeconds: o.leaseDurationSeconds, parallelBindings: o.parallelBindings, deadlineMs: o.deadlineMs },
      bound: boundAt.length,
      seconds: round(seconds, 2),
      podsPerSecond: round(boundAt.length / seconds),
      createdPerSecond: round(o.pods / createdSeconds),
      perSecond,
      latency: latency.summary(),
      hollowRssPerNodeBytes: Math.round(hollow.rss() / o.nodes),
      cpuSeconds,
      requestsPerPod,
      setupSeconds: round(setupSeconds, 1),
    };
  } finally {
    client.close();
    for (const d of daemons.reverse()) await d.stop();
    await api.stop();
  }
}

function benchPod(name: string, namespace: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { app: 'bench' } },
    spec: { containers: [{ name: 'c', image: 'kubelab/pause', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
  };
}

/**
 * Creates n pods in their own namespace, in the shape of the measurement (all at once, or as a
 * steady stream at rate), and waits until all are bound and Running, and a second more.
 */
async function warmUp(client: Client, n: number, rate: number): Promise<void> {
  const ns = 'bench-warmup';
  await client.resource('Namespace').create('', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  const pods = client.resource<Pod>('Pod');
  if (rate > 0) {
    // A steady stream warms up other paths than a burst does (measured: without this, most of a
    // steady run's slow pods came in its first 4 seconds).
    const t0 = performance.now();
    const inflight: Promise<unknown>[] = [];
    for (let i = 0; i < n; i++) {
      const wait = t0 + (i * 1000) / rate - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      inflight.push(pods.create(ns, benchPod(`w-${i}`, ns)));
    }
    await Promise.all(inflight);
  } else {
    let next = 0;
    await Promise.all(Array.from({ length: 32 }, async () => {
      while (next < n) await pods.create(ns, benchPod(`w-${next++}`, ns));
    }));
  }
  // Measure from a quiet system: every warm-up pod bound and reported Running by its hollow node
  // (their status writes and events would otherwise land in the first seconds of the measurement).
  const deadline = Date.now() + 300_000;
  while ((await pods.list(ns, { fieldSelector: 'status.phase!=Running' })).items.length > 0) {
    if (Date.now() > deadline) throw new Error(`warm-up pods were not all bound and Running within 300 s`);
    await new Promise((r) => setTimeout(r, 250));
  }
  await new Promise((r) => setTimeout(r, 1000));
}

async function waitForReadyNodes(client: Client, n: number, progress: (l: string) => void): Promise<void> {
  const nodes = client.resource<Node>('Node');
  const deadline = Date.now() + 600_000;
  let last = -1;
  for (;;) {
    const list = await nodes.list('');
    const ready = list.items.filter((x) => x.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
    if (ready >= n) return;
    if (ready !== last) progress(`${ready}/${n} nodes Ready`);
    last = ready;
    if (Date.now() > deadline) throw new Error(`only ${ready} of ${n} hollow nodes became Ready within 10 minutes`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}
