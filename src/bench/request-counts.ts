/**
 * What a benchmark asked of the API server: apiserver_request_total scraped from /metrics before
 * and after the measured phase, so a result can say how many requests of each kind one pod cost.
 */
import type { Client } from '../client/rest.js';

/** Request counts keyed "verb resource[/subresource]" (watches and lists included). */
export type RequestCounts = Record<string, number>;

/** Parses the apiserver_request_total samples of a Prometheus text exposition, summed over codes. */
export function parseRequestCounts(text: string): RequestCounts {
  const counts: RequestCounts = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    const close = line.lastIndexOf('}');
    const labels = Object.fromEntries([...line.slice(line.indexOf('{') + 1, close).matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    const value = Number(line.slice(close + 1).trim());
    if (!labels['verb'] || !Number.isFinite(value)) continue;
    const key = `${labels['verb']} ${labels['resource']}${labels['subresource'] ? `/${labels['subresource']}` : ''}`;
    counts[key] = (counts[key] ?? 0) + value;
  }
  return counts;
}

/** after − before, per key, dropping keys that did not move; divided by per (e.g. the pod count). */
export function requestDelta(before: RequestCounts, after: RequestCounts, per = 1): RequestCounts {
  const out: RequestCounts = {};
  for (const [k, v] of Object.entries(after)) {
    const d = v - (before[k] ?? 0);
    if (d > 0) out[k] = Math.round((d / per) * 1000) / 1000;
  }
  return Object.fromEntries(Object.entries(out).sort((a, b) => b[1] - a[1]));
}

export async function scrapeRequestCounts(client: Client): Promise<RequestCounts> {
  const text = await client.request<string>({ method: 'GET', path: '/metrics', accept: 'text/plain' });
  return parseRequestCounts(typeof text === 'string' ? text : String(text));
}
