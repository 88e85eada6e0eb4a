/**
 * What every provider's read API client does the same way around its HTTP calls: one exchange bounded in
 * time, and a bounded retry of transient failures. How a provider's answer is classified (which status,
 * header or error body means "try again") stays in the provider's module.
 */

export interface RetrySettings {
  /** Attempts in all, the first one included. */
  maxAttempts: number;
  /** Ceiling of the first backoff; doubles per attempt (full jitter: a random delay below the ceiling). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** No retry starts once this much time has gone since the first attempt. */
  maxTotalMs: number;
}

export interface RetryClock {
  now(): number;
  sleep(ms: number): Promise<void>;
  random(): number;
}

export const systemRetryClock: RetryClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: () => Math.random(),
};

/** One attempt's result: the value, or the failure with whether another attempt may help. */
export type AttemptOutcome<T> =
  | { ok: true; value: T }
  | {
      ok: false;
      error: Error;
      retry: boolean;
      /** The server's advice (`Retry-After`): the next attempt waits at least this long, within `maxDelayMs`. */
      retryAfterMs?: number;
    };

/** What one call adds to the client's settings. */
export interface RetryCall {
  /**
   * The moment (on the clock) after which no wait may end: the caller's caller has its own timeout (a webhook
   * answered within the sender's limit). Earlier than `maxTotalMs` after the first attempt, it wins.
   */
  readonly deadline?: number;
}

/**
 * Runs `attempt` until it succeeds; a failure it marks not retryable is thrown at once. A retryable one waits
 * a full-jitter backoff (random below min(maxDelayMs, baseDelayMs·2^(n−1))), or the `retryAfterMs` when
 * longer, never more than `maxDelayMs`, and is thrown once `maxAttempts` are spent or the wait would end past
 * `maxTotalMs` after the first attempt began, or past the call's `deadline`: the caller's queue retries later,
 * a flow's call does not hang.
 */
export async function retryWithBackoff<T>(attempt: () => Promise<AttemptOutcome<T>>, settings: RetrySettings, clock: RetryClock, call: RetryCall = {}): Promise<T> {
  const startedAt = clock.now();
  const waitsEndBy = Math.min(startedAt + settings.maxTotalMs, call.deadline ?? Number.POSITIVE_INFINITY);
  for (let attemptNumber = 1; ; attemptNumber++) {
    const outcome = await attempt();
    if (outcome.ok) return outcome.value;
    if (!outcome.retry || attemptNumber >= settings.maxAttempts) throw outcome.error;
    const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** (attemptNumber - 1));
    const jittered = clock.random() * ceiling;
    const delay = Math.min(settings.maxDelayMs, Math.max(jittered, outcome.retryAfterMs ?? 0));
    if (clock.now() + delay > waitsEndBy) throw outcome.error;
    await clock.sleep(delay);
  }
}

/** A response read to its end, or why none came (the message names the timeout or the network failure). */
export type Exchange = { response: Response; text: string } | { response: undefined; failure: string; cause: unknown };

/** One HTTP exchange, its body read as text, bounded by `timeoutMs` (connection and body both). */
export async function exchange(fetchImpl: typeof fetch, url: string, init: RequestInit, timeoutMs: number): Promise<Exchange> {
  try {
    const response = await fetchImpl(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    return { response, text: await response.text() };
  } catch (cause) {
    const timedOut = cause instanceof Error && (cause.name === 'TimeoutError' || cause.name === 'AbortError');
    const failure = timedOut ? `no answer within ${timeoutMs} ms` : `network failure (${cause instanceof Error ? cause.message : String(cause)})`;
    return { response: undefined, failure, cause };
  }
}

/** The body as JSON; undefined when empty or not JSON (an HTML error page of a proxy). */
export function parseJsonBody(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A `Retry-After` in seconds as milliseconds; undefined when absent, zero or not a number (an HTTP date). */
export function retryAfterMs(response: Response): number | undefined {
  const seconds = Number(response.headers.get('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}
