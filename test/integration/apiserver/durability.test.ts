import test from 'ava';
import { startDaemon } from '../../helpers/processes.js';
import { tempDir } from '../../helpers/tmp.js';

interface Acked {
  name: string;
  version: number;
  rv: number;
}

const WRITERS = 16;
const MAX_WRITES_PER_WRITER = 400;

async function writer(url: string, id: number, acked: Map<string, Acked>, revisions: number[], stop: AbortSignal): Promise<void> {
  for (let n = 0; n < MAX_WRITES_PER_WRITER && !stop.aborted; n++) {
    const name = `w${id}-${Math.floor(n / 2)}`;
    try {
      let res: Response;
      if (n % 2 === 0) {
        res = await fetch(`${url}/api/v1/namespaces/default/configmaps`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { version: '1' } }),
          signal: stop,
        });
      } else {
        res = await fetch(`${url}/api/v1/namespaces/default/configmaps/${name}`, {
          method: 'PATCH',
          headers: { 'Content-Type': 'application/merge-patch+json' },
          body: JSON.stringify({ data: { version: '2' } }),
          signal: stop,
        });
      }
      if (!res.ok) throw new Error(`unexpected ${res.status}: ${await res.text()}`);
      const obj = (await res.json()) as { metadata: { resourceVersion: string }; data: { version: string } };
      const rv = Number(obj.metadata.resourceVersion);
      revisions.push(rv);
      acked.set(name, { name, version: Number(obj.data.version), rv });
    } catch (err) {
      if (stop.aborted) return;
      // The server died under us: everything acknowledged so far must survive.
      if ((err as Error).message.startsWith('unexpected')) throw err;
      return;
    }
  }
}

test('every acknowledged write survives kill -9 of the API server, and revisions only move forward', async (t) => {
  const dir = tempDir(t);
  const first = await startDaemon(t, 'src/control/apiserver/main.ts', ['--data-dir', dir, '--port', '0']);
  const url = first.ready;
  const acked = new Map<string, Acked>();
  const revisions: number[] = [];
  const stop = new AbortController();
  const writers = Array.from({ length: WRITERS }, (_, i) => writer(url, i, acked, revisions, stop.signal));
  // Kill in the middle of the stream: once a few hundred writes are acknowledged.
  while (revisions.length < 300 && acked.size < WRITERS * (MAX_WRITES_PER_WRITER / 2)) await new Promise((r) => setTimeout(r, 5));
  first.proc.kill('SIGKILL');
  await first.exited;
  await Promise.all(writers);
  stop.abort();
  const maxAcked = Math.max(...revisions);
  t.true(acked.size > 0);

  const second = await startDaemon(t, 'src/control/apiserver/main.ts', ['--data-dir', dir, '--port', '0']);
  const list = (await (await fetch(`${second.ready}/api/v1/namespaces/default/configmaps`)).json()) as {
    metadata: { resourceVersion: string };
    items: { metadata: { name: string; resourceVersion: string }; data: { version: string } }[];
  };
  const stored = new Map(list.items.map((i) => [i.metadata.name, i]));
  const missing = [...acked.values()].filter((a) => !stored.has(a.name));
  t.deepEqual(missing, [], 'acknowledged creates lost');
  const rolledBack = [...acked.values()].filter((a) => Number(stored.get(a.name)!.data.version) < a.version || Number(stored.get(a.name)!.metadata.resourceVersion) < a.rv);
  t.deepEqual(rolledBack, [], 'acknowledged updates lost');
  t.true(Number(list.metadata.resourceVersion) >= maxAcked, 'the revision moved backwards across the restart');
  const res = await fetch(`${second.ready}/api/v1/namespaces/default/configmaps`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ metadata: { name: 'after-restart' } }),
  });
  const after = (await res.json()) as { metadata: { resourceVersion: string } };
  t.true(Number(after.metadata.resourceVersion) > maxAcked);
  t.log(`${acked.size} objects acknowledged before kill -9 (max revision ${maxAcked}); all present after restart`);
});
