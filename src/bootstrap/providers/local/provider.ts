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
import { isOurProcess, processAlive, spawnDaemon, stopProcess, waitHealthy } from './process.js';

const HOST = '127.0.0.1';

interface Step {
  name: string;
  run(): Promise<void>;
}

export class LocalProvider implements Provider {
  readonly name = 'local';

  async up(o: UpOptions): Promise<LabState> {
    const dir = clusterDir(o.home, o.name);
    mkdirSync(join(dir, 'logs'), { recursive: true });
    const tokenFile = join(dir, 'token');
    if (!existsSync(tokenFile)) writeFileSync(tokenFile, randomBytes(24).toString('hex') + '\n', { mode: 0o600 });
    const token = readFileSync(tokenFile, 'utf8').trim();
    const pki = ensurePki(join(dir, 'pki'), [HOST]);
    const apiPort = await this.pickApiPort(o.apiPort);
    const state: LabState = {
      name: o.name,
      provider: this.name,
      createdAt: rfc3339(Date.now()),
      dir,
      apiServer: { url: `https://${HOST}:${apiPort}`, tokenFile, caFile: pki.caFile },
      kubeconfig: join(dir, 'kubeconfig'),
      runtime: o.runtime,
      nodes: [{ name: 'master', role: 'control-plane', address: HOST }],
      components: [],
    };

    const start = async (c: Omit<ComponentState, 'pid' | 'startedAt' | 'log'>) => {
      const log = join(dir, 'logs', `${c.name}${c.node === 'master' ? '' : `-${c.node}`}.log`);
      const pid = spawnDaemon(c.argv, log);
      const comp: ComponentState = { ...c, pid, log, startedAt: rfc3339(Date.now()) };
      state.components.push(comp);
      saveState(state);
      await waitHealthy({ url: c.health, token, ca: pki.ca, pid, log, timeoutMs: 60_000, ...(o.signal ? { signal: o.signal } : {}) });
    };

    const steps: Step[] = [
      {
        name: 'Starting the API server',
        run: () =>
          start({
            name: 'apiserver',
            node: 'master',
            argv: nodeArgv('src/control/apiserver/main.ts', [
              '--data-dir', join(dir, 'data'),
              '--host', HOST,
              '--port', String(apiPort),
              '--token-file', tokenFile,
              '--tls-cert-file', pki.apiserverCertFile,
              '--tls-private-key-file', pki.apiserverKeyFile,
              '-v', String(o.verbosity),
            ]),
            health: `${state.apiServer.url}/readyz`,
          }),
      },
      {
        name: 'Writing the kubeconfig',
        run: async () => writeKubeconfig(state.kubeconfig, { cluster: o.name, server: state.apiServer.url, token, ca: pki.ca }),
      },
    ];

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

  async down(state: LabState, o: { purge: boolean; progress(line: string): void }): Promise<void> {
    // Nodes first, control plane last, as a cluster is taken apart.
    for (const c of [...state.components].reverse()) {
      const how = await stopProcess(c.pid, c.argv);
      o.progress(` • ${c.name}${c.node === 'master' ? '' : ` on ${c.node}`}: ${how === 'gone' ? 'was not running' : how}`);
    }
    state.components = [];
    if (o.purge) rmSync(state.dir, { recursive: true, force: true });
    else saveState(state);
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

  private async pickApiPort(requested: number): Promise<number> {
    if (requested) {
      if (!(await portFree(HOST, requested))) throw new Error(`port ${requested} on ${HOST} is in use; choose another with --api-port or leave it out`);
      return requested;
    }
    return (await portFree(HOST, 6443)) ? 6443 : freePort(HOST);
  }
}
