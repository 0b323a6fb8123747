/**
 * `lab demo`: the lab's main job in one command. Brings a local lab up (or reuses it), deploys the
 * echo app (3 replicas and a Service), shows requests answered by every replica, crashes a node
 * that runs some of them while requests keep flowing, and reports how the cluster recovered, with
 * timings, then brings the node back. Every wait is bounded.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Deployment, Endpoints, KObject, Node, Pod, Service } from '../api/types.js';
import { Client } from '../client/rest.js';
import { isNotFound } from '../client/errors.js';
import type { Provider } from '../bootstrap/provider.js';
import type { LabState } from '../bootstrap/state.js';
import type { Clock } from '../util/clock.js';
import { repoRoot } from '../util/paths.js';
import type { TimelineEvent } from './timeline.js';
import { getJson, startTraffic, type TrafficStats } from './traffic.js';

export const DEMO_NAMESPACE = 'demo';

export interface DemoResult {
  deploySeconds: number;
  serviceURL: string;
  /** Answers per pod for the first requests, before the fault. */
  spread: Record<string, number>;
  victim: string;
  /** Fault time, lab clock (ms since the epoch). */
  faultAt: number;
  timeline: TimelineEvent[];
  /** From the fault until every replica was Ready again elsewhere, s. */
  recoverySeconds: number;
  traffic: TrafficStats;
}

export interface DemoOptions {
  provider: Provider;
  state: LabState;
  clock: Clock;
  progress(line: string): void;
  /** Bound of each wait, ms. */
  timeoutMs: number;
}

const isReady = (p: Pod) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
const nodeReady = (n: Node) => n.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? 'Unknown';

async function until<T>(what: string, timeoutMs: number, clock: Clock, fn: () => Promise<T | undefined>): Promise<T> {
  const deadline = clock.monotonic() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (clock.monotonic() > deadline) throw new Error(`${what}: not reached within ${timeoutMs / 1000} s`);
    await clock.sleep(100);
  }
}

/** Creates the objects of examples/echo.yaml in a fresh demo namespace. */
async function deploy(client: Client, o: DemoOptions): Promise<void> {
  const ns = client.resource('Namespace');
  try {
    await ns.delete('', DEMO_NAMESPACE);
    o.progress(`deleting the previous "${DEMO_NAMESPACE}" namespace`);
    await until('the previous demo namespace to go', o.timeoutMs, o.clock, async () => {
      try {
        await ns.get('', DEMO_NAMESPACE);
        return undefined;
      } catch (err) {
        if (isNotFound(err)) return true;
        throw err;
      }
    });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  await ns.create('', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: DEMO_NAMESPACE } });
  const docs = parseAllDocuments(readFileSync(join(repoRoot, 'examples/echo.yaml'), 'utf8')).map((d) => d.toJS() as KObject);
  for (const obj of docs) await client.resource(obj.kind!).create(DEMO_NAMESPACE, obj);
}

export async function runDemo(o: DemoOptions): Promise<DemoResult> {
  const { clock } = o;
  const client = Client.fromKubeconfig(o.state.kubeconfig);
  const pods = client.resource<Pod>('Pod');
  const nodes = client.resource<Node>('Node');
  try {
    const t0 = clock.monotonic();
    o.progress('deploying examples/echo.yaml: Deployment "echo" (3 replicas) and Service "echo"');
    await deploy(client, o);
    const replicas = (await client.resource<Deployment>('Deployment').get(DEMO_NAMESPACE, 'echo')).spec.replicas ?? 1;
    await until('every echo replica Ready and in the Service endpoints', o.timeoutMs, clock, async () => {
      const ep = await client.resource<Endpoints>('Endpoints').get(DEMO_NAMESPACE, 'echo').catch(() => undefined);
      const ready = ep?.subsets?.reduce((n, s) => n + (s.addresses?.length ?? 0), 0) ?? 0;
      return ready === replicas ? true : undefined;
    });
    const deploySeconds = (clock.monotonic() - t0) / 1000;
    const svc = await client.resource<Service>('Service').get(DEMO_NAMESPACE, 'echo');
    const serviceURL = `http://${svc.spec.clusterIP}:${svc.spec.ports![0]!.port}/`;

    o.progress(`sending 30 requests to ${serviceURL}`);
    const spread: Record<string, number> = {};
    for (let i = 0; i < 30; i++) {
      const a = await getJson(serviceURL, 2000);
      if (a.pod) spread[a.pod] = (spread[a.pod] ?? 0) + 1;
    }

    // The victim: the node running the most echo pods (so the fault matters).
    const before = (await pods.list(DEMO_NAMESPACE, { labelSelector: 'app=echo' })).items;
    const perNode = new Map<string, string[]>();
    for (const p of before) if (p.spec.nodeName) perNode.set(p.spec.nodeName, [...(perNode.get(p.spec.nodeName) ?? []), p.metadata.name!]);
    const [victim, victimPods] = [...perNode].sort((a, b) => b[1].length - a[1].length)[0]!;

    const traffic = startTraffic({ url: serviceURL, intervalMs: 50, timeoutMs: 1000, maxRequests: 20_000, clock });
    await clock.sleep(500);
    o.progress(`crashing ${victim} (runs ${victimPods.join(', ')}) while requests keep flowing`);
    const faultAt = clock.now();
    const mono0 = clock.monotonic();
    await o.provider.crashNode(o.state, victim);
    const timeline: TimelineEvent[] = [{ kind: 'crashed', at: clock.now(), node: victim, pods: victimPods }];
    const seen = new Set<string>();
    const mark = (key: string, e: TimelineEvent) => {
      if (seen.has(key)) return;
      seen.add(key);
      timeline.push(e);
      o.progress(e.kind.replace(/-/g, ' '));
    };
    await until('the echo replicas to be Ready again on the other nodes', o.timeoutMs, clock, async () => {
      const node = await nodes.get('', victim);
      if (nodeReady(node) !== 'True') mark('not-ready', { kind: 'node-not-ready', at: clock.now(), node: victim, status: nodeReady(node) === 'False' ? 'NotReady' : 'NotReady (Unknown)' });
      const now = (await pods.list(DEMO_NAMESPACE, { labelSelector: 'app=echo' })).items;
      const names = new Set(now.map((p) => p.metadata.name!));
      // Pods of a lost node stay Terminating until it comes back (as in Kubernetes): evicted means marked for deletion.
      const terminating = (name: string) => !names.has(name) || !!now.find((p) => p.metadata.name === name)?.metadata.deletionTimestamp;
      if (victimPods.every(terminating)) mark('evicted', { kind: 'pods-evicted', at: clock.now(), pods: victimPods });
      const fresh = now.filter((p) => !before.some((b) => b.metadata.name === p.metadata.name));
      if (fresh.length >= victimPods.length) mark('created', { kind: 'replacements-created', at: clock.now(), pods: fresh.map((p) => p.metadata.name!) });
      const readyFresh = fresh.filter((p) => isReady(p) && p.spec.nodeName !== victim);
      if (readyFresh.length >= victimPods.length) mark('ready', { kind: 'replacements-ready', at: clock.now(), pods: readyFresh.map((p) => ({ name: p.metadata.name!, node: p.spec.nodeName! })) });
      const ep = await client.resource<Endpoints>('Endpoints').get(DEMO_NAMESPACE, 'echo');
      const addrs = ep.subsets?.flatMap((s) => s.addresses ?? []) ?? [];
      if (addrs.every((a) => a.nodeName !== victim)) mark('dropped', { kind: 'endpoints-dropped', at: clock.now(), ready: addrs.length });
      if (addrs.length === replicas && addrs.every((a) => a.nodeName !== victim)) mark('endpoints', { kind: 'endpoints-restored', at: clock.now(), ready: addrs.length });
      return seen.has('ready') && seen.has('endpoints') ? true : undefined;
    });
    const recoverySeconds = (clock.monotonic() - mono0) / 1000;
    await clock.sleep(1000);
    const stats = await traffic.stop();

    o.progress(`starting ${victim} again`);
    await o.provider.startNode(o.state, victim);
    await until(`${victim} Ready again`, o.timeoutMs, clock, async () => (nodeReady(await nodes.get('', victim)) === 'True' ? true : undefined));
    timeline.push({ kind: 'node-restarted', at: clock.now(), node: victim });
    return { deploySeconds, serviceURL, spread, victim, faultAt, timeline, recoverySeconds, traffic: stats };
  } finally {
    client.close();
  }
}
