/**
 * Label and field selectors, parsed, matched and printed as k8s.io/apimachinery/pkg/labels and
 * pkg/fields do, with Kubernetes' own error messages (kubectl shows them verbatim). Also the
 * field sets each kind exposes to field selectors, as the registries' GetAttrs functions build
 * them, and which field labels each kind accepts.
 */
import { errors } from './errors.js';
import type { KObject, LabelSelector } from './types.js';
import { isQualifiedName, isValidLabelValue } from './validation/strings.js';

// ---------------------------------------------------------------- label selectors

/** selection.Operator values, spelled as Kubernetes spells them. */
export type SelectorOperator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

/** One requirement of a label selector; a selector matches when all of them do. */
export interface Requirement {
  key: string;
  operator: SelectorOperator;
  values: string[];
}

/** A label selector ready for matching: requirements sorted by key. */
export interface LabelSelectorParsed {
  requirements: Requirement[];
  /** labels.Nothing(): matches no object at all (what a nil metav1.LabelSelector converts to). */
  nothing: boolean;
}

/** labels.Everything(): no requirement, matches every object. */
export const EVERYTHING: LabelSelectorParsed = Object.freeze({ requirements: Object.freeze([]) as unknown as Requirement[], nothing: false });
/** labels.Nothing(): matches no object. */
export const NOTHING: LabelSelectorParsed = Object.freeze({ requirements: Object.freeze([]) as unknown as Requirement[], nothing: true });

const BINARY_OPERATORS = ['in', 'notin', '=', '==', '!=', 'gt', 'lt'];

/** Go's %#v of a []string, which Kubernetes' field errors print for slice values. */
function goStrings(v: string[] | undefined): string {
  return v === undefined ? '[]string(nil)' : `[]string{${v.map((s) => JSON.stringify(s)).join(', ')}}`;
}

/** field.Error.Error() for Invalid errors, with Go's rendering of the bad value. */
function invalid(path: string, value: string | string[] | undefined, detail: string): string {
  const shown = typeof value === 'string' ? JSON.stringify(value) : goStrings(value);
  return `${path}: Invalid value: ${shown}: ${detail}`;
}

/** utilerrors.NewAggregate(...).Error(): one message alone, several deduplicated in brackets. */
function aggregate(msgs: string[]): string {
  const unique = [...new Set(msgs)];
  return unique.length === 1 ? unique[0]! : `[${unique.join(', ')}]`;
}

/** labels.NewRequirement's checks; path is "" for requirements parsed from a string. */
function requirementErrors(key: string, op: SelectorOperator, values: string[] | undefined): string[] {
  const errs: string[] = [];
  const keyErrs = isQualifiedName(key);
  if (keyErrs.length) errs.push(invalid('key', key, keyErrs.join('; ')));
  const n = values?.length ?? 0;
  switch (op) {
    case 'in':
    case 'notin':
      if (n === 0) errs.push(invalid('values', values, "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case '=':
    case '==':
    case '!=':
      if (n !== 1) errs.push(invalid('values', values, 'exact-match compatibility requires one single value'));
      break;
    case 'exists':
    case '!':
      if (n !== 0) errs.push(invalid('values', values, 'values set must be empty for exists and does not exist'));
      break;
    case 'gt':
    case 'lt':
      if (n !== 1) errs.push(invalid('values', values, "for 'Gt', 'Lt' operators, exactly one value is required"));
      (values ?? []).forEach((v, i) => {
        if (!/^[+-]?\d+$/.test(v)) errs.push(invalid(`values[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
      });
      break;
  }
  (values ?? []).forEach((v, i) => {
    const valueErrs = isValidLabelValue(v);
    if (valueErrs.length) errs.push(invalid(`values[${i}][${key}]`, v, valueErrs.join('; ')));
  });
  return errs;
}

type Token = 'error' | 'eos' | ')' | ',' | '!' | '==' | '=' | '>' | 'identifier' | 'in' | '<' | '!=' | 'notin' | '(';
const STRING_TO_TOKEN: Record<string, Token> = {
  ')': ')',
  ',': ',',
  '!': '!',
  '==': '==',
  '=': '=',
  '>': '>',
  in: 'in',
  '<': '<',
  '!=': '!=',
  notin: 'notin',
  '(': '(',
};
const isWhitespace = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isSpecial = (c: string) => '=!(),><'.includes(c);

/** labels.Lexer: splits a selector into tokens; "in" and "notin" are keywords. */
function lex(s: string): { tok: Token; lit: string }[] {
  const items: { tok: Token; lit: string }[] = [];
  let pos = 0;
  for (;;) {
    while (pos < s.length && isWhitespace(s[pos]!)) pos++;
    if (pos >= s.length) {
      items.push({ tok: 'eos', lit: '' });
      return items;
    }
    if (isSpecial(s[pos]!)) {
      // The longest run of special symbols that is still an operator.
      let buffer = '';
      let last: { tok: Token; lit: string } | undefined;
      while (pos < s.length && isSpecial(s[pos]!)) {
        buffer += s[pos];
        const tok = STRING_TO_TOKEN[buffer];
        if (tok) last = { tok, lit: buffer };
        else if (last) break;
        pos++;
      }
      items.push(last ?? { tok: 'error', lit: `error expected: keyword found '${buffer}'` });
    } else {
      const start = pos;
      while (pos < s.length && !isSpecial(s[pos]!) && !isWhitespace(s[pos]!)) pos++;
      const lit = s.slice(start, pos);
      items.push({ tok: STRING_TO_TOKEN[lit] ?? 'identifier', lit });
    }
  }
}

class SelectorSyntaxError extends Error {}

/** labels.Parser: the recursive descent parser of Kubernetes, message for message. */
class Parser {
  private pos = 0;
  constructor(private readonly items: { tok: Token; lit: string }[]) {}

  /** In the Values context "in" and "notin" are plain identifiers (a value may be "in"). */
  private peek(values: boolean): { tok: Token; lit: string } {
    const it = this.items[this.pos]!;
    return values && (it.tok === 'in' || it.tok === 'notin') ? { tok: 'identifier', lit: it.lit } : it;
  }
  private next(values: boolean): { tok: Token; lit: string } {
    const it = this.peek(values);
    this.pos++;
    return it;
  }

  parse(): Requirement[] {
    const reqs: Requirement[] = [];
    for (;;) {
      const { tok, lit } = this.peek(true);
      if (tok === 'identifier' || tok === '!') {
        let r: Requirement;
        try {
          r = this.parseRequirement();
        } catch (e) {
          if (e instanceof SelectorSyntaxError) throw new SelectorSyntaxError(`unable to parse requirement: ${e.message}`);
          throw e;
        }
        reqs.push(r);
        const after = this.next(true);
        if (after.tok === 'eos') return reqs;
        if (after.tok === ',') {
          const t2 = this.peek(true);
          if (t2.tok !== 'identifier' && t2.tok !== '!') throw new SelectorSyntaxError(`found '${t2.lit}', expected: identifier after ','`);
        } else {
          throw new SelectorSyntaxError(`found '${after.lit}', expected: ',' or 'end of string'`);
        }
      } else if (tok === 'eos') {
        return reqs;
      } else {
        throw new SelectorSyntaxError(`found '${lit}', expected: !, identifier, or 'end of string'`);
      }
    }
  }

  private parseRequirement(): Requirement {
    let { tok, lit } = this.next(true);
    let op: SelectorOperator | undefined;
    if (tok === '!') {
      op = '!';
      ({ tok, lit } = this.next(true));
    }
    if (tok !== 'identifier') throw new SelectorSyntaxError(`found '${lit}', expected: identifier`);
    const keyErrs = isQualifiedName(lit);
    // The parser checks the key with a nil field path, which Go prints as "<nil>".
    if (keyErrs.length) throw new SelectorSyntaxError(invalid('<nil>', lit, keyErrs.join('; ')));
    const key = lit;
    const ahead = this.peek(true).tok;
    if (ahead === 'eos' || ahead === ',') op ??= 'exists';
    if (op === 'exists' || op === '!') return this.build(key, op, []);

    const o = this.next(false);
    const opByToken: Partial<Record<Token, SelectorOperator>> = { in: 'in', '=': '=', '==': '==', '>': 'gt', '<': 'lt', notin: 'notin', '!=': '!=' };
    const binary = opByToken[o.tok];
    if (!binary) throw new SelectorSyntaxError(`found '${o.lit}', expected: ${BINARY_OPERATORS.join(', ')}`);
    const values = binary === 'in' || binary === 'notin' ? this.parseValues() : this.parseExactValue();
    return this.build(key, binary, values);
  }

  private build(key: string, operator: SelectorOperator, values: string[]): Requirement {
    const errs = requirementErrors(key, operator, values);
    if (errs.length) throw new SelectorSyntaxError(aggregate(errs));
    return { key, operator, values };
  }

  /** "(a,b,c)": a set, so sorted and without duplicates; "()" and empty items mean "". */
  private parseValues(): string[] {
    const open = this.next(true);
    if (open.tok !== '(') throw new SelectorSyntaxError(`found '${open.lit}' expected: '('`);
    const first = this.peek(true);
    const set = new Set<string>();
    if (first.tok === ')') {
      this.next(true);
      set.add('');
    } else if (first.tok === 'identifier' || first.tok === ',') {
      this.parseIdentifiersList(set);
      // Kubernetes reports the literal it looked at before the list, not the one it found.
      if (this.next(true).tok !== ')') throw new SelectorSyntaxError(`found '${first.lit}', expected: ')'`);
    } else {
      throw new SelectorSyntaxError(`found '${first.lit}', expected: ',', ')' or identifier`);
    }
    return [...set].sort();
  }

  private parseIdentifiersList(set: Set<string>): void {
    for (;;) {
      const { tok, lit } = this.next(true);
      if (tok === 'identifier') {
        set.add(lit);
        const t2 = this.peek(true);
        if (t2.tok === ',') continue;
        if (t2.tok === ')') return;
        throw new SelectorSyntaxError(`found '${t2.lit}', expected: ',' or ')'`);
      } else if (tok === ',') {
        if (set.size === 0) set.add(''); // "(,"
        const t2 = this.peek(true).tok;
        if (t2 === ')') {
          set.add(''); // ",)"
          return;
        }
        if (t2 === ',') {
          this.next(true);
          set.add(''); // ",,"
        }
      } else {
        throw new SelectorSyntaxError(`found '${lit}', expected: ',', or identifier`);
      }
    }
  }

  private parseExactValue(): string[] {
    const t = this.peek(true).tok;
    if (t === 'eos' || t === ',') return [''];
    const { tok, lit } = this.next(true);
    if (tok === 'identifier') return [lit];
    throw new SelectorSyntaxError(`found '${lit}', expected: identifier`);
  }
}

const byKey = (a: Requirement, b: Requirement) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/**
 * Parses a label selector string ("app=web,tier in (a,b),!canary") as labels.Parse does.
 * Throws a 400 BadRequest StatusError carrying Kubernetes' message when it is malformed.
 */
export function parseLabelSelector(s: string): LabelSelectorParsed {
  try {
    const reqs = new Parser(lex(s)).parse();
    return { requirements: reqs.sort(byKey), nothing: false };
  } catch (e) {
    if (e instanceof SelectorSyntaxError) throw errors.badRequest(e.message);
    throw e;
  }
}

const LABEL_SELECTOR_OPS: Record<string, SelectorOperator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };

/**
 * metav1.LabelSelectorAsSelector: matchLabels become "=" requirements, matchExpressions their
 * operators. A missing (nil) selector matches nothing; an empty one matches everything.
 * Throws a 400 BadRequest StatusError for an invalid selector.
 */
export function selectorFromLabelSelector(sel: LabelSelector | null | undefined): LabelSelectorParsed {
  if (sel === null || sel === undefined) return NOTHING;
  const matchLabels = sel.matchLabels ?? {};
  const exprs = sel.matchExpressions ?? [];
  if (Object.keys(matchLabels).length + exprs.length === 0) return EVERYTHING;
  const reqs: Requirement[] = [];
  const add = (key: string, op: SelectorOperator, values: string[] | undefined) => {
    const errs = requirementErrors(key, op, values);
    if (errs.length) throw errors.badRequest(aggregate(errs));
    reqs.push({ key, operator: op, values: values ?? [] });
  };
  for (const [k, v] of Object.entries(matchLabels)) add(k, '=', [v]);
  for (const expr of exprs) {
    const op = LABEL_SELECTOR_OPS[expr.operator];
    if (!op) throw errors.badRequest(`${JSON.stringify(expr.operator)} is not a valid label selector operator`);
    // Go copies the values with append([]string(nil), ...), so an empty list reads as nil.
    add(expr.key, op, expr.values?.length ? [...expr.values] : undefined);
  }
  return { requirements: reqs.sort(byKey), nothing: false };
}

/** Requirement.Matches: NotIn and != also match objects that lack the key. */
function requirementMatches(r: Requirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const val = has ? labels[r.key]! : undefined;
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return has && r.values.includes(val!);
    case 'notin':
    case '!=':
      return !has || !r.values.includes(val!);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || r.values.length !== 1 || !/^[+-]?\d+$/.test(val!) || !/^[+-]?\d+$/.test(r.values[0]!)) return false;
      const a = BigInt(val!);
      const b = BigInt(r.values[0]!);
      return r.operator === 'gt' ? a > b : a < b;
    }
  }
}

/** Whether a set of labels satisfies the selector. */
export function matchesLabels(sel: LabelSelectorParsed, labels: Record<string, string> | undefined): boolean {
  if (sel.nothing) return false;
  const ls = labels ?? {};
  return sel.requirements.every((r) => requirementMatches(r, ls));
}

/** Selector.Empty(): true for a selector without requirements that matches everything. */
export function isEmptySelector(sel: LabelSelectorParsed): boolean {
  return !sel.nothing && sel.requirements.length === 0;
}

function requirementToString(r: Requirement): string {
  const prefix = r.operator === '!' ? `!${r.key}` : r.key;
  if (r.operator === 'exists' || r.operator === '!') return prefix;
  const opText: Record<string, string> = { '=': '=', '==': '==', '!=': '!=', in: ' in ', notin: ' notin ', gt: '>', lt: '<' };
  // Values print sorted, without reordering the selector itself.
  const values = r.values.length === 1 ? r.values[0]! : [...r.values].sort().join(',');
  const set = r.operator === 'in' || r.operator === 'notin';
  return `${prefix}${opText[r.operator]}${set ? `(${values})` : values}`;
}

/**
 * Selector.String(): the canonical form Kubernetes prints, e.g. "app=web,tier in (a,b)" (what
 * the scale subresource reports in status.selector). Nothing and Everything both print as "".
 */
export function selectorToString(sel: LabelSelectorParsed): string {
  return sel.requirements.map(requirementToString).join(',');
}

/** metav1.FormatLabelSelector: selectorToString, but "<none>" when empty and "<error>" when invalid. */
export function formatLabelSelector(sel: LabelSelector | null | undefined): string {
  try {
    return selectorToString(selectorFromLabelSelector(sel)) || '<none>';
  } catch {
    return '<error>';
  }
}

// ---------------------------------------------------------------- field selectors

/** One term of a field selector: field=value or field!=value ("==" is kept as "="). */
export interface FieldRequirement {
  field: string;
  operator: '=' | '!=';
  value: string;
}

export interface FieldSelectorParsed {
  requirements: FieldRequirement[];
}

/** fields.splitTerms: commas separate terms unless escaped with a backslash. */
function splitTerms(s: string): string[] {
  if (s.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

/** fields.UnescapeValue: \\ \, \= are escapes; a bare , or = is an error. */
function unescapeValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=') throw new SelectorSyntaxError(`invalid field selector: invalid escape sequence: \\${c}`);
      out += c;
      inSlash = false;
    } else if (c === '\\') {
      inSlash = true;
    } else if (c === ',' || c === '=') {
      // Go prints the rune with %v, which is its code point.
      throw new SelectorSyntaxError(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    } else {
      out += c;
    }
  }
  if (inSlash) throw new SelectorSyntaxError('invalid field selector: invalid escape sequence: \\');
  return out;
}

/**
 * Parses a field selector ("status.phase=Running,spec.nodeName!=") as fields.ParseSelector
 * does. Throws a 400 BadRequest StatusError with Kubernetes' message when malformed.
 */
export function parseFieldSelector(s: string): FieldSelectorParsed {
  // Kubernetes sorts the terms first, so the first bad term it reports is the first in order.
  const parts = splitTerms(s).sort();
  const requirements: FieldRequirement[] = [];
  try {
    for (const part of parts) {
      if (part === '') continue;
      const m = /^(.*?)(!=|==|=)(.*)$/s.exec(part);
      if (!m) throw new SelectorSyntaxError(`invalid selector: '${s}'; can't understand '${part}'`);
      requirements.push({ field: m[1]!, operator: m[2] === '!=' ? '!=' : '=', value: unescapeValue(m[3]!) });
    }
  } catch (e) {
    if (e instanceof SelectorSyntaxError) throw errors.badRequest(e.message);
    throw e;
  }
  return { requirements };
}

/** Whether an object's field set satisfies the selector; a field the set lacks reads as "". */
export function matchesFields(sel: FieldSelectorParsed, fields: Record<string, string>): boolean {
  return sel.requirements.every((r) => ((fields[r.field] ?? '') === r.value) === (r.operator === '='));
}

/** fields.Selector.String(): terms joined by commas, values escaped. */
export function fieldSelectorToString(sel: FieldSelectorParsed): string {
  return sel.requirements.map((r) => `${r.field}${r.operator}${r.value.replace(/[\\,=]/g, (c) => `\\${c}`)}`).join(',');
}

type FieldsFn = (obj: KObject) => Record<string, string>;
const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
const sub = (o: unknown, k: string): unknown => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined);

/** Field labels beyond metadata that each kind supports (registries' *ToSelectableFields). */
const KIND_FIELDS: Record<string, FieldsFn> = {
  Pod: (o) => {
    const spec = o.spec;
    const status = o.status;
    const podIPs = sub(status, 'podIPs');
    const firstIP = Array.isArray(podIPs) && podIPs.length > 0 ? str(sub(podIPs[0], 'ip')) : str(sub(status, 'podIP'));
    return {
      'spec.nodeName': str(sub(spec, 'nodeName')),
      'spec.restartPolicy': str(sub(spec, 'restartPolicy')),
      'spec.schedulerName': str(sub(spec, 'schedulerName')),
      'spec.serviceAccountName': str(sub(spec, 'serviceAccountName')),
      'spec.hostNetwork': String(sub(spec, 'hostNetwork') === true),
      'status.phase': str(sub(status, 'phase')),
      'status.podIP': firstIP,
      'status.nominatedNodeName': str(sub(status, 'nominatedNodeName')),
    };
  },
  Node: (o) => ({ 'spec.unschedulable': String(sub(o.spec, 'unschedulable') === true) }),
  Namespace: (o) => ({ 'status.phase': str(sub(o.status, 'phase')) }),
  Service: (o) => ({ 'spec.clusterIP': str(sub(o.spec, 'clusterIP')), 'spec.type': str(sub(o.spec, 'type')) }),
  Event: (o) => {
    const io = o.involvedObject;
    // "source" is the legacy source.component, else the reporting controller.
    const source = str(sub(o.source, 'component')) || str(o.reportingComponent);
    return {
      'involvedObject.kind': str(sub(io, 'kind')),
      'involvedObject.namespace': str(sub(io, 'namespace')),
      'involvedObject.name': str(sub(io, 'name')),
      'involvedObject.uid': str(sub(io, 'uid')),
      'involvedObject.apiVersion': str(sub(io, 'apiVersion')),
      'involvedObject.resourceVersion': str(sub(io, 'resourceVersion')),
      'involvedObject.fieldPath': str(sub(io, 'fieldPath')),
      reason: str(o.reason),
      reportingComponent: str(o.reportingComponent),
      source,
      type: str(o.type),
    };
  },
  ReplicaSet: (o) => ({ 'status.replicas': String(Number(sub(o.status, 'replicas') ?? 0) | 0) }),
};

/**
 * The field set an object exposes to field selectors, as Kubernetes' GetAttrs builds it:
 * metadata.name and metadata.namespace for every kind, plus the kind's own fields.
 */
export function fieldsOf(kind: string, obj: KObject): Record<string, string> {
  const meta = { 'metadata.name': str(obj.metadata?.name), 'metadata.namespace': str(obj.metadata?.namespace) };
  const extra = KIND_FIELDS[kind];
  return extra ? { ...meta, ...extra(obj) } : meta;
}

/**
 * Field labels each kind's conversion function accepts. Namespaces and nodes are cluster-scoped
 * and Kubernetes refuses metadata.namespace for them; kinds not listed accept the metadata
 * fields only, through runtime.DefaultMetaV1FieldSelectorConversion.
 */
const SUPPORTED_LABELS: Record<string, readonly string[]> = {
  Pod: ['metadata.name', 'metadata.namespace', ...Object.keys(KIND_FIELDS.Pod!({ metadata: {} }))],
  Node: ['metadata.name', 'spec.unschedulable'],
  Namespace: ['metadata.name', 'status.phase'],
  Service: ['metadata.name', 'metadata.namespace', 'spec.clusterIP', 'spec.type'],
  Event: ['metadata.name', 'metadata.namespace', ...Object.keys(KIND_FIELDS.Event!({ metadata: {} }))],
  ReplicaSet: ['metadata.name', 'metadata.namespace', 'status.replicas'],
};

/**
 * Refuses a field selector naming a field the kind does not support, with the 400 BadRequest
 * Kubernetes answers: "field label not supported: <label>" for kinds with their own field
 * labels, the default conversion's message for the others.
 */
export function checkFieldSelectorSupported(kind: string, sel: FieldSelectorParsed): void {
  const supported = SUPPORTED_LABELS[kind];
  for (const r of sel.requirements) {
    if (supported) {
      if (!supported.includes(r.field)) throw errors.badRequest(`field label not supported: ${r.field}`);
    } else if (r.field !== 'metadata.name' && r.field !== 'metadata.namespace') {
      throw errors.badRequest(`${JSON.stringify(r.field)} is not a known field selector: only "metadata.name", "metadata.namespace"`);
    }
  }
}
