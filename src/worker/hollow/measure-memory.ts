/**
 * Measures the heap a hollow node costs: starts an API server as its own process (so its heap is
 * not counted), then in this process takes heapUsed after a GC, registers N hollow nodes (each
 * with its Node, Lease, fake runtime and pod syncer, plus the shared informers' copies of the
 * Nodes), waits for the first lease renewals, takes heapUsed after a GC again and prints the
 * difference per node.
 *
 *   node --expose-gc --import tsx src/worker/hollow/measure-memory.ts [--nodes 5000] [--server URL]
 *
 * A benchmark, not a test: nothing asserts on the number.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Command } from 'commander';
import { Client } from '../../client/rest.js';
import { nodeArgv } from '../../util/paths.js';
import { startHollowNodes } from './hollow.js';

const f = new Command('measure-memory')
  .option('--nodes <n>', 'hollow nodes to register', '5000')
  .option('--server <url>', 'use this API server instead of starting one')
  .parse()
  .opts<{ nodes: string; server?: string }>();
const count = Number(f.nodes);
if (!Number.isInteger(count) || count <= 0) {
  process.stderr.write(`error: invalid value for --nodes: "${f.nodes}" is not a positive whole number\n`);
  process.exit(2);
}
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  process.stderr.write('error: run with node --expose-gc so the heap can be measured after a collection\n');
  process.exit(2);
}

async function startServer(): Promise<{ url: string; stop: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'kubelab-hollow-mem-'));
  const argv = nodeArgv('src/control/apiserver/main.ts', ['--data-dir', dir, '--port', '0']);
  const proc = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: proc.stdout! }).on('line', (l) => l.startsWith('ready ') && resolve(l.slice(6).trim()));
    proc.once('exit', (code) => reject(new Error(`the API server exited with ${code}`)));
  });
  return {
    url,
    stop: () => {
      proc.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function settle(): number {
  for (let i = 0; i < 3; i++) gc!();
  return process.memoryUsage().heapUsed;
}

const server = f.server ? { url: f.server, stop: () => {} } : await startServer();
try {
  const client = new Client({ server: server.url, maxSockets: 64 });
  // Warm the code paths (module code, JIT) with one node so they are not charged to the N.
  const warm = await startHollowNodes({ client, count: 1, namePrefix: 'warmup-', startIndex: 16_000 });
  await warm.close();
  const before = settle();
  const started = performance.now();
  const hollow = await startHollowNodes({ client, count, leaseRenewIntervalMs: 10_000 });
  const registeredMs = performance.now() - started;
  // Let every node's first spread renewal happen, so each holds its Lease as it will from now on.
  await new Promise((r) => setTimeout(r, 11_000));
  const after = settle();
  const perNode = (after - before) / count;
  process.stdout.write(
    `${count} hollow nodes registered in ${(registeredMs / 1000).toFixed(1)} s\n` +
      `heapUsed before ${(before / 2 ** 20).toFixed(1)} MiB, after ${(after / 2 ** 20).toFixed(1)} MiB\n` +
      `heap per hollow node: ${(perNode / 1024).toFixed(1)} KiB\n`,
  );
  await hollow.close();
  client.close();
} finally {
  server.stop();
}
