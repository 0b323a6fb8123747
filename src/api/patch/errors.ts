/**
 * The one error the patch engines throw. Callers (the API server's PATCH handler) catch it and
 * answer by kind: 'malformed' is the client's fault whatever the object (400 Bad Request),
 * 'conflict' means the patch is well formed but does not apply to this object (Kubernetes
 * answers 422 for such JSON patches), 'unsupported' is a patch type we do not serve (415).
 */

export type PatchErrorKind = 'malformed' | 'conflict' | 'unsupported';

export class PatchError extends Error {
  readonly kind: PatchErrorKind;
  /** Where in the document or patch the problem is, as the message names it ('' for the root). */
  readonly path: string | undefined;

  constructor(kind: PatchErrorKind, message: string, options?: { path?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PatchError';
    this.kind = kind;
    this.path = options?.path;
  }
}

/** Whether e is a PatchError, optionally of the given kind. */
export function isPatchError(e: unknown, kind?: PatchErrorKind): e is PatchError {
  return e instanceof PatchError && (kind === undefined || e.kind === kind);
}
