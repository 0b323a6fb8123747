import test from 'ava';
import type { Event, Lease, Node, Pod, Toleration } from '../../../src/api/types.js';
import type { Client } from '../../../src/client/rest.js';
import { parseTime, rfc3339, rfc3339Micro } from '../../../src/util/clock.js';
import { createLogger } from '../../../src/util/log.js';
import { testApiServer } from '../../helpers/apiserver.js';
import { startTestControllers } from '../../helpers/controllers.js';
import { eventually } from '../../helpers/eventually.js';

const GRACE_MS = 1000;

/** Stands in for kubelets: registers nodes Ready and renews their Leases until told to stop. */
class FakeKubelets {
  private readonly renewing = new Set<string>();
  private readonly timer: NodeJS.Timeout;
  private busy = false;

  constructor(private readonly client: Client) {
    this.timer = setInterval(() => void this.renewAll(), 100);
  }

  async register(name: string): Promise<void> {
    const now = Date.now();
    await this.client.resource<Node>('Node').create('', {
      metadata: { name, labels: { 'kubernetes.io/hostname': name } },
      spec: {},
      status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: rfc3339(now), lastTransitionTime: rfc3339(now) }] },
    });
    await this.client.resource<Lease>('Lease').create('kube-node-lease', { metadata: { name }, spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: rfc3339Micro(now) } });
    this.renewing.add(name);
  }

  stop(name: string): void {
    this.renewing.delete(name);
  }

  /** The kubelet is back: it posts Ready=True and renews its lease again. */
  async resume(name: string): Promise<void> {
    const nodes = this.client.resource<Node>('Node');
    const n = await nodes.get('', name);
    const now = rfc3339(Date.now());
    const conditions = (n.status?.conditions ?? []).map((c) => (c.type === 'Ready' ? { ...c, status: 'True' as const, reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now, lastTransitionTime: now } : c));
    await nodes.updateStatus({ ...n, status: { ...n.status, conditions } });
    this.renewing.add(name);
  }

  close(): void {
    clearInterval(this.timer);
  }

  private async renewAll(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      for (const name of this.renewing) {
        await this.client.resource<Lease>('Lease').patch('kube-node-lease', name, { spec: { renewTime: rfc3339Micro(Date.now()) } }, 'merge').catch(() => undefined);
      }
    } finally {
      this.busy = false;
    }
  }
}

async function readyPod(client: Client, name: string, node: string, tolerations?: Toleration[]): Promise<Pod> {
  const pods = client.resource<Pod>('Pod');
  const p = await pods.create('default', { metadata: { name }, spec: { nodeName: node, containers: [{ name: 'app', image: 'nginx:1.27' }], ...(tolerations ? { tolerations } : {}) } });
  return pods.updateStatus({ ...p, status: { ...p.status, phase: 'Running', podIP: '10.244.0.9', conditions: [{ type: 'Ready', status: 'True' }] } });
}

test('a node whose lease stops is marked Unknown and tainted, its pods are evicted after their tolerationSeconds, and it recovers', async (t) => {
  // Pods get the default not-ready/unreachable tolerations with 2 s, as the DefaultTolerationSeconds admission adds them.
  const server = await testApiServer(t, { defaultTolerationSeconds: 2 });
  const { client } = await startTestControllers(t, {
    server,
    controllers: ['node-lifecycle-controller', 'taint-eviction-controller'],
    nodeLifecycle: { nodeMonitorPeriodMs: 100, nodeMonitorGracePeriodMs: GRACE_MS, nodeStartupGracePeriodMs: 2 * GRACE_MS },
  });
  const kubelets = new FakeKubelets(client);
  t.teardown(() => kubelets.close());
  await kubelets.register('w1');
  await kubelets.register('w2');
  const unreachable = 'node.kubernetes.io/unreachable';
  await readyPod(client, 'web-1', 'w1');
  await readyPod(client, 'quick', 'w1', [{ key: unreachable, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 0 }]);
  await readyPod(client, 'forever', 'w1', [{ key: unreachable, operator: 'Exists', effect: 'NoExecute' }]);
  await readyPod(client, 'web-2', 'w2');
  const nodes = client.resource<Node>('Node');
  const pods = client.resource<Pod>('Pod');

  kubelets.stop('w1');
  const down = await eventually(async () => {
    const n = await nodes.get('', 'w1');
    return n.spec.taints?.some((x) => x.key === unreachable && x.effect === 'NoExecute') ? n : undefined;
  }, { timeoutMs: GRACE_MS + 5000, message: 'w1 tainted unreachable:NoExecute' });
  const ready = down!.status!.conditions!.find((c) => c.type === 'Ready')!;
  t.like(ready, { status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });
  const taint = down!.spec.taints!.find((x) => x.key === unreachable && x.effect === 'NoExecute')!;
  t.truthy(taint.timeAdded);
  const w2 = await nodes.get('', 'w2');
  t.is(w2.status!.conditions!.find((c) => c.type === 'Ready')!.status, 'True');
  t.deepEqual(w2.spec.taints ?? [], [], 'the healthy node is left alone');

  // Pods on the lost node stop being Ready at once (Services drop them).
  await eventually(async () => (await pods.get('default', 'forever')).status?.conditions?.find((c) => c.type === 'Ready')?.status === 'False', { message: 'pods on w1 marked not ready' });

  const evicted = await eventually(async () => {
    const p = await pods.get('default', 'web-1');
    return p.metadata.deletionTimestamp ? p : undefined;
  }, { timeoutMs: 10_000, message: 'web-1 evicted' });
  const disruption = evicted!.status!.conditions!.find((c) => c.type === 'DisruptionTarget')!;
  t.like(disruption, { status: 'True', reason: 'DeletionByTaintManager' });
  t.true(parseTime(disruption.lastTransitionTime)! >= parseTime(taint.timeAdded)! + 2000, 'evicted no sooner than timeAdded + tolerationSeconds');
  t.truthy((await pods.get('default', 'quick')).metadata.deletionTimestamp, 'tolerationSeconds 0: evicted');
  t.falsy((await pods.get('default', 'forever')).metadata.deletionTimestamp, 'tolerating forever: kept');
  t.falsy((await pods.get('default', 'web-2')).metadata.deletionTimestamp, 'pods on the healthy node: kept');

  // Events are recorded asynchronously.
  await eventually(
    async () => (await client.resource<Event>('Event').list('default')).items.some((e) => e.reason === 'NodeNotReady' && e.involvedObject.kind === 'Node' && e.involvedObject.name === 'w1' && e.message === 'Node w1 status is now: NodeNotReady'),
    { message: 'the NodeNotReady event' },
  );
  await eventually(async () => (await client.resource<Event>('Event').list('default')).items.some((e) => e.reason === 'TaintManagerEviction' && e.message === 'Marking for deletion Pod default/web-1'), { message: 'the TaintManagerEviction event' });

  await kubelets.resume('w1');
  const back = await eventually(async () => {
    const n = await nodes.get('', 'w1');
    return (n.spec.taints ?? []).length === 0 ? n : undefined;
  }, { timeoutMs: GRACE_MS + 5000, message: 'w1 untainted after it came back' });
  t.is(back!.status!.conditions!.find((c) => c.type === 'Ready')!.status, 'True');
});

test('a node whose kubelet reports Ready=False gets the not-ready taints and keeps the kubelet\'s condition', async (t) => {
  const server = await testApiServer(t);
  const { client } = await startTestControllers(t, {
    server,
    controllers: ['node-lifecycle-controller'],
    nodeLifecycle: { nodeMonitorPeriodMs: 100, nodeMonitorGracePeriodMs: GRACE_MS, nodeStartupGracePeriodMs: 2 * GRACE_MS },
  });
  const kubelets = new FakeKubelets(client);
  t.teardown(() => kubelets.close());
  await kubelets.register('w1');
  await kubelets.register('w2');
  const nodes = client.resource<Node>('Node');
  const n = await nodes.get('', 'w2');
  const now = rfc3339(Date.now());
  await nodes.updateStatus({
    ...n,
    status: { ...n.status, conditions: [{ type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: 'container runtime is down', lastHeartbeatTime: now, lastTransitionTime: now }] },
  });
  const tainted = await eventually(async () => {
    const x = await nodes.get('', 'w2');
    return x.spec.taints?.some((tt) => tt.key === 'node.kubernetes.io/not-ready' && tt.effect === 'NoExecute') ? x : undefined;
  }, { timeoutMs: 5000, message: 'w2 tainted not-ready:NoExecute' });
  t.deepEqual(tainted!.spec.taints!.map((x) => `${x.key}:${x.effect}`).sort(), ['node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/not-ready:NoSchedule']);
  t.like(tainted!.status!.conditions!.find((c) => c.type === 'Ready'), { status: 'False', reason: 'KubeletNotReady' }, 'its lease is renewed: the kubelet\'s word stands');
});

test('a cluster whose every node goes silent is not tainted (full disruption) until some node is Ready again', async (t) => {
  const lines: string[] = [];
  const log = createLogger({ component: 'test', verbosity: 0, write: (l) => lines.push(l) });
  const server = await testApiServer(t);
  const { client } = await startTestControllers(t, {
    server,
    log,
    controllers: ['nodelifecycle'],
    // A fast eviction rate: leaving full disruption starts from an empty token bucket, as in Kubernetes.
    nodeLifecycle: { nodeMonitorPeriodMs: 100, nodeMonitorGracePeriodMs: GRACE_MS, nodeStartupGracePeriodMs: 2 * GRACE_MS, nodeEvictionRate: 10 },
  });
  const kubelets = new FakeKubelets(client);
  t.teardown(() => kubelets.close());
  const nodes = client.resource<Node>('Node');
  await kubelets.register('w1');
  // Every version of w1, with when it was seen.
  const seen: { at: number; noExecute: boolean }[] = [];
  const ac = new AbortController();
  t.teardown(() => ac.abort());
  void (async () => {
    try {
      for await (const ev of nodes.watch('', { fieldSelector: 'metadata.name=w1', signal: ac.signal })) {
        seen.push({ at: Date.now(), noExecute: !!ev.object.spec?.taints?.some((x) => x.effect === 'NoExecute') });
      }
    } catch {
      // aborted in teardown
    }
  })();

  kubelets.stop('w1');
  await eventually(() => lines.some((l) => l.includes('entering full disruption mode')), { timeoutMs: GRACE_MS + 5000, message: 'full disruption mode' });
  t.is((await nodes.get('', 'w1')).status!.conditions!.find((c) => c.type === 'Ready')!.status, 'Unknown');
  const healthyAt = Date.now();
  await kubelets.register('w2');
  await eventually(async () => (await nodes.get('', 'w1')).spec.taints?.some((x) => x.key === 'node.kubernetes.io/unreachable' && x.effect === 'NoExecute'), {
    timeoutMs: 5000,
    message: 'w1 tainted once another node is Ready',
  });
  t.true(lines.some((l) => l.includes('leaving full disruption mode')));
  t.false(seen.some((s) => s.noExecute && s.at < healthyAt), 'no NoExecute taint while every node was down');
});
