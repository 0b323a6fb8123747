/**
 * Shared setup of the process runtime's integration tests: a state directory per test, runtimes
 * on it, sandbox and container configs, an event recorder, and a teardown that kills every process
 * the test started (found from the started.json files, so even containers of a runtime that
 * crashed mid-test die) before the directory is removed.
 */
import { readdirSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { eventually } from '../../helpers/eventually.js';
import { tempDir } from '../../helpers/tmp.js';
import { ProcessRuntime, type ProcessRuntimeOptions } from '../../../src/worker/kubelet/runtimes/process/index.js';
import { processAlive } from '../../../src/worker/kubelet/runtimes/process/host.js';
import { readJsonSync, type StartedRecord } from '../../../src/worker/kubelet/runtimes/process/state.js';
import type { ContainerConfig, ContainerEvent, PodSandboxConfig } from '../../../src/worker/kubelet/runtime.js';

export interface ProcessLab {
  stateDir: string;
  /** The pod CIDR of this lab: random in 127.100-199.x.0/24, so parallel tests never share an address. */
  podCIDR: string;
  /** A runtime on the lab's state directory (closed in teardown). */
  runtime(o?: Partial<ProcessRuntimeOptions>): ProcessRuntime;
}

export function processLab(t: ExecutionContext, o: Partial<ProcessRuntimeOptions> = {}): ProcessLab {
  const stateDir = join(tempDir(t, 'kubelab-process-'), 'state');
  const podCIDR = `127.${100 + Math.floor(Math.random() * 100)}.${Math.floor(Math.random() * 256)}.0/24`;
  const runtimes: ProcessRuntime[] = [];
  // Registered after tempDir, so it runs before the directory is removed (teardowns run last first).
  t.teardown(async () => {
    for (const r of runtimes) await r.close();
    killEverything(stateDir);
  });
  return {
    stateDir,
    podCIDR,
    runtime(extra = {}) {
      const r = new ProcessRuntime({ stateDir, podCIDR, pollIntervalMs: 50, ...o, ...extra });
      runtimes.push(r);
      return r;
    },
  };
}

/** SIGKILL to every container group and shim recorded under stateDir that is still alive. */
export function killEverything(stateDir: string): void {
  let ids: string[];
  try {
    ids = readdirSync(join(stateDir, 'containers'));
  } catch {
    return;
  }
  for (const id of ids) {
    let s: StartedRecord | undefined;
    try {
      s = readJsonSync<StartedRecord>(join(stateDir, 'containers', id, 'started.json'));
    } catch {
      s = undefined;
    }
    if (!s) continue;
    if (processAlive(s.pid, s.pidStart)) tryKill(-s.pgid);
    if (processAlive(s.shimPid, s.shimStart)) tryKill(s.shimPid);
  }
}

function tryKill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone meanwhile
  }
}

export function sandboxConfig(name: string, extra: Partial<PodSandboxConfig> = {}): PodSandboxConfig {
  return { metadata: { uid: `uid-${name}`, name, namespace: 'default', attempt: 0 }, hostname: name, hostNetwork: false, portMappings: [], labels: { app: name }, annotations: {}, ...extra };
}

export function containerConfig(name: string, extra: Partial<ContainerConfig> = {}): ContainerConfig {
  return { metadata: { name, attempt: 0 }, image: 'busybox', command: [], args: [], env: [], ports: [], resources: {}, labels: {}, annotations: {}, ...extra };
}

/** A TCP port that was free a moment ago (pod IPs are fresh, so it is free on them too). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Runs a sandbox and one container in it, started. */
export async function runContainer(r: ProcessRuntime, pod: string, c: ContainerConfig, sb: Partial<PodSandboxConfig> = {}): Promise<{ sandboxId: string; id: string; ip: string | undefined }> {
  const sc = sandboxConfig(pod, sb);
  const sandboxId = await r.runPodSandbox(sc);
  const id = await r.createContainer(sandboxId, c, sc);
  await r.startContainer(id);
  return { sandboxId, id, ip: (await r.podSandboxStatus(sandboxId)).ips[0] };
}

/** An echo container answering on PORT. */
export function echoConfig(name: string, port: number, extra: Partial<ContainerConfig> = {}): ContainerConfig {
  return containerConfig(name, { image: 'kubelab/echo:test', ports: [{ containerPort: port, protocol: 'TCP' }], ...extra });
}

/** A request over a fresh connection (no keep-alive, so servers stop without waiting for it). */
export function httpGet(url: string, method = 'GET'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (s: string) => (body += s));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** The first answer of url, retrying while the server is still coming up. */
export function httpGetEventually(url: string): Promise<{ status: number; body: string }> {
  return eventually(() => httpGet(url), { timeoutMs: 10_000, message: `an answer from ${url}` });
}

/** Records a runtime's events from now on, until teardown. */
export function recordEvents(t: ExecutionContext, r: ProcessRuntime): { events: ContainerEvent[]; waitFor(pred: (e: ContainerEvent) => boolean, what: string): Promise<ContainerEvent> } {
  const events: ContainerEvent[] = [];
  const ac = new AbortController();
  t.teardown(() => ac.abort());
  void (async () => {
    for await (const e of r.events(ac.signal)) events.push(e);
  })();
  return {
    events,
    waitFor: (pred, what) => eventually(() => events.find(pred), { timeoutMs: 10_000, message: what }),
  };
}
