/**
 * Unknown-field detection for ?fieldValidation=Strict|Warn, by walking an object against the
 * OpenAPI schema of its kind. Paths are written the way the API server's strict JSON decoder
 * (sigs.k8s.io/json) writes them: "spec.template.spec.containers[0].imagee". The value under an
 * unknown field is not looked into, as the decoder skips it; free-form subtrees
 * (x-kubernetes-preserve-unknown-fields, or an object schema without properties) accept anything.
 */
import { REF_PREFIX, type Schema } from './dsl.js';
import { componentSchema, schemaNameForGVK } from './registry.js';

function resolve(schema: Schema): Schema {
  let s = schema;
  for (;;) {
    if (s.allOf && s.allOf.length > 0) s = s.allOf[0]!;
    else if (s.$ref) {
      const target = componentSchema(s.$ref.slice(REF_PREFIX.length));
      if (!target) return {};
      s = target;
    } else return s;
  }
}

function walk(value: unknown, schema: Schema, path: string, out: string[]): void {
  const s = resolve(schema);
  if (s['x-kubernetes-preserve-unknown-fields']) return;
  if (Array.isArray(value)) {
    if (s.items) value.forEach((v, i) => walk(v, s.items!, `${path}[${i}]`, out));
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [key, v] of Object.entries(value)) {
    const p = path ? `${path}.${key}` : key;
    if (s.properties) {
      const field = s.properties[key];
      if (field) walk(v, field, p, out);
      else out.push(p);
    } else if (s.additionalProperties) walk(v, s.additionalProperties, p, out);
  }
}

/**
 * Paths of the fields of obj that the schema of apiVersion/kind does not define, in document
 * order. Empty for a kind without a schema: nothing can be said about it.
 */
export function unknownFields(apiVersion: string, kind: string, obj: unknown): string[] {
  const slash = apiVersion.indexOf('/');
  const gvk = slash < 0 ? { group: '', version: apiVersion, kind } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1), kind };
  const name = schemaNameForGVK(gvk);
  if (!name) return [];
  const out: string[] = [];
  walk(obj, { $ref: REF_PREFIX + name }, '', out);
  return out;
}

/** One unknown field as the strict decoder reports it, and as a Warn-mode warning reads: unknown field "spec.replica". */
export function unknownFieldMessage(path: string): string {
  return `unknown field ${JSON.stringify(path)}`;
}

/** runtime.NewStrictDecodingError(...).Error(): strict decoding error: unknown field "a", unknown field "b". */
export function strictDecodingErrorMessage(paths: readonly string[]): string {
  return `strict decoding error: ${paths.map(unknownFieldMessage).join(', ')}`;
}

/**
 * The 400 BadRequest message of a create or update whose body fails strict decoding, as the
 * handlers' transformDecodeError words it:
 * Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replica".
 */
export function cannotBeHandledMessage(kind: string, version: string, detail: string): string {
  return `${kind} in version ${JSON.stringify(version)} cannot be handled as a ${kind}: ${detail}`;
}
