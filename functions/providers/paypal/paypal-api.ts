import { type AttemptOutcome, exchange, parseJsonBody, retryAfterMs, type RetryClock, type RetrySettings, retryWithBackoff, systemRetryClock } from '../../platform/provider-http';
import { PaypalAuthError, type PaypalErrorDetails, PaypalRequestError, PaypalUnavailableError } from './paypal-api-errors';

export { PaypalAuthError, PaypalRequestError, PaypalUnavailableError, type PaypalErrorDetails } from './paypal-api-errors';

/**
 * A thin read client of PayPal's REST API on `fetch` (PayPal's server SDK would add a generated client of every
 * API to each bundle that reads one capture). OAuth2 client credentials, the token cached until shortly before it
 * expires; raw objects come back untyped: mapping them is the caller's job.
 */

/** What the client reads, by PayPal's path (each is `GET <path>/<id>`). */
const RESOURCE_PATHS = {
  capture: '/v2/payments/captures',
  refund: '/v2/payments/refunds',
  authorization: '/v2/payments/authorizations',
  order: '/v2/checkout/orders',
  sale: '/v1/payments/sale',
  subscription: '/v1/billing/subscriptions',
  plan: '/v1/billing/plans',
  invoice: '/v2/invoicing/invoices',
  dispute: '/v1/customer/disputes',
} as const;
export type PaypalResource = keyof typeof RESOURCE_PATHS;
export type PaypalApiObject = Record<string, unknown>;

export const PAYPAL_LIVE_API = 'https://api-m.paypal.com';
export const PAYPAL_SANDBOX_API = 'https://api-m.sandbox.paypal.com';

export interface PaypalClientCredentials {
  clientId: string;
  clientSecret: string;
}

export interface PaypalApiOptions {
  /** The REST app's client id and secret, e.g. read from Secrets Manager and cached by the caller. */
  credentials: () => Promise<PaypalClientCredentials>;
  /** PAYPAL_LIVE_API (the default), PAYPAL_SANDBOX_API, or the local sandbox's URL. */
  baseUrl?: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
  retry?: Partial<RetrySettings>;
  clock?: Partial<RetryClock>;
}

/** The same bounds as the Stripe client: a flow's call waits at most ~20 s, then its queue retries. */
export const DEFAULT_PAYPAL_RETRY: RetrySettings = { maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 5_000, maxTotalMs: 20_000 };
const DEFAULT_TIMEOUT_MS = 20_000;
/** A token is renewed this long before PayPal says it expires, so that none expires in flight. */
const TOKEN_EXPIRY_MARGIN_MS = 60_000;

/** One answer of PayPal, or the failure to get one; `tokenRejected`: a 401 to a token that was cached. */
type Outcome = AttemptOutcome<unknown> & { tokenRejected?: boolean };

interface CachedToken {
  value: string;
  expiresAt: number;
}

/**
 * Reads (GET only: safe to repeat) with:
 * - `retrieve(kind, id)`: the raw object, `undefined` when PayPal answers 404 `RESOURCE_NOT_FOUND` (or
 *   `INVALID_RESOURCE_ID`, which some APIs answer for an unknown id);
 * - `get(path, query)`: any other read (lists), the raw body.
 *
 * Token: `POST /v1/oauth2/token` (client credentials, HTTP Basic), cached until `expires_in` less a minute; one
 * token request at a time; a 401 on a read with a cached token (revoked early) fetches a new token once.
 * Failures, as the Stripe client: 401/403 → `PaypalAuthError`, other 4xx → `PaypalRequestError` (permanent);
 * 429 (`RATE_LIMIT_REACHED`), 5xx, network failures and timeouts retried with full-jitter backoff (a
 * `Retry-After` honoured within `maxDelayMs`), bounded in attempts and time, then `PaypalUnavailableError`.
 */
export class PaypalApi {
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;
  private readonly retry: RetrySettings;
  private readonly clock: RetryClock;
  private readonly timeoutMs: number;
  private token: CachedToken | undefined;
  private tokenRequest: Promise<CachedToken> | undefined;

  constructor(private readonly options: PaypalApiOptions) {
    this.baseUrl = (options.baseUrl ?? PAYPAL_LIVE_API).replace(/\/+$/, '');
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.retry = { ...DEFAULT_PAYPAL_RETRY, ...options.retry };
    this.clock = { ...systemRetryClock, ...options.clock };
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  async retrieve(kind: PaypalResource, id: string): Promise<PaypalApiObject | undefined> {
    if (!id) throw new TypeError(`retrieve(${kind}) needs an id`);
    try {
      return (await this.get(`${RESOURCE_PATHS[kind]}/${encodeURIComponent(id)}`)) as PaypalApiObject;
    } catch (error) {
      if (error instanceof PaypalRequestError && error.details.status === 404 && (error.details.name === 'RESOURCE_NOT_FOUND' || error.details.name === 'INVALID_RESOURCE_ID')) {
        return undefined;
      }
      throw error;
    }
  }

  async get(path: string, query?: Record<string, string>): Promise<unknown> {
    const search = query && Object.keys(query).length > 0 ? `?${new URLSearchParams(query).toString()}` : '';
    const url = `${this.baseUrl}${path}${search}`;
    const operation = `GET ${path}`;
    let renewedToken = false;
    return retryWithBackoff(
      async () => {
        const outcome = await this.attemptWithToken(url, operation);
        if (outcome.ok || !outcome.tokenRejected || renewedToken) return outcome;
        // A token revoked before its time: one fresh token, at once and not counted as an attempt.
        renewedToken = true;
        this.token = undefined;
        return this.attemptWithToken(url, operation);
      },
      this.retry,
      this.clock,
    );
  }

  /** An attempt whose token request may fail too: that error is already classified, and retried as any other. */
  private async attemptWithToken(url: string, operation: string): Promise<Outcome> {
    try {
      return await this.attempt(url, operation);
    } catch (error) {
      if (error instanceof PaypalUnavailableError) return { ok: false, error, retry: true };
      throw error;
    }
  }

  /** The cached token, or a new one (concurrent callers share one token request). */
  private async accessToken(): Promise<string> {
    if (this.token !== undefined && this.token.expiresAt > this.clock.now()) return this.token.value;
    this.tokenRequest ??= this.requestToken().finally(() => {
      this.tokenRequest = undefined;
    });
    this.token = await this.tokenRequest;
    return this.token.value;
  }

  private async requestToken(): Promise<CachedToken> {
    const operation = 'POST /v1/oauth2/token';
    const { clientId, clientSecret } = await this.options.credentials();
    const answer = await exchange(
      this.fetchImpl,
      `${this.baseUrl}/v1/oauth2/token`,
      {
        method: 'POST',
        headers: {
          Authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
          'Content-Type': 'application/x-www-form-urlencoded',
          Accept: 'application/json',
        },
        body: 'grant_type=client_credentials',
      },
      this.timeoutMs,
    );
    if (answer.response === undefined) {
      throw new PaypalUnavailableError({ operation, status: undefined }, 'no token (network failure or timeout)', { cause: answer.cause });
    }
    const { response, text } = answer;
    const body = parseJsonBody(text) as { access_token?: unknown; expires_in?: unknown; error?: string; error_description?: string } | undefined;
    if (response.ok && typeof body?.access_token === 'string' && typeof body.expires_in === 'number') {
      return { value: body.access_token, expiresAt: this.clock.now() + Math.max(0, body.expires_in * 1000 - TOKEN_EXPIRY_MARGIN_MS) };
    }
    // The OAuth error body (`invalid_client`), never the credentials.
    const details: PaypalErrorDetails = { operation, status: response.status, ...(body?.error ? { name: body.error } : {}) };
    const message = body?.error_description ?? `HTTP ${response.status}`;
    if (response.status === 401 || response.status === 403 || response.status === 400) throw new PaypalAuthError(details, message);
    throw new PaypalUnavailableError(details, message);
  }

  private async attempt(url: string, operation: string): Promise<Outcome> {
    const hadToken = this.token !== undefined;
    const token = await this.accessToken();
    const answer = await exchange(this.fetchImpl, url, { method: 'GET', headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' } }, this.timeoutMs);
    if (answer.response === undefined) {
      return { ok: false, error: new PaypalUnavailableError({ operation, status: undefined }, answer.failure, { cause: answer.cause }), retry: true };
    }
    const { response, text } = answer;
    const body = parseJsonBody(text);
    if (response.ok && body !== undefined) return { ok: true, value: body };

    const paypalError = body as { name?: string; message?: string; debug_id?: string; error?: string } | undefined;
    const details: PaypalErrorDetails = { operation, status: response.status };
    const name = paypalError?.name ?? paypalError?.error;
    if (name) details.name = name;
    if (paypalError?.debug_id) details.debugId = paypalError.debug_id;
    const message = paypalError?.message ?? (response.ok ? 'the answer is not JSON' : `HTTP ${response.status}`);
    if (response.status === 401) return { ok: false, error: new PaypalAuthError(details, message), retry: false, tokenRejected: hadToken };
    if (response.status === 403) return { ok: false, error: new PaypalAuthError(details, message), retry: false };
    const transient = response.ok || response.status === 429 || response.status >= 500;
    if (!transient) return { ok: false, error: new PaypalRequestError(details, message), retry: false };
    return { ok: false, error: new PaypalUnavailableError(details, message), retry: true, retryAfterMs: retryAfterMs(response) };
  }
}
