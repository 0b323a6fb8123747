/**
 * ExecSync through `docker exec`: runs a command in a running container, collects its stdout and
 * stderr (demultiplexed) and its exit code. A timeout ends the wait, not the process: Docker has
 * no way to kill an exec'd process, which is what dockershim documented too.
 */
import type Docker from 'dockerode';
import { PassThrough } from 'node:stream';
import type { ExecResult } from '../../runtime.js';
import { dockerMessage, readAll } from './docker-api.js';

/** Runs cmd in container and waits for it; throws when it cannot run or the deadline passes. */
export async function dockerExec(
  docker: Docker,
  container: Docker.Container,
  cmd: string[],
  o: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<ExecResult> {
  if (cmd.length === 0) throw new TypeError('exec needs a command');
  const signals = [o.signal, o.timeoutMs !== undefined ? AbortSignal.timeout(o.timeoutMs) : undefined].filter((s): s is AbortSignal => s !== undefined);
  const signal = signals.length > 0 ? AbortSignal.any(signals) : undefined;
  const what = `exec ${JSON.stringify(cmd)} in container "${container.id}"`;
  let exec: Docker.Exec;
  try {
    exec = await container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true, AttachStdin: false, Tty: false });
  } catch (err) {
    throw new Error(`Cannot ${what}: ${dockerMessage(err)}`, { cause: err });
  }
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const collected = Promise.all([readAll(stdout), readAll(stderr)]);
  let stream: NodeJS.ReadWriteStream & { destroy(): void };
  try {
    stream = (await exec.start({ hijack: true, stdin: false, ...(signal ? { abortSignal: signal } : {}) } as Docker.ExecStartOptions)) as typeof stream;
  } catch (err) {
    if (signal?.aborted) throw abortError(what, o.timeoutMs, signal);
    throw new Error(`Cannot ${what}: ${dockerMessage(err)}`, { cause: err });
  }
  docker.modem.demuxStream(stream, stdout, stderr);
  await new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      stream.destroy();
      reject(abortError(what, o.timeoutMs, signal!));
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    };
    stream.on('end', done);
    stream.on('close', done);
    stream.on('error', (err: Error) => {
      signal?.removeEventListener('abort', onAbort);
      reject(signal?.aborted ? abortError(what, o.timeoutMs, signal) : new Error(`Cannot ${what}: ${err.message}`, { cause: err }));
    });
  });
  stdout.end();
  stderr.end();
  const [out, err] = await collected;
  // The output can end a moment before the daemon records the exit: ask until it has.
  for (;;) {
    const info = await exec.inspect();
    if (!info.Running) return { exitCode: info.ExitCode ?? -1, stdout: out.toString('utf8'), stderr: err.toString('utf8') };
    if (signal?.aborted) throw abortError(what, o.timeoutMs, signal);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function abortError(what: string, timeoutMs: number | undefined, signal: AbortSignal): Error {
  const reason = signal.reason as { name?: string } | undefined;
  if (reason?.name === 'TimeoutError') return new Error(`Cannot ${what}: timed out after ${timeoutMs} ms`, { cause: signal.reason });
  return new Error(`Cannot ${what}: aborted`, { cause: signal.reason });
}
