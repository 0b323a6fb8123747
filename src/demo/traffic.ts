/**
 * A steady stream of HTTP requests to a Service, for the demo and (later) scenario probes: how
 * many were answered, by which pod, and the longest time without an answer. Bounded: it stops
 * when told, after maxRequests, or when its signal aborts.
 */
import { request } from 'node:http';
import type { Clock } from '../util/clock.js';

export interface TrafficStats {
  sent: number;
  answered: number;
  failed: number;
  /** Answers per pod name. */
  byPod: Record<string, number>;
  /** Longest time between two answers (or from the start to the first), ms. */
  longestGapMs: number;
  /** The last few failures' messages. */
  errors: string[];
}

export interface Traffic {
  stats(): TrafficStats;
  stop(): Promise<TrafficStats>;
}

/** One GET; resolves with the echo server's JSON answer. */
export function getJson(url: string, timeoutMs: number): Promise<{ pod?: string; node?: string; ip?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { timeout: timeoutMs, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`HTTP ${res.statusCode}`));
        try {
          resolve(JSON.parse(body));
        } catch {
          reject(new Error(`not JSON: ${body.slice(0, 80)}`));
        }
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** Sends a request every intervalMs (one at a time) until stopped. */
export function startTraffic(o: { url: string; intervalMs: number; timeoutMs: number; maxRequests: number; clock: Clock }): Traffic {
  const s: TrafficStats = { sent: 0, answered: 0, failed: 0, byPod: {}, longestGapMs: 0, errors: [] };
  let lastAnswer = o.clock.monotonic();
  let stopped = false;
  const loop = (async () => {
    while (!stopped && s.sent < o.maxRequests) {
      const started = o.clock.monotonic();
      s.sent++;
      try {
        const a = await getJson(o.url, o.timeoutMs);
        s.answered++;
        const now = o.clock.monotonic();
        s.longestGapMs = Math.max(s.longestGapMs, now - lastAnswer);
        lastAnswer = now;
        if (a.pod) s.byPod[a.pod] = (s.byPod[a.pod] ?? 0) + 1;
      } catch (err) {
        s.failed++;
        s.errors.push((err as Error).message);
        if (s.errors.length > 5) s.errors.shift();
      }
      const wait = o.intervalMs - (o.clock.monotonic() - started);
      if (wait > 0 && !stopped) await o.clock.sleep(wait);
    }
  })();
  return {
    stats: () => ({ ...s, byPod: { ...s.byPod }, errors: [...s.errors], longestGapMs: Math.max(s.longestGapMs, o.clock.monotonic() - lastAnswer) }),
    async stop() {
      stopped = true;
      await loop;
      return { ...s, byPod: { ...s.byPod }, errors: [...s.errors] };
    },
  };
}
