/**
 * An API server for a benchmark, run as its own process (as in a lab: the load generator and the
 * server do not share an event loop), over HTTPS with a token like every lab, with its store in a
 * temporary directory that is removed afterwards.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createCA, issueServingCert } from '../util/pki.js';
import { nodeArgv } from '../util/paths.js';

export interface BenchApiServer {
  url: string;
  token: string;
  ca: string;
  dir: string;
  pid: number;
  stop(): Promise<void>;
}

export async function startBenchApiServer(extraArgs: string[] = []): Promise<BenchApiServer> {
  const dir = mkdtempSync(join(tmpdir(), 'kubelab-bench-'));
  const ca = createCA('kubelab-bench-ca');
  const serving = issueServingCert(ca, { commonName: 'kube-apiserver', ips: ['127.0.0.1'], dnsNames: ['localhost'] });
  const token = 'bench-token';
  writeFileSync(join(dir, 'token'), token);
  writeFileSync(join(dir, 'tls.crt'), serving.cert);
  writeFileSync(join(dir, 'tls.key'), serving.key);
  const argv = nodeArgv('src/control/apiserver/main.ts', [
    '--data-dir', join(dir, 'data'),
    '--port', '0',
    '--token-file', join(dir, 'token'),
    '--tls-cert-file', join(dir, 'tls.crt'),
    '--tls-private-key-file', join(dir, 'tls.key'),
    ...extraArgs,
  ]);
  // LAB_BENCH_SERVER_NODE_OPTIONS passes Node.js flags to the server, e.g. --cpu-prof to profile it.
  const nodeFlags = (process.env.LAB_BENCH_SERVER_NODE_OPTIONS ?? '').split(' ').filter(Boolean);
  const proc: ChildProcess = spawn(argv[0]!, [...nodeFlags, ...argv.slice(1)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the API server did not start within 60 s:\n${err}`)), 60_000);
      createInterface({ input: proc.stdout! }).on('line', (line) => {
        if (line.startsWith('ready ')) {
          clearTimeout(timer);
          resolve(line.slice(6).trim());
        }
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`the API server exited before it was ready:\n${err}`));
      });
    });
    return {
      url,
      token,
      ca: ca.cert,
      dir,
      pid: proc.pid!,
      async stop() {
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(t);
        cleanup();
      },
    };
  } catch (e) {
    proc.kill('SIGKILL');
    await exited;
    cleanup();
    throw e;
  }
}
