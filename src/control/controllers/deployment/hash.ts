/**
 * The pod-template-hash: a stable name for a pod template, as Kubernetes' controller.ComputeHash
 * makes it: FNV-1a (32 bit) over the template, plus the Deployment's collisionCount when set,
 * printed in decimal and then spelled with rand.SafeEncodeString's alphabet (no vowels, so no
 * words; no 0/1/3 look-alikes). Go hashes its own dump of the struct; we hash canonical JSON
 * (keys sorted), so the values differ from Kubernetes' but are just as stable: the same
 * template always gives the same hash, in every process and after restarts.
 */
import type { PodTemplateSpec } from '../../../api/types.js';

/** The label (and selector key) that ties a ReplicaSet and its pods to one template. */
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** JSON with object keys sorted at every level, undefined members left out. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : canonicalJson(x))).join(',')}]`;
  const obj = v as Record<string, unknown>;
  const parts: string[] = [];
  for (const k of Object.keys(obj).sort()) {
    if (obj[k] === undefined) continue;
    parts.push(`${JSON.stringify(k)}:${canonicalJson(obj[k])}`);
  }
  return `{${parts.join(',')}}`;
}

/** FNV-1a, 32 bit, over bytes, continuing from hash h. */
function fnv1a(bytes: Uint8Array, h = 0x811c9dc5): number {
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** rand.SafeEncodeString: each character mapped into the vowel-free alphabet. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += ALPHANUMS[s.charCodeAt(i) % ALPHANUMS.length];
  return out;
}

/** ComputeHash of a template (with the collision count, when the Deployment has one). */
export function computeHash(template: PodTemplateSpec, collisionCount?: number): string {
  let h = fnv1a(new TextEncoder().encode(canonicalJson(template)));
  if (collisionCount !== undefined && collisionCount !== null) {
    // Go writes 8 bytes with the uint32 little-endian in the first four.
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv1a(bytes, h);
  }
  return safeEncodeString(String(h));
}
