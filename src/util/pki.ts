/**
 * The lab's certificates: a cluster CA and serving certificates it signs, as kubeadm and kind
 * make them. Keys are RSA 2048 from Node's own crypto; node-forge builds and signs the X.509
 * certificates (Node.js 20 has no API for that).
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface CertPair {
  /** PEM certificate. */
  cert: string;
  /** PEM PKCS#8 private key. */
  key: string;
}

export interface ServingCertOptions {
  commonName: string;
  /** IP addresses the certificate is valid for. */
  ips: string[];
  /** DNS names the certificate is valid for. */
  dnsNames: string[];
  validityDays?: number;
}

const DAY = 86_400_000;

function newKeys() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { pem: privateKey, priv: forge.pki.privateKeyFromPem(privateKey), pub: forge.pki.publicKeyFromPem(publicKey) };
}

function serial(): string {
  // Positive, 16 bytes: the high bit cleared so DER does not read it as negative.
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f;
  return b.toString('hex');
}

/** A self-signed certificate authority. */
export function createCA(commonName = 'kubelab-ca', validityDays = 3650): CertPair {
  const k = newKeys();
  const c = forge.pki.createCertificate();
  c.publicKey = k.pub;
  c.serialNumber = serial();
  c.validity.notBefore = new Date(Date.now() - 60_000);
  c.validity.notAfter = new Date(Date.now() + validityDays * DAY);
  const name = [{ name: 'commonName', value: commonName }];
  c.setSubject(name);
  c.setIssuer(name);
  c.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  c.sign(k.priv, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(c), key: k.pem };
}

/** A serving certificate for the given names and addresses, signed by ca. */
export function issueServingCert(ca: CertPair, o: ServingCertOptions): CertPair {
  const caCert = forge.pki.certificateFromPem(ca.cert);
  const caKey = forge.pki.privateKeyFromPem(ca.key);
  const k = newKeys();
  const c = forge.pki.createCertificate();
  c.publicKey = k.pub;
  c.serialNumber = serial();
  c.validity.notBefore = new Date(Date.now() - 60_000);
  c.validity.notAfter = new Date(Date.now() + (o.validityDays ?? 365) * DAY);
  c.setSubject([{ name: 'commonName', value: o.commonName }]);
  c.setIssuer(caCert.subject.attributes);
  c.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [...o.dnsNames.map((value) => ({ type: 2, value })), ...o.ips.map((ip) => ({ type: 7, ip }))] },
  ]);
  c.sign(caKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(c), key: k.pem };
}
