/**
 * An API server for a benchmark, run as its own process (as in a lab: the load generator and the
 * server do not share an event loop), over HTTPS with a token like every lab, with its store in a
 * temporary directory that is removed afterwards. LAB_BENCH_SERVER_NODE_OPTIONS passes Node.js
 * flags to it, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile it under load, and
 * LAB_BENCH_SERVER_ARGS more API server flags, e.g. "--watch-coalesce 0" to compare settings.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCA, issueServingCert } from '../util/pki.js';
import { startBenchDaemon } from './daemons.js';

export interface BenchApiServer {
  url: string;
  token: string;
  ca: string;
  dir: string;
  pid: number;
  /** CPU time the server has used so far, seconds. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

export async function startBenchApiServer(extraArgs: string[] = []): Promise<BenchApiServer> {
  const dir = mkdtempSync(join(tmpdir(), 'kubelab-bench-'));
  try {
    const ca = createCA('kubelab-bench-ca');
    const serving = issueServingCert(ca, { commonName: 'kube-apiserver', ips: ['127.0.0.1'], dnsNames: ['localhost'] });
    const token = 'bench-token';
    writeFileSync(join(dir, 'token'), token);
    writeFileSync(join(dir, 'tls.crt'), serving.cert);
    writeFileSync(join(dir, 'tls.key'), serving.key);
    const d = await startBenchDaemon(
      'apiserver',
      'src/control/apiserver/main.ts',
      ['--data-dir', join(dir, 'data'), '--port', '0', '--token-file', join(dir, 'token'), '--tls-cert-file', join(dir, 'tls.crt'), '--tls-private-key-file', join(dir, 'tls.key'), ...extraArgs, ...(process.env.LAB_BENCH_SERVER_ARGS ?? '').split(' ').filter(Boolean)],
      { timeoutMs: 60_000, nodeFlags: (process.env.LAB_BENCH_SERVER_NODE_OPTIONS ?? '').split(' ').filter(Boolean) },
    );
    return {
      url: d.ready,
      token,
      ca: ca.cert,
      dir,
      pid: d.pid,
      cpuSeconds: () => d.cpuSeconds(),
      async stop() {
        await d.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
