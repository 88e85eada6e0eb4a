/** Bounds of the delay before a failed record is delivered again. */
export const BACKOFF_BASE_SECONDS = 10;
export const BACKOFF_MAX_SECONDS = 15 * 60;
/**
 * How long a transient failure (Odoo down, restarting or upgrading, a serialization conflict, a 429, an open
 * breaker) is retried before the record is dead-lettered with its reason: an Odoo restart or an upgrade window
 * must end in applied events, not in a DLQ that someone has to redrive.
 */
export const TRANSIENT_RETRY_WINDOW_SECONDS = 60 * 60;
/**
 * The queue's maxReceiveCount: only a safety net above what the window takes. The smallest delays of
 * `backoffSeconds` (5, 10, 20, … 450 s) add up to an hour after 14 receives; 20 leaves room.
 */
export const MAX_RECEIVES = 20;

/**
 * Exponential backoff with equal jitter for the n-th failed delivery (1-based): a random delay in
 * [ceiling/2, ceiling], ceiling = min(max, base·2^(n−1)). The jitter spreads retries of many records failing
 * together (Odoo down) instead of returning them all at once; the floor makes the receives an outage burns a
 * known number (full jitter can spend them all in seconds), so a one-hour window fits under MAX_RECEIVES.
 */
export function backoffSeconds(receiveCount: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * 2 ** Math.max(0, receiveCount - 1));
  return Math.max(1, Math.round(ceiling / 2 + random() * (ceiling / 2)));
}

/**
 * The delay before retrying a transient failure: the backoff, but never before the failure's own advice (a
 * `Retry-After`, the open breaker's next trial — retrying earlier would fail fast again and burn a receive).
 */
export function retryDelaySeconds(receiveCount: number, retryAfterMs: number | undefined, random: () => number = Math.random): number {
  const backoff = backoffSeconds(receiveCount, random);
  if (retryAfterMs === undefined) return backoff;
  return Math.max(backoff, Math.ceil(retryAfterMs / 1000) + Math.round(random() * BACKOFF_BASE_SECONDS));
}

/**
 * Whether a transient failure is past retrying: it has been failing for the whole window since the record's
 * first delivery, or the record is on its last allowed receive (the queue would move it to the DLQ without
 * its reason).
 */
export function transientRetriesExhausted(failure: { receiveCount: number; maxReceiveCount: number; firstReceivedAtMs: number | undefined; nowMs: number; windowSeconds: number }): boolean {
  if (failure.receiveCount >= failure.maxReceiveCount) return true;
  return failure.firstReceivedAtMs !== undefined && failure.nowMs - failure.firstReceivedAtMs >= failure.windowSeconds * 1000;
}
