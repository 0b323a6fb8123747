/**
 * resource.Quantity as k8s.io/apimachinery/pkg/api/resource parses and prints it: decimal SI
 * suffixes (n u m "" k M G T P E), binary SI (Ki Mi Gi Ti Pi Ei), exponents (1e3, 5E-3), and
 * numbers given as JSON numbers. Values are kept exactly, as an integer count of nano units,
 * because Kubernetes keeps nothing finer than 1n (it rounds smaller amounts up) and because
 * float arithmetic would turn "0.1" CPU into 100.00000000000001 millicores.
 */

/** How a quantity prints: the family of suffix it was written with. */
export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

/** A parsed quantity: its exact value and the format it prints in. */
export interface ParsedQuantity {
  /** The value times 10^9, exact. */
  nanos: bigint;
  format: QuantityFormat;
}

/** What Kubernetes answers for a malformed quantity (resource.ErrFormatWrong). */
export const QUANTITY_FORMAT_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
/** What Kubernetes answers for an unknown suffix (resource.ErrSuffix). */
export const QUANTITY_SUFFIX_ERROR = "unable to parse quantity's suffix";

const NANO = 1_000_000_000n;
/** Kubernetes caps quantities at the largest int64 (resource.maxAllowed), in whole units. */
const MAX_NANOS = (2n ** 63n - 1n) * NANO;

const DECIMAL_SUFFIXES: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_BY_EXPONENT = new Map(Object.entries(DECIMAL_SUFFIXES).map(([s, e]) => [e, s]));
const BINARY_BY_POWER = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
const SUFFIX_CHARS = 'eEinumkKMGTP';

interface Split {
  positive: boolean;
  num: string;
  denom: string;
  suffix: string;
}

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

/** Port of resource.parseQuantityString: splits sign, integer digits, fraction digits and suffix. */
function splitQuantity(str: string): Split | string {
  let pos = 0;
  const end = str.length;
  let positive = true;
  if (str[0] === '-' || str[0] === '+') {
    positive = str[0] === '+';
    pos++;
  }
  // Leading zeros are dropped; a string of only zeros (or only a sign) is zero, as in Go.
  while (pos < end && str[pos] === '0') pos++;
  if (pos >= end) return { positive, num: '0', denom: '', suffix: '' };
  let start = pos;
  while (pos < end && isDigit(str[pos])) pos++;
  const num = str.slice(start, pos) || '0';
  let denom = '';
  if (str[pos] === '.') {
    start = ++pos;
    while (pos < end && isDigit(str[pos])) pos++;
    // Kubernetes accepts "1." and "1.G": the fraction may be empty.
    denom = str.slice(start, pos);
  }
  const suffixStart = pos;
  while (pos < end && SUFFIX_CHARS.includes(str[pos]!)) pos++;
  if (str[pos] === '-' || str[pos] === '+') pos++;
  while (pos < end && isDigit(str[pos])) pos++;
  if (pos < end) return QUANTITY_FORMAT_ERROR;
  return { positive, num, denom, suffix: str.slice(suffixStart) };
}

/** suffixHandler.interpret: base (10 or 2) and exponent of a suffix. */
function interpretSuffix(suffix: string): { base: 10 | 2; exponent: number; format: QuantityFormat } | undefined {
  if (suffix in DECIMAL_SUFFIXES) return { base: 10, exponent: DECIMAL_SUFFIXES[suffix]!, format: 'DecimalSI' };
  if (suffix in BINARY_SUFFIXES) return { base: 2, exponent: BINARY_SUFFIXES[suffix]!, format: 'BinarySI' };
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E') && /^[+-]?\d+$/.test(suffix.slice(1))) {
    return { base: 10, exponent: Number(suffix.slice(1)), format: 'DecimalExponent' };
  }
  return undefined;
}

/** Divides rounding up (away from zero for the non-negative magnitudes used here). */
function divCeil(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}

function parseParts(q: string | number): ParsedQuantity | string {
  let str: string;
  if (typeof q === 'number') {
    if (!Number.isFinite(q)) return QUANTITY_FORMAT_ERROR;
    str = String(q);
  } else if (typeof q === 'string') {
    str = q;
  } else {
    return QUANTITY_FORMAT_ERROR;
  }
  if (str.length === 0) return QUANTITY_FORMAT_ERROR;
  if (str === '0') return { nanos: 0n, format: 'DecimalSI' };
  const split = splitQuantity(str);
  if (typeof split === 'string') return split;
  const suffix = interpretSuffix(split.suffix);
  if (!suffix) return QUANTITY_SUFFIX_ERROR;

  const digits = BigInt(split.num + split.denom);
  // value = digits * 10^scale10 * 2^exp2
  let scale10 = -split.denom.length;
  let exp2 = 0;
  if (suffix.base === 10) scale10 += suffix.exponent;
  else exp2 = suffix.exponent;

  let magnitude: bigint;
  const shift = scale10 + 9;
  const width = split.num.length + split.denom.length;
  // Exponents like 1e999999999 must not build huge powers: past these bounds the answer is the
  // cap, or 1n (Kubernetes rounds any non-zero amount below 1n up to 1n).
  if (digits === 0n) magnitude = 0n;
  else if (shift > 40) magnitude = MAX_NANOS;
  else if (-shift > width + 20) magnitude = 1n;
  else {
    const scaled = digits * 2n ** BigInt(exp2);
    magnitude = shift >= 0 ? scaled * 10n ** BigInt(shift) : divCeil(scaled, 10n ** BigInt(-shift));
  }
  if (magnitude > MAX_NANOS) magnitude = MAX_NANOS;
  let format = suffix.format;
  // A binary quantity below one unit cannot be written with a binary suffix.
  if (format === 'BinarySI' && magnitude > 0n && magnitude < NANO) format = 'DecimalSI';
  return { nanos: split.positive ? magnitude : -magnitude, format };
}

/**
 * Parses a quantity exactly. Throws an Error naming the value when it is not a quantity.
 */
export function parseQuantityExact(q: string | number): ParsedQuantity {
  const p = parseParts(q);
  if (typeof p === 'string') throw new Error(`Cannot parse quantity ${JSON.stringify(q)}: ${p}`);
  return p;
}

/**
 * The value of a quantity as a number of base units ("100m" -> 0.1, "1Ki" -> 1024).
 * Throws an Error naming the value when it is not a quantity.
 */
export function parseQuantity(q: string | number): number {
  return Number(parseQuantityExact(q).nanos) / 1e9;
}

/** Kubernetes' reason why q is not a quantity, or undefined when it is one. */
export function quantityError(q: unknown): string | undefined {
  if (typeof q !== 'string' && typeof q !== 'number') return QUANTITY_FORMAT_ERROR;
  const p = parseParts(q);
  return typeof p === 'string' ? p : undefined;
}

/** Whether q parses as a quantity. */
export function isValidQuantity(q: unknown): boolean {
  return quantityError(q) === undefined;
}

function scaledCeil(nanos: bigint, unitNanos: bigint): number {
  // Quantity.ScaledValue rounds away from zero.
  const neg = nanos < 0n;
  const v = divCeil(neg ? -nanos : nanos, unitNanos);
  return Number(neg ? -v : v);
}

/** Quantity.MilliValue: the value in thousandths, rounded up ("100m" -> 100, "2" -> 2000). */
export function cpuMillis(q: string | number): number {
  return scaledCeil(parseQuantityExact(q).nanos, 1_000_000n);
}

/** Quantity.Value: the value in whole units, rounded up ("1Ki" -> 1024, "1.5" -> 2). */
export function bytes(q: string | number): number {
  return scaledCeil(parseQuantityExact(q).nanos, NANO);
}

/** Orders two quantities by value: -1, 0 or 1. */
export function compareQuantities(a: string | number, b: string | number): -1 | 0 | 1 {
  const x = parseQuantityExact(a).nanos;
  const y = parseQuantityExact(b).nanos;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Quantity.RoundUp(scale): rounds away from zero to a multiple of 10^scale units (scale >= -9). */
export function roundUpQuantity(p: ParsedQuantity, scale: number): ParsedQuantity {
  const unit = 10n ** BigInt(scale + 9);
  const neg = p.nanos < 0n;
  const mag = divCeil(neg ? -p.nanos : p.nanos, unit) * unit;
  return { nanos: neg ? -mag : mag, format: p.format };
}

/** Quantity.String: the canonical form Kubernetes prints and stores ("0.5" -> "500m", "1024Mi" -> "1Gi"). */
export function formatParsedQuantity(p: ParsedQuantity): string {
  if (p.nanos === 0n) return '0';
  const neg = p.nanos < 0n;
  const mag = neg ? -p.nanos : p.nanos;
  const sign = neg ? '-' : '';
  let format = p.format;
  // Binary suffixes only for whole amounts of at least 1Ki; anything else prints as decimal.
  if (format === 'BinarySI' && (mag < 1024n * NANO || mag % NANO !== 0n)) format = 'DecimalSI';
  if (format === 'BinarySI') {
    let units = mag / NANO;
    let power = 0;
    while (units >= 1024n && units % 1024n === 0n && power < BINARY_BY_POWER.length - 1) {
      units /= 1024n;
      power++;
    }
    return `${sign}${units}${BINARY_BY_POWER[power]}`;
  }
  // Decimal: the smallest integer mantissa whose exponent is a multiple of 3.
  let mantissa = mag;
  let exponent = -9;
  while (mantissa >= 10n && mantissa % 10n === 0n) {
    mantissa /= 10n;
    exponent++;
  }
  while (exponent % 3 !== 0) {
    mantissa *= 10n;
    exponent--;
  }
  if (format === 'DecimalExponent') return `${sign}${mantissa}${exponent === 0 ? '' : `e${exponent}`}`;
  const suffix = DECIMAL_BY_EXPONENT.get(exponent);
  return suffix === undefined ? `${sign}${mantissa}e${exponent}` : `${sign}${mantissa}${suffix}`;
}

/** The canonical form of a quantity, as the API server writes it back. Throws on bad syntax. */
export function canonicalQuantity(q: string | number): string {
  return formatParsedQuantity(parseQuantityExact(q));
}

/**
 * Formats a number of base units in the given format, as Kubernetes prints capacity:
 * formatQuantity(8 * 2 ** 30, 'BinarySI') is "8Gi", formatQuantity(0.25) is "250m".
 */
export function formatQuantity(value: number, format: QuantityFormat = 'DecimalSI'): string {
  if (!Number.isFinite(value)) throw new RangeError(`Cannot format ${value} as a quantity: not a finite number`);
  const p = parseQuantityExact(String(value));
  return formatParsedQuantity({ nanos: p.nanos, format });
}

/** Millicores as a CPU quantity: 100 -> "100m", 2000 -> "2". */
export function formatMillis(millis: number): string {
  if (!Number.isInteger(millis)) throw new RangeError(`Cannot format ${millis} millicores: not an integer`);
  return formatParsedQuantity({ nanos: BigInt(millis) * 1_000_000n, format: 'DecimalSI' });
}

/** A byte count as a memory quantity in binary SI: 1073741824 -> "1Gi"; below 1Ki it prints as decimal (1000 -> "1k"). */
export function formatBytes(n: number): string {
  if (!Number.isInteger(n)) throw new RangeError(`Cannot format ${n} bytes: not an integer`);
  return formatParsedQuantity({ nanos: BigInt(n) * NANO, format: 'BinarySI' });
}
