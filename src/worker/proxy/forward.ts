/**
 * One proxied TCP connection: pick an endpoint, connect to it (on failure try the next one, a
 * bounded number of times with growing connect timeouts, as kube-proxy's userspace
 * tryConnectEndpoints), then splice the two sockets.
 *
 * The splice keeps TCP's semantics as far as a userspace relay can: pipe() gives backpressure
 * (a slow reader pauses the other side), a FIN in one direction becomes a FIN in that direction
 * only (half-close: both sockets allow half-open), and a reset on one side resets the other, so
 * clients see a backend crash as a crash rather than a clean end.
 */
import { connect, type Socket } from 'node:net';
import { systemClock, type Clock } from '../../util/clock.js';

/** kube-proxy's endpointDialTimeout: four tries, each allowed longer than the last. */
export const DIAL_TIMEOUTS_MS: readonly number[] = [250, 500, 1000, 2000];

export type ForwardResult =
  | { outcome: 'forwarded'; endpoint: string; tries: number }
  | { outcome: 'no_endpoints' }
  | { outcome: 'connect_failed'; tries: number }
  | { outcome: 'client_gone' };

export interface ForwardHooks {
  /**
   * The endpoint ("ip:port") to try next, or undefined when there is none. reset is true after a
   * failed try, so session affinity does not send the client to the same dead endpoint again.
   */
  pick(reset: boolean): string | undefined;
  /** Connect timeouts, one per try (default DIAL_TIMEOUTS_MS). */
  dialTimeoutsMs?: readonly number[];
  /** A try failed. */
  onDialFailure?(endpoint: string, err: Error): void;
  /** Connected: backend is the endpoint's socket, already spliced to the client. */
  onSpliced?(backend: Socket): void;
  /** Both sockets of a spliced connection have closed. */
  onClosed?(): void;
  /** Times the connect timeouts (default: the system clock). */
  clock?: Clock;
}

function splitHostPort(endpoint: string): { host: string; port: number } {
  const i = endpoint.lastIndexOf(':');
  return { host: endpoint.slice(0, i), port: Number(endpoint.slice(i + 1)) };
}

/** Connects to endpoint within timeoutMs; rejects when it fails, times out, or the client goes away first. */
function dial(endpoint: string, timeoutMs: number, client: Socket, clock: Clock): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const { host, port } = splitHostPort(endpoint);
    const s = connect({ host, port, allowHalfOpen: true, noDelay: true });
    const done = (err?: Error) => {
      cancelTimer();
      s.off('error', done);
      s.off('connect', onConnect);
      client.off('close', onClientGone);
      if (err) {
        s.destroy();
        reject(err);
      } else resolve(s);
    };
    const onConnect = () => done();
    const onClientGone = () => done(Object.assign(new Error('the client connection closed'), { code: 'CLIENT_GONE' }));
    const cancelTimer = clock.setTimer(timeoutMs, () => done(Object.assign(new Error(`connect to ${endpoint} timed out after ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    s.once('connect', onConnect);
    s.once('error', done);
    client.once('close', onClientGone);
  });
}

/** Splices client and backend until both have closed; then calls onClosed. */
export function splice(client: Socket, backend: Socket, onClosed?: () => void): void {
  const relayError = (to: Socket) => (err: NodeJS.ErrnoException) => {
    if (to.destroyed) return;
    // A reset stays a reset: the other side learns the connection broke, not that it ended.
    if (err.code === 'ECONNRESET' && typeof to.resetAndDestroy === 'function') to.resetAndDestroy();
    else to.destroy();
  };
  client.on('error', relayError(backend));
  backend.on('error', relayError(client));
  // A side that closes without an error after the other still had data in flight: end the other.
  client.once('close', () => backend.destroyed || backend.end());
  backend.once('close', () => client.destroyed || client.end());
  let open = 2;
  const closed = () => {
    if (--open === 0) onClosed?.();
  };
  client.once('close', closed);
  backend.once('close', closed);
  client.pipe(backend);
  backend.pipe(client);
}

/**
 * Forwards client (accepted paused, with pauseOnConnect) to an endpoint. The client is closed at
 * once when there is no endpoint or every try failed.
 */
export async function forward(client: Socket, h: ForwardHooks): Promise<ForwardResult> {
  // Errors before the splice (a reset while connecting) must not crash the process.
  const early = () => {};
  client.on('error', early);
  client.setNoDelay(true);
  const timeouts = h.dialTimeoutsMs ?? DIAL_TIMEOUTS_MS;
  let reset = false;
  let tries = 0;
  for (const timeoutMs of timeouts) {
    const endpoint = h.pick(reset);
    if (endpoint === undefined) break;
    if (client.destroyed) return { outcome: 'client_gone' };
    tries++;
    try {
      const backend = await dial(endpoint, timeoutMs, client, h.clock ?? systemClock);
      client.off('error', early);
      splice(client, backend, h.onClosed);
      h.onSpliced?.(backend);
      return { outcome: 'forwarded', endpoint, tries };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'CLIENT_GONE') return { outcome: 'client_gone' };
      h.onDialFailure?.(endpoint, err as Error);
      reset = true;
    }
  }
  client.destroy();
  return tries === 0 ? { outcome: 'no_endpoints' } : { outcome: 'connect_failed', tries };
}
