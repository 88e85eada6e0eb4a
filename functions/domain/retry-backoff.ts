/** Bounds of the delay before a failed record is delivered again. */
export const BACKOFF_BASE_SECONDS = 10;
export const BACKOFF_MAX_SECONDS = 15 * 60;

/**
 * Exponential backoff with full jitter for the n-th failed delivery (1-based): a random delay in
 * [base, min(max, base·2^(n−1))]. Spreads retries of many records failing together (Odoo down) instead
 * of returning them all at once after the queue's fixed visibility timeout.
 */
export function backoffSeconds(receiveCount: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * 2 ** Math.max(0, receiveCount - 1));
  return Math.round(BACKOFF_BASE_SECONDS + random() * (ceiling - BACKOFF_BASE_SECONDS));
}
