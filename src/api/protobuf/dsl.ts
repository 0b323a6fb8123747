/**
 * A compact description of the Kubernetes protobuf messages, in the spirit of the OpenAPI DSL in
 * ../openapi/dsl.ts: a message is a record of field number -> "jsonName type", written from the
 * `protobuf:"bytes,N,opt,name=..."` tags of the Go structs and the generated.proto files of
 * k8s.io/api and k8s.io/apimachinery.
 *
 *   type:   string | bool | int32 | int64 | bytes               scalars (bytes are base64 in JSON)
 *           Time | MicroTime | Quantity | IntOrString | FieldsV1   apimachinery types with a JSON form of their own
 *           Name, pkg.Name                                      a message of this or another package
 *           []T                                                 repeated T
 *           map[T]                                              map<string, T> (every Kubernetes map has string keys)
 *   *T      a scalar whose Go field is a pointer: a zero value on the wire was set on purpose and is kept
 *   T!      a scalar whose Go JSON tag has no omitempty: a zero value is written to JSON, so it is kept too
 *   ...     as the JSON name: an embedded struct (`json:",inline"`) whose fields join the parent's
 *
 * Without * or !, a scalar equal to its zero value ("", 0, false) is dropped, because gogo-protobuf
 * writes every non-pointer scalar, set or not, and Go's JSON encoder omits it again (omitempty):
 * dropping it gives the JSON kube-apiserver itself would produce from the decoded struct. Messages
 * and the apimachinery types are kept whenever present (an empty message is {}, an empty Time null),
 * as Go's encoder writes structs whatever their tags say, so * and ! apply to scalars only.
 * compileSchemas() resolves every reference at load time and throws on one to nothing.
 */

/** Protobuf package of each alias usable in type expressions. */
export const PROTO_PACKAGES = {
  meta: 'k8s.io.apimachinery.pkg.apis.meta.v1',
  core: 'k8s.io.api.core.v1',
  apps: 'k8s.io.api.apps.v1',
  autoscaling: 'k8s.io.api.autoscaling.v1',
  policy: 'k8s.io.api.policy.v1',
  coordination: 'k8s.io.api.coordination.v1',
  discovery: 'k8s.io.api.discovery.v1',
} as const;

export type ProtoPackage = keyof typeof PROTO_PACKAGES;

/** Messages of one package: message name -> field number -> field spec. */
export interface MessageSet {
  package: ProtoPackage;
  messages: Record<string, Record<number, string>>;
}

/** Scalar field types; int32 and int64 are varints, string and bytes length-delimited. */
export type ScalarType = 'string' | 'bool' | 'int32' | 'int64' | 'bytes';
/** apimachinery types with a JSON form of their own, decoded by ./wellknown.ts. */
export type WellKnownType = 'Time' | 'MicroTime' | 'Quantity' | 'IntOrString' | 'FieldsV1';

/** What one field (or one map value) holds. */
export type ValueType = { kind: 'scalar'; scalar: ScalarType } | { kind: 'wellKnown'; name: WellKnownType } | { kind: 'message'; message: Message };

/** One compiled field of a message. */
export interface Field {
  number: number;
  /** JSON property name; undefined for an inline (embedded) message. */
  json: string | undefined;
  value: ValueType;
  cardinality: 'single' | 'repeated' | 'map';
  /** Keep a present zero value (Go pointer or no omitempty). */
  keepZero: boolean;
}

/** One compiled message: its full name and its fields by number. */
export interface Message {
  /** Full protobuf name, e.g. k8s.io.api.core.v1.PodSpec. */
  name: string;
  fields: Map<number, Field>;
}

const SCALARS: ReadonlySet<string> = new Set<ScalarType>(['string', 'bool', 'int32', 'int64', 'bytes']);
const WELL_KNOWN: ReadonlySet<string> = new Set<WellKnownType>(['Time', 'MicroTime', 'Quantity', 'IntOrString', 'FieldsV1']);

interface ParsedSpec {
  json: string | undefined;
  cardinality: Field['cardinality'];
  keepZero: boolean;
  typeName: string;
}

/** Splits "replicas *int32" into its parts; throws a TypeError naming the field on bad syntax. */
function parseSpec(spec: string, where: string): ParsedSpec {
  const m = /^(\.\.\.|[A-Za-z]\w*) (\*)?(\[\]|map\[)?([A-Za-z][\w.]*)(\])?(!)?$/.exec(spec.trim());
  if (!m || (m[3] === 'map[') !== (m[5] === ']')) throw new TypeError(`Cannot compile protobuf field ${where}: malformed spec "${spec}"`);
  const inline = m[1] === '...';
  const cardinality = m[3] === '[]' ? 'repeated' : m[3] === 'map[' ? 'map' : 'single';
  if (inline && (cardinality !== 'single' || m[2] || m[6])) throw new TypeError(`Cannot compile protobuf field ${where}: an inline field must be a plain message`);
  return { json: inline ? undefined : m[1], cardinality, keepZero: Boolean(m[2] || m[6]), typeName: m[4]! };
}

/**
 * Every message of the given sets, keyed by full protobuf name. Throws a TypeError when a field
 * refers to a message no set defines, names a package that does not exist, or a message is
 * defined twice; inline fields must refer to messages.
 */
export function compileSchemas(sets: readonly MessageSet[]): Map<string, Message> {
  const out = new Map<string, Message>();
  for (const set of sets) {
    for (const name of Object.keys(set.messages)) {
      const full = `${PROTO_PACKAGES[set.package]}.${name}`;
      if (out.has(full)) throw new TypeError(`Cannot compile protobuf schemas: message "${full}" is defined twice`);
      out.set(full, { name: full, fields: new Map() });
    }
  }
  for (const set of sets) {
    for (const [name, fields] of Object.entries(set.messages)) {
      const message = out.get(`${PROTO_PACKAGES[set.package]}.${name}`)!;
      for (const [num, spec] of Object.entries(fields)) {
        const where = `${message.name} field ${num}`;
        const number = Number(num);
        if (!Number.isInteger(number) || number < 1 || number > 536_870_911) throw new TypeError(`Cannot compile protobuf field ${where}: invalid field number`);
        const p = parseSpec(spec, where);
        message.fields.set(number, { number, json: p.json, cardinality: p.cardinality, keepZero: p.keepZero, value: resolveType(p.typeName, set.package, out, where) });
        const kind = message.fields.get(number)!.value.kind;
        if (p.json === undefined && kind !== 'message') throw new TypeError(`Cannot compile protobuf field ${where}: an inline field must be a message`);
        const value = message.fields.get(number)!.value;
        if (p.cardinality === 'map' && (kind === 'message' || (value.kind === 'scalar' && value.scalar !== 'string' && value.scalar !== 'bytes'))) {
          throw new TypeError(`Cannot compile protobuf field ${where}: map values must be string, bytes or an apimachinery type`);
        }
        if (p.keepZero && kind !== 'scalar') throw new TypeError(`Cannot compile protobuf field ${where}: * and ! apply to scalars only`);
      }
    }
  }
  return out;
}

function resolveType(typeName: string, pkg: ProtoPackage, messages: Map<string, Message>, where: string): ValueType {
  if (SCALARS.has(typeName)) return { kind: 'scalar', scalar: typeName as ScalarType };
  if (WELL_KNOWN.has(typeName)) return { kind: 'wellKnown', name: typeName as WellKnownType };
  const dot = typeName.indexOf('.');
  const alias = dot < 0 ? pkg : typeName.slice(0, dot);
  if (!(alias in PROTO_PACKAGES)) throw new TypeError(`Cannot compile protobuf field ${where}: unknown package "${alias}"`);
  const full = `${PROTO_PACKAGES[alias as ProtoPackage]}.${dot < 0 ? typeName : typeName.slice(dot + 1)}`;
  const message = messages.get(full);
  if (!message) throw new TypeError(`Cannot compile protobuf field ${where}: unknown message "${full}"`);
  return { kind: 'message', message };
}
