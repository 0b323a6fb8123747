/**
 * The exec probe (pkg/probe/exec over CRI ExecSync): run the command in the container; exit code
 * 0 is success, anything else a failure whose output is what the command printed (stdout, then
 * stderr, at most 10 KiB). A command still running after timeoutSeconds is a failure with
 * 'command "<cmd>" timed out' (the ExecProbeTimeout behaviour, GA since 1.20). Any other error
 * (the container is not running, the runtime is gone) is thrown: the worker throws the result
 * away, as Kubernetes does with probe errors.
 */
import type { Clock } from '../../../util/clock.js';
import type { ContainerRuntime } from '../runtime.js';
import type { ProbeOutcome } from './types.js';

/** Output kept from an exec probe (Kubernetes' maxReadLength: 10 KiB). */
export const MAX_EXEC_OUTPUT = 10 * 1024;

export interface ExecProbeRequest {
  runtime: Pick<ContainerRuntime, 'execSync'>;
  containerId: string;
  command: readonly string[];
  timeoutMs: number;
  /** Measures the timeout, so tests on a FakeClock decide when it passes. */
  clock: Clock;
  signal?: AbortSignal;
}

/** Runs an exec probe. */
export async function execProbe(r: ExecProbeRequest): Promise<ProbeOutcome> {
  const timedOut = { result: 'failure', output: `command ${JSON.stringify(r.command.join(' '))} timed out` } as const;
  // One controller per probe, fed by the worker's long-lived signal (listener removed after).
  const ac = new AbortController();
  let cancelTimer = () => {};
  let onStop = () => {};
  const ended = new Promise<'timeout'>((resolve, reject) => {
    cancelTimer = r.clock.setTimer(r.timeoutMs, () => resolve('timeout'));
    // A worker that stops does not wait for a runtime that ignores the signal.
    onStop = () => reject(r.signal!.reason);
    if (r.signal?.aborted) onStop();
    else r.signal?.addEventListener('abort', onStop, { once: true });
  });
  const started = r.clock.monotonic();
  try {
    const res = await Promise.race([r.runtime.execSync(r.containerId, [...r.command], { timeoutMs: r.timeoutMs, signal: ac.signal }), ended]);
    if (res === 'timeout') return timedOut;
    const output = (res.stdout + res.stderr).slice(0, MAX_EXEC_OUTPUT);
    return { result: res.exitCode === 0 ? 'success' : 'failure', output };
  } catch (err) {
    // A runtime that enforces the timeout itself may report it a moment before our timer fires
    // (the process and docker runtimes name an AbortSignal.timeout as the cause).
    const cause = (err as { cause?: { name?: string } }).cause;
    if (!r.signal?.aborted && (cause?.name === 'TimeoutError' || r.clock.monotonic() - started >= r.timeoutMs - 1)) return timedOut;
    throw err;
  } finally {
    cancelTimer();
    r.signal?.removeEventListener('abort', onStop);
    // Tells a runtime that honours the signal to stop the command (and its wait) now.
    ac.abort();
  }
}
