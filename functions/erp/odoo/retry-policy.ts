import type { OdooRetrySettings } from './odoo-config';
import { OdooRetryableError } from './odoo-errors';

/**
 * Exponential backoff with FULL jitter (AWS Architecture Blog, "Exponential Backoff and Jitter"):
 * the delay before retry n (n ≥ 1) is uniform in [0, min(maxDelayMs, baseDelayMs · 2^(n-1))).
 * Full jitter spreads the retries of many Lambdas that failed together, which is what protects
 * a struggling Odoo. A server-advised `Retry-After` is a floor (still capped by maxDelayMs).
 */
export function backoffDelayMs(retryNumber: number, settings: OdooRetrySettings, random: () => number, retryAfterMs?: number): number {
  const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** (retryNumber - 1));
  const jittered = Math.floor(random() * ceiling);
  return Math.min(settings.maxDelayMs, Math.max(jittered, retryAfterMs ?? 0));
}

/**
 * Whether a failed attempt is worth another one. Calls that may have been applied (timeout, reset
 * after sending, gateway timeout) are repeated only when repeating them is harmless.
 */
export function isWorthRetrying(error: unknown, idempotent: boolean): error is OdooRetryableError {
  if (!(error instanceof OdooRetryableError)) return false;
  return idempotent || !error.mayHaveApplied;
}
