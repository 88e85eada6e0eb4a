import { describe, expect, it } from 'vitest';
import {
  encodeStripeParams,
  STRIPE_API_VERSION,
  StripeApi,
  StripeAuthError,
  StripeRequestError,
  StripeUnavailableError,
} from '../../../../functions/providers/stripe/stripe-api';

interface Sent {
  url: string;
  headers: Record<string, string>;
}

type Answer = { status: number; body?: unknown; headers?: Record<string, string> } | Error;

/** A fetch that answers from a script, one answer per request, and records what was sent. */
function fakeFetch(...answers: Answer[]) {
  const sent: Sent[] = [];
  const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
    sent.push({ url: String(input), headers: { ...(init?.headers as Record<string, string>) } });
    const answer = answers.shift();
    if (!answer) throw new Error('no scripted answer left');
    if (answer instanceof Error) throw answer;
    return new Response(answer.body === undefined ? '' : JSON.stringify(answer.body), { status: answer.status, headers: answer.headers });
  }) as typeof fetch;
  return { sent, fetchImpl };
}

function client(fetchImpl: typeof fetch, overrides: Partial<ConstructorParameters<typeof StripeApi>[0]> = {}) {
  const sleeps: number[] = [];
  let now = 0;
  const api = new StripeApi({
    apiKey: async () => 'sk_test_unit',
    apiVersion: STRIPE_API_VERSION,
    baseUrl: 'https://stripe.test/',
    fetch: fetchImpl,
    clock: {
      now: () => now,
      sleep: async (ms) => {
        sleeps.push(ms);
        now += ms;
      },
      random: () => 0.5,
    },
    ...overrides,
  });
  return { api, sleeps };
}

const stripeError = (type: string, message: string, extra: Record<string, string> = {}) => ({ error: { type, message, ...extra } });

async function all<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

describe('StripeApi', () => {
  it('retrieves an object with the bearer key, the pinned Stripe-Version and the Connect account', async () => {
    // Prepare
    const { sent, fetchImpl } = fakeFetch({ status: 200, body: { id: 'in_1', object: 'invoice', total: 100 } });
    const { api } = client(fetchImpl, { stripeAccount: 'acct_1' });
    // Act
    const invoice = await api.retrieve('invoice', 'in_1');
    // Assess
    expect(invoice).toEqual({ id: 'in_1', object: 'invoice', total: 100 });
    expect(sent[0]).toEqual({
      url: 'https://stripe.test/v1/invoices/in_1',
      headers: { Authorization: 'Bearer sk_test_unit', 'Stripe-Version': '2026-10-28.endive', Accept: 'application/json', 'Stripe-Account': 'acct_1' },
    });
  });

  it('answers undefined for an object Stripe does not have, but throws on a URL it does not know', async () => {
    const { fetchImpl } = fakeFetch(
      { status: 404, body: stripeError('invalid_request_error', "No such invoice: 'in_x'", { code: 'resource_missing', param: 'id' }) },
      { status: 404, body: stripeError('invalid_request_error', 'Unrecognized request URL (GET: /v1/invoices/x).') },
    );
    const { api } = client(fetchImpl);
    expect(await api.retrieve('invoice', 'in_x')).toBeUndefined();
    await expect(api.retrieve('invoice', 'x')).rejects.toThrow(StripeRequestError);
  });

  it('lists every page with starting_after the last id, 100 at a time, keeping the filters', async () => {
    // Prepare
    const { sent, fetchImpl } = fakeFetch(
      { status: 200, body: { object: 'list', url: '/v1/invoices', has_more: true, data: [{ id: 'in_3', object: 'invoice' }, { id: 'in_2', object: 'invoice' }] } },
      { status: 200, body: { object: 'list', url: '/v1/invoices', has_more: false, data: [{ id: 'in_1', object: 'invoice' }] } },
    );
    const { api } = client(fetchImpl);
    // Act
    const invoices = await all(api.list('invoice', { created: { gte: 1, lte: 2 }, status: 'paid' }));
    // Assess
    expect(invoices.map((invoice) => invoice.id)).toEqual(['in_3', 'in_2', 'in_1']);
    expect(sent.map((request) => decodeURIComponent(request.url))).toEqual([
      'https://stripe.test/v1/invoices?limit=100&created[gte]=1&created[lte]=2&status=paid',
      'https://stripe.test/v1/invoices?limit=100&created[gte]=1&created[lte]=2&status=paid&starting_after=in_2',
    ]);
  });

  it('encodes nested and array parameters as Stripe reads them', () => {
    expect(decodeURIComponent(encodeStripeParams({ payment: { type: 'payment_intent', payment_intent: 'pi_1' }, expand: ['data.customer'], skip: undefined }).toString())).toBe(
      'payment[type]=payment_intent&payment[payment_intent]=pi_1&expand[0]=data.customer',
    );
  });

  it.each([401, 403])('fails at once with StripeAuthError on %i, without repeating the key', async (status) => {
    const { sent, fetchImpl } = fakeFetch({ status, body: stripeError('invalid_request_error', 'Invalid API Key provided: sk_test_****unit') });
    const { api } = client(fetchImpl);
    const error = await api.retrieve('customer', 'cus_1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StripeAuthError);
    expect((error as StripeAuthError).retryable).toBe(false);
    expect((error as Error).message).toBe(`Stripe GET /v1/customers/cus_1: ${status} invalid_request_error: Invalid API Key provided: sk_test_****unit`);
    expect(sent).toHaveLength(1);
  });

  it("fails at once on a 400 with Stripe's message, type, code and param", async () => {
    const { sent, fetchImpl } = fakeFetch({
      status: 400,
      body: stripeError('invalid_request_error', 'Received unknown parameter: colour', { param: 'colour' }),
      headers: { 'Request-Id': 'req_123' },
    });
    const { api } = client(fetchImpl);
    const error = (await all(api.list('invoice', { colour: 'red' })).catch((e: unknown) => e)) as StripeRequestError;
    expect(error).toBeInstanceOf(StripeRequestError);
    expect(error.message).toContain('Received unknown parameter: colour');
    expect(error.details).toEqual({ operation: 'GET /v1/invoices', status: 400, type: 'invalid_request_error', param: 'colour', requestId: 'req_123' });
    expect(sent).toHaveLength(1);
  });

  it("retries a 429 after Stripe's Retry-After, a 503 and a network failure, with jittered backoff", async () => {
    // Prepare
    const { sent, fetchImpl } = fakeFetch(
      { status: 429, body: stripeError('invalid_request_error', 'Request rate limit exceeded.', { code: 'rate_limit' }), headers: { 'Retry-After': '2' } },
      { status: 503, body: stripeError('api_error', 'An unknown error occurred') },
      new TypeError('fetch failed'),
      { status: 200, body: { id: 'ch_1', object: 'charge' } },
    );
    const { api, sleeps } = client(fetchImpl, { retry: { maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 5000, maxTotalMs: 60_000 } });
    // Act
    const charge = await api.retrieve('charge', 'ch_1');
    // Assess: random() = 0.5 → half the ceiling (500, 1000, 2000); the 429 waits its 2 s.
    expect(charge?.id).toBe('ch_1');
    expect(sent).toHaveLength(4);
    expect(sleeps).toEqual([2000, 500, 1000]);
  });

  it('gives up after maxAttempts with a retryable StripeUnavailableError', async () => {
    const { sent, fetchImpl } = fakeFetch(...Array.from({ length: 3 }, () => ({ status: 500, body: stripeError('api_error', 'An unknown error occurred') })));
    const { api, sleeps } = client(fetchImpl, { retry: { maxAttempts: 3 } });
    const error = await api.retrieve('refund', 're_1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StripeUnavailableError);
    expect((error as StripeUnavailableError).retryable).toBe(true);
    expect(sent).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
  });

  it('stops retrying when the next wait would pass maxTotalMs', async () => {
    const { sent, fetchImpl } = fakeFetch(
      { status: 502, body: {} },
      { status: 502, body: {} },
      { status: 502, body: {} },
    );
    const { api } = client(fetchImpl, { retry: { maxAttempts: 10, baseDelayMs: 1000, maxDelayMs: 1000, maxTotalMs: 800 } });
    await expect(api.retrieve('invoice', 'in_1')).rejects.toThrow(StripeUnavailableError);
    expect(sent).toHaveLength(2);
  });

  it('follows Stripe-Should-Retry over the status', async () => {
    const { sent, fetchImpl } = fakeFetch(
      { status: 500, body: stripeError('api_error', 'do not'), headers: { 'Stripe-Should-Retry': 'false' } },
      { status: 409, body: stripeError('invalid_request_error', 'lock timeout', { code: 'lock_timeout' }), headers: { 'Stripe-Should-Retry': 'true' } },
      { status: 200, body: { id: 'in_1', object: 'invoice' } },
    );
    const { api } = client(fetchImpl);
    await expect(api.retrieve('invoice', 'in_1')).rejects.toThrow(StripeUnavailableError);
    expect(sent).toHaveLength(1);
    expect((await api.retrieve('invoice', 'in_1'))?.id).toBe('in_1');
    expect(sent).toHaveLength(3);
  });

  it('times out a request that gets no answer and retries it', async () => {
    // Prepare: the first request hangs until aborted.
    let calls = 0;
    const fetchImpl = (async (_input: string | URL | Request, init?: RequestInit) => {
      calls++;
      if (calls === 1) {
        return new Promise<Response>((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason)));
      }
      return new Response(JSON.stringify({ id: 'cus_1', object: 'customer' }), { status: 200 });
    }) as typeof fetch;
    const { api } = client(fetchImpl, { timeoutMs: 20 });
    // Act
    const customer = await api.retrieve('customer', 'cus_1');
    // Assess
    expect(customer?.id).toBe('cus_1');
    expect(calls).toBe(2);
  });
});
