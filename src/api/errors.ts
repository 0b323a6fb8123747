/**
 * API errors as Kubernetes sends them: a meta/v1 Status with reason, code, message and
 * details, and field errors formatted the way k8s.io/apimachinery/pkg/util/validation/field
 * prints them ("spec.replicas: Invalid value: -1: must be greater than or equal to 0").
 */
import type { Status, StatusCause } from './types.js';

export type FieldErrorType =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueDuplicate'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueTypeInvalid';

export interface FieldError {
  type: FieldErrorType;
  /** Path in the object, e.g. "spec.template.spec.containers[0].image". */
  field: string;
  badValue?: unknown;
  detail?: string;
}

const typeText: Record<FieldErrorType, string> = {
  FieldValueRequired: 'Required value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  FieldValueTypeInvalid: 'Invalid value',
};

/** Field error constructors mirroring field.Required, field.Invalid, ... */
export const fieldError = {
  required: (field: string, detail = ''): FieldError => ({ type: 'FieldValueRequired', field, detail }),
  invalid: (field: string, badValue: unknown, detail: string): FieldError => ({ type: 'FieldValueInvalid', field, badValue, detail }),
  notSupported: (field: string, badValue: unknown, valid: readonly string[]): FieldError => ({
    type: 'FieldValueNotSupported',
    field,
    badValue,
    detail: `supported values: ${valid.map((v) => JSON.stringify(v)).join(', ')}`,
  }),
  duplicate: (field: string, badValue: unknown): FieldError => ({ type: 'FieldValueDuplicate', field, badValue }),
  forbidden: (field: string, detail: string): FieldError => ({ type: 'FieldValueForbidden', field, detail }),
  tooLong: (field: string, badValue: unknown, max: number): FieldError => ({
    type: 'FieldValueTooLong',
    field,
    badValue,
    detail: `must have at most ${max} bytes`,
  }),
  typeInvalid: (field: string, badValue: unknown, detail: string): FieldError => ({ type: 'FieldValueTypeInvalid', field, badValue, detail }),
};

function formatBadValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** One field error as Kubernetes prints it (field.Error.Error()): "spec.replicas: Invalid value: -1: ...". */
export function formatFieldError(e: FieldError): string {
  return `${e.field}: ${fieldErrorBody(e)}`;
}

/** The error without its field (field.Error.ErrorBody()), as a Status cause's message carries it. */
export function fieldErrorBody(e: FieldError): string {
  const head = typeText[e.type];
  const withValue =
    e.type === 'FieldValueRequired' || e.type === 'FieldValueForbidden' || e.type === 'FieldValueTooMany' || !('badValue' in e)
      ? head
      : `${head}: ${formatBadValue(e.badValue)}`;
  return e.detail ? `${withValue}: ${e.detail}` : withValue;
}

/** An error that the API server turns into a Status response. Callers catch it by reason. */
export class StatusError extends Error {
  readonly status: Status;
  constructor(status: Omit<Status, 'kind' | 'apiVersion' | 'metadata' | 'status'>, options?: { cause?: unknown }) {
    super(status.message, options);
    this.name = 'StatusError';
    this.status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', ...status };
  }
  get code(): number {
    return this.status.code;
  }
  get reason(): string | undefined {
    return this.status.reason;
  }
}

export function isStatusError(e: unknown, reason?: string): e is StatusError {
  return e instanceof StatusError && (reason === undefined || e.status.reason === reason);
}

/** Group + plural, e.g. { group: 'apps', resource: 'deployments' }. */
export interface GroupResource {
  group: string;
  resource: string;
}

function qualified(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

export const errors = {
  notFound: (gr: GroupResource, name: string) =>
    new StatusError({ reason: 'NotFound', code: 404, message: `${qualified(gr)} "${name}" not found`, details: { name, group: gr.group, kind: gr.resource } }),
  alreadyExists: (gr: GroupResource, name: string) =>
    new StatusError({ reason: 'AlreadyExists', code: 409, message: `${qualified(gr)} "${name}" already exists`, details: { name, group: gr.group, kind: gr.resource } }),
  conflict: (gr: GroupResource, name: string, why: string) =>
    new StatusError({
      reason: 'Conflict',
      code: 409,
      message: `Operation cannot be fulfilled on ${qualified(gr)} "${name}": ${why}`,
      details: { name, group: gr.group, kind: gr.resource },
    }),
  /** 422 Invalid: kind is the object's Kind ("Deployment"), group its API group. */
  invalid: (kind: string, group: string, name: string, errs: FieldError[]) => {
    const msgs = errs.map(formatFieldError);
    const qualifiedKind = group ? `${kind}.${group}` : kind;
    // kubectl prints each cause as "field: message", so the message leaves the field out.
    const causes: StatusCause[] = errs.map((e) => ({ reason: e.type, message: fieldErrorBody(e), field: e.field }));
    return new StatusError({
      reason: 'Invalid',
      code: 422,
      message: `${qualifiedKind} "${name}" is invalid: ${msgs.length === 1 ? msgs[0] : `[${msgs.join(', ')}]`}`,
      details: { name, group, kind, causes },
    });
  },
  /**
   * 422 with no detail: what kube-apiserver answers a JSON patch that cannot be applied (a failed
   * "test", a path that does not exist) and a strategic merge patch it cannot merge
   * (NewGenericServerResponse(422, ...)); kubectl prints "The request is invalid: ...".
   */
  unprocessable: () => new StatusError({ reason: 'Invalid', code: 422, message: 'the server rejected our request due to an error in our request', details: {} }),
  /** The path names nothing this server serves (kube-apiserver's answer to unknown paths). */
  noResource: () => new StatusError({ reason: 'NotFound', code: 404, message: 'the server could not find the requested resource', details: {} }),
  badRequest: (message: string, causes?: StatusCause[]) =>
    new StatusError({ reason: 'BadRequest', code: 400, message, ...(causes ? { details: { causes } } : {}) }),
  gone: (message: string) => new StatusError({ reason: 'Expired', code: 410, message }),
  tooLarge: (message: string) => new StatusError({ reason: 'RequestEntityTooLarge', code: 413, message }),
  unauthorized: () => new StatusError({ reason: 'Unauthorized', code: 401, message: 'Unauthorized' }),
  forbidden: (gr: GroupResource, name: string, why: string) =>
    new StatusError({ reason: 'Forbidden', code: 403, message: `${qualified(gr)} "${name}" is forbidden: ${why}`, details: { name, group: gr.group, kind: gr.resource } }),
  methodNotAllowed: (message: string) => new StatusError({ reason: 'MethodNotAllowed', code: 405, message }),
  notAcceptable: (message: string) => new StatusError({ reason: 'NotAcceptable', code: 406, message }),
  unsupportedMediaType: (message: string) => new StatusError({ reason: 'UnsupportedMediaType', code: 415, message }),
  serviceUnavailable: (message: string) => new StatusError({ reason: 'ServiceUnavailable', code: 503, message }),
  timeout: (message: string) => new StatusError({ reason: 'Timeout', code: 504, message }),
  tooManyRequests: (message: string, retryAfterSeconds = 1) =>
    new StatusError({ reason: 'TooManyRequests', code: 429, message, details: { retryAfterSeconds } }),
  internal: (message: string, cause?: unknown) =>
    new StatusError({ reason: 'InternalError', code: 500, message: `Internal error occurred: ${message}` }, { cause }),
};
