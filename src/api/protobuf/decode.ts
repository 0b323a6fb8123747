/**
 * The schema-driven decoder: one protobuf message, described by a compiled Message (./dsl.ts),
 * into the JSON object Kubernetes' JSON encoder would write for it. Proto2 rules apply: a
 * repeated occurrence of a single message field merges into the first, of a scalar replaces it;
 * repeated scalars may be packed or not; map entries with a missing value get its zero value.
 */
import { ProtobufError } from './errors.js';
import type { Field, Message, ScalarType } from './dsl.js';
import { decodeWellKnown } from './wellknown.js';
import { WIRE, WireReader, wireTypeName, type Tag } from './wire.js';

/** What one decode collects besides the object. */
export interface DecodeContext {
  /** "unknown protobuf field N in <Message> at <path>", in body order. */
  unknownFields: string[];
}

type JsonObject = Record<string, unknown>;

/** Sets a property even when the key is "__proto__": map keys (labels, data) come from the client. */
function setKey(obj: JsonObject, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function scalarWireType(s: ScalarType): number {
  return s === 'string' || s === 'bytes' ? WIRE.LEN : WIRE.VARINT;
}

function expectedWireType(f: Field): number {
  if (f.cardinality === 'map' || f.value.kind !== 'scalar') return WIRE.LEN;
  return scalarWireType(f.value.scalar);
}

function isZero(v: unknown): boolean {
  return v === '' || v === 0 || v === false;
}

function readScalar(r: WireReader, s: ScalarType, limit: number, what: string): string | number | boolean {
  switch (s) {
    case 'string':
      return r.stringTo(r.delimited(limit, what));
    case 'bytes':
      return Buffer.from(r.bytesTo(r.delimited(limit, what))).toString('base64');
    case 'bool':
      return r.bool(what);
    case 'int32':
      return r.varint32(what);
    case 'int64':
      return r.varint64(what);
  }
}

function childPath(path: string, json: string): string {
  return path ? `${path}.${json}` : json;
}

/** A map<string, V> entry: key = 1, value = 2. Unknown entry fields are skipped, as gogo does. */
function readMapEntry(r: WireReader, end: number, f: Field, what: string): [string, unknown] {
  const v = f.value;
  let key = '';
  let value: unknown;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag.field !== 1 && tag.field !== 2) {
      r.skip(tag, end);
      continue;
    }
    if (tag.wireType !== WIRE.LEN) {
      throw new ProtobufError(`map entry of ${what} at offset ${tag.at} has field ${tag.field} with wire type ${wireTypeName(tag.wireType)}, expected length-delimited`);
    }
    const stop = r.delimited(end, tag.field === 1 ? `the key of ${what}` : `a value of ${what}`);
    if (tag.field === 1) key = r.stringTo(stop);
    else if (v.kind === 'wellKnown') value = decodeWellKnown(r, stop, v.name);
    else value = v.kind === 'scalar' && v.scalar === 'bytes' ? Buffer.from(r.bytesTo(stop)).toString('base64') : r.stringTo(stop);
  }
  if (value === undefined) {
    // A missing value is its type's zero value: "" for strings and bytes, an empty message otherwise.
    value = v.kind === 'wellKnown' ? decodeWellKnown(r, r.pos, v.name) : '';
  }
  return [key, value];
}

function readField(r: WireReader, tag: Tag, end: number, f: Field, message: Message, target: JsonObject, path: string, ctx: DecodeContext): void {
  const what = `field ${f.number} (${f.json ?? 'inline'}) of ${message.name}`;
  const want = expectedWireType(f);
  const packed = f.cardinality === 'repeated' && f.value.kind === 'scalar' && want === WIRE.VARINT && tag.wireType === WIRE.LEN;
  if (tag.wireType !== want && !packed) {
    throw new ProtobufError(`${what} at offset ${tag.at} has wire type ${wireTypeName(tag.wireType)}, expected ${wireTypeName(want)}`);
  }
  const json = f.json;
  if (f.cardinality === 'map') {
    const stop = r.delimited(end, what);
    const [key, value] = readMapEntry(r, stop, f, what);
    const obj = (target[json!] as JsonObject | undefined) ?? {};
    setKey(obj, key, value);
    target[json!] = obj;
    return;
  }
  if (f.cardinality === 'repeated') {
    const arr = (target[json!] as unknown[] | undefined) ?? [];
    const itemPath = `${childPath(path, json!)}[${arr.length}]`;
    if (packed) {
      const stop = r.delimited(end, what);
      while (r.pos < stop) arr.push(readScalar(r, (f.value as { scalar: ScalarType }).scalar, stop, what));
      if (r.pos !== stop) throw new ProtobufError(`truncated message at offset ${r.pos}: the packed values of ${what} run past their length`);
    } else if (f.value.kind === 'scalar') arr.push(readScalar(r, f.value.scalar, end, what));
    else {
      const stop = r.delimited(end, what);
      arr.push(f.value.kind === 'wellKnown' ? decodeWellKnown(r, stop, f.value.name) : decodeMessage(r, stop, f.value.message, itemPath, ctx));
    }
    // A packed field may hold no value at all; Go's encoder omits the empty slice again.
    if (arr.length > 0) target[json!] = arr;
    return;
  }
  if (f.value.kind === 'scalar') {
    const v = readScalar(r, f.value.scalar, end, what);
    // Last one wins (proto2); a zero value of a non-pointer omitempty field is what Go leaves out.
    if (isZero(v) && !f.keepZero) delete target[json!];
    else target[json!] = v;
    return;
  }
  const stop = r.delimited(end, what);
  if (f.value.kind === 'wellKnown') {
    target[json!] = decodeWellKnown(r, stop, f.value.name);
    return;
  }
  if (json === undefined) {
    // An embedded struct: its fields land in the parent object, at the parent's path.
    decodeMessage(r, stop, f.value.message, path, ctx, target);
    return;
  }
  const existing = target[json];
  const into = existing && typeof existing === 'object' && !Array.isArray(existing) ? (existing as JsonObject) : {};
  target[json] = decodeMessage(r, stop, f.value.message, childPath(path, json), ctx, into);
}

/**
 * Decodes the message whose fields run from the reader's position to `end` into `target`, and
 * returns it. Fields the schema does not know are skipped and recorded in ctx.unknownFields; any
 * ProtobufError raised inside gets the message name and JSON path added once.
 */
export function decodeMessage(r: WireReader, end: number, message: Message, path: string, ctx: DecodeContext, target: JsonObject = {}): JsonObject {
  try {
    while (r.pos < end) {
      const tag = r.tag();
      const f = message.fields.get(tag.field);
      if (!f) {
        ctx.unknownFields.push(`unknown protobuf field ${tag.field} in ${message.name}${path ? ` at ${path}` : ''}`);
        r.skip(tag, end);
        continue;
      }
      readField(r, tag, end, f, message, target, path, ctx);
    }
    if (r.pos > end) throw new ProtobufError(`truncated message at offset ${end}: a field runs past the end of its message`);
    return target;
  } catch (err) {
    if (err instanceof ProtobufError && err.location === undefined) {
      err.location = `${message.name}${path ? ` at ${path}` : ''}`;
      err.message += ` (in ${err.location})`;
    }
    throw err;
  }
}
