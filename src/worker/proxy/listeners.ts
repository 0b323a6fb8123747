/**
 * The proxy's listening sockets, opened and closed as a ListenerPlan says. A socket that cannot
 * be opened is retried every retryIntervalMs while it is still wanted:
 *
 * - EADDRINUSE means another proxy on this host (several lab nodes share one host and so one
 *   cluster IP) has it: the listener stands by, and takes over once that proxy lets go. This is
 *   the failover the local lab shows when a node dies.
 * - anything else (EACCES for a port below 1024 without privileges, EADDRNOTAVAIL for an address
 *   this host does not have) is a failure, reported once through onFailure.
 *
 * Each is logged once per listener and error, not once per retry. Closing a listener stops new
 * connections only; established ones carry on, as in kube-proxy.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { systemClock, type Clock } from '../../util/clock.js';
import { nullLogger, type Logger } from '../../util/log.js';
import type { ListenerState } from './metrics.js';
import type { ListenerPlan, ListenerSpec } from './plan.js';

/** Opens server on host:port; rejects with the listen error (its code says why). */
export type ListenFn = (server: Server, o: { host: string; port: number }) => Promise<void>;

/** server.listen as a promise. */
export const defaultListen: ListenFn = (server, { host, port }) =>
  new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', onError);
      resolve();
    });
  });

export interface ListenerStatus {
  spec: ListenerSpec;
  state: ListenerState | 'opening';
  /** The code of the last listen error (EADDRINUSE, EACCES, ...), if any. */
  error?: string;
}

export interface ListenerSetOptions {
  /** A new connection on a listener; spec is the listener's current one. */
  onConnection(spec: ListenerSpec, socket: Socket): void;
  /** A listener failed with something other than EADDRINUSE, first time for this error. */
  onFailure?(spec: ListenerSpec, err: NodeJS.ErrnoException): void;
  /** Any listener changed state. */
  onStateChange?(): void;
  listen?: ListenFn;
  /** Pause between tries of a listener that could not open, ms (default 1000). */
  retryIntervalMs?: number;
  clock?: Clock;
  log?: Logger;
}

interface Managed {
  spec: ListenerSpec;
  state: ListenerState | 'opening';
  server: Server | undefined;
  error: string | undefined;
  /** Error codes already logged for this listener. */
  logged: Set<string>;
  cancelRetry: (() => void) | undefined;
  /** Set when closed, so a listen still in flight closes its server when it completes. */
  closed: boolean;
}

/** Why a listen failed, and how to fix it, for the log and Events. */
export function describeListenError(spec: ListenerSpec, code: string | undefined, message: string): string {
  const what = `Cannot listen on ${spec.key} (${spec.kind}) for service "${spec.service}"${spec.portName ? ` port "${spec.portName}"` : ''}`;
  switch (code) {
    case 'EACCES':
      return `${what}: permission denied, ports below 1024 need privileges; run the proxy as root, or let every user listen from this port on (as root: sysctl -w net.ipv4.ip_unprivileged_port_start=${spec.port}); the proxy retries on its own`;
    case 'EADDRNOTAVAIL':
      return `${what}: ${spec.ip} is not an address of this host; use a loopback service CIDR such as 127.96.0.0/16, or --cluster-ip-interface to bind cluster IPs to an interface`;
    default:
      return `${what}: ${message}`;
  }
}

export class ListenerSet {
  private readonly managed = new Map<string, Managed>();
  private readonly listen: ListenFn;
  private readonly retryMs: number;
  private readonly clock: Clock;
  private readonly log: Logger;
  private closing = false;

  constructor(private readonly o: ListenerSetOptions) {
    this.listen = o.listen ?? defaultListen;
    this.retryMs = o.retryIntervalMs ?? 1000;
    if (!(this.retryMs > 0)) throw new RangeError(`retryIntervalMs must be > 0, not ${o.retryIntervalMs}`);
    this.clock = o.clock ?? systemClock;
    this.log = o.log ?? nullLogger;
  }

  /** The specs of every listener, open or not: the "current" side of planListeners. */
  specs(): Map<string, ListenerSpec> {
    return new Map([...this.managed].map(([k, m]) => [k, m.spec]));
  }

  /** Every listener and its state, sorted by key. */
  status(): ListenerStatus[] {
    return [...this.managed.values()]
      .map((m) => ({ spec: m.spec, state: m.state, ...(m.error ? { error: m.error } : {}) }))
      .sort((a, b) => (a.spec.key < b.spec.key ? -1 : 1));
  }

  /** Listeners by state ('opening' ones are not counted yet). */
  counts(): Record<ListenerState, number> {
    const c: Record<ListenerState, number> = { listening: 0, standby: 0, failed: 0 };
    for (const m of this.managed.values()) if (m.state !== 'opening') c[m.state]++;
    return c;
  }

  /** Carries out plan: closes, retargets, then opens (each open's first try is awaited). */
  async apply(plan: ListenerPlan): Promise<void> {
    await Promise.all(plan.close.map((key) => this.closeOne(key)));
    for (const spec of plan.retarget) {
      const m = this.managed.get(spec.key);
      if (m) m.spec = spec;
    }
    await Promise.all(
      plan.open.map((spec) => {
        const m: Managed = { spec, state: 'opening', server: undefined, error: undefined, logged: new Set(), cancelRetry: undefined, closed: false };
        this.managed.set(spec.key, m);
        return this.tryOpen(m);
      }),
    );
    this.o.onStateChange?.();
  }

  /** Closes every listener and stops retrying. */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all([...this.managed.keys()].map((key) => this.closeOne(key)));
    this.o.onStateChange?.();
  }

  private async tryOpen(m: Managed): Promise<void> {
    const { spec } = m;
    const server = createServer({ allowHalfOpen: true, pauseOnConnect: true });
    // Looked up per connection, so a retarget applies to the next connection at once.
    server.on('connection', (socket) => this.o.onConnection(m.spec, socket));
    try {
      await this.listen(server, { host: spec.ip, port: spec.port });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      server.close();
      if (m.closed) return;
      const code = err.code ?? 'UNKNOWN';
      const before = m.state;
      m.state = code === 'EADDRINUSE' ? 'standby' : 'failed';
      m.error = code;
      if (!m.logged.has(code)) {
        m.logged.add(code);
        if (code === 'EADDRINUSE') {
          // Cluster IPs are shared by the proxies of all nodes on one host; node ports are per node address.
          const holder = spec.kind === 'ClusterIP' ? 'most likely by the proxy of another node on this host' : 'by another process';
          this.log.info(`${spec.key} (${spec.kind} of service "${spec.service}") is in use, ${holder}; standing by to take over`, { retryMs: this.retryMs });
        } else {
          this.log.error(describeListenError(spec, code, err.message));
          this.o.onFailure?.(spec, err);
        }
      }
      if (before !== m.state) this.o.onStateChange?.();
      this.scheduleRetry(m);
      return;
    }
    if (m.closed) {
      server.close();
      return;
    }
    const was = m.state;
    m.server = server;
    m.state = 'listening';
    m.error = undefined;
    if (was === 'standby') this.log.info(`took over ${spec.key} (${spec.kind} of service "${spec.service}")`);
    else if (was === 'failed') this.log.info(`listening on ${spec.key} (${spec.kind} of service "${spec.service}") after all`);
    else this.log.v(1).info('listening', { address: spec.key, kind: spec.kind, service: spec.service, port: spec.portName });
    if (was !== 'opening') this.o.onStateChange?.();
  }

  private scheduleRetry(m: Managed): void {
    if (this.closing || m.closed) return;
    m.cancelRetry = this.clock.setTimer(this.retryMs, () => {
      m.cancelRetry = undefined;
      if (!m.closed && this.managed.get(m.spec.key) === m) void this.tryOpen(m);
    });
  }

  private async closeOne(key: string): Promise<void> {
    const m = this.managed.get(key);
    if (!m) return;
    this.managed.delete(key);
    m.closed = true;
    m.cancelRetry?.();
    if (m.server) {
      this.log.v(1).info('closed listener', { address: key, service: m.spec.service });
      // Stops accepting now; close()'s callback would wait for established connections, which
      // are left alone, so it is not awaited.
      m.server.close();
    }
  }
}
