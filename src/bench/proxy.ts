/**
 * `lab bench proxy`: how fast a readiness change reaches the service proxy's routing.
 *
 * Starts an API server as its own process (HTTPS, token, durable SQLite, as in a lab) and a
 * proxy in this process, creates a Service whose Endpoints have three addresses, then flips one
 * address between `addresses` and `notReadyAddresses` --changes times, one change at a time.
 * For each change it measures from just before the Endpoints update is sent to the moment the
 * proxy's routing table has it (the proxy's onSync hook, same monotonic clock), and checks that
 * the routing then includes or excludes the address as written. It also reports the update's
 * own round trip, for scale. Endpoint addresses are never connected to, so they need not exist.
 */
import type { EndpointAddress, Endpoints, Service } from '../api/types.js';
import { Client } from '../client/rest.js';
import { startProxy } from '../worker/proxy/proxy.js';
import { startBenchApiServer } from './apiserver-process.js';
import { Latency, type LatencySummary } from './stats.js';

export interface ConvergenceOptions {
  /** Readiness changes to make (default 200). */
  changes?: number;
  progress?(line: string): void;
}

export interface ConvergenceResult {
  changes: number;
  /** From sending the Endpoints update to the routing table having it. */
  convergence: LatencySummary;
  /** The Endpoints update's round trip (sent to answered). */
  writeRoundTrip: LatencySummary;
  /** Changes after which the routing did not match what was written (should be 0). */
  mismatches: number;
}

const NS = 'default';
const NAME = 'bench-convergence';
const PORT = 18080;
const ADDRS = ['10.244.0.1', '10.244.0.2', '10.244.0.3'];
const FLIPPED = ADDRS[1]!;

function endpoints(flippedReady: boolean): Endpoints['subsets'] {
  const addr = (ip: string): EndpointAddress => ({ ip });
  const ready = ADDRS.filter((ip) => flippedReady || ip !== FLIPPED).map(addr);
  return [{ addresses: ready, ...(flippedReady ? {} : { notReadyAddresses: [addr(FLIPPED)] }), ports: [{ port: 8080 }] }];
}

export async function runConvergenceBench(o: ConvergenceOptions = {}): Promise<ConvergenceResult> {
  const changes = o.changes ?? 200;
  const progress = o.progress ?? (() => {});
  progress('starting an API server process');
  const api = await startBenchApiServer(['--service-cidr', '127.96.250.0/24']);
  const client = new Client({ server: api.url, token: api.token, ca: api.ca });
  const applied = new Map<string, number>();
  try {
    await client.resource<Service>('Service').create(NS, { metadata: { name: NAME }, spec: { ports: [{ port: PORT }] } });
    const eps = client.resource<Endpoints>('Endpoints');
    let current = await eps.create(NS, { metadata: { name: NAME }, subsets: endpoints(true) });
    const proxy = await startProxy({
      client,
      nodeName: 'bench',
      nodeIP: '127.0.0.250',
      healthPort: 0,
      onSync: (e) => {
        if (e.kind === 'Endpoints') applied.set(e.resourceVersion, e.atMs);
      },
    });
    try {
      await proxy.waitUntilSynced(AbortSignal.timeout(30_000));
      progress(`flipping ${FLIPPED} ${changes} times`);
      const convergence = new Latency();
      const write = new Latency();
      let mismatches = 0;
      for (let i = 0; i < changes; i++) {
        const ready = i % 2 === 1;
        const t0 = performance.now();
        current = await eps.update({ ...current, subsets: endpoints(ready) });
        write.record(performance.now() - t0);
        const rv = current.metadata.resourceVersion!;
        await proxy.waitForRevision('Endpoints', rv, AbortSignal.timeout(10_000));
        convergence.record(applied.get(rv)! - t0);
        applied.delete(rv);
        const routed = proxy.endpoints(`${NS}/${NAME}`).includes(`${FLIPPED}:8080`);
        if (routed !== ready) mismatches++;
      }
      return { changes, convergence: convergence.summary(), writeRoundTrip: write.summary(), mismatches };
    } finally {
      await proxy.close();
    }
  } finally {
    client.close();
    await api.stop();
  }
}
