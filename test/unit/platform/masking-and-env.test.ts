import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { backoffSeconds, BACKOFF_BASE_SECONDS, BACKOFF_MAX_SECONDS, MAX_RECEIVES, retryDelaySeconds, TRANSIENT_RETRY_WINDOW_SECONDS } from '../../../functions/platform/retry-backoff';
import { MissingConfigError, readEnv, readJsonConfig } from '../../../functions/platform/env';
import { MASK, maskSensitive } from '../../../functions/platform/masking';

describe('log masking', () => {
  it('masks personal data and secrets under any sensitive key, nested or not', () => {
    const item = { customer: { name: 'Jane Doe', email: 'jane@example.com', phone: '+1', address: { line1: '1 Main St' } }, apiKey: 'k', stripeEventId: 'evt_1' };
    const logged = JSON.parse(JSON.stringify(item, maskSensitive));
    expect(logged).toEqual({ customer: { name: MASK, email: MASK, phone: MASK, address: MASK }, apiKey: MASK, stripeEventId: 'evt_1' });
  });

  it('keeps an error’s class name readable', () => {
    expect(JSON.parse(JSON.stringify({ error: { name: 'OdooValidationError', message: 'bad' } }, maskSensitive))).toEqual({ error: { name: 'OdooValidationError', message: 'bad' } });
  });
});

describe('readEnv', () => {
  it('names every missing or malformed variable at once', () => {
    const shape = { A_TABLE: z.string().check(z.minLength(1)), B_COUNT: z.coerce.number().check(z.int()) };
    expect(() => readEnv(shape, { B_COUNT: 'many' })).toThrow(MissingConfigError);
    expect(() => readEnv(shape, { B_COUNT: 'many' })).toThrow(/A_TABLE.*B_COUNT/);
    expect(readEnv(shape, { A_TABLE: 't', B_COUNT: '3' })).toEqual({ A_TABLE: 't', B_COUNT: 3 });
  });
});

describe('readJsonConfig', () => {
  const schema = z.object({ companyId: z.number() });
  it('parses a stage setting passed as JSON, and names the variable in every refusal', () => {
    expect(readJsonConfig('DEAL_CONFIG', schema, { DEAL_CONFIG: '{"companyId":1}' })).toEqual({ companyId: 1 });
    expect(() => readJsonConfig('DEAL_CONFIG', schema, {})).toThrow(/DEAL_CONFIG: not set/);
    expect(() => readJsonConfig('DEAL_CONFIG', schema, { DEAL_CONFIG: '{companyId' })).toThrow(/DEAL_CONFIG: not JSON/);
    expect(() => readJsonConfig('DEAL_CONFIG', schema, { DEAL_CONFIG: '{"companyId":"one"}' })).toThrow(MissingConfigError);
    expect(() => readJsonConfig('DEAL_CONFIG', schema, { DEAL_CONFIG: '{"companyId":"one"}' })).toThrow(/DEAL_CONFIG: .*companyId/);
  });
});

describe('retry backoff', () => {
  it('grows exponentially with equal jitter: between half the ceiling and the ceiling, capped', () => {
    expect(backoffSeconds(1, () => 1)).toBe(BACKOFF_BASE_SECONDS);
    expect(backoffSeconds(3, () => 1)).toBe(BACKOFF_BASE_SECONDS * 4);
    expect(backoffSeconds(3, () => 0)).toBe(BACKOFF_BASE_SECONDS * 2);
    expect(backoffSeconds(30, () => 1)).toBe(BACKOFF_MAX_SECONDS);
    expect(backoffSeconds(30, () => 0)).toBe(BACKOFF_MAX_SECONDS / 2);
  });

  it('retries an outage for the whole window before the queue’s receive limit: the shortest delays of MAX_RECEIVES − 1 retries add up to more than an hour', () => {
    let shortest = 0;
    for (let receive = 1; receive < MAX_RECEIVES; receive += 1) shortest += backoffSeconds(receive, () => 0);
    expect(shortest).toBeGreaterThan(TRANSIENT_RETRY_WINDOW_SECONDS);
  });

  it('never retries before the failure’s own advice (Retry-After, the breaker’s next trial)', () => {
    expect(retryDelaySeconds(1, 300_000, () => 0)).toBe(300);
    expect(retryDelaySeconds(8, 1_000, () => 0)).toBe(backoffSeconds(8, () => 0));
  });
});
