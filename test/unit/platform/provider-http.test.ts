import { describe, expect, it } from 'vitest';
import { type AttemptOutcome, exchange, parseJsonBody, retryAfterMs, type RetrySettings, retryWithBackoff } from '../../../functions/platform/provider-http';
import { fakeRetryClock } from '../../support/fake-retry-clock';

const SETTINGS: RetrySettings = { maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 5_000, maxTotalMs: 20_000 };

const fakeClock = (random = 0.5) => fakeRetryClock({ random, start: 1_000_000 });

/** An attempt that answers from a script, one outcome per call, counting the calls. */
function scripted<T>(...outcomes: AttemptOutcome<T>[]) {
  let calls = 0;
  const attempt = async () => {
    calls += 1;
    const outcome = outcomes.shift();
    if (!outcome) throw new Error('no scripted outcome left');
    return outcome;
  };
  return { attempt, calls: () => calls };
}

const transient = (message: string, retryAfter?: number): AttemptOutcome<never> => ({ ok: false, error: new Error(message), retry: true, retryAfterMs: retryAfter });

describe('retryWithBackoff', () => {
  it('returns the first success without waiting', async () => {
    const { clock, sleeps } = fakeClock();
    const { attempt, calls } = scripted({ ok: true, value: 'answer' });
    await expect(retryWithBackoff(attempt, SETTINGS, clock)).resolves.toBe('answer');
    expect(calls()).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('retries transient failures with full-jitter backoff doubling per attempt, then returns the success', async () => {
    const { clock, sleeps } = fakeClock(0.5);
    const { attempt, calls } = scripted<string>(transient('503'), transient('503'), transient('503'), { ok: true, value: 'late answer' });
    await expect(retryWithBackoff(attempt, SETTINGS, clock)).resolves.toBe('late answer');
    expect(calls()).toBe(4);
    // Half of each ceiling: 500, 1000, 2000.
    expect(sleeps).toEqual([250, 500, 1000]);
  });

  it('caps the backoff ceiling at maxDelayMs', async () => {
    const { clock, sleeps } = fakeClock(0.999);
    const { attempt } = scripted<string>(...Array.from({ length: 7 }, () => transient('503')), { ok: true, value: 'ok' });
    await retryWithBackoff(attempt, { ...SETTINGS, maxAttempts: 8, maxTotalMs: 60_000 }, clock);
    expect(sleeps.slice(-3).every((ms) => ms <= 5_000 && ms > 4_900)).toBe(true);
  });

  it('throws the last failure once maxAttempts are spent', async () => {
    const { clock, sleeps } = fakeClock();
    const { attempt, calls } = scripted<string>(transient('first'), transient('second'), transient('third'), transient('fourth'), { ok: true, value: 'never asked' });
    await expect(retryWithBackoff(attempt, SETTINGS, clock)).rejects.toThrow('fourth');
    expect(calls()).toBe(4);
    expect(sleeps).toHaveLength(3);
  });

  it('throws at once, without waiting, a failure its attempt marks not retryable', async () => {
    const { clock, sleeps } = fakeClock();
    const refused = new Error('400 refused');
    const { attempt, calls } = scripted<string>({ ok: false, error: refused, retry: false }, { ok: true, value: 'never asked' });
    await expect(retryWithBackoff(attempt, SETTINGS, clock)).rejects.toBe(refused);
    expect(calls()).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('throws a not-retryable failure that follows transient ones, without another attempt', async () => {
    const { clock, sleeps } = fakeClock();
    const { attempt, calls } = scripted<string>(transient('503'), { ok: false, error: new Error('401 revoked'), retry: false }, { ok: true, value: 'never asked' });
    await expect(retryWithBackoff(attempt, SETTINGS, clock)).rejects.toThrow('401 revoked');
    expect(calls()).toBe(2);
    expect(sleeps).toEqual([250]);
  });

  it('honours a Retry-After longer than the backoff', async () => {
    const { clock, sleeps } = fakeClock(0.5);
    const { attempt } = scripted<string>(transient('429', 3_000), { ok: true, value: 'ok' });
    await expect(retryWithBackoff(attempt, SETTINGS, clock)).resolves.toBe('ok');
    expect(sleeps).toEqual([3_000]);
  });

  it('keeps the backoff when a Retry-After asks for less', async () => {
    const { clock, sleeps } = fakeClock(0.5);
    const { attempt } = scripted<string>(transient('503'), transient('429', 100), { ok: true, value: 'ok' });
    await retryWithBackoff(attempt, SETTINGS, clock);
    expect(sleeps).toEqual([250, 500]);
  });

  it('caps a Retry-After at maxDelayMs', async () => {
    const { clock, sleeps } = fakeClock();
    const { attempt } = scripted<string>(transient('429', 60_000), { ok: true, value: 'ok' });
    await retryWithBackoff(attempt, SETTINGS, clock);
    expect(sleeps).toEqual([5_000]);
  });

  it('starts no wait that would end past maxTotalMs since the first attempt', async () => {
    const { clock, sleeps, advance } = fakeClock();
    let calls = 0;
    const slow = async (): Promise<AttemptOutcome<string>> => {
      calls += 1;
      advance(4_000); // every attempt takes 4 s before it fails
      return transient(`timeout ${calls}`);
    };
    // Attempt 4 s, wait ~5 s, attempt (13 s), wait ~5 s, attempt (22 s): a third wait would end at 27 s > 25 s.
    const settings = { ...SETTINGS, baseDelayMs: 5_000, maxAttempts: 10, maxTotalMs: 25_000 };
    await expect(retryWithBackoff(slow, settings, { ...clock, random: () => 0.999 })).rejects.toThrow('timeout 3');
    expect(calls).toBe(3);
    expect(sleeps).toHaveLength(2);
  });

  it('counts the time from the first attempt, Retry-After waits included', async () => {
    const { clock, sleeps } = fakeClock();
    const { attempt, calls } = scripted<string>(transient('429', 5_000), transient('429', 5_000), transient('429', 5_000), { ok: true, value: 'never asked' });
    await expect(retryWithBackoff(attempt, { ...SETTINGS, maxAttempts: 10, maxTotalMs: 12_000 }, clock)).rejects.toThrow('429');
    expect(sleeps).toEqual([5_000, 5_000]);
    expect(calls()).toBe(3);
  });

  it('starts no wait that would end past the call’s deadline, when it comes before maxTotalMs', async () => {
    const { clock, sleeps } = fakeClock();
    // Backoffs of 250 and 500 ms fit before a deadline 1 s away; the third (1 s) would end past it.
    const { attempt, calls } = scripted<string>(transient('503 a'), transient('503 b'), transient('503 c'), { ok: true, value: 'never asked' });
    await expect(retryWithBackoff(attempt, SETTINGS, clock, { deadline: clock.now() + 1_000 })).rejects.toThrow('503 c');
    expect(sleeps).toEqual([250, 500]);
    expect(calls()).toBe(3);
  });

  it('gives up at once when even a Retry-After wait would end past the deadline', async () => {
    const { clock, sleeps } = fakeClock();
    const { attempt, calls } = scripted<string>(transient('429', 4_000), { ok: true, value: 'never asked' });
    await expect(retryWithBackoff(attempt, SETTINGS, clock, { deadline: clock.now() + 3_000 })).rejects.toThrow('429');
    expect(sleeps).toEqual([]);
    expect(calls()).toBe(1);
  });

  it('keeps maxTotalMs when the deadline is later', async () => {
    const { clock, sleeps } = fakeClock();
    const { attempt } = scripted<string>(transient('429', 5_000), transient('429', 5_000), transient('429', 5_000), { ok: true, value: 'never asked' });
    await expect(retryWithBackoff(attempt, { ...SETTINGS, maxAttempts: 10, maxTotalMs: 12_000 }, clock, { deadline: clock.now() + 60_000 })).rejects.toThrow('429');
    expect(sleeps).toEqual([5_000, 5_000]);
  });
});

describe('exchange', () => {
  it('reads the whole body of an answer, whatever its status', async () => {
    const answer = await exchange(async () => new Response('{"error":"busy"}', { status: 503 }), 'https://api.test/x', { method: 'GET' }, 1_000);
    expect(answer.response?.status).toBe(503);
    expect(answer).toMatchObject({ text: '{"error":"busy"}' });
  });

  it('says when no answer came within the timeout', async () => {
    const never: typeof fetch = (_input, init) =>
      new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)));
    const answer = await exchange(never, 'https://api.test/x', { method: 'GET' }, 20);
    expect(answer).toMatchObject({ response: undefined, failure: 'no answer within 20 ms' });
  });

  it('names a network failure and keeps it as the cause', async () => {
    const refused = new TypeError('fetch failed');
    const answer = await exchange(async () => Promise.reject(refused), 'https://api.test/x', { method: 'GET' }, 1_000);
    expect(answer).toEqual({ response: undefined, failure: 'network failure (fetch failed)', cause: refused });
  });
});

describe('parseJsonBody and retryAfterMs', () => {
  it('parses JSON and gives undefined for an empty or non-JSON body', () => {
    expect(parseJsonBody('{"id":"x"}')).toEqual({ id: 'x' });
    expect(parseJsonBody('')).toBeUndefined();
    expect(parseJsonBody('<html>Bad gateway</html>')).toBeUndefined();
  });

  it('reads Retry-After seconds as milliseconds, and nothing from a date, zero or no header', () => {
    const withHeader = (value?: string) => new Response(null, { status: 429, headers: value === undefined ? {} : { 'Retry-After': value } });
    expect(retryAfterMs(withHeader('2'))).toBe(2_000);
    expect(retryAfterMs(withHeader('0'))).toBeUndefined();
    expect(retryAfterMs(withHeader('Wed, 21 Oct 2026 07:28:00 GMT'))).toBeUndefined();
    expect(retryAfterMs(withHeader())).toBeUndefined();
  });
});
