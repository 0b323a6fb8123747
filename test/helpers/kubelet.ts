/**
 * Kubelets on the fake runtime against a test API server, closed in teardown even when the test
 * fails, plus the steps a scheduler would do (create a pod, bind it through pods/binding) and
 * waits on what the kubelet reports.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { writeKubeconfig } from '../../src/bootstrap/kubeconfig.js';
import type { Pod } from '../../src/api/types.js';
import { Client } from '../../src/client/rest.js';
import { startKubelet, type Kubelet, type KubeletOptions } from '../../src/worker/kubelet/kubelet.js';
import { FakeRuntime, type FakeRuntimeOptions } from '../../src/worker/kubelet/runtimes/fake.js';
import { nodeArgv } from '../../src/util/paths.js';
import { testApiServer } from './apiserver.js';
import { eventually } from './eventually.js';
import { tempDir } from './tmp.js';

/** A Client for url, closed in teardown. */
export function testClient(t: ExecutionContext, url: string): Client {
  const client = new Client({ server: url });
  t.teardown(() => client.close());
  return client;
}

export interface KubeletLab {
  url: string;
  client: Client;
}

/** An API server and a client for it. */
export async function kubeletLab(t: ExecutionContext): Promise<KubeletLab> {
  const server = await testApiServer(t);
  return { url: server.url, client: testClient(t, server.url) };
}

/** A fake runtime (system clock unless given). */
export function fakeRuntime(o: FakeRuntimeOptions = {}): FakeRuntime {
  return new FakeRuntime(o);
}

/** Starts a kubelet on 127.0.0.1, port 0, with a fake runtime unless one is given; closed in teardown. */
export async function testKubelet(t: ExecutionContext, client: Client, o: Partial<KubeletOptions> & { nodeName: string }): Promise<{ kubelet: Kubelet; runtime: FakeRuntime }> {
  const runtime = (o.runtime as FakeRuntime | undefined) ?? new FakeRuntime();
  const kubelet = await startKubelet({ nodeIP: '127.0.0.1', port: 0, cpu: '4', memory: '8Gi', systemInfo: {}, ...o, client, runtime });
  t.teardown(() => kubelet.close());
  return { kubelet, runtime };
}

/** A pod of one container "web" (or the given containers) in default. */
export function podSpec(name: string, o: Partial<Pod['spec']> = {}): Pod {
  return { metadata: { name, namespace: 'default' }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }], terminationGracePeriodSeconds: 5, ...o } };
}

/** Creates pod and binds it to node through the binding subresource, as a scheduler does. */
export async function createBoundPod(client: Client, pod: Pod, node: string): Promise<Pod> {
  const pods = client.resource<Pod>('Pod');
  const created = await pods.create(pod.metadata.namespace ?? 'default', pod);
  await pods.createSubresource(created.metadata.namespace!, created.metadata.name!, 'binding', {
    apiVersion: 'v1',
    kind: 'Binding',
    metadata: { name: created.metadata.name, uid: created.metadata.uid },
    target: { kind: 'Node', name: node },
  });
  return created;
}

/** Waits until the pod satisfies test, and resolves with it. */
export async function waitForPod(client: Client, ns: string, name: string, test: (p: Pod) => boolean, message: string, timeoutMs = 10_000): Promise<Pod> {
  let last: Pod | undefined;
  try {
    return await eventually(
      async () => {
        last = await client.resource<Pod>('Pod').get(ns, name);
        return test(last) ? last : undefined;
      },
      { timeoutMs, message, intervalMs: 20 },
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}\nlast seen status: ${JSON.stringify(last?.status, null, 1)}`, { cause: err });
  }
}

/** Whether the pod is Running with Ready True. */
export function isRunningReady(p: Pod): boolean {
  return p.status?.phase === 'Running' && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
}

/** Runs a repository script to its exit (for bad-usage checks); killed after timeoutMs. */
export function runScript(script: string, args: string[], timeoutMs = 30_000): Promise<{ code: number | null; stderr: string }> {
  const argv = nodeArgv(script, args);
  return new Promise((resolve, reject) => {
    const proc = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${script} ${args.join(' ')} did not exit within ${timeoutMs} ms:\n${stderr}`));
    }, timeoutMs);
    // 'close', not 'exit': the last of stderr may still be on its way when the process exits.
    proc.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

/** A kubeconfig for an API server, in a temporary directory removed in teardown. */
export function testKubeconfig(t: ExecutionContext, server: string, token = 'kubelet-test-token'): string {
  const path = join(tempDir(t), 'kubeconfig');
  writeKubeconfig(path, { cluster: 'test', server, token });
  return path;
}
