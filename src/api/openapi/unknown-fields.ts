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

// The path is kept as a stack of segments and written out only for an unknown field: most
// objects have none, and the API server walks every object it is sent (fieldValidation=Warn).
function walk(value: unknown, schema: Schema, path: string[], out: string[]): void {
  const s = resolve(schema);
  if (s['x-kubernetes-preserve-unknown-fields']) return;
  if (Array.isArray(value)) {
    if (!s.items) return;
    for (let i = 0; i < value.length; i++) {
      path.push(`[${i}]`);
      walk(value[i], s.items, path, out);
      path.pop();
    }
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const props = s.properties;
  const additional = s.additionalProperties;
  if (!props && !additional) return;
  for (const key in value) {
    const v = (value as Record<string, unknown>)[key];
    const field = props ? props[key] : additional;
    if (props && !field) {
      out.push(pathText(path, key));
      continue;
    }
    path.push(key);
    walk(v, field!, path, out);
    path.pop();
  }
}

function pathText(path: readonly string[], last: string): string {
  let p = '';
  for (const seg of [...path, last]) p += seg.startsWith('[') || p === '' ? seg : `.${seg}`;
  return p;
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
  walk(obj, { $ref: REF_PREFIX + name }, [], out);
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
