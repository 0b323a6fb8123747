/**
 * Parsing and checking of the flag values the kubelet and hollow-node daemons share, as the
 * kubelet takes them: Go durations ("10s", "5m0s", "250ms"), quantities ("4", "8Gi"), label lists
 * ("a=b,c=d") and taint lists ("key=value:NoSchedule,key2:NoExecute"). Every error names its flag,
 * so a daemon can print it and exit 2.
 */
import type { Command } from 'commander';
import { isIP } from 'node:net';
import { quantityError } from '../../api/quantity.js';
import type { Taint } from '../../api/types.js';
import { isQualifiedName, isValidLabelValue } from '../../api/validation/strings.js';

/**
 * The timing flags a kubelet and hollow nodes share, with Kubernetes' defaults (the lab's
 * bring-up passes faster ones).
 */
export function withNodeTimingFlags(cmd: Command): Command {
  return cmd
    .option('--lease-renew-interval <duration>', 'time between node lease renewals (default: 0.25 x --lease-duration-seconds)')
    .option('--lease-duration-seconds <n>', 'spec.leaseDurationSeconds of the node lease', '40')
    .option('--node-status-report-frequency <duration>', 'node status is written at least this often', '5m0s')
    .option('--restart-backoff-base <duration>', 'first crash-loop back-off', '10s')
    .option('--restart-backoff-max <duration>', 'largest crash-loop back-off', '5m0s')
    .option('--sync-frequency <duration>', 'every pod is resynced this often', '1m0s');
}

/** A bad flag value: the daemon prints the message and exits 2. */
export class FlagError extends Error {
  override readonly name = 'FlagError';
  constructor(
    readonly flag: string,
    message: string,
  ) {
    super(`invalid value for ${flag}: ${message}`);
  }
}

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A Go duration ("1m30s", "250ms", "0") in milliseconds. */
export function parseDuration(flag: string, s: string): number {
  const text = s.trim();
  if (text === '0') return 0;
  const re = /(\d+(?:\.\d+)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    matched = re.lastIndex;
  }
  if (matched === 0 || matched !== text.length) throw new FlagError(flag, `"${s}" is not a duration like "10s", "1m30s" or "250ms"`);
  return total;
}

/** A duration that must be > 0. */
export function parsePositiveDuration(flag: string, s: string): number {
  const ms = parseDuration(flag, s);
  if (!(ms > 0)) throw new FlagError(flag, `"${s}" must be longer than 0`);
  return ms;
}

/** A whole number within [min, max]. */
export function parseInteger(flag: string, s: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^-?\d+$/.test(s.trim())) throw new FlagError(flag, `"${s}" is not a whole number`);
  const n = Number(s);
  if (n < min || n > max) throw new FlagError(flag, `${n} is not within ${min}-${max}`);
  return n;
}

/** A resource quantity ("4", "500m", "8Gi"), returned as written. */
export function parseQuantityFlag(flag: string, s: string): string {
  const err = quantityError(s);
  if (err) throw new FlagError(flag, `"${s}": ${err}`);
  return s;
}

/** An IPv4 or IPv6 address. */
export function parseIP(flag: string, s: string): string {
  if (!isIP(s)) throw new FlagError(flag, `"${s}" is not an IP address`);
  return s;
}

/** "k=v,k2=v2" as labels; keys and values as Kubernetes checks them. */
export function parseLabels(flag: string, s: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of s.split(',')) {
    if (part.trim() === '') continue;
    const i = part.indexOf('=');
    if (i < 0) throw new FlagError(flag, `"${part}" is not key=value`);
    const key = part.slice(0, i).trim();
    const value = part.slice(i + 1).trim();
    const errs = [...isQualifiedName(key).map((e) => `key "${key}": ${e}`), ...isValidLabelValue(value).map((e) => `value "${value}": ${e}`)];
    if (errs.length) throw new FlagError(flag, errs.join('; '));
    out[key] = value;
  }
  return out;
}

const EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;

/** "key=value:Effect,key2:Effect" as taints (the kubelet's --register-with-taints). */
export function parseTaints(flag: string, s: string): Taint[] {
  const out: Taint[] = [];
  for (const part of s.split(',')) {
    if (part.trim() === '') continue;
    const colon = part.lastIndexOf(':');
    if (colon < 0) throw new FlagError(flag, `"${part}" is not key[=value]:Effect`);
    const effect = part.slice(colon + 1).trim();
    if (!(EFFECTS as readonly string[]).includes(effect)) throw new FlagError(flag, `"${part}": effect must be one of ${EFFECTS.join(', ')}`);
    const kv = part.slice(0, colon);
    const eq = kv.indexOf('=');
    const key = (eq < 0 ? kv : kv.slice(0, eq)).trim();
    const value = eq < 0 ? undefined : kv.slice(eq + 1).trim();
    const errs = [...isQualifiedName(key).map((e) => `key "${key}": ${e}`), ...(value !== undefined ? isValidLabelValue(value).map((e) => `value "${value}": ${e}`) : [])];
    if (errs.length) throw new FlagError(flag, errs.join('; '));
    out.push({ key, ...(value ? { value } : {}), effect: effect as Taint['effect'] });
  }
  return out;
}
