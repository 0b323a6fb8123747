/**
 * Flag values every daemon parses the same way, as Kubernetes' components take them: Go durations
 * ("10s", "5m0s", "250ms") and whole numbers within a range. Every error names its flag, so a
 * daemon can print it and exit 2.
 */

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
