/**
 * A lab's PKI on disk: <dir>/ca.crt and ca.key (made once, kept across ups) and the API
 * server's serving certificate for the addresses it is reached at, remade when they change.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCA, issueServingCert } from '../util/pki.js';

export interface LabPki {
  ca: string;
  caFile: string;
  apiserverCertFile: string;
  apiserverKeyFile: string;
}

/** Creates (or reuses) the CA and an API server certificate valid for ips, localhost and the in-cluster names. */
export function ensurePki(dir: string, ips: string[]): LabPki {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const caFile = join(dir, 'ca.crt');
  const caKeyFile = join(dir, 'ca.key');
  if (!existsSync(caFile) || !existsSync(caKeyFile)) {
    const ca = createCA('kubelab-ca');
    writeFileSync(caKeyFile, ca.key, { mode: 0o600 });
    writeFileSync(caFile, ca.cert);
  }
  const ca = { cert: readFileSync(caFile, 'utf8'), key: readFileSync(caKeyFile, 'utf8') };
  const apiserverCertFile = join(dir, 'apiserver.crt');
  const apiserverKeyFile = join(dir, 'apiserver.key');
  const sansFile = join(dir, 'apiserver.sans');
  const sans = JSON.stringify([...new Set(['127.0.0.1', '10.96.0.1', ...ips])].sort());
  if (!existsSync(apiserverCertFile) || !existsSync(sansFile) || readFileSync(sansFile, 'utf8') !== sans) {
    const pair = issueServingCert(ca, {
      commonName: 'kube-apiserver',
      ips: JSON.parse(sans) as string[],
      dnsNames: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'],
    });
    writeFileSync(apiserverKeyFile, pair.key, { mode: 0o600 });
    writeFileSync(apiserverCertFile, pair.cert);
    writeFileSync(sansFile, sans);
  }
  return { ca: ca.cert, caFile, apiserverCertFile, apiserverKeyFile };
}
