/**
 * Required node affinity, compiled once per pod (k8s.io/component-helpers/scheduling/corev1/
 * nodeaffinity): nodeSelectorTerms are OR'ed, the requirements inside a term AND'ed.
 *
 * - matchExpressions on labels: In, NotIn (true when the label is absent), Exists,
 *   DoesNotExist, Gt and Lt (one integer value; a label that is not an integer never matches).
 * - matchFields on metadata.name: In and NotIn with exactly one value.
 * - A term with neither matchExpressions nor matchFields matches nothing, and so does a term
 *   with a malformed requirement; the other terms still count, as Kubernetes' lazy-error
 *   selector does.
 */
import type { NodeSelectorRequirement, NodeSelectorTerm } from '../../api/types.js';

type Op = NodeSelectorRequirement['operator'];

interface Requirement {
  key: string;
  op: Op;
  values: ReadonlySet<string>;
  /** The bound of Gt and Lt. */
  bound: number;
}

interface CompiledTerm {
  exprs: readonly Requirement[];
  /** Requirements on metadata.name. */
  names: readonly Requirement[];
}

/** A compiled requiredDuringSchedulingIgnoredDuringExecution. */
export interface CompiledNodeSelector {
  /** Only the well-formed, non-empty terms; none means nothing matches. */
  readonly terms: readonly CompiledTerm[];
}

const INTEGER = /^[+-]?\d+$/;

function compileExpression(r: NodeSelectorRequirement): Requirement | undefined {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
    case 'NotIn':
      return values.length > 0 ? { key: r.key, op: r.operator, values: new Set(values), bound: 0 } : undefined;
    case 'Exists':
    case 'DoesNotExist':
      return values.length === 0 ? { key: r.key, op: r.operator, values: new Set(), bound: 0 } : undefined;
    case 'Gt':
    case 'Lt':
      return values.length === 1 && INTEGER.test(values[0]!) ? { key: r.key, op: r.operator, values: new Set(), bound: Number(values[0]) } : undefined;
    default:
      return undefined;
  }
}

function compileField(r: NodeSelectorRequirement): Requirement | undefined {
  if (r.key !== 'metadata.name') return undefined;
  if (r.operator !== 'In' && r.operator !== 'NotIn') return undefined;
  if ((r.values ?? []).length !== 1) return undefined;
  return { key: r.key, op: r.operator, values: new Set(r.values), bound: 0 };
}

function compileTerm(term: NodeSelectorTerm): CompiledTerm | undefined {
  const exprs: Requirement[] = [];
  const names: Requirement[] = [];
  for (const r of term.matchExpressions ?? []) {
    const c = compileExpression(r);
    if (!c) return undefined;
    exprs.push(c);
  }
  for (const r of term.matchFields ?? []) {
    const c = compileField(r);
    if (!c) return undefined;
    names.push(c);
  }
  if (exprs.length === 0 && names.length === 0) return undefined;
  return { exprs, names };
}

/** Compiles nodeSelectorTerms. */
export function compileNodeSelector(terms: readonly NodeSelectorTerm[]): CompiledNodeSelector {
  const out: CompiledTerm[] = [];
  for (const t of terms) {
    const c = compileTerm(t ?? {});
    if (c) out.push(c);
  }
  return { terms: out };
}

function matchesLabel(r: Requirement, labels: Record<string, string> | undefined): boolean {
  const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
  switch (r.op) {
    case 'In':
      return has && r.values.has(labels![r.key]!);
    case 'NotIn':
      return !has || !r.values.has(labels![r.key]!);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      if (!has) return false;
      const v = labels![r.key]!;
      if (!INTEGER.test(v)) return false;
      const n = Number(v);
      return r.op === 'Gt' ? n > r.bound : n < r.bound;
    }
  }
}

function matchesName(r: Requirement, name: string): boolean {
  return r.op === 'In' ? r.values.has(name) : !r.values.has(name);
}

/** Whether a node with these labels and this name satisfies sel. */
export function matchesNodeSelector(sel: CompiledNodeSelector, labels: Record<string, string> | undefined, name: string): boolean {
  for (const term of sel.terms) {
    let ok = true;
    for (const r of term.exprs) {
      if (!matchesLabel(r, labels)) {
        ok = false;
        break;
      }
    }
    if (!ok) continue;
    for (const r of term.names) {
      if (!matchesName(r, name)) {
        ok = false;
        break;
      }
    }
    if (ok) return true;
  }
  return false;
}
