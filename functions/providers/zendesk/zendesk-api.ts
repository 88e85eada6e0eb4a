import { type AttemptOutcome, exchange, parseJsonBody, retryAfterMs, type RetryClock, type RetrySettings, retryWithBackoff, systemRetryClock } from '../../platform/provider-http';
import { RequestBucket } from '../../platform/request-bucket';
import { ZendeskAuthError, type ZendeskErrorDetails, ZendeskRequestError, ZendeskUnavailableError } from './zendesk-api-errors';

export { ZendeskAuthError, ZendeskRequestError, ZendeskUnavailableError } from './zendesk-api-errors';

/**
 * A thin client of Zendesk's Support API on `fetch` (the `node-zendesk` SDK brings every endpoint to a Lambda that
 * calls six). What is Zendesk's stays here: its API-token auth, its rate limit (requests per minute by plan) as a
 * bucket, a 429 that empties it and whose `Retry-After` is waited out, a 409 (Zendesk's "another update of this
 * record is in progress") retried; the retry loop and the timed exchange are the providers' shared ones.
 */

/** The window Zendesk counts requests over. */
export const ZENDESK_RATE_WINDOW_MS = 60_000;
/** Zendesk's ceiling of ids per `show_many`. */
export const ZENDESK_SHOW_MANY_LIMIT = 100;

/** The API token credentials: Zendesk authenticates `{email}/token:{apiToken}` with HTTP Basic. */
export interface ZendeskCredentials {
  readonly email: string;
  readonly apiToken: string;
}

export interface ZendeskOrganization {
  readonly id: number;
  readonly name: string;
  readonly external_id: string | null;
  readonly tags: readonly string[];
  readonly organization_fields: Readonly<Record<string, string | number | boolean | null>>;
  readonly updated_at?: string;
}

export interface ZendeskUser {
  readonly id: number;
  readonly name: string;
  readonly email: string | null;
  readonly organization_id: number | null;
  readonly external_id: string | null;
}

export interface ZendeskTicket {
  readonly id: number;
  readonly subject: string | null;
  readonly status: string;
  readonly priority: string | null;
  readonly organization_id: number | null;
  readonly requester_id: number | null;
  readonly tags: readonly string[];
  readonly created_at: string;
  readonly updated_at: string;
}

export interface ZendeskTicketUpdate {
  readonly priority?: 'low' | 'normal' | 'high' | 'urgent';
  /** Added to the ticket's tags (Zendesk's `additional_tags`: the others are kept). */
  readonly additional_tags?: readonly string[];
  readonly comment?: { readonly body: string; readonly public: boolean };
}

export interface ZendeskApiOptions {
  /** `https://<subdomain>.zendesk.com`, or the local sandbox's URL. */
  baseUrl: string;
  /** The API user's credentials; `refresh` asks for a fresh read (the cached ones were refused: rotated). */
  credentials: (refresh: boolean) => Promise<ZendeskCredentials>;
  /** The account's limit per minute (200–700 by plan): the client-side bucket's size. */
  requestsPerMinute: number;
  fetch?: typeof fetch;
  timeoutMs?: number;
  retry?: Partial<RetrySettings>;
  clock?: Partial<RetryClock>;
}

/**
 * `maxDelayMs` is a minute: Zendesk's `Retry-After` after a 429 can name most of its window, and a flow consumer
 * (30 s timeout) would rather give the record back to its queue than wait longer; `maxTotalMs` bounds a call.
 */
export const DEFAULT_ZENDESK_RETRY: RetrySettings = { maxAttempts: 4, baseDelayMs: 250, maxDelayMs: ZENDESK_RATE_WINDOW_MS, maxTotalMs: 20_000 };
const DEFAULT_TIMEOUT_MS = 10_000;

type Outcome = AttemptOutcome<unknown> & { credentialsRejected?: boolean };
type Method = 'GET' | 'POST' | 'PUT';

/**
 * - `createOrUpdateOrganization`: `POST /api/v2/organizations/create_or_update` (by `external_id`);
 * - `organizationsByExternalId`: `GET /api/v2/organizations/search?external_id=`;
 * - `organization`: `GET /api/v2/organizations/{id}`;
 * - `createOrUpdateUser`: `POST /api/v2/users/create_or_update` (by email or external id);
 * - `ticket`, `tickets` (`show_many`, ≤ 100 ids a request) and `updateTicket` (`PUT /api/v2/tickets/{id}`).
 *
 * Failures: 401 → the credentials read again once, then `ZendeskAuthError`; 403 → `ZendeskAuthError`; 404 of a
 * record → undefined from the reads; other 4xx → `ZendeskRequestError` (permanent); 409, 429 (bucket drained,
 * `Retry-After` honoured), 5xx, network failures and timeouts retried with backoff, then `ZendeskUnavailableError`.
 */
export class ZendeskApi {
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;
  private readonly retry: RetrySettings;
  private readonly clock: RetryClock;
  private readonly timeoutMs: number;
  private readonly bucket: RequestBucket;

  constructor(private readonly options: ZendeskApiOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.retry = { ...DEFAULT_ZENDESK_RETRY, ...options.retry };
    this.clock = { ...systemRetryClock, ...options.clock };
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.bucket = new RequestBucket(options.requestsPerMinute, ZENDESK_RATE_WINDOW_MS, this.clock);
  }

  async createOrUpdateOrganization(organization: { name: string; external_id: string; tags?: readonly string[]; organization_fields?: Record<string, string> }): Promise<ZendeskOrganization> {
    const body = (await this.send('POST', '/api/v2/organizations/create_or_update', { organization })) as { organization: ZendeskOrganization };
    return body.organization;
  }

  async organizationsByExternalId(externalId: string): Promise<ZendeskOrganization[]> {
    const body = (await this.send('GET', `/api/v2/organizations/search?external_id=${encodeURIComponent(externalId)}`)) as { organizations?: ZendeskOrganization[] };
    return body.organizations ?? [];
  }

  async organization(id: string): Promise<ZendeskOrganization | undefined> {
    const body = (await this.send('GET', `/api/v2/organizations/${encodeURIComponent(id)}`, undefined, { notFound: true })) as { organization: ZendeskOrganization } | undefined;
    return body?.organization;
  }

  async createOrUpdateUser(user: { name: string; email: string; organization_id: number; external_id?: string; role?: 'end-user' }): Promise<ZendeskUser> {
    const body = (await this.send('POST', '/api/v2/users/create_or_update', { user: { role: 'end-user', ...user } })) as { user: ZendeskUser };
    return body.user;
  }

  async ticket(id: string): Promise<ZendeskTicket | undefined> {
    const body = (await this.send('GET', `/api/v2/tickets/${encodeURIComponent(id)}`, undefined, { notFound: true })) as { ticket: ZendeskTicket } | undefined;
    return body?.ticket;
  }

  /** The tickets Zendesk has of these ids (deleted ones are absent), by id. */
  async tickets(ids: readonly string[]): Promise<Map<string, ZendeskTicket>> {
    const found = new Map<string, ZendeskTicket>();
    const unique = [...new Set(ids)];
    for (let start = 0; start < unique.length; start += ZENDESK_SHOW_MANY_LIMIT) {
      const chunk = unique.slice(start, start + ZENDESK_SHOW_MANY_LIMIT);
      const body = (await this.send('GET', `/api/v2/tickets/show_many?ids=${chunk.map(encodeURIComponent).join(',')}`)) as { tickets?: ZendeskTicket[] };
      for (const ticket of body.tickets ?? []) found.set(String(ticket.id), ticket);
    }
    return found;
  }

  /** The same update twice leaves the ticket as once, except a comment: the caller adds a note once (its own state). */
  async updateTicket(id: string, ticket: ZendeskTicketUpdate): Promise<ZendeskTicket> {
    const body = (await this.send('PUT', `/api/v2/tickets/${encodeURIComponent(id)}`, { ticket })) as { ticket: ZendeskTicket };
    return body.ticket;
  }

  private async send(method: Method, path: string, payload?: unknown, read: { notFound?: true } = {}): Promise<unknown> {
    const operation = `${method} ${path.split('?')[0]}`;
    const deadline = this.clock.now() + this.retry.maxTotalMs;
    let refreshed = false;
    return retryWithBackoff(
      async () => {
        const outcome = await this.attempt(method, path, payload, operation, refreshed, deadline, read);
        if (outcome.ok || !outcome.credentialsRejected || refreshed) return outcome;
        refreshed = true;
        return this.attempt(method, path, payload, operation, refreshed, deadline, read);
      },
      this.retry,
      this.clock,
      { deadline },
    );
  }

  private async attempt(method: Method, path: string, payload: unknown, operation: string, refresh: boolean, deadline: number, read: { notFound?: true }): Promise<Outcome> {
    if (!(await this.bucket.take(deadline))) {
      return { ok: false, error: new ZendeskUnavailableError({ operation, status: undefined, error: 'ClientRateLimit' }, `the ${this.options.requestsPerMinute} requests / minute budget has no room before the deadline`), retry: false };
    }
    const { email, apiToken } = await this.options.credentials(refresh);
    const timeoutMs = Math.max(1, Math.min(this.timeoutMs, deadline - this.clock.now()));
    const answer = await exchange(
      this.fetchImpl,
      `${this.baseUrl}${path}`,
      {
        method,
        headers: {
          Authorization: `Basic ${Buffer.from(`${email}/token:${apiToken}`, 'utf8').toString('base64')}`,
          Accept: 'application/json',
          ...(payload === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        ...(payload === undefined ? {} : { body: JSON.stringify(payload) }),
      },
      timeoutMs,
    );
    if (answer.response === undefined) return { ok: false, error: new ZendeskUnavailableError({ operation, status: undefined }, answer.failure, { cause: answer.cause }), retry: true };
    const { response, text } = answer;
    const body = parseJsonBody(text);
    if (response.ok && body !== undefined) return { ok: true, value: body };
    if (response.status === 404 && read.notFound) return { ok: true, value: undefined };

    const zendeskError = body as { error?: string | { title?: string; message?: string }; description?: string; details?: unknown } | undefined;
    const name = typeof zendeskError?.error === 'string' ? zendeskError.error : zendeskError?.error?.title;
    const nameErrors = (zendeskError?.details as { name?: Array<{ error?: string; description?: string }> } | undefined)?.name ?? [];
    const nameTaken = nameErrors.some((problem) => problem.error === 'DuplicateValue' || /already been taken/i.test(problem.description ?? ''));
    const details: ZendeskErrorDetails = { operation, status: response.status, ...(name === undefined ? {} : { error: name }), ...(nameTaken ? { nameTaken } : {}) };
    const message =
      (typeof zendeskError?.error === 'object' ? zendeskError.error.message : undefined) ??
      zendeskError?.description ??
      (response.ok ? 'the answer is not JSON' : `HTTP ${response.status}`);
    if (response.status === 401) return { ok: false, error: new ZendeskAuthError(details, message), retry: false, credentialsRejected: true };
    if (response.status === 403) return { ok: false, error: new ZendeskAuthError(details, message), retry: false };
    if (response.status === 429) {
      this.bucket.drain();
      const advised = retryAfterMs(response);
      return { ok: false, error: new ZendeskUnavailableError(details, message), retry: true, ...(advised === undefined ? {} : { retryAfterMs: advised }) };
    }
    // 409: Zendesk serialises updates of one record and refuses a concurrent one: it passes once the other is done.
    if (response.status === 409 || response.status >= 500 || response.ok) return { ok: false, error: new ZendeskUnavailableError(details, message), retry: true };
    return { ok: false, error: new ZendeskRequestError(details, message), retry: false };
  }
}
