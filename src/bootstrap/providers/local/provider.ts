/**
 * The local provider: every component of the lab as a process on this machine, the embedded
 * default that needs nothing but Node.js. State, logs, the token and the kubeconfig live in
 * <home>/<name>/. Bring-up is an ordered list of steps; if one fails, what started is stopped
 * again (unless the user asked to retain it).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rfc3339 } from '../../../util/clock.js';
import { httpGet } from '../../../util/http.js';
import { freePort, portFree } from '../../../util/net.js';
import { nodeArgv } from '../../../util/paths.js';
import { writeKubeconfig } from '../../kubeconfig.js';
import type { ComponentHealth, Provider, UpOptions } from '../../provider.js';
import { clusterDir, saveState, type ComponentState, type LabState } from '../../state.js';
import { ensurePki } from '../../pki.js';
import { TIMINGS } from '../../timings.js';
import { claimSlot, releaseSlot, slotAddresses } from './slots.js';
import { controlPlaneComponents, labId, localNodes, workerComponents, type ComponentSpec, type LocalLabConfig } from './components.js';
import { prepareDockerImages, removeLabNetwork } from './docker.js';
import { stopNodeWorkloads } from './node-workloads.js';
import { waitNodesReady } from './readiness.js';
import { isOurProcess, processAlive, spawnDaemon, stopProcess, waitHealthy } from './process.js';


interface Step {
  name: string;
  run(): Promise<void>;
}

interface StartContext {
  state: LabState;
  token: string;
  ca: string;
  signal?: AbortSignal;
}

export class LocalProvider implements Provider {
  readonly name = 'local';

  async up(o: UpOptions): Promise<LabState> {
    const dir = clusterDir(o.home, o.name);
    mkdirSync(join(dir, 'logs'), { recursive: true });
    const tokenFile = join(dir, 'token');
    if (!existsSync(tokenFile)) writeFileSync(tokenFile, randomBytes(24).toString('hex') + '\n', { mode: 0o600 });
    const token = readFileSync(tokenFile, 'utf8').trim();
    const addresses = slotAddresses(claimSlot(dir));
    const master = addresses.node(0);
    const pki = ensurePki(join(dir, 'pki'), [master]);
    const apiPort = await this.pickApiPort(master, o.apiPort);
    const apiServerURL = `https://${master}:${apiPort}`;
    const nodes = localNodes(o.workers, addresses);
    const cfg: LocalLabConfig = {
      name: o.name,
      addresses,
      dir,
      apiPort,
      apiServerURL,
      tokenFile,
      certFile: pki.apiserverCertFile,
      keyFile: pki.apiserverKeyFile,
      kubeconfig: join(dir, 'kubeconfig'),
      runtime: o.runtime,
      workers: o.workers,
      timings: TIMINGS[o.timings],
      verbosity: o.verbosity,
    };
    const state: LabState = {
      name: o.name,
      provider: this.name,
      createdAt: rfc3339(Date.now()),
      dir,
      apiServer: { url: apiServerURL, tokenFile, caFile: pki.caFile },
      kubeconfig: cfg.kubeconfig,
      runtime: o.runtime,
      slot: addresses.slot,
      timings: o.timings,
      nodes,
      components: [],
    };
    const ctx: StartContext = { state, token, ca: pki.ca, ...(o.signal ? { signal: o.signal } : {}) };
    const workers = nodes.filter((n) => n.role === 'worker');
    const [apiserver, ...controlPlane] = controlPlaneComponents(cfg);
    const steps: Step[] = [
      { name: 'Starting the API server', run: () => this.start(ctx, apiserver!) },
      { name: 'Writing the kubeconfig', run: async () => writeKubeconfig(cfg.kubeconfig, { cluster: o.name, server: apiServerURL, token, ca: pki.ca }) },
      { name: 'Starting the controller manager and the scheduler', run: async () => void (await Promise.all(controlPlane.map((c) => this.start(ctx, c)))) },
    ];
    if (workers.length && o.runtime === 'docker') {
      steps.push({ name: 'Preparing the lab images in Docker (kubelab/pause, kubelab/echo)', run: () => prepareDockerImages(o.progress) });
    }
    if (workers.length) {
      steps.push(
        { name: `Starting ${workers.length} worker node${workers.length === 1 ? '' : 's'} (kubelet and proxy, ${o.runtime} runtime)`, run: async () => void (await Promise.all(workers.flatMap((n) => workerComponents(cfg, n).map((c) => this.start(ctx, c))))) },
        { name: 'Waiting for the nodes to be Ready', run: () => waitNodesReady(cfg.kubeconfig, workers.map((n) => n.name), 60_000) },
      );
    }
    for (const step of steps) {
      o.progress(` • ${step.name}`);
      try {
        await step.run();
      } catch (err) {
        if (!o.retain) await this.down(state, { purge: false, progress: () => {} });
        throw new Error(`${step.name} failed: ${(err as Error).message}`, { cause: err });
      }
    }
    saveState(state);
    return state;
  }

  /** Starts one component as a detached process, records it, and waits until it is healthy. */
  private async start(ctx: StartContext, c: ComponentSpec): Promise<void> {
    const log = join(ctx.state.dir, 'logs', `${c.name}${c.node === 'master' ? '' : `-${c.node}`}.log`);
    const argv = nodeArgv(c.script, c.args);
    const pid = spawnDaemon(argv, log);
    const comp: ComponentState = { name: c.name, node: c.node, argv, health: c.health, pid, log, startedAt: rfc3339(Date.now()) };
    ctx.state.components.push(comp);
    saveState(ctx.state);
    await waitHealthy({ url: c.health, token: ctx.token, ca: ctx.ca, pid, log, timeoutMs: 60_000, ...(ctx.signal ? { signal: ctx.signal } : {}) });
  }

  async down(state: LabState, o: { purge: boolean; progress(line: string): void }): Promise<void> {
    // Nodes first, control plane last, as a cluster is taken apart; a node's pods after its kubelet
    // (which would otherwise restart them), gracefully.
    for (const c of [...state.components].reverse()) {
      const how = await stopProcess(c.pid, c.argv);
      o.progress(` • ${c.name}${c.node === 'master' ? '' : ` on ${c.node}`}: ${how === 'gone' ? 'was not running' : how}`);
      if (c.name === 'kubelet') {
        const n = await stopNodeWorkloads(c, 5);
        if (n) o.progress(` • ${n} container${n === 1 ? '' : 's'} on ${c.node}: stopped`);
      }
    }
    state.components = [];
    if (o.purge) {
      if (state.runtime === 'docker' && state.slot !== undefined) await removeLabNetwork(labId(state.slot));
      rmSync(state.dir, { recursive: true, force: true });
      releaseSlot(state.dir);
    } else saveState(state);
  }

  async crashNode(state: LabState, node: string): Promise<void> {
    const mine = state.components.filter((c) => c.node === node);
    if (mine.length === 0 || node === 'master') throw new Error(`"${node}" is not a worker node of lab "${state.name}" (${state.nodes.filter((n) => n.role === 'worker').map((n) => n.name).join(', ')})`);
    for (const c of mine) if (isOurProcess(c.pid, c.argv)) process.kill(c.pid, 'SIGKILL');
    for (const c of mine) while (processAlive(c.pid)) await new Promise((r) => setTimeout(r, 10));
    const kubelet = mine.find((c) => c.name === 'kubelet');
    if (kubelet) await stopNodeWorkloads(kubelet, 0);
  }

  async restartStopped(state: LabState): Promise<string[]> {
    const token = readFileSync(state.apiServer.tokenFile, 'utf8').trim();
    const ca = readFileSync(state.apiServer.caFile, 'utf8');
    const started: string[] = [];
    // In the order of bring-up: the API server first, then the rest once it answers.
    for (const tier of [state.components.filter((c) => c.name === 'apiserver'), state.components.filter((c) => c.name !== 'apiserver')]) {
      const stopped = tier.filter((c) => !isOurProcess(c.pid, c.argv));
      for (const c of stopped) {
        c.pid = spawnDaemon(c.argv, c.log);
        c.startedAt = rfc3339(Date.now());
        started.push(c.node === 'master' ? c.name : `${c.name} on ${c.node}`);
      }
      saveState(state);
      await Promise.all(stopped.map((c) => waitHealthy({ url: c.health, token, ca, pid: c.pid, log: c.log, timeoutMs: 60_000 })));
    }
    return started;
  }

  async startNode(state: LabState, node: string): Promise<string[]> {
    const mine = state.components.filter((c) => c.node === node);
    if (mine.length === 0) throw new Error(`"${node}" is not a node of lab "${state.name}"`);
    const token = readFileSync(state.apiServer.tokenFile, 'utf8').trim();
    const ca = readFileSync(state.apiServer.caFile, 'utf8');
    const started: string[] = [];
    for (const c of mine) {
      if (isOurProcess(c.pid, c.argv)) continue;
      c.pid = spawnDaemon(c.argv, c.log);
      c.startedAt = rfc3339(Date.now());
      started.push(c.name);
      saveState(state);
    }
    await Promise.all(mine.map((c) => waitHealthy({ url: c.health, token, ca, pid: c.pid, log: c.log, timeoutMs: 60_000 })));
    return started;
  }

  async status(state: LabState): Promise<ComponentHealth[]> {
    const token = readFileSync(state.apiServer.tokenFile, 'utf8').trim();
    const ca = readFileSync(state.apiServer.caFile, 'utf8');
    return Promise.all(
      state.components.map(async (c): Promise<ComponentHealth> => {
        const running = isOurProcess(c.pid, c.argv);
        if (!running) return { component: c.name, node: c.node, pid: c.pid, running, healthy: false, detail: processAlive(c.pid) ? 'pid reused by another process' : 'not running' };
        try {
          const res = await httpGet(c.health, { token, ca });
          const ok = res.status === 200;
          const body = res.body.trim().split('\n').pop() ?? '';
          return { component: c.name, node: c.node, pid: c.pid, running, healthy: ok, detail: ok ? `${c.health} ok` : `${c.health}: ${res.status} ${body}` };
        } catch (err) {
          return { component: c.name, node: c.node, pid: c.pid, running, healthy: false, detail: `${c.health}: ${(err as Error).message}` };
        }
      }),
    );
  }

  private async pickApiPort(host: string, requested: number): Promise<number> {
    if (requested) {
      if (!(await portFree(host, requested))) throw new Error(`port ${requested} on ${host} is in use; choose another with --api-port or leave it out`);
      return requested;
    }
    return (await portFree(host, 6443)) ? 6443 : freePort(host);
  }
}
