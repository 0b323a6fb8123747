/**
 * `lab bench restart`: how fast a killed container runs again. Brings up a one-worker local lab on
 * the chosen runtime, runs N single-container pods, kills each container once from outside (docker
 * kill, or SIGKILL of the process), and measures from the kill to the container running again:
 * as the runtime sees it (Docker's start event; the docker runtime only) and as the API shows it
 * (the pod's status with restartCount 1 and state running). The kubelet learns of exits from the
 * runtime's event stream, and a first restart has no back-off, so this is the reaction path.
 */
import Docker from 'dockerode';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from '../api/types.js';
import { LocalProvider } from '../bootstrap/providers/local/provider.js';
import type { LabState } from '../bootstrap/state.js';
import { Client } from '../client/rest.js';
import { Latency, type LatencySummary } from './stats.js';

export interface RestartBenchOptions {
  runtime: 'docker' | 'process';
  pods: number;
  progress(line: string): void;
}

export interface RestartBenchResult {
  benchmark: 'restart';
  startedAt: string;
  options: Omit<RestartBenchOptions, 'progress'>;
  /** Kill to the container running again, from the runtime's own events (docker only). */
  runtimeLatency?: LatencySummary;
  /** Kill to the API showing the pod Running with restartCount 1. */
  apiLatency: LatencySummary;
  restarted: number;
}

const NS = 'default';

/** Kills the pod's container from outside the lab, as a crash would. */
async function killContainer(state: LabState, pod: Pod, docker: Docker): Promise<void> {
  const id = pod.status!.containerStatuses![0]!.containerID!.replace(/^[a-z]+:\/\//, '');
  if (state.runtime === 'docker') return void (await docker.getContainer(id).kill());
  const dir = join(state.dir, 'nodes', pod.spec.nodeName!, 'process-runtime', 'containers', id);
  const { pid } = JSON.parse(readFileSync(join(dir, 'started.json'), 'utf8')) as { pid: number };
  process.kill(pid, 'SIGKILL');
}

export async function runRestartBench(o: RestartBenchOptions): Promise<RestartBenchResult> {
  const home = mkdtempSync(join(tmpdir(), 'kubelab-bench-restart-'));
  const provider = new LocalProvider();
  const docker = new Docker();
  let state: LabState | undefined;
  try {
    o.progress(`bringing up a 1-worker lab on the ${o.runtime} runtime`);
    state = await provider.up({ name: 'bench', home, workers: 1, runtime: o.runtime, timings: 'lab', apiPort: 0, retain: false, verbosity: 0, progress: (l) => o.progress(l.trim().replace(/^• /, '')) });
    const client = Client.fromKubeconfig(state.kubeconfig);
    const pods = client.resource<Pod>('Pod');
    try {
      const image = o.runtime === 'docker' ? 'kubelab/pause:0.1.0' : 'busybox';
      for (let i = 0; i < o.pods; i++) {
        await pods.create(NS, { apiVersion: 'v1', kind: 'Pod', metadata: { name: `r-${i}` }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image, command: ['sleep', '3600'] }] } });
      }
      o.progress(`waiting for ${o.pods} pods to run`);
      const running = async () => (await pods.list(NS)).items.filter((p) => p.status?.containerStatuses?.[0]?.state?.running);
      const deadline = Date.now() + 120_000;
      let list = await running();
      while (list.length < o.pods) {
        if (Date.now() > deadline) throw new Error(`only ${list.length} of ${o.pods} pods run after 120 s`);
        await new Promise((r) => setTimeout(r, 200));
        list = await running();
      }
      const runtimeLatency = new Latency();
      const apiLatency = new Latency();
      const from = (await pods.list(NS, { limit: 1 })).metadata.resourceVersion!;
      const killedAt = new Map<string, number>();
      const ac = new AbortController();
      // Docker's view: the next start of a container of the same pod.
      if (o.runtime === 'docker') {
        const events = (await docker.getEvents({ filters: { type: ['container'], event: ['start'], label: ['io.kubernetes.container.name=c'] } })) as NodeJS.ReadableStream & { destroy(): void };
        ac.signal.addEventListener('abort', () => events.destroy());
        events.on('data', (buf: Buffer) => {
          for (const line of buf.toString().split('\n').filter(Boolean)) {
            const ev = JSON.parse(line) as { Actor?: { Attributes?: Record<string, string> } };
            const pod = ev.Actor?.Attributes?.['io.kubernetes.pod.name'];
            const t = pod ? killedAt.get(pod) : undefined;
            if (t !== undefined) runtimeLatency.record(performance.now() - t);
          }
        });
      }
      let restarted = 0;
      const allBack = new Promise<void>((resolve) => {
        void (async () => {
          try {
            for await (const ev of pods.watch(NS, { resourceVersion: from, signal: ac.signal })) {
              const p = ev.object as Pod;
              const cs = p.status?.containerStatuses?.[0];
              const t = killedAt.get(p.metadata.name!);
              if (t === undefined || cs?.restartCount !== 1 || !cs.state?.running) continue;
              apiLatency.record(performance.now() - t);
              killedAt.delete(p.metadata.name!);
              if (++restarted === o.pods) return resolve();
            }
          } catch {
            // aborted
          }
          resolve();
        })();
      });
      o.progress(`killing each container once`);
      for (const p of list) {
        killedAt.set(p.metadata.name!, performance.now());
        await killContainer(state, p, docker);
        await new Promise((r) => setTimeout(r, 50)); // one at a time, so each reaction is measured alone
      }
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([allBack, new Promise((r) => (timer = setTimeout(r, 60_000)))]);
      clearTimeout(timer);
      ac.abort();
      return {
        benchmark: 'restart',
        startedAt: new Date().toISOString(),
        options: { runtime: o.runtime, pods: o.pods },
        ...(o.runtime === 'docker' ? { runtimeLatency: runtimeLatency.summary() } : {}),
        apiLatency: apiLatency.summary(),
        restarted,
      };
    } finally {
      client.close();
    }
  } finally {
    if (state) await provider.down(state, { purge: true, progress: () => {} });
    rmSync(home, { recursive: true, force: true });
  }
}
