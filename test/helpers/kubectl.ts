/**
 * Real kubectl (/usr/bin/kubectl, 1.32) against a test API server, through a kubeconfig like the
 * one the lab writes. Tests that need it are skipped with a clear message when it is missing.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { writeKubeconfig } from '../../src/bootstrap/kubeconfig.js';
import { createCA, issueServingCert, type CertPair } from '../../src/util/pki.js';
import { testApiServer } from './apiserver.js';
import { tempDir } from './tmp.js';

export const KUBECTL = process.env.KUBECTL ?? '/usr/bin/kubectl';
export const haveKubectl = existsSync(KUBECTL);

export interface Kubectl {
  (args: string[], o?: { input?: string; allowFail?: boolean }): Promise<{ code: number; stdout: string; stderr: string }>;
  kubeconfig: string;
  url: string;
  dir: string;
}

let pki: { ca: CertPair; serving: CertPair } | undefined;

/** One CA and serving certificate per test process: RSA key generation is not free. */
export function testPki(): { ca: CertPair; serving: CertPair } {
  if (!pki) {
    const ca = createCA('kubelab-test-ca');
    pki = { ca, serving: issueServingCert(ca, { commonName: 'kube-apiserver', ips: ['127.0.0.1'], dnsNames: ['localhost'] }) };
  }
  return pki;
}

/**
 * An HTTPS API server with a token and a kubeconfig for it (kubectl sends tokens only over
 * TLS), and a function that runs kubectl there.
 */
export async function kubectlLab(t: ExecutionContext): Promise<Kubectl> {
  const token = 'kubectl-test-token';
  const { ca, serving } = testPki();
  const server = await testApiServer(t, { token, requireAuth: true, tls: serving });
  const dir = tempDir(t);
  const kubeconfig = join(dir, 'kubeconfig');
  writeKubeconfig(kubeconfig, { cluster: 'test', server: server.url, token, ca: ca.cert });
  const run = ((args: string[], o: { input?: string; allowFail?: boolean } = {}) =>
    new Promise((resolve, reject) => {
      const child = execFile(
        KUBECTL,
        ['--kubeconfig', kubeconfig, ...args],
        { timeout: 60_000, env: { ...process.env, HOME: dir, KUBECACHEDIR: join(dir, 'cache') } },
        (err, stdout, stderr) => {
          const code = err ? ((err as { code?: number }).code ?? 1) : 0;
          if (code !== 0 && !o.allowFail) reject(new Error(`kubectl ${args.join(' ')} exited ${code}\nstdout: ${stdout}\nstderr: ${stderr}`));
          else resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
        },
      );
      if (o.input !== undefined) child.stdin!.end(o.input);
    })) as Kubectl;
  run.kubeconfig = kubeconfig;
  run.url = server.url;
  run.dir = dir;
  return run;
}

/** Starts a long-running kubectl (e.g. get -w); killed in teardown. */
export function kubectlStream(t: ExecutionContext, k: Kubectl, args: string[]): { proc: ChildProcess; output: () => string } {
  const proc = spawn(KUBECTL, ['--kubeconfig', k.kubeconfig, ...args], { env: { ...process.env, HOME: k.dir, KUBECACHEDIR: join(k.dir, 'cache') } });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  t.teardown(() => {
    proc.kill('SIGKILL');
  });
  return { proc, output: () => out };
}
