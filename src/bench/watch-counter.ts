/**
 * A watcher for benchmarks that costs the load generator as little as possible: it counts event
 * lines on the raw stream and parses only a sample of them, to read the send time each benchmark
 * object carries (data.sentAt, epoch ms) and so measure write-to-delivery latency.
 */
import { request } from 'node:https';
import { Latency } from './stats.js';

export interface WatchCounter {
  /** Events received so far. */
  readonly count: number;
  /** performance.now() when the count first reached n, or undefined. */
  reached(n: number): Promise<number>;
  latency: Latency;
  close(): void;
}

export function openWatchCounter(o: { url: string; path: string; token: string; ca: string; sampleEvery?: number }): Promise<WatchCounter> {
  const sampleEvery = o.sampleEvery ?? 20;
  return new Promise((resolve, reject) => {
    let count = 0;
    const waiters: { n: number; resolve: (t: number) => void }[] = [];
    const latency = new Latency();
    let carry = '';
    const req = request(o.url + o.path, { headers: { Authorization: `Bearer ${o.token}` }, ca: o.ca }, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`watch ${o.path}: HTTP ${res.statusCode}`));
        res.resume();
        return;
      }
      res.on('data', (chunk: Buffer) => {
        const now = performance.now();
        let start = 0;
        for (;;) {
          const nl = chunk.indexOf(10, start);
          if (nl < 0) break;
          count++;
          if (count % sampleEvery === 0) {
            const line = carry + chunk.toString('utf8', start, nl);
            const m = /"sentAt":"(\d+(?:\.\d+)?)"/.exec(line);
            if (m) latency.record(performance.timeOrigin + now - Number(m[1]));
          }
          carry = '';
          start = nl + 1;
        }
        // Keep a partial line only when it may be sampled next.
        carry = (count + 1) % sampleEvery === 0 ? carry + chunk.toString('utf8', start) : '';
        for (let i = waiters.length - 1; i >= 0; i--) {
          if (count >= waiters[i]!.n) {
            waiters[i]!.resolve(now);
            waiters.splice(i, 1);
          }
        }
      });
      resolve({
        get count() {
          return count;
        },
        reached: (n) => (count >= n ? Promise.resolve(performance.now()) : new Promise((r) => waiters.push({ n, resolve: r }))),
        latency,
        close: () => req.destroy(),
      });
    });
    req.on('error', (err) => reject(err));
    req.end();
  });
}
