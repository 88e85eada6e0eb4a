import { describe, expect, it } from 'vitest';
import { PaypalApi, PaypalAuthError, PaypalUnavailableError } from '../../../../functions/providers/paypal/paypal-api';
import { fakeRetryClock } from '../../../support/fake-retry-clock';

type Answer = { status: number; body?: unknown; headers?: Record<string, string> } | Error;

/** A fetch that answers from a script, one answer per request, and records each request as `METHOD path token`. */
function fakeFetch(...answers: Answer[]) {
  const sent: string[] = [];
  const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
    const authorization = (init?.headers as Record<string, string>).Authorization ?? '';
    sent.push(`${init?.method} ${new URL(String(input)).pathname} ${authorization.startsWith('Bearer ') ? authorization.slice(7) : 'basic'}`);
    const answer = answers.shift();
    if (!answer) throw new Error('no scripted answer left');
    if (answer instanceof Error) throw answer;
    return new Response(answer.body === undefined ? '' : JSON.stringify(answer.body), { status: answer.status, headers: answer.headers });
  }) as typeof fetch;
  return { sent, fetchImpl };
}

function client(fetchImpl: typeof fetch, retry: Partial<ConstructorParameters<typeof PaypalApi>[0]['retry']> = {}) {
  const { clock, sleeps } = fakeRetryClock();
  const api = new PaypalApi({
    credentials: async () => ({ clientId: 'client', clientSecret: 'secret' }),
    baseUrl: 'https://paypal.test',
    fetch: fetchImpl,
    retry,
    clock,
  });
  return { api, sleeps };
}

const token = (value: string) => ({ status: 200, body: { access_token: value, token_type: 'Bearer', expires_in: 32_400 } });
const capture = { status: 200, body: { id: 'CAP1', status: 'COMPLETED' } };
const unauthorized = { status: 401, body: { error: 'invalid_token', error_description: 'Token signature verification failed' } };

describe('PaypalApi token', () => {
  it('fetches one fresh token when PayPal refuses a cached one, without spending an attempt or waiting', async () => {
    const { sent, fetchImpl } = fakeFetch(token('A'), capture, unauthorized, token('B'), capture);
    const { api, sleeps } = client(fetchImpl, { maxAttempts: 1 });
    await api.retrieve('capture', 'CAP1');
    await expect(api.retrieve('capture', 'CAP1')).resolves.toEqual({ id: 'CAP1', status: 'COMPLETED' });
    expect(sent).toEqual([
      'POST /v1/oauth2/token basic',
      'GET /v2/payments/captures/CAP1 A',
      'GET /v2/payments/captures/CAP1 A',
      'POST /v1/oauth2/token basic',
      'GET /v2/payments/captures/CAP1 B',
    ]);
    expect(sleeps).toEqual([]);
  });

  it('fails as a permanent auth error when the fresh token is refused too: one renewal per call', async () => {
    const { sent, fetchImpl } = fakeFetch(token('A'), capture, unauthorized, token('B'), unauthorized);
    const { api, sleeps } = client(fetchImpl);
    await api.retrieve('capture', 'CAP1');
    const error = await api.retrieve('capture', 'CAP1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PaypalAuthError);
    expect((error as PaypalAuthError).retryable).toBe(false);
    expect((error as PaypalAuthError).message).toBe('PayPal GET /v2/payments/captures/CAP1: 401 invalid_token: HTTP 401');
    expect(sent).toHaveLength(5);
    expect(sleeps).toEqual([]);
  });

  it('does not renew a token it has just been given: a 401 then is the app’s permission', async () => {
    const { sent, fetchImpl } = fakeFetch(token('A'), unauthorized);
    const { api } = client(fetchImpl);
    await expect(api.retrieve('capture', 'CAP1')).rejects.toThrow(PaypalAuthError);
    expect(sent).toEqual(['POST /v1/oauth2/token basic', 'GET /v2/payments/captures/CAP1 A']);
  });

  it('retries a token request that found PayPal unavailable, as any transient failure, within the attempts', async () => {
    const { sent, fetchImpl } = fakeFetch({ status: 503, body: {} }, new TypeError('fetch failed'), token('A'), capture);
    const { api, sleeps } = client(fetchImpl);
    await expect(api.retrieve('capture', 'CAP1')).resolves.toMatchObject({ id: 'CAP1' });
    expect(sent).toHaveLength(4);
    expect(sleeps).toEqual([250, 500]);
  });

  it('gives up as retryable when the token request keeps failing past maxAttempts', async () => {
    const { fetchImpl } = fakeFetch(new TypeError('fetch failed'), new TypeError('fetch failed'));
    const { api } = client(fetchImpl, { maxAttempts: 2 });
    const error = await api.retrieve('capture', 'CAP1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PaypalUnavailableError);
    expect((error as PaypalUnavailableError).message).toBe('PayPal POST /v1/oauth2/token: no response: no token (network failure or timeout)');
  });
});
