/**
 * The Kubernetes protobuf envelope (k8s.io/apimachinery runtime/serializer/protobuf): the four
 * magic bytes "k8s\0", then a runtime.Unknown message { typeMeta = 1 { apiVersion = 1, kind = 2 },
 * raw = 2 (the object's own encoding), contentEncoding = 3, contentType = 4 }.
 */
import { decodeMessage, type DecodeContext } from './decode.js';
import { ProtobufError } from './errors.js';
import { messageForKind } from './registry.js';
import { WIRE, WireReader, wireTypeName } from './wire.js';

/** The content type kubectl's typed clients send: "application/vnd.kubernetes.protobuf". */
export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

interface Envelope {
  apiVersion: string;
  kind: string;
  raw: { start: number; end: number } | undefined;
  contentEncoding: string;
  contentType: string;
}

function readString(r: WireReader, end: number, wireType: number, what: string, at: number): string {
  if (wireType !== WIRE.LEN) throw new ProtobufError(`${what} at offset ${at} has wire type ${wireTypeName(wireType)}, expected length-delimited`);
  return r.stringTo(r.delimited(end, what));
}

/** Reads runtime.Unknown; fields it does not define are skipped, as gogo-protobuf does. */
function readEnvelope(r: WireReader): Envelope {
  const env: Envelope = { apiVersion: '', kind: '', raw: undefined, contentEncoding: '', contentType: '' };
  const end = r.len;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag.field === 1) {
      if (tag.wireType !== WIRE.LEN) throw new ProtobufError(`runtime.Unknown typeMeta at offset ${tag.at} has wire type ${wireTypeName(tag.wireType)}, expected length-delimited`);
      const stop = r.delimited(end, 'runtime.Unknown typeMeta');
      while (r.pos < stop) {
        const t = r.tag();
        if (t.field === 1) env.apiVersion = readString(r, stop, t.wireType, 'typeMeta.apiVersion', t.at);
        else if (t.field === 2) env.kind = readString(r, stop, t.wireType, 'typeMeta.kind', t.at);
        else r.skip(t, stop);
      }
    } else if (tag.field === 2) {
      if (tag.wireType !== WIRE.LEN) throw new ProtobufError(`runtime.Unknown raw at offset ${tag.at} has wire type ${wireTypeName(tag.wireType)}, expected length-delimited`);
      const stop = r.delimited(end, 'runtime.Unknown raw');
      env.raw = { start: r.pos, end: stop };
      r.seek(stop);
    } else if (tag.field === 3) env.contentEncoding = readString(r, end, tag.wireType, 'runtime.Unknown contentEncoding', tag.at);
    else if (tag.field === 4) env.contentType = readString(r, end, tag.wireType, 'runtime.Unknown contentType', tag.at);
    else r.skip(tag, end);
  }
  return env;
}

/** Objects decoded from protobuf, with the unknown fields found in them; see unknownProtobufFields. */
const decodedUnknownFields = new WeakMap<object, readonly string[]>();

/**
 * Decodes a request body in the Kubernetes protobuf encoding into the JSON form of the object, with
 * apiVersion and kind set from the envelope. Fields the schemas do not know are skipped and listed
 * in unknownFields ("unknown protobuf field 99 in k8s.io.api.core.v1.PodSpec at spec.template.spec")
 * so that fieldValidation=Strict can report them.
 * @throws ProtobufError when the magic is missing, the message is truncated or malformed, or the
 *   envelope names a kind we have no schema for.
 */
export function decodeProtobufObject(body: Buffer): { object: Record<string, unknown>; unknownFields: string[] } {
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new ProtobufError(`the body is not a Kubernetes protobuf message: it does not start with the magic bytes "k8s\\x00" (6b 38 73 00)`);
  }
  if (body.length === MAGIC.length) throw new ProtobufError('the protobuf body is empty after its magic bytes');
  const r = new WireReader(body);
  r.seek(MAGIC.length);
  const env = readEnvelope(r);
  if (!env.kind) throw new ProtobufError('the protobuf envelope (runtime.Unknown) names no kind');
  if (!env.apiVersion) throw new ProtobufError(`the protobuf envelope (runtime.Unknown) names no apiVersion for kind "${env.kind}"`);
  if (env.contentEncoding) throw new ProtobufError(`unsupported protobuf content encoding "${env.contentEncoding}": only unencoded objects are supported`);
  if (env.contentType && env.contentType !== PROTOBUF_CONTENT_TYPE) {
    throw new ProtobufError(`unsupported content type "${env.contentType}" inside the protobuf envelope: expected "${PROTOBUF_CONTENT_TYPE}"`);
  }
  const message = messageForKind(env.apiVersion, env.kind);
  if (!message) throw new ProtobufError(`cannot decode apiVersion "${env.apiVersion}" kind "${env.kind}" from protobuf: no such kind is served here`);
  const ctx: DecodeContext = { unknownFields: [] };
  const object: Record<string, unknown> = { apiVersion: env.apiVersion, kind: env.kind };
  if (env.raw) {
    r.seek(env.raw.start);
    decodeMessage(r, env.raw.end, message, '', ctx, object);
  }
  decodedUnknownFields.set(object, ctx.unknownFields);
  return { object, unknownFields: ctx.unknownFields };
}

/**
 * The unknown fields decodeProtobufObject found in an object it returned, or undefined for an
 * object that did not come from it: a later stage that holds only the object (the store's
 * fieldValidation check) can still report them.
 */
export function unknownProtobufFields(object: unknown): readonly string[] | undefined {
  return typeof object === 'object' && object !== null ? decodedUnknownFields.get(object) : undefined;
}
