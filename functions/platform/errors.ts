/**
 * The two kinds of failure every flow distinguishes (DESIGN.md, "Nothing is lost silently"):
 * a retryable error sends the record back to its queue (it returns after the visibility timeout,
 * with backoff from the receive count); a permanent error means retrying cannot help, so the record
 * is dead-lettered at once with this reason.
 */
export abstract class SyncError extends Error {
  // Every class sets its name as a literal: minified bundles rename classes, and the name is what an
  // operator reads in a DLQ message's ErrorType and in the logs.
  override name = 'SyncError';
  abstract readonly retryable: boolean;
}

/** Transient: a timeout, a 5xx, a lock held by another writer, a dependency not yet synced. */
export class RetryableSyncError extends SyncError {
  override name = 'RetryableSyncError';
  readonly retryable = true;
}

/** Bad data or a rule the target rejects: retrying gives the same answer. */
export class PermanentSyncError extends SyncError {
  override name = 'PermanentSyncError';
  readonly retryable = false;
}

/** A record that is not a valid canonical event of the types this flow handles. */
export class InvalidEventError extends PermanentSyncError {
  override name = 'InvalidEventError';
}

/** Is this failure worth another delivery? Errors we do not know are assumed transient. */
export function isRetryable(error: unknown): boolean {
  if (error !== null && typeof error === 'object' && 'retryable' in error && typeof error.retryable === 'boolean') {
    return error.retryable;
  }
  return true;
}
