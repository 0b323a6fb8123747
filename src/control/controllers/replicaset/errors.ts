/**
 * API errors the workload controllers treat specially.
 */

/**
 * Whether err is the API refusing a create because its namespace is being deleted (a Status
 * with cause NamespaceTerminating): every later create would fail too, so controllers neither
 * report nor retry it.
 */
export function hasNamespaceTerminatingCause(err: unknown): boolean {
  const causes = (err as { status?: { details?: { causes?: { reason?: string }[] } } } | undefined)?.status?.details?.causes;
  return Array.isArray(causes) && causes.some((c) => c?.reason === 'NamespaceTerminating');
}
