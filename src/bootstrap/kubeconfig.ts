/** The kubeconfig a lab writes for kubectl and client libraries: one cluster, one user with the token. */
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';

export interface KubeconfigInput {
  cluster: string;
  server: string;
  token: string;
  /** PEM of the CA that signed the API server's certificate (https servers). */
  ca?: string;
}

export function kubeconfigYaml(k: KubeconfigInput): string {
  const ctx = `kubelab-${k.cluster}`;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: ctx, cluster: { server: k.server, ...(k.ca ? { 'certificate-authority-data': Buffer.from(k.ca).toString('base64') } : {}) } }],
    users: [{ name: `${ctx}-admin`, user: { token: k.token } }],
    contexts: [{ name: ctx, context: { cluster: ctx, user: `${ctx}-admin`, namespace: 'default' } }],
    'current-context': ctx,
    preferences: {},
  });
}

export function writeKubeconfig(path: string, k: KubeconfigInput): void {
  writeFileSync(path, kubeconfigYaml(k), { mode: 0o600 });
}
