/**
 * An API server in the test's own process, on a free loopback port, with its store in a
 * temporary directory; closed in teardown even when the test fails. Plus a tiny JSON client
 * for asserting on exact HTTP status codes and bodies.
 */
import type { ExecutionContext } from 'ava';
import { startApiServer, type ApiServer, type ApiServerOptions } from '../../src/control/apiserver/server.js';
import { tempDir } from './tmp.js';

export async function testApiServer(t: ExecutionContext, o: Partial<ApiServerOptions> = {}): Promise<ApiServer & { dataDir: string }> {
  const dataDir = o.dataDir ?? tempDir(t);
  const server = await startApiServer({ dataDir, port: 0, ...o });
  t.teardown(() => server.close());
  return Object.assign(server, { dataDir });
}

export interface HttpResult<T = any> {
  status: number;
  body: T;
  headers: Headers;
  text: string;
}

/** One request; the body is parsed as JSON when it is JSON. */
export async function http<T = any>(
  base: string,
  method: string,
  path: string,
  o: { body?: unknown; raw?: string; contentType?: string; accept?: string; token?: string } = {},
): Promise<HttpResult<T>> {
  const headers: Record<string, string> = {};
  if (o.body !== undefined || o.raw !== undefined) headers['Content-Type'] = o.contentType ?? 'application/json';
  if (o.accept) headers['Accept'] = o.accept;
  if (o.token) headers['Authorization'] = `Bearer ${o.token}`;
  const res = await fetch(base + path, {
    method,
    headers,
    ...(o.raw !== undefined ? { body: o.raw } : o.body !== undefined ? { body: JSON.stringify(o.body) } : {}),
  });
  const text = await res.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body, headers: res.headers, text };
}

export interface WatchLine {
  type: string;
  object: any;
}

/**
 * Opens a watch and collects events until `until` says stop (or timeoutMs passes, which fails).
 * The connection is closed before it returns.
 */
export async function collectWatch(
  base: string,
  path: string,
  until: (events: WatchLine[]) => boolean,
  o: { timeoutMs?: number; accept?: string; token?: string; onOpen?: () => Promise<void> } = {},
): Promise<WatchLine[]> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(new Error(`watch ${path} timed out`)), o.timeoutMs ?? 10_000);
  const headers: Record<string, string> = {};
  if (o.accept) headers['Accept'] = o.accept;
  if (o.token) headers['Authorization'] = `Bearer ${o.token}`;
  const events: WatchLine[] = [];
  try {
    const res = await fetch(base + path, { headers, signal: ac.signal });
    if (!res.ok || !res.body) throw new Error(`watch ${path}: ${res.status} ${await res.text()}`);
    const opened = o.onOpen?.();
    const reader = res.body.getReader();
    const dec = new TextDecoder();
    let buf = '';
    while (!until(events)) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += dec.decode(value, { stream: true });
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.trim()) events.push(JSON.parse(line));
      }
    }
    await opened;
    return events;
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
}
