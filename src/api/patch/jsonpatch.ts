/**
 * RFC 6902 JSON Patch (application/json-patch+json), applied the way Kubernetes applies it
 * (evanphx/json-patch): operations run in order on a copy of the document, and the first one
 * that fails fails the whole patch, so the caller's document is never half-patched or mutated.
 *
 * Written by hand rather than with fast-json-patch so that every failure is a PatchError that
 * says whether the patch is malformed or merely does not apply, and names the JSON pointer.
 */
import { PatchError } from './errors.js';
import { deepClone, deepEqual, hasOwn, isObject, setKey, type JsonObject } from './json.js';

export type JsonPatchOperation =
  | { op: 'add' | 'replace' | 'test'; path: string; value: unknown }
  | { op: 'remove'; path: string }
  | { op: 'move' | 'copy'; from: string; path: string };

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/**
 * Applies a JSON Patch to a document and returns the patched copy; neither input is mutated.
 * Throws PatchError 'malformed' when the patch is not a valid RFC 6902 document, 'conflict' when
 * an operation cannot be applied to this document (missing path, index out of range, failed test).
 */
export function applyJsonPatch(document: unknown, patch: unknown): unknown {
  const ops = parseJsonPatch(patch);
  let doc = deepClone(document);
  ops.forEach((op, i) => {
    doc = applyOperation(doc, op, i);
  });
  return doc;
}

/** Validates the shape of a JSON Patch document and returns its operations. */
export function parseJsonPatch(patch: unknown): JsonPatchOperation[] {
  if (!Array.isArray(patch)) {
    throw new PatchError('malformed', `JSON patch must be an array of operations, got ${describe(patch)}`, { path: '' });
  }
  return patch.map((raw, i): JsonPatchOperation => {
    if (!isObject(raw)) throw malformed(i, `must be an object, got ${describe(raw)}`, '');
    const op = raw.op;
    if (typeof op !== 'string' || !OPS.has(op)) throw malformed(i, `has unknown "op" ${JSON.stringify(op ?? null)}`, '');
    const path = raw.path;
    if (typeof path !== 'string') throw malformed(i, `("${op}") needs a string "path"`, '');
    parsePointer(path, i);
    if (op === 'move' || op === 'copy') {
      const from = raw.from;
      if (typeof from !== 'string') throw malformed(i, `("${op}" at "${path}") needs a string "from"`, path);
      parsePointer(from, i);
      // RFC 6902 4.4: a value cannot be moved into one of its own children.
      if (op === 'move' && path.startsWith(`${from}/`)) {
        throw malformed(i, `("move" at "${path}") cannot move "${from}" into its own child`, path);
      }
      return { op, from, path };
    }
    if (op === 'remove') return { op, path };
    if (!hasOwn(raw, 'value')) throw malformed(i, `("${op}" at "${path}") needs a "value"`, path);
    return { op: op as 'add' | 'replace' | 'test', path, value: raw.value };
  });
}

function applyOperation(doc: unknown, op: JsonPatchOperation, i: number): unknown {
  switch (op.op) {
    case 'add':
      return add(doc, parsePointer(op.path, i), deepClone(op.value), i, op.path);
    case 'remove':
      return remove(doc, parsePointer(op.path, i), i, op.path);
    case 'replace': {
      const tokens = parsePointer(op.path, i);
      if (tokens.length === 0) return deepClone(op.value);
      const { parent, token } = locate(doc, tokens, i, op);
      if (!exists(parent, token)) throw conflict(i, op, `path "${op.path}" does not exist`);
      assign(parent, token, deepClone(op.value));
      return doc;
    }
    case 'test': {
      const actual = get(doc, parsePointer(op.path, i), i, op);
      if (!deepEqual(actual, op.value)) {
        throw conflict(i, op, `test failed: "${op.path}" is ${JSON.stringify(actual)}, expected ${JSON.stringify(op.value)}`);
      }
      return doc;
    }
    case 'move': {
      if (op.from === op.path) {
        get(doc, parsePointer(op.from, i), i, op, 'from');
        return doc;
      }
      const value = get(doc, parsePointer(op.from, i), i, op, 'from');
      const removed = remove(doc, parsePointer(op.from, i), i, op.from);
      return add(removed, parsePointer(op.path, i), value, i, op.path);
    }
    case 'copy': {
      const value = deepClone(get(doc, parsePointer(op.from, i), i, op, 'from'));
      return add(doc, parsePointer(op.path, i), value, i, op.path);
    }
  }
}

function add(doc: unknown, tokens: string[], value: unknown, i: number, path: string): unknown {
  if (tokens.length === 0) return value;
  const { parent, token } = locate(doc, tokens, i, { op: 'add', path });
  if (Array.isArray(parent)) {
    // "-" appends; otherwise the index may equal the length (insert at the end) but not exceed it.
    const at = token === '-' ? parent.length : arrayIndex(token);
    if (at === undefined || at > parent.length) {
      throw conflict(i, { op: 'add', path }, `index "${token}" is out of range for an array of length ${parent.length}`);
    }
    parent.splice(at, 0, value);
  } else {
    setKey(parent, token, value);
  }
  return doc;
}

function remove(doc: unknown, tokens: string[], i: number, path: string): unknown {
  if (tokens.length === 0) throw conflict(i, { op: 'remove', path }, 'cannot remove the whole document');
  const { parent, token } = locate(doc, tokens, i, { op: 'remove', path });
  if (!exists(parent, token)) throw conflict(i, { op: 'remove', path }, `path "${path}" does not exist`);
  if (Array.isArray(parent)) parent.splice(arrayIndex(token) as number, 1);
  else delete parent[token];
  return doc;
}

/** The container that holds the last token of a pointer; it must exist and be an object or array. */
function locate(doc: unknown, tokens: string[], i: number, op: { op: string; path: string }): { parent: JsonObject | unknown[]; token: string } {
  const parentTokens = tokens.slice(0, -1);
  const parent = get(doc, parentTokens, i, op);
  if (!isObject(parent) && !Array.isArray(parent)) {
    throw conflict(i, op, `parent of "${op.path}" is ${describe(parent)}, not an object or array`);
  }
  return { parent, token: tokens[tokens.length - 1] as string };
}

function get(doc: unknown, tokens: string[], i: number, op: { op: string; path: string; from?: string }, which: 'path' | 'from' = 'path'): unknown {
  let cur = doc;
  for (const token of tokens) {
    if (!((isObject(cur) || Array.isArray(cur)) && exists(cur, token))) {
      const pointer = which === 'from' ? op.from : op.path;
      throw conflict(i, op, `${which} "${pointer}" does not exist`);
    }
    cur = Array.isArray(cur) ? cur[arrayIndex(token) as number] : (cur as JsonObject)[token];
  }
  return cur;
}

function exists(container: JsonObject | unknown[], token: string): boolean {
  if (Array.isArray(container)) {
    const idx = arrayIndex(token);
    return idx !== undefined && idx < container.length;
  }
  return hasOwn(container, token);
}

function assign(container: JsonObject | unknown[], token: string, value: unknown): void {
  if (Array.isArray(container)) container[arrayIndex(token) as number] = value;
  else setKey(container, token, value);
}

/** RFC 6901 array index: "0" or digits without a leading zero; anything else never matches. */
function arrayIndex(token: string): number | undefined {
  return /^(0|[1-9][0-9]*)$/.test(token) ? Number(token) : undefined;
}

/** Splits an RFC 6901 JSON pointer into unescaped tokens; "" is the whole document. */
function parsePointer(pointer: string, i: number): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw malformed(i, `has path "${pointer}", which is not a JSON pointer (must start with "/")`, pointer);
  return pointer
    .slice(1)
    .split('/')
    .map((raw) => {
      if (/~[^01]|~$/.test(raw)) throw malformed(i, `has path "${pointer}" with an invalid "~" escape`, pointer);
      return raw.replace(/~1/g, '/').replace(/~0/g, '~');
    });
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`;
}

function malformed(i: number, what: string, path: string): PatchError {
  return new PatchError('malformed', `Invalid JSON patch: operation ${i} ${what}`, { path });
}

function conflict(i: number, op: { op: string; path: string }, what: string): PatchError {
  return new PatchError('conflict', `Cannot apply JSON patch operation ${i} ("${op.op}" at "${op.path}"): ${what}`, { path: op.path });
}
