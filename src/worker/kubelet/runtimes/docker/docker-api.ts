/**
 * Small helpers over dockerode that every Docker-facing module needs: recognising the daemon's
 * error statuses, waiting for the JSON progress streams of pull, build, import and load (which
 * report failures inside a 200 response), and reading a stream to its end.
 */
import type Docker from 'dockerode';

/** The HTTP status of an error dockerode threw, when it came from the daemon. */
export function statusCodeOf(err: unknown): number | undefined {
  const code = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

/** Whether err is the daemon's 404 (no such container, image or network). */
export function isDockerNotFound(err: unknown): boolean {
  return statusCodeOf(err) === 404;
}

/** Whether err is the daemon's 409 (name in use, container not running, removal in progress). */
export function isDockerConflict(err: unknown): boolean {
  return statusCodeOf(err) === 409;
}

/** Whether err is the daemon's 304 (already started, already stopped). */
export function isDockerNotModified(err: unknown): boolean {
  return statusCodeOf(err) === 304;
}

/**
 * The daemon's own message of an error dockerode threw: dockerode puts the response body
 * ({"message": "..."}) in err.json, and a generic "(HTTP code 404) ..." text in err.message.
 */
export function dockerMessage(err: unknown): string {
  const json = (err as { json?: unknown } | null)?.json;
  if (json && typeof json === 'object' && typeof (json as { message?: unknown }).message === 'string') return (json as { message: string }).message;
  if (typeof json === 'string' && json.trim()) return json.trim();
  if (Buffer.isBuffer(json)) {
    const text = json.toString('utf8').trim();
    try {
      const parsed = JSON.parse(text) as { message?: unknown };
      if (typeof parsed.message === 'string') return parsed.message;
    } catch {
      // Not JSON: the text itself is the message.
    }
    if (text) return text;
  }
  const message = err instanceof Error ? err.message : String(err);
  // Streamed answers (pull, build) leave json empty and put the daemon's text after dockerode's
  // "(HTTP code 500) server error - " prefix.
  const m = /^\(HTTP code \d+\) [^-]*- ([\s\S]*)$/.exec(message);
  return m ? m[1]!.trim() : message;
}

/** One message of a progress stream (pull, build, import, load). */
export interface ProgressMessage {
  status?: string;
  stream?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { ID?: string };
  [key: string]: unknown;
}

/**
 * Reads a daemon progress stream to its end and returns its messages; throws an Error with the
 * daemon's message when one of them reports a failure (a failed pull or build still answers 200).
 */
export async function followProgress(docker: Docker, stream: NodeJS.ReadableStream, onMessage?: (m: ProgressMessage) => void): Promise<ProgressMessage[]> {
  const output = await new Promise<ProgressMessage[]>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (err: Error | null, out: ProgressMessage[]) => (err ? reject(err) : resolve(out ?? [])),
      onMessage,
    );
  });
  const failed = output.find((m) => m.error !== undefined || m.errorDetail?.message !== undefined);
  if (failed) throw new Error(failed.errorDetail?.message ?? failed.error ?? 'the daemon reported an error');
  return output;
}

/** Reads a stream to its end into one buffer. */
export async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer | string>) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

/** Whether the daemon answers a ping within timeoutMs (default 3000). */
export async function dockerAnswers(docker: Docker, timeoutMs = 3000): Promise<boolean> {
  try {
    // The typings omit ping's options; dockerode passes abortSignal through to the request.
    const ping = docker.ping as unknown as (this: Docker, o: { abortSignal: AbortSignal }) => Promise<unknown>;
    await ping.call(docker, { abortSignal: AbortSignal.timeout(timeoutMs) });
    return true;
  } catch {
    return false;
  }
}
