/**
 * Copy and compare JSON values (objects decoded from JSON: plain objects, arrays, strings,
 * numbers, booleans, null). Both follow JSON's rules: a key whose value is undefined is the same
 * as no key, so two values are equal exactly when they encode to the same JSON up to key order.
 *
 * structuredClone and util.isDeepStrictEqual do the same work for any value and cost 6-8 times
 * as much on a pod (measured: 22-24 µs and 18 µs against 3 µs, Node.js 20); the API server does
 * both on every update.
 */

/** A deep copy of a JSON value; undefined-valued keys are left out, as JSON.stringify would. */
export function cloneJson<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    const a = new Array(v.length);
    for (let i = 0; i < v.length; i++) a[i] = cloneJson(v[i]);
    return a as T;
  }
  const o: Record<string, unknown> = {};
  for (const k in v) {
    const x = (v as Record<string, unknown>)[k];
    if (x === undefined) continue;
    // JSON.parse makes "__proto__" an own key; an assignment would set the prototype instead.
    if (k === '__proto__') Object.defineProperty(o, k, { value: cloneJson(x), writable: true, enumerable: true, configurable: true });
    else o[k] = cloneJson(x);
  }
  return o as T;
}

/** Whether a and b encode to the same JSON, up to the order of object keys. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  return objectsEqual(a as Record<string, unknown>, b as Record<string, unknown>, undefined);
}

/** jsonEqual for two objects, ignoring the key skip at this level. */
export function jsonEqualExcept(a: Record<string, unknown>, b: Record<string, unknown>, skip: string): boolean {
  return objectsEqual(a, b, skip);
}

function objectsEqual(a: Record<string, unknown>, b: Record<string, unknown>, skip: string | undefined): boolean {
  let n = 0;
  for (const k in a) {
    const x = a[k];
    if (x === undefined || k === skip) continue;
    n++;
    if (!jsonEqual(x, b[k])) return false;
  }
  for (const k in b) if (b[k] !== undefined && k !== skip) n--;
  return n === 0;
}
