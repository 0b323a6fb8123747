/**
 * The tcpSocket probe (pkg/probe/tcp): success when a TCP connection to host:port opens within
 * the timeout; the connection is closed at once. A refusal or timeout is a failure carrying Go's
 * text ("dial tcp 10.0.0.5:80: connect: connection refused", "dial tcp ...: i/o timeout").
 */
import { connect } from 'node:net';
import { goNetError, joinHostPort, type ProbeOutcome } from './types.js';

/** Runs a tcpSocket probe; never throws. */
export function tcpProbe(host: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<ProbeOutcome> {
  const addr = joinHostPort(host, port);
  return new Promise((resolve) => {
    let done = false;
    const socket = connect({ host, port });
    const finish = (o: ProbeOutcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(o);
    };
    const onAbort = () => finish({ result: 'failure', output: `dial tcp ${addr}: operation was canceled` });
    const timer = setTimeout(() => finish({ result: 'failure', output: `dial tcp ${addr}: i/o timeout` }), timeoutMs);
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => finish({ result: 'success', output: '' }));
    socket.once('error', (err: NodeJS.ErrnoException) => finish({ result: 'failure', output: `dial tcp ${addr}: ${goNetError(err)}` }));
  });
}
