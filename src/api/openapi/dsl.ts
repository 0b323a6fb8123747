/**
 * A compact description language for the OpenAPI schemas, so that the type files read like the
 * Go structs of k8s.io/api rather than like a JSON blob. A type is a record of field -> spec,
 * where a spec is a type expression followed by optional modifiers:
 *
 *   string | integer (int32) | int64 | number (double) | boolean | byte (base64)
 *   Quantity | IntOrString | Time | MicroTime | FieldsV1 | RawExtension   (apimachinery types)
 *   object            free-form: type object with x-kubernetes-preserve-unknown-fields
 *   []T               array of T
 *   map[T]            object whose values are T
 *   Name, pkg.Name    a type of the same package, or of another one (meta.ObjectMeta)
 *
 *   modifiers: patch=<strategy>   x-kubernetes-patch-strategy (merge, retainKeys, merge,retainKeys)
 *              key=<field>        x-kubernetes-patch-merge-key
 *              list=atomic|set|map(k1,k2)   x-kubernetes-list-type / -list-map-keys
 *
 * compileTypeSets() turns the descriptions into components.schemas entries named as Kubernetes
 * names them (io.k8s.api.core.v1.Pod) and fails at load time on a reference to nothing.
 *
 * The field lists in schemas/ are those of Kubernetes' API as @kubernetes/client-node mirrors it
 * (release-1.36, a superset of what kubectl 1.32 sends), with the patch strategies and merge keys
 * of the Go struct tags added; test/unit/api/openapi.test.ts checks them against that package.
 * Field descriptions are left out, so `kubectl explain` shows fields and types without prose.
 */

/** Package aliases usable in type expressions, and the OpenAPI name prefix each stands for. */
export const PACKAGES = {
  meta: 'io.k8s.apimachinery.pkg.apis.meta.v1',
  core: 'io.k8s.api.core.v1',
  apps: 'io.k8s.api.apps.v1',
  autoscaling: 'io.k8s.api.autoscaling.v1',
  policy: 'io.k8s.api.policy.v1',
  coordination: 'io.k8s.api.coordination.v1',
  discovery: 'io.k8s.api.discovery.v1',
} as const;

export type PackageAlias = keyof typeof PACKAGES;

/** The subset of an OpenAPI v3 schema object these documents use. */
export interface Schema {
  type?: string;
  format?: string;
  description?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema;
  items?: Schema;
  allOf?: Schema[];
  oneOf?: Schema[];
  $ref?: string;
  uniqueItems?: boolean;
  [extension: `x-${string}`]: unknown;
}

/** Types of one package: type name -> field name -> field spec. */
export interface TypeSet {
  package: PackageAlias;
  types: Record<string, Record<string, string>>;
}

const SCALARS: Record<string, Schema> = {
  string: { type: 'string' },
  integer: { type: 'integer', format: 'int32' },
  int64: { type: 'integer', format: 'int64' },
  number: { type: 'number', format: 'double' },
  boolean: { type: 'boolean' },
  byte: { type: 'string', format: 'byte' },
  object: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
};

/** apimachinery types that are scalars (or free-form) on the wire, with their component schemas. */
export const BUILTIN_SCHEMAS: Record<string, { name: string; schema: Schema }> = {
  Quantity: {
    name: 'io.k8s.apimachinery.pkg.api.resource.Quantity',
    schema: { description: 'Quantity is a fixed-point representation of a number.', oneOf: [{ type: 'string' }, { type: 'number' }] },
  },
  IntOrString: {
    name: 'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
    schema: { description: 'IntOrString is a type that can hold an int32 or a string.', format: 'int-or-string', oneOf: [{ type: 'integer' }, { type: 'string' }] },
  },
  Time: {
    name: `${PACKAGES.meta}.Time`,
    schema: { description: 'Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON.', type: 'string', format: 'date-time' },
  },
  MicroTime: {
    name: `${PACKAGES.meta}.MicroTime`,
    schema: { description: 'MicroTime is version of Time with microsecond level precision.', type: 'string', format: 'date-time' },
  },
  FieldsV1: {
    name: `${PACKAGES.meta}.FieldsV1`,
    schema: { description: 'FieldsV1 stores a set of fields in a data structure like a Trie, in JSON format.', type: 'object' },
  },
  RawExtension: {
    name: 'io.k8s.apimachinery.pkg.runtime.RawExtension',
    schema: { description: 'RawExtension is used to hold extensions in external versions.', type: 'object' },
  },
};

export const REF_PREFIX = '#/components/schemas/';

/** A reference wrapped in allOf, as Kubernetes writes it, so that extensions may sit beside it. */
function ref(fullName: string): Schema {
  return { allOf: [{ $ref: REF_PREFIX + fullName }] };
}

function typeSchema(expr: string, pkg: PackageAlias, where: string): Schema {
  if (expr.startsWith('[]')) return { type: 'array', items: typeSchema(expr.slice(2), pkg, where) };
  const map = /^map\[(.+)\]$/.exec(expr);
  if (map) return { type: 'object', additionalProperties: typeSchema(map[1]!, pkg, where) };
  const scalar = SCALARS[expr];
  if (scalar) return { ...scalar };
  const builtin = BUILTIN_SCHEMAS[expr];
  if (builtin) return ref(builtin.name);
  const dot = expr.indexOf('.');
  const alias = dot < 0 ? pkg : (expr.slice(0, dot) as PackageAlias);
  if (!(alias in PACKAGES) || !/^[A-Z]\w*$/.test(dot < 0 ? expr : expr.slice(dot + 1))) {
    throw new TypeError(`Cannot compile schema field ${where}: unknown type "${expr}"`);
  }
  return ref(`${PACKAGES[alias]}.${dot < 0 ? expr : expr.slice(dot + 1)}`);
}

/** One field spec ("[]Container patch=merge key=name") as a schema. */
export function fieldSchema(spec: string, pkg: PackageAlias, where: string): Schema {
  const [expr, ...modifiers] = spec.trim().split(/\s+/);
  const schema = typeSchema(expr!, pkg, where);
  for (const m of modifiers) {
    const eq = m.indexOf('=');
    const key = m.slice(0, eq);
    const value = m.slice(eq + 1);
    if (key === 'patch') schema['x-kubernetes-patch-strategy'] = value;
    else if (key === 'key') schema['x-kubernetes-patch-merge-key'] = value;
    else if (key === 'list') {
      const mapKeys = /^map\((.+)\)$/.exec(value);
      if (mapKeys) {
        schema['x-kubernetes-list-type'] = 'map';
        schema['x-kubernetes-list-map-keys'] = mapKeys[1]!.split(',');
      } else if (value === 'atomic' || value === 'set') schema['x-kubernetes-list-type'] = value;
      else throw new TypeError(`Cannot compile schema field ${where}: unknown list type "${value}"`);
    } else throw new TypeError(`Cannot compile schema field ${where}: unknown modifier "${m}"`);
  }
  return schema;
}

/** Every `$ref` target inside a schema, without the "#/components/schemas/" prefix. */
export function refsOf(schema: unknown, out: Set<string> = new Set()): Set<string> {
  if (Array.isArray(schema)) for (const s of schema) refsOf(s, out);
  else if (schema && typeof schema === 'object') {
    for (const [k, v] of Object.entries(schema)) {
      if (k === '$ref' && typeof v === 'string') out.add(v.slice(REF_PREFIX.length));
      else refsOf(v, out);
    }
  }
  return out;
}

/**
 * All type sets as component schemas keyed by their OpenAPI name, plus the apimachinery builtins.
 * Throws when a field refers to a type that no set defines.
 */
export function compileTypeSets(sets: readonly TypeSet[]): Map<string, Schema> {
  const out = new Map<string, Schema>();
  for (const b of Object.values(BUILTIN_SCHEMAS)) out.set(b.name, b.schema);
  for (const set of sets) {
    for (const [typeName, fields] of Object.entries(set.types)) {
      const fullName = `${PACKAGES[set.package]}.${typeName}`;
      if (out.has(fullName)) throw new TypeError(`Cannot compile schemas: type "${fullName}" is defined twice`);
      const properties: Record<string, Schema> = {};
      for (const [field, spec] of Object.entries(fields)) properties[field] = fieldSchema(spec, set.package, `${fullName}.${field}`);
      out.set(fullName, { type: 'object', properties });
    }
  }
  for (const [name, schema] of out) {
    for (const target of refsOf(schema)) {
      if (!out.has(target)) throw new TypeError(`Cannot compile schemas: "${name}" refers to undefined type "${target}"`);
    }
  }
  return out;
}
