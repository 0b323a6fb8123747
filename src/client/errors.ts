/**
 * Errors of the client: a non-2xx answer becomes the StatusError the server meant (its Status
 * body), or a synthesized one when the body is not a Status (a proxy's HTML page, an empty body),
 * as client-go's NewGenericServerResponse does. Failures below HTTP (refused, reset, timed out)
 * are plain Errors that name the method, the URL and the cause.
 *
 * Callers branch on reasons with isNotFound, isConflict, isAlreadyExists, isGone, ...
 */
import { StatusError } from '../api/errors.js';
import type { Status } from '../api/types.js';

/** Reasons Kubernetes gives to bare status codes (k8s.io/apimachinery/pkg/api/errors). */
const REASON_OF_CODE: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Expired',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

function isStatusBody(v: unknown): v is Status {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'Status';
}

/** A StatusError from a Status object (the body of an error answer or of a watch ERROR event). */
export function statusErrorOf(status: Status, fallbackCode = 500): StatusError {
  const code = typeof status.code === 'number' && status.code > 0 ? status.code : fallbackCode;
  return new StatusError({
    code,
    ...(status.reason !== undefined ? { reason: status.reason } : { reason: REASON_OF_CODE[code] ?? 'Unknown' }),
    message: status.message ?? `the server responded with status code ${code}`,
    ...(status.details ? { details: status.details } : {}),
  });
}

/**
 * The error for a non-2xx answer. body is the raw response text; when it is not a Status the
 * error is synthesized from the code, quoting the start of the body so the cause stays visible.
 */
export function errorOfResponse(method: string, url: string, code: number, body: string): StatusError {
  let parsed: unknown;
  try {
    parsed = body ? JSON.parse(body) : undefined;
  } catch {
    parsed = undefined;
  }
  if (isStatusBody(parsed)) return statusErrorOf(parsed, code);
  const snippet = body.trim().slice(0, 200);
  return new StatusError({
    code,
    reason: REASON_OF_CODE[code] ?? 'Unknown',
    message: `the server responded with status code ${code} to ${method} ${url}${snippet ? `: ${JSON.stringify(snippet)}` : ' and no body'}`,
  });
}

/** An Error for a request that got no HTTP answer, naming what was attempted. */
export function networkError(method: string, url: string, cause: unknown): Error {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new Error(`${method} ${url} failed: ${why}`, { cause });
}

function reasonIs(e: unknown, reason: string, code: number): boolean {
  if (!(e instanceof StatusError)) return false;
  return e.reason === reason || (e.reason === undefined && e.code === code);
}

/** 404: the object (or the path) does not exist. */
export function isNotFound(e: unknown): e is StatusError {
  return reasonIs(e, 'NotFound', 404);
}

/** 409 Conflict: a write based on a stale resourceVersion (or a refused binding). */
export function isConflict(e: unknown): e is StatusError {
  return reasonIs(e, 'Conflict', 409);
}

/** 409 AlreadyExists: a create of a name that is taken. */
export function isAlreadyExists(e: unknown): e is StatusError {
  return reasonIs(e, 'AlreadyExists', 409);
}

/** 410: the resourceVersion (or continue token) is too old; the caller must relist. */
export function isGone(e: unknown): e is StatusError {
  return e instanceof StatusError && (e.code === 410 || e.reason === 'Expired' || e.reason === 'Gone');
}

/** 422 Invalid: the object failed validation. */
export function isInvalid(e: unknown): e is StatusError {
  return reasonIs(e, 'Invalid', 422);
}

/** 429: the server asked the client to slow down. */
export function isTooManyRequests(e: unknown): e is StatusError {
  return reasonIs(e, 'TooManyRequests', 429);
}

/** Whether e is the rejection of an aborted operation (AbortSignal), which is shutdown, not failure. */
export function isAbort(e: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted && e === signal.reason) return true;
  return e instanceof Error && (e.name === 'AbortError' || e.name === 'TimeoutError') && (signal === undefined || signal.aborted);
}
