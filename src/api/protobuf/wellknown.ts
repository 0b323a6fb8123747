/**
 * The apimachinery types whose JSON form is not their message shape: metav1.Time and MicroTime
 * (google.protobuf.Timestamp on the wire, RFC 3339 strings in JSON), resource.Quantity (a message
 * holding the string), intstr.IntOrString (a tagged union, a bare number or string in JSON) and
 * metav1.FieldsV1 (raw JSON bytes). Each function receives the message's bytes and the offset
 * they start at, for error messages.
 */
import { ProtobufError } from './errors.js';
import { WIRE, WireReader, wireTypeName } from './wire.js';
import type { WellKnownType } from './dsl.js';

/** Seconds of Go's zero time.Time (0001-01-01T00:00:00Z), which marshals to JSON null. */
const GO_ZERO_TIME_SECONDS = -62135596800;

interface Fields {
  varints: Map<number, number>;
  strings: Map<number, { start: number; end: number }>;
}

/**
 * Reads a small message of varint and length-delimited fields, last occurrence winning as in
 * proto2; fields the type does not define are skipped, as gogo-protobuf's generated code does.
 */
function readFields(r: WireReader, end: number, type: WellKnownType, expected: Record<number, number>): Fields {
  const out: Fields = { varints: new Map(), strings: new Map() };
  while (r.pos < end) {
    const tag = r.tag();
    const want = expected[tag.field];
    if (want === undefined) {
      r.skip(tag, end);
      continue;
    }
    if (tag.wireType !== want) {
      throw new ProtobufError(`field ${tag.field} of ${type} at offset ${tag.at} has wire type ${wireTypeName(tag.wireType)}, expected ${wireTypeName(want)}`);
    }
    if (want === WIRE.VARINT) out.varints.set(tag.field, r.varint64(`field ${tag.field} of ${type}`));
    else {
      const stop = r.delimited(end, `field ${tag.field} of ${type}`);
      out.strings.set(tag.field, { start: r.pos, end: stop });
      r.bytesTo(stop);
    }
  }
  return out;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Formats a Timestamp as Go formats metav1.Time (seconds) or MicroTime (microseconds), in UTC. */
export function formatTimestamp(seconds: number, nanos: number, micro: boolean, at: number): string | null {
  if (seconds === GO_ZERO_TIME_SECONDS && nanos === 0) return null;
  if (nanos < 0 || nanos > 999_999_999) throw new ProtobufError(`timestamp at offset ${at} has nanos ${nanos}, outside 0..999999999`);
  const d = new Date(seconds * 1000);
  const year = d.getUTCFullYear();
  if (Number.isNaN(d.getTime()) || year < 1 || year > 9999) throw new ProtobufError(`timestamp at offset ${at} (${seconds} seconds) is outside years 0001..9999`);
  const base = `${pad(year, 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}T${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`;
  return micro ? `${base}.${pad(Math.floor(nanos / 1000), 6)}Z` : `${base}Z`;
}

/** Decodes one well-known value whose message bytes run from the reader's position to `end`. */
export function decodeWellKnown(r: WireReader, end: number, type: WellKnownType): unknown {
  const at = r.pos;
  switch (type) {
    case 'Time':
    case 'MicroTime': {
      // An empty message is Go's zero time: metav1.Time marshals it to nothing and JSON to null.
      if (end === at) return null;
      const f = readFields(r, end, type, { 1: WIRE.VARINT, 2: WIRE.VARINT });
      return formatTimestamp(f.varints.get(1) ?? 0, f.varints.get(2) ?? 0, type === 'MicroTime', at);
    }
    case 'Quantity': {
      // resource.Quantity is `optional string string = 1`; an empty message is the zero quantity, "0".
      const f = readFields(r, end, type, { 1: WIRE.LEN });
      const s = f.strings.get(1);
      return s ? Buffer.from(r.slice(s.start, s.end)).toString('utf8') : '0';
    }
    case 'IntOrString': {
      // type = 1 (0 Int, 1 String), intVal = 2, strVal = 3.
      const f = readFields(r, end, type, { 1: WIRE.VARINT, 2: WIRE.VARINT, 3: WIRE.LEN });
      const kind = f.varints.get(1) ?? 0;
      if (kind === 1) {
        const s = f.strings.get(3);
        return s ? Buffer.from(r.slice(s.start, s.end)).toString('utf8') : '';
      }
      if (kind !== 0) throw new ProtobufError(`IntOrString at offset ${at} has type ${kind}, expected 0 (int) or 1 (string)`);
      // intVal is an int32 on the wire: keep the low 32 bits as Go's int32 conversion does.
      return (f.varints.get(2) ?? 0) | 0;
    }
    case 'FieldsV1': {
      // `optional bytes Raw = 1`, holding JSON; the JSON form of FieldsV1 is that JSON itself.
      const f = readFields(r, end, type, { 1: WIRE.LEN });
      const s = f.strings.get(1);
      if (!s) return null;
      const text = Buffer.from(r.slice(s.start, s.end)).toString('utf8');
      try {
        return JSON.parse(text);
      } catch (err) {
        throw new ProtobufError(`FieldsV1 at offset ${s.start} does not hold JSON: ${(err as Error).message}`, { cause: err });
      }
    }
  }
}
