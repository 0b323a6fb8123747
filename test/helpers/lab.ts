/**
 * A real local lab for integration tests, brought up with the CLI (./lab up) in a temporary home
 * and always taken down and purged afterwards, even when tests fail.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '../../src/client/rest.js';
import { repoRoot } from '../../src/util/paths.js';
import { KUBECTL } from './kubectl.js';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runLab(home: string, args: string[], timeoutMs = 300_000): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(join(repoRoot, 'lab'), args, { env: { ...process.env, LAB_HOME: home }, timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

export interface TestLab {
  home: string;
  kubeconfig: string;
  client: Client;
  lab(args: string[]): Promise<RunResult>;
  kubectl(args: string[]): Promise<RunResult>;
  /** Takes the lab down and deletes its home. */
  destroy(): Promise<void>;
}

export async function upLab(args: string[] = ['--workers', '2']): Promise<TestLab> {
  const home = mkdtempSync(join(tmpdir(), 'kubelab-lab-'));
  const destroy = async () => {
    await runLab(home, ['down', '--purge']);
    rmSync(home, { recursive: true, force: true });
  };
  const up = await runLab(home, ['up', ...args]);
  if (up.code !== 0) {
    await destroy();
    throw new Error(`./lab up ${args.join(' ')} exited ${up.code}:\n${up.stderr}`);
  }
  const kubeconfig = (await runLab(home, ['kubeconfig'])).stdout.trim();
  const client = Client.fromKubeconfig(kubeconfig);
  return {
    home,
    kubeconfig,
    client,
    lab: (a) => runLab(home, a),
    kubectl: (a) =>
      new Promise((resolve) => {
        execFile(KUBECTL, ['--kubeconfig', kubeconfig, ...a], { timeout: 120_000, env: { ...process.env, HOME: home } }, (err, stdout, stderr) => {
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
        });
      }),
    async destroy() {
      client.close();
      await destroy();
    },
  };
}
