/**
 * The words the prober speaks: probe types as Kubernetes prints them in events and metrics, what
 * one probe attempt found (pkg/probe's Result), and the cached result a worker keeps per
 * container (pkg/kubelet/prober/results' Result).
 */

/** Which probe: the capitalised names appear in events ("Readiness probe failed: ...") and metrics. */
export type ProbeType = 'Liveness' | 'Readiness' | 'Startup';

/**
 * What one probe attempt found (pkg/probe.Result). "warning" counts as success but is reported
 * as a ProbeWarning event (an HTTP redirect the prober did not follow); "unknown" as failure.
 */
export interface ProbeOutcome {
  result: 'success' | 'warning' | 'failure' | 'unknown';
  /** What the probe saw: the failure's text, the command's output, a response body. */
  output: string;
}

/** A container's cached probe result (results.Result). Startup begins "unknown". */
export type ProbeResult = 'success' | 'failure' | 'unknown';

/** A probe could not be run at all (no such port name, no pod IP yet): the result is thrown away. */
export class ProbeError extends Error {
  override readonly name = 'ProbeError';
}

/** Joins host and port as Go's net.JoinHostPort does (IPv6 addresses in brackets). */
export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Go's words for the socket errors probes meet most ("connect: connection refused"). */
export function goNetError(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'connect: connection refused';
    case 'EHOSTUNREACH':
      return 'connect: no route to host';
    case 'ENETUNREACH':
      return 'connect: network is unreachable';
    case 'EADDRNOTAVAIL':
      return 'connect: cannot assign requested address';
    case 'ECONNRESET':
      return 'read: connection reset by peer';
    default:
      return err.message;
  }
}
