/**
 * Building blocks shared by the per-kind validators: field paths printed as Kubernetes prints
 * field.Path, safe readers for untyped JSON, and the small validators of
 * pkg/apis/core/validation and apimachinery that every kind uses (labels, annotations, names,
 * non-negative fields, immutable fields, label selectors, quantities).
 */
import { fieldError, type FieldError } from '../errors.js';
import { canonicalQuantity, parseQuantityExact, quantityError } from '../quantity.js';
import { isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from './strings.js';

export type Obj = Record<string, unknown>;

// ---- field paths: "spec.containers[0].name", "metadata.labels", "data[key]"

export const child = (path: string, name: string) => (path ? `${path}.${name}` : name);
export const index = (path: string, i: number) => `${path}[${i}]`;
export const key = (path: string, k: string) => `${path}[${k}]`;

// ---- readers that tolerate malformed JSON

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
export const asObj = (v: unknown): Obj => (isObj(v) ? v : {});
/** The items of a list, each as an object, keeping indices aligned with the input. */
export const objs = (v: unknown): Obj[] => (Array.isArray(v) ? v.map(asObj) : []);
export const str = (v: unknown): string => (typeof v === 'string' ? v : '');
export const strMap = (v: unknown): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(asObj(v))) out[k] = typeof val === 'string' ? val : String(val);
  return out;
};
export const present = (v: unknown) => v !== undefined && v !== null;

/**
 * An integer field: undefined when absent, the number when it is one; a value of another type
 * is reported (Kubernetes refuses it while decoding) and read as absent.
 */
export function int(v: unknown, path: string, errs: FieldError[]): number | undefined {
  if (!present(v)) return undefined;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  errs.push(fieldError.typeInvalid(path, v, 'must be an integer'));
  return undefined;
}

// ---- messages used in many places

export const FIELD_IMMUTABLE = 'field is immutable';
export const NEGATIVE = 'must be greater than or equal to 0';

/** ValidateNonnegativeField */
export function nonNegative(value: number | undefined, path: string): FieldError[] {
  return value !== undefined && value < 0 ? [fieldError.invalid(path, value, NEGATIVE)] : [];
}

/** A Too long error printed without the value, as Kubernetes prints it for whole maps. */
export function tooLong(path: string, max: number): FieldError {
  const e = fieldError.tooLong(path, '', max);
  delete e.badValue;
  return e;
}

// ---- names

/** A ValidateNameFunc: Kubernetes' messages for a name, or for a generateName prefix. */
export type NameFn = (name: string, prefix: boolean) => string[];

/** maskTrailingDash: a generateName prefix may end with "-", since a suffix follows it. */
const masked = (name: string, prefix: boolean) => (prefix && name.length > 1 && name.endsWith('-') ? `${name.slice(0, -1)}a` : name);

export const nameIsDNSSubdomain: NameFn = (name, prefix) => isDNS1123Subdomain(masked(name, prefix));
export const nameIsDNSLabel: NameFn = (name, prefix) => isDNS1123Label(masked(name, prefix));
export const nameIsDNS1035Label: NameFn = (name, prefix) => isDNS1035Label(masked(name, prefix));

/** ValidateDNS1123Label */
export function dns1123Label(value: string, path: string): FieldError[] {
  return isDNS1123Label(value).map((m) => fieldError.invalid(path, value, m));
}

/** ValidateDNS1123Subdomain */
export function dns1123Subdomain(value: string, path: string): FieldError[] {
  return isDNS1123Subdomain(value).map((m) => fieldError.invalid(path, value, m));
}

/** ValidateQualifiedName */
export function qualifiedName(value: string, path: string): FieldError[] {
  return isQualifiedName(value).map((m) => fieldError.invalid(path, value, m));
}

// ---- labels, annotations, selectors

/** metav1validation.ValidateLabels: errors name the map, not the key. */
export function validateLabels(labels: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(strMap(labels))) {
    errs.push(...qualifiedName(k, path));
    errs.push(...isValidLabelValue(v).map((m) => fieldError.invalid(path, v, m)));
  }
  return errs;
}

/** Annotations may hold 256 KiB in all (keys and values). */
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

/** ValidateAnnotations: qualified keys (case-insensitive), 256 KiB in total. */
export function validateAnnotations(annotations: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(strMap(annotations))) {
    errs.push(...isQualifiedName(k.toLowerCase()).map((m) => fieldError.invalid(path, k, m)));
    size += Buffer.byteLength(k) + Buffer.byteLength(v);
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

/** metav1validation.ValidateLabelSelector, with label values checked strictly. */
export function validateLabelSelector(sel: unknown, path: string): FieldError[] {
  if (!isObj(sel)) return [];
  const errs = validateLabels(sel.matchLabels, child(path, 'matchLabels'));
  objs(sel.matchExpressions).forEach((expr, i) => {
    const p = index(child(path, 'matchExpressions'), i);
    const values = Array.isArray(expr.values) ? expr.values : [];
    switch (expr.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push(fieldError.required(child(p, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) errs.push(fieldError.forbidden(child(p, 'values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(fieldError.invalid(child(p, 'operator'), expr.operator ?? '', 'not a valid selector operator'));
    }
    errs.push(...qualifiedName(str(expr.key), child(p, 'key')));
    values.forEach((v, j) => {
      errs.push(...isValidLabelValue(str(v)).map((m) => fieldError.invalid(index(child(p, 'values'), j), v, m)));
    });
  });
  return errs;
}

// ---- equality and immutability

/** Go's zero values: absent, null, "", 0, false, empty lists, and objects holding only zeros. */
function isZero(v: unknown): boolean {
  if (v === undefined || v === null || v === '' || v === 0 || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (isObj(v)) return Object.values(v).every(isZero);
  return false;
}

/**
 * apiequality.Semantic.DeepEqual for decoded JSON: a field left out equals its zero value
 * (Go cannot tell them apart), lists compare in order, everything else by value.
 */
export function semanticEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isZero(a) && isZero(b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => semanticEqual(x, b[i]));
  if (isObj(a) && isObj(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!semanticEqual(a[k], b[k])) return false;
    return true;
  }
  return false;
}

/** ValidateImmutableField */
export function immutable(next: unknown, prev: unknown, path: string): FieldError[] {
  return semanticEqual(next, prev) ? [] : [fieldError.invalid(path, next ?? null, FIELD_IMMUTABLE)];
}

// ---- quantities

/**
 * A quantity that must parse and be non-negative. Kubernetes refuses a malformed quantity
 * while decoding, with the message used here.
 */
export function nonNegativeQuantity(q: unknown, path: string): FieldError[] {
  const bad = quantityError(q);
  if (bad) return [fieldError.invalid(path, q, bad)];
  return parseQuantityExact(q as string | number).nanos < 0n ? [fieldError.invalid(path, canonicalQuantity(q as string | number), NEGATIVE)] : [];
}
