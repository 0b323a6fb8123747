/**
 * CRI container events from the `docker events` stream: create, start, die and destroy of this
 * node's app containers become created, started, stopped and deleted. The stream is the kubelet's
 * fast path to a container's exit, so it must not stop silently: when it ends or fails, it is
 * reopened with capped exponential backoff from the time of the last event seen (Docker replays
 * from `since`), and the replayed events already delivered are dropped.
 */
import type Docker from 'dockerode';
import type { Clock } from '../../../../util/clock.js';
import type { Logger } from '../../../../util/log.js';
import { CONTAINER_NAME_LABEL, type ContainerEvent, type ContainerEventType } from '../../runtime.js';
import { SANDBOX_ID_LABEL, ownerFilters, podRefOf, TYPE_CONTAINER, type Owner } from './labels.js';

/** One message of the events stream, for the fields used. */
export interface DockerEventMessage {
  Type?: string;
  Action?: string;
  status?: string;
  id?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  time?: number;
  timeNano?: number;
}

const ACTIONS: Record<string, ContainerEventType | undefined> = { create: 'created', start: 'started', die: 'stopped', destroy: 'deleted' };

/** The CRI event of a Docker event, or undefined for events the kubelet does not get (exec_*, oom, sandboxes). */
export function containerEventOf(m: DockerEventMessage): ContainerEvent | undefined {
  if (m.Type !== undefined && m.Type !== 'container') return undefined;
  const type = ACTIONS[m.Action ?? m.status ?? ''];
  const attrs = m.Actor?.Attributes ?? {};
  const id = m.Actor?.ID ?? m.id;
  if (!type || !id || attrs['io.kubernetes.docker.type'] !== TYPE_CONTAINER) return undefined;
  const time = m.timeNano !== undefined ? Math.floor(m.timeNano / 1e6) : (m.time ?? 0) * 1000;
  return { type, containerId: id, sandboxId: attrs[SANDBOX_ID_LABEL] ?? '', pod: podRefOf(attrs), containerName: attrs[CONTAINER_NAME_LABEL] ?? '', time };
}

/** Splits a byte stream of newline-separated JSON into parsed messages; skips what does not parse. */
export async function* jsonLines(stream: AsyncIterable<Buffer | string>): AsyncIterable<DockerEventMessage> {
  let buf = '';
  for await (const chunk of stream) {
    buf += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (!line) continue;
      try {
        yield JSON.parse(line) as DockerEventMessage;
      } catch {
        // A line that is not JSON is not an event: nothing to deliver.
      }
    }
  }
}

/** Reconnect delays of the events stream. */
export interface EventsBackoff {
  /** First delay, ms (default 100). */
  initialMs?: number;
  /** Largest delay, ms (default 5000). */
  maxMs?: number;
}

/** The subset of dockerode the events stream uses (tests pass a fake). */
export type EventsSource = Pick<Docker, 'getEvents'>;

/**
 * Container events of owner's containers until signal aborts. Nothing before the call is
 * delivered; after a reconnect, nothing is lost or delivered twice as long as Docker still has it.
 */
export async function* dockerContainerEvents(
  docker: EventsSource,
  owner: Owner,
  o: {
    signal: AbortSignal;
    clock: Clock;
    log: Logger;
    backoff?: EventsBackoff;
    /** Deliver events from this time on, ms since the epoch (default: when the stream opens). */
    sinceMs?: number;
  },
): AsyncIterable<ContainerEvent> {
  const { signal, clock, log } = o;
  const initial = o.backoff?.initialMs ?? 100;
  const max = o.backoff?.maxMs ?? 5000;
  let delay = initial;
  // Where the next connection starts: "now" at first, then the last event's time (nanoseconds).
  // BigInt: nanoseconds since the epoch do not fit a double exactly.
  let sinceNano: bigint | undefined = o.sinceMs !== undefined ? BigInt(Math.round(o.sinceMs)) * 1_000_000n : undefined;
  const seenAtLast = new Set<string>();
  let lastNano = 0;
  while (!signal.aborted) {
    // The daemon's wall clock, not the injected one: since is compared with Docker's event times.
    const connectedAt = BigInt(Date.now()) * 1_000_000n;
    let stream: NodeJS.ReadableStream & { destroy?(): void };
    try {
      const query = {
        filters: JSON.stringify({ type: ['container'], event: Object.keys(ACTIONS), label: ownerFilters(owner, TYPE_CONTAINER) }),
        // A microsecond early: timeNano does not fit a double exactly, and replays are dropped below.
        ...(sinceNano !== undefined ? { since: nanoArg(sinceNano - 1000n) } : {}),
        abortSignal: signal,
      };
      stream = await docker.getEvents(query as Docker.GetEventsOptions);
    } catch (err) {
      if (signal.aborted) return;
      log.error('cannot open the docker events stream; retrying', err, { delayMs: delay });
      if (!(await pause(clock, delay, signal))) return;
      delay = Math.min(max, delay * 2);
      continue;
    }
    sinceNano ??= connectedAt;
    const onAbort = () => stream.destroy?.();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const m of jsonLines(stream as AsyncIterable<Buffer>)) {
        delay = initial;
        const nano = m.timeNano ?? (m.time ?? 0) * 1e9;
        const key = `${m.Actor?.ID ?? m.id}/${m.Action ?? m.status}/${nano}`;
        // Replays after a reconnect start at the last event's time: drop what came before or was seen.
        if (nano < lastNano || (nano === lastNano && seenAtLast.has(key))) continue;
        if (nano > lastNano) {
          lastNano = nano;
          seenAtLast.clear();
        }
        seenAtLast.add(key);
        sinceNano = BigInt(Math.round(lastNano));
        const e = containerEventOf(m);
        if (e) yield e;
      }
      if (signal.aborted) return;
      log.v(1).info('the docker events stream ended; reconnecting');
    } catch (err) {
      if (signal.aborted) return;
      log.error('the docker events stream failed; reconnecting', err, { delayMs: delay });
    } finally {
      signal.removeEventListener('abort', onAbort);
      stream.destroy?.();
    }
    if (!(await pause(clock, delay, signal))) return;
    delay = Math.min(max, delay * 2);
  }
}

/** Docker's since for nanoseconds since the epoch: "seconds.nanoseconds". */
function nanoArg(nano: bigint): string {
  return `${nano / 1_000_000_000n}.${String(nano % 1_000_000_000n).padStart(9, '0')}`;
}

/** Waits ms; false when signal aborted meanwhile (shutdown, not failure). */
async function pause(clock: Clock, ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await clock.sleep(ms, signal);
    return true;
  } catch {
    return false;
  }
}
