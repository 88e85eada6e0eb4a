import { type AttemptOutcome, exchange, parseJsonBody, retryAfterMs, type RetryClock, type RetrySettings, retryWithBackoff, systemRetryClock } from '../../platform/provider-http';
import { StripeAuthError, type StripeErrorDetails, StripeRequestError, StripeUnavailableError } from './stripe-api-errors';

export { StripeAuthError, StripeRequestError, StripeUnavailableError, type StripeApiError, type StripeErrorDetails } from './stripe-api-errors';

/**
 * A tiny read client of Stripe's REST API on `fetch` (the `stripe` package would add hundreds of KB to
 * every bundle that reads one invoice). Raw objects come back untyped: mapping them is the caller's job.
 */

// The API version every object shape in this project was written against (sent as `Stripe-Version`).
export { STRIPE_API_VERSION } from './stripe-object-mapping';

/** Object types the client reads, by Stripe's `object` name. */
const RESOURCE_PATHS = {
  customer: 'customers',
  subscription: 'subscriptions',
  invoice: 'invoices',
  invoice_payment: 'invoice_payments',
  charge: 'charges',
  refund: 'refunds',
  credit_note: 'credit_notes',
  dispute: 'disputes',
  payment_intent: 'payment_intents',
  tax_rate: 'tax_rates',
} as const;
export type StripeResource = keyof typeof RESOURCE_PATHS;

export type StripeApiObject = { id: string; object: string } & Record<string, unknown>;

type Scalar = string | number | boolean;
/** Query parameters as Stripe takes them: `{ created: { gte: 1 } }` → `created[gte]=1`, `{ expand: ['x'] }` → `expand[0]=x`. */
export type StripeListParams = Record<string, Scalar | undefined | readonly Scalar[] | Record<string, Scalar | undefined>>;

export interface StripeApiOptions {
  /** The secret key, e.g. read from Secrets Manager and cached by the caller. */
  apiKey: () => Promise<string>;
  apiVersion: string;
  /** Default `https://api.stripe.com`; the sandbox's URL locally. */
  baseUrl?: string;
  fetch?: typeof fetch;
  /** Connect: act on this connected account (`Stripe-Account: acct_…`) unless a call says otherwise. */
  stripeAccount?: string;
  /** Bound of one HTTP exchange. */
  timeoutMs?: number;
  retry?: Partial<RetrySettings>;
  clock?: Partial<RetryClock>;
}

export interface StripeCallOptions {
  stripeAccount?: string;
}

export const DEFAULT_STRIPE_RETRY: RetrySettings = { maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 5_000, maxTotalMs: 20_000 };
const DEFAULT_TIMEOUT_MS = 20_000;
/** Stripe's largest page. */
const PAGE_LIMIT = 100;

interface StripeErrorBody {
  error?: { type?: string; code?: string; message?: string; param?: string };
}

interface ListEnvelope {
  object: 'list';
  data: StripeApiObject[];
  has_more: boolean;
}

/** Write parameters as Stripe's form encoding nests them: `{ items: [{ price: 'p' }], metadata: { a: '1' } }` → `items[0][price]=p&metadata[a]=1`. */
export type StripeWriteValue = Scalar | undefined | readonly StripeWriteValue[] | { readonly [key: string]: StripeWriteValue };
export type StripeWriteParams = Readonly<Record<string, StripeWriteValue>>;

export function encodeStripeForm(params: StripeWriteParams): URLSearchParams {
  const form = new URLSearchParams();
  const add = (name: string, value: StripeWriteValue): void => {
    if (value === undefined) return;
    if (Array.isArray(value)) value.forEach((item: StripeWriteValue, index) => add(`${name}[${index}]`, item));
    else if (typeof value === 'object') for (const [key, inner] of Object.entries(value as Record<string, StripeWriteValue>)) add(`${name}[${key}]`, inner);
    else form.append(name, String(value));
  };
  for (const [name, value] of Object.entries(params)) add(name, value);
  return form;
}

export function encodeStripeParams(params: StripeListParams): URLSearchParams {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) value.forEach((item: Scalar, index) => search.append(`${key}[${index}]`, String(item)));
    else if (typeof value === 'object') {
      for (const [inner, innerValue] of Object.entries(value)) if (innerValue !== undefined) search.append(`${key}[${inner}]`, String(innerValue));
    } else search.append(key, String(value));
  }
  return search;
}

/**
 * Reads (GET: every call is safe to repeat, so no `Idempotency-Key` is needed) and the few writes the lifecycle
 * sagas make (`create` with an `Idempotency-Key`, `remove`), with:
 * - `retrieve(kind, id)`: the raw object, `undefined` when Stripe answers 404 `resource_missing`;
 * - `list(kind, params)`: every object of every page (`limit=100`, `starting_after` the last id while `has_more`);
 * - `invoiceLines(id)`: every line of an invoice, the same way.
 *
 * Failures: 401/403 → `StripeAuthError`, other 4xx → `StripeRequestError` with Stripe's message (both
 * permanent, never retried); 429, 5xx, network failures and timeouts are retried with full-jitter
 * exponential backoff (a 429's `Retry-After` is honoured within `maxDelayMs`; Stripe's
 * `Stripe-Should-Retry` header overrides the status), bounded in attempts and total time, then
 * `StripeUnavailableError` (retryable by the caller's queue).
 */
export class StripeApi {
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;
  private readonly retry: RetrySettings;
  private readonly clock: RetryClock;
  private readonly timeoutMs: number;

  constructor(private readonly options: StripeApiOptions) {
    this.baseUrl = (options.baseUrl ?? 'https://api.stripe.com').replace(/\/+$/, '');
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.retry = { ...DEFAULT_STRIPE_RETRY, ...options.retry };
    this.clock = { ...systemRetryClock, ...options.clock };
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  async retrieve(kind: StripeResource, id: string, options: StripeCallOptions = {}): Promise<StripeApiObject | undefined> {
    if (!id) throw new TypeError(`retrieve(${kind}) needs an id`);
    try {
      return (await this.get(`/v1/${RESOURCE_PATHS[kind]}/${encodeURIComponent(id)}`, undefined, options)) as StripeApiObject;
    } catch (error) {
      // Only "no such object": a 404 without `resource_missing` is a wrong URL, a bug to surface.
      if (error instanceof StripeRequestError && error.details.status === 404 && error.details.code === 'resource_missing') return undefined;
      throw error;
    }
  }

  /** Every object matching `params`, newest first, fetching pages as the caller iterates. */
  list(kind: StripeResource, params: StripeListParams = {}, options: StripeCallOptions = {}): AsyncGenerator<StripeApiObject, void, undefined> {
    return this.pages(`/v1/${RESOURCE_PATHS[kind]}`, params, options);
  }

  /**
   * Every line of an invoice (`GET /v1/invoices/{id}/lines`), in the invoice's order, page after page: an
   * invoice embeds only its first lines (`lines.has_more`). An invoice Stripe does not know is a
   * `StripeRequestError` 404 `resource_missing`.
   */
  invoiceLines(invoiceId: string, options: StripeCallOptions = {}): AsyncGenerator<StripeApiObject, void, undefined> {
    if (!invoiceId) throw new TypeError('invoiceLines needs an invoice id');
    return this.pages(`/v1/invoices/${encodeURIComponent(invoiceId)}/lines`, {}, options);
  }

  /**
   * `POST /v1/<kind>` with form parameters and an `Idempotency-Key`: a retry after a lost answer (here, by the retry
   * loop, or by a later attempt of the caller with the same key) gets Stripe's first answer instead of a second object.
   */
  async create(kind: StripeResource, params: StripeWriteParams, idempotencyKey: string, options: StripeCallOptions = {}): Promise<StripeApiObject> {
    if (!idempotencyKey) throw new TypeError(`create(${kind}) needs an idempotency key`);
    const path = `/v1/${RESOURCE_PATHS[kind]}`;
    const body = encodeStripeForm(params).toString();
    return (await retryWithBackoff(() => this.attempt(`${this.baseUrl}${path}`, `POST ${path}`, options, { method: 'POST', body, idempotencyKey }), this.retry, this.clock)) as StripeApiObject;
  }

  /**
   * `DELETE /v1/<kind>/{id}` (a subscription's is its cancellation, a customer's its deletion): safe to repeat, so no
   * `Idempotency-Key` (Stripe ignores it on DELETE). `undefined` when Stripe answers 404 `resource_missing` (gone
   * already: what an undo retried after its first attempt finds).
   */
  async remove(kind: StripeResource, id: string, options: StripeCallOptions = {}): Promise<StripeApiObject | undefined> {
    if (!id) throw new TypeError(`remove(${kind}) needs an id`);
    const path = `/v1/${RESOURCE_PATHS[kind]}/${encodeURIComponent(id)}`;
    try {
      return (await retryWithBackoff(() => this.attempt(`${this.baseUrl}${path}`, `DELETE ${path}`, options, { method: 'DELETE' }), this.retry, this.clock)) as StripeApiObject;
    } catch (error) {
      if (error instanceof StripeRequestError && error.details.status === 404 && error.details.code === 'resource_missing') return undefined;
      throw error;
    }
  }

  /** A list endpoint read to its end: `limit=100`, then `starting_after` the last id while `has_more`. */
  private async *pages(path: string, params: StripeListParams, options: StripeCallOptions): AsyncGenerator<StripeApiObject, void, undefined> {
    let startingAfter = typeof params.starting_after === 'string' ? params.starting_after : undefined;
    for (;;) {
      const page = (await this.get(path, encodeStripeParams({ limit: PAGE_LIMIT, ...params, starting_after: startingAfter }), options)) as ListEnvelope;
      if (page?.object !== 'list' || !Array.isArray(page.data)) {
        throw new StripeUnavailableError({ operation: `GET ${path}`, status: 200 }, 'the answer is not a list');
      }
      yield* page.data;
      const last = page.data.at(-1);
      if (!page.has_more || !last) return;
      startingAfter = last.id;
    }
  }

  private async get(path: string, search: URLSearchParams | undefined, options: StripeCallOptions): Promise<unknown> {
    const query = search && [...search.keys()].length > 0 ? `?${search.toString()}` : '';
    const operation = `GET ${path}`;
    return retryWithBackoff(() => this.attempt(`${this.baseUrl}${path}${query}`, operation, options), this.retry, this.clock);
  }

  /** One answer of Stripe, or the failure to get one. */
  private async attempt(
    url: string,
    operation: string,
    options: StripeCallOptions,
    write?: { method: 'POST' | 'DELETE'; body?: string; idempotencyKey?: string },
  ): Promise<AttemptOutcome<unknown>> {
    const headers: Record<string, string> = {
      Authorization: `Bearer ${await this.options.apiKey()}`,
      'Stripe-Version': this.options.apiVersion,
      Accept: 'application/json',
    };
    const account = options.stripeAccount ?? this.options.stripeAccount;
    if (account) headers['Stripe-Account'] = account;
    if (write?.body !== undefined) headers['Content-Type'] = 'application/x-www-form-urlencoded';
    if (write?.idempotencyKey !== undefined) headers['Idempotency-Key'] = write.idempotencyKey;
    const request: RequestInit = write === undefined ? { method: 'GET', headers } : { method: write.method, headers, ...(write.body === undefined ? {} : { body: write.body }) };
    const answer = await exchange(this.fetchImpl, url, request, this.timeoutMs);
    if (answer.response === undefined) {
      return { ok: false, error: new StripeUnavailableError({ operation, status: undefined }, answer.failure, { cause: answer.cause }), retry: true };
    }
    const { response, text } = answer;
    const body = parseJsonBody(text);
    if (response.ok && body !== undefined) return { ok: true, value: body };

    const stripeError = (body as StripeErrorBody | undefined)?.error;
    const details: StripeErrorDetails = { operation, status: response.status };
    if (stripeError?.type) details.type = stripeError.type;
    if (stripeError?.code) details.code = stripeError.code;
    if (stripeError?.param) details.param = stripeError.param;
    const requestId = response.headers.get('request-id');
    if (requestId) details.requestId = requestId;
    const message = stripeError?.message ?? (response.ok ? 'the answer is not JSON' : `HTTP ${response.status}: ${text.slice(0, 200)}`);

    if (response.status === 401 || response.status === 403) return { ok: false, error: new StripeAuthError(details, message), retry: false };
    const transient = response.ok || response.status === 429 || response.status >= 500;
    const shouldRetry = response.headers.get('stripe-should-retry');
    const retry = shouldRetry === 'true' ? true : shouldRetry === 'false' ? false : transient;
    // A 409 lock timeout comes with `Stripe-Should-Retry: true`: it is transient too.
    const error = transient || retry ? new StripeUnavailableError(details, message) : new StripeRequestError(details, message);
    return { ok: false, error, retry, retryAfterMs: retryAfterMs(response) };
  }
}
