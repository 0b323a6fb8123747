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
import { FlagError } from '../../util/flags.js';

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

export { FlagError, parseDuration, parseInteger, parsePositiveDuration } from '../../util/flags.js';

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
