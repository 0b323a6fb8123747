/**
 * The query of GET /containerLogs (v1.PodLogOptions as the kubelet's server decodes it): follow,
 * previous, timestamps, tailLines (or the older "tail", where "all" means every line),
 * sinceSeconds or sinceTime, limitBytes; checked as ValidatePodLogOptions checks them.
 */

/** What a log request asks for, decoded and checked. */
export interface LogRequest {
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  /** Only the last n lines. */
  tailLines?: number;
  /** Stop after this many bytes of output. */
  limitBytes?: number;
  /** Skip lines written before this time, ms since the epoch (from sinceSeconds or sinceTime, the later). */
  since?: number;
}

/** A request the kubelet refuses: HTTP status code and Kubernetes' words. */
export class LogRequestError extends Error {
  override readonly name = 'LogRequestError';
  constructor(
    readonly code: 400 | 401 | 404,
    message: string,
  ) {
    super(message);
  }
}

/** A query boolean as Kubernetes converts it: absent is false; "0" and "false" (any case) are false; anything else true. */
function bool(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  if (v === null) return false;
  return !(v === '0' || v.toLowerCase() === 'false');
}

function int(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  if (!/^[+-]?\d+$/.test(v.trim())) throw new LogRequestError(400, `invalid ${name} "${v}": not an integer`);
  return Number(v.trim());
}

/** Decodes and checks the query of a log request; LogRequestError (400) names the bad parameter. */
export function parseLogRequest(q: URLSearchParams, now: number): LogRequest {
  const tail = q.get('tail');
  let tailLines = int(q, 'tailLines');
  // The older "tail" parameter wins when given, as in the kubelet; "all" means no tail.
  if (tail !== null && tail !== '') tailLines = tail === 'all' ? undefined : int(q, 'tail');
  const limitBytes = int(q, 'limitBytes');
  const sinceSeconds = int(q, 'sinceSeconds');
  const sinceTimeText = q.get('sinceTime');
  if (tailLines !== undefined && tailLines < 0) throw new LogRequestError(400, `invalid tailLines ${tailLines}: must be greater than or equal to 0`);
  if (limitBytes !== undefined && limitBytes < 1) throw new LogRequestError(400, `invalid limitBytes ${limitBytes}: must be greater than 0`);
  if (sinceSeconds !== undefined && sinceTimeText !== null) throw new LogRequestError(400, 'at most one of `sinceTime` or `sinceSeconds` may be specified');
  if (sinceSeconds !== undefined && sinceSeconds < 1) throw new LogRequestError(400, `invalid sinceSeconds ${sinceSeconds}: must be greater than 0`);
  let since: number | undefined;
  if (sinceSeconds !== undefined) since = now - sinceSeconds * 1000;
  if (sinceTimeText !== null) {
    const t = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(sinceTimeText) ? Date.parse(sinceTimeText) : NaN;
    if (Number.isNaN(t)) throw new LogRequestError(400, `invalid sinceTime "${sinceTimeText}": not an RFC 3339 time`);
    since = t;
  }
  return {
    follow: bool(q, 'follow'),
    previous: bool(q, 'previous'),
    timestamps: bool(q, 'timestamps'),
    ...(tailLines !== undefined ? { tailLines } : {}),
    ...(limitBytes !== undefined ? { limitBytes } : {}),
    ...(since !== undefined ? { since } : {}),
  };
}
