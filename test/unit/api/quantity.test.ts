import test from 'ava';
import {
  QUANTITY_FORMAT_ERROR,
  QUANTITY_SUFFIX_ERROR,
  bytes,
  canonicalQuantity,
  compareQuantities,
  cpuMillis,
  formatBytes,
  formatMillis,
  formatQuantity,
  isValidQuantity,
  parseQuantity,
  quantityError,
} from '../../../src/api/quantity.js';

const values: [string | number, number][] = [
  ['0', 0],
  ['1', 1],
  ['100m', 0.1],
  ['1500m', 1.5],
  ['250u', 0.00025],
  ['7n', 7e-9],
  ['1k', 1000],
  ['2M', 2e6],
  ['3G', 3e9],
  ['1T', 1e12],
  ['1P', 1e15],
  ['1E', 1e18],
  ['1Ki', 1024],
  ['1Mi', 1024 ** 2],
  ['1.5Gi', 1.5 * 1024 ** 3],
  ['1Ti', 1024 ** 4],
  ['1Pi', 1024 ** 5],
  ['1Ei', 1024 ** 6],
  ['1e3', 1000],
  ['5E-3', 0.005],
  ['1e+2', 100],
  ['.5', 0.5],
  ['1.', 1],
  ['+2', 2],
  ['-2', -2],
  ['007', 7],
  [0.25, 0.25],
  [3, 3],
];
for (const [q, v] of values) {
  test(`quantity: ${JSON.stringify(q)} parses to ${v}`, (t) => {
    t.is(parseQuantity(q), v);
    t.true(isValidQuantity(q));
  });
}

const invalid: [unknown, string][] = [
  ['', QUANTITY_FORMAT_ERROR],
  ['abc', QUANTITY_FORMAT_ERROR],
  ['1 Gi', QUANTITY_FORMAT_ERROR],
  ['1.2.3', QUANTITY_FORMAT_ERROR],
  ['1GiB', QUANTITY_FORMAT_ERROR],
  ['1K', QUANTITY_SUFFIX_ERROR],
  ['1e', QUANTITY_SUFFIX_ERROR],
  ['1Mi2', QUANTITY_SUFFIX_ERROR],
  ['1mi', QUANTITY_SUFFIX_ERROR],
  [Number.NaN, QUANTITY_FORMAT_ERROR],
  [null, QUANTITY_FORMAT_ERROR],
];
for (const [q, why] of invalid) {
  test(`quantity: ${typeof q === 'number' ? String(q) : JSON.stringify(q)} is refused with Kubernetes' reason`, (t) => {
    t.false(isValidQuantity(q));
    t.is(quantityError(q), why);
  });
}

test('quantity: parseQuantity names the value it cannot parse', (t) => {
  const err = t.throws(() => parseQuantity('12 cores'));
  t.true(err.message.includes('"12 cores"'));
  t.true(err.message.includes(QUANTITY_FORMAT_ERROR));
});

test('quantity: the error message is the regular expression Kubernetes prints', (t) => {
  t.is(QUANTITY_FORMAT_ERROR, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
});

const millis: [string | number, number][] = [
  ['100m', 100],
  ['2', 2000],
  ['0.1', 100],
  ['1.5', 1500],
  ['1.0001m', 2], // MilliValue rounds up
  ['0.5m', 1],
  ['1k', 1_000_000],
  [0.25, 250],
  ['-100m', -100],
];
for (const [q, m] of millis) {
  test(`quantity: cpuMillis(${JSON.stringify(q)}) is ${m}`, (t) => t.is(cpuMillis(q), m));
}

const byteCounts: [string, number][] = [
  ['1Ki', 1024],
  ['128Mi', 134217728],
  ['1G', 1e9],
  ['1.5', 2], // Value rounds up
  ['100m', 1],
  ['1e3', 1000],
];
for (const [q, n] of byteCounts) {
  test(`quantity: bytes(${JSON.stringify(q)}) is ${n}`, (t) => t.is(bytes(q), n));
}

const canonical: [string | number, string][] = [
  ['0.5', '500m'],
  ['100m', '100m'],
  ['1000m', '1'],
  ['1500', '1500'],
  ['1.5k', '1500'],
  ['1000', '1k'],
  ['1024Mi', '1Gi'],
  ['1.5Gi', '1536Mi'],
  ['5Ki', '5Ki'],
  ['0.5Ki', '512'],
  ['1e3', '1e3'],
  ['1.5e3', '1500'],
  ['0.0000000001', '1n'], // below 1n rounds up to 1n
  ['12345678901234567890', '9223372036854775807'], // capped at the largest int64
  ['-1Gi', '-1Gi'],
  ['0Ki', '0'],
  [0.1, '100m'],
];
for (const [q, c] of canonical) {
  test(`quantity: ${JSON.stringify(q)} prints canonically as ${c}`, (t) => t.is(canonicalQuantity(q), c));
}

test('quantity: formatQuantity prints a value in the requested format', (t) => {
  t.is(formatQuantity(8 * 1024 ** 3, 'BinarySI'), '8Gi');
  t.is(formatQuantity(8e9, 'BinarySI'), '7812500Ki');
  t.is(formatQuantity(0.25), '250m');
  t.is(formatQuantity(4), '4');
  t.is(formatQuantity(2e6, 'DecimalExponent'), '2e6');
  t.throws(() => formatQuantity(Number.POSITIVE_INFINITY), { instanceOf: RangeError });
});

test('quantity: formatMillis and formatBytes print CPU and memory capacity', (t) => {
  t.is(formatMillis(100), '100m');
  t.is(formatMillis(2000), '2');
  t.is(formatMillis(1500), '1500m');
  t.is(formatBytes(1073741824), '1Gi');
  t.is(formatBytes(1000), '1k');
  t.is(formatBytes(3 * 1024 * 1024 + 512 * 1024), '3584Ki');
});

test('quantity: compareQuantities orders by value across formats', (t) => {
  t.is(compareQuantities('1Gi', '1024Mi'), 0);
  t.is(compareQuantities('1G', '1Gi'), -1);
  t.is(compareQuantities('1001m', '1'), 1);
});
