import { type AttemptOutcome, exchange, parseJsonBody, retryAfterMs, type RetryClock, type RetrySettings, retryWithBackoff, systemRetryClock } from '../../platform/provider-http';
import { HubspotAuthError, type HubspotErrorDetails, HubspotRequestError, HubspotUnavailableError } from './hubspot-api-errors';
import { RequestBucket } from '../../platform/request-bucket';
import { chunks } from '../../platform/chunks';

export { HubspotAuthError, HubspotRequestError, HubspotUnavailableError, type HubspotErrorDetails } from './hubspot-api-errors';

/**
 * A thin client of HubSpot's CRM API on `fetch` (`@hubspot/api-client` is CommonJS-only and ~22 MB: every
 * generated API in a bundle that reads three object types). Batch reads, association batch reads, searches and the
 * writes the CRM workspace makes (PATCH, create with associations); records come back as HubSpot's property strings: mapping them is the caller's job.
 *
 * The retry loop and the timed exchange are the providers' shared ones (platform/provider-http); what is HubSpot's
 * stays here: the rate bucket, a 429 that empties it, a DAILY limit never retried, the caller's deadline.
 */

export const HUBSPOT_API = 'https://api.hubapi.com';
/** HubSpot's ceiling of ids per batch read. */
export const HUBSPOT_BATCH_LIMIT = 100;
/** The window HubSpot counts private-app requests over. */
export const HUBSPOT_RATE_WINDOW_MS = 10_000;

/** A CRM record as HubSpot returns it: every property as text, or null when unset. */
export interface HubspotRecord {
  readonly id: string;
  readonly properties: Readonly<Record<string, string | null | undefined>>;
  readonly updatedAt?: string;
  readonly archived?: boolean;
}

/** An association made with a new record: the record it links to and HubSpot's type id of that link (e.g. 214: note → deal). */
export interface HubspotNewAssociation {
  readonly toId: string;
  readonly typeId: number;
}

/** One association of a record, with HubSpot's labels (`Primary` marks a contact's or deal's primary company). */
export interface HubspotAssociation {
  readonly toObjectId: string;
  readonly associationTypes: readonly { readonly category?: string; readonly typeId?: number; readonly label?: string | null }[];
}

export interface HubspotCrmApiOptions {
  /** The private app's access token; `refresh` asks for a fresh read (the cached one was refused: rotated). */
  token: (refresh: boolean) => Promise<string>;
  /** HUBSPOT_API (the default) or the local sandbox's URL. */
  baseUrl?: string;
  /** The portal's private-app limit per 10 s (100 or 190 by subscription): the client-side bucket's size. */
  requestsPer10Seconds: number;
  fetch?: typeof fetch;
  timeoutMs?: number;
  /** `maxTotalMs` bounds every wait of a call: for a token of the bucket as well as before a retry. */
  retry?: Partial<RetrySettings>;
  clock?: Partial<RetryClock>;
}

/** Per call: the moment after which no wait may end (the ingest answers HubSpot within its 5 s timeout). */
export interface CallOptions {
  readonly deadline?: number;
}

/**
 * `maxDelayMs` is HubSpot's whole rate window, so that its advice after a 429 (up to one window) is waited out in
 * full; the jittered backoffs of four attempts (≤ 1 s) stay far below it.
 */
export const DEFAULT_HUBSPOT_RETRY: RetrySettings = { maxAttempts: 4, baseDelayMs: 250, maxDelayMs: HUBSPOT_RATE_WINDOW_MS, maxTotalMs: 20_000 };
const DEFAULT_TIMEOUT_MS = 10_000;

/** One answer of HubSpot, or the failure to get one; `tokenRejected`: a 401 (the token may have been rotated). */
type Outcome = AttemptOutcome<unknown> & { tokenRejected?: boolean };

/**
 * - `batchRead(type, ids, properties)`: `POST /crm/v3/objects/{type}/batch/read`, ≤ 100 ids a request (more are
 *   chunked); ids HubSpot does not have (deleted since) are simply absent from the result (207 multi-status);
 * - `batchAssociations(from, to, ids)`: `POST /crm/v4/associations/{from}/{to}/batch/read`;
 * - `update(type, id, properties)`: `PATCH /crm/v3/objects/{type}/{id}`;
 * - `create(type, properties, associations)`: `POST /crm/v3/objects/{type}`;
 * - `searchEqual(type, equals, properties)`: `POST /crm/v3/objects/{type}/search`.
 *
 * Every request takes a token of the bucket first. Failures: 401 → the token read again once, then
 * `HubspotAuthError`; 403 → `HubspotAuthError`; other 4xx → `HubspotRequestError` (permanent); 429 (the bucket is
 * drained, HubSpot's `Retry-After` or its 10 s window honoured; a DAILY limit is not retried), 5xx, network failures
 * and timeouts retried with full-jitter backoff, bounded in attempts and time, then `HubspotUnavailableError`.
 */
export class HubspotCrmApi {
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;
  private readonly retry: RetrySettings;
  private readonly clock: RetryClock;
  private readonly timeoutMs: number;
  private readonly bucket: RequestBucket;

  constructor(private readonly options: HubspotCrmApiOptions) {
    this.baseUrl = (options.baseUrl ?? HUBSPOT_API).replace(/\/+$/, '');
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.retry = { ...DEFAULT_HUBSPOT_RETRY, ...options.retry };
    this.clock = { ...systemRetryClock, ...options.clock };
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.bucket = new RequestBucket(options.requestsPer10Seconds, HUBSPOT_RATE_WINDOW_MS, this.clock);
  }

  async batchRead(objectType: string, ids: readonly string[], properties: readonly string[], call: CallOptions = {}): Promise<Map<string, HubspotRecord>> {
    const found = new Map<string, HubspotRecord>();
    for (const chunk of chunks(unique(ids), HUBSPOT_BATCH_LIMIT)) {
      const body = (await this.send('POST', `/crm/v3/objects/${objectType}/batch/read`, { inputs: chunk.map((id) => ({ id })), properties, propertiesWithHistory: [] }, call)) as {
        results?: { id: string; properties?: Record<string, string | null>; updatedAt?: string; archived?: boolean }[];
      };
      for (const result of body.results ?? []) {
        found.set(String(result.id), { id: String(result.id), properties: result.properties ?? {}, ...(result.updatedAt ? { updatedAt: result.updatedAt } : {}), ...(result.archived === undefined ? {} : { archived: result.archived }) });
      }
    }
    return found;
  }

  async batchAssociations(fromType: string, toType: string, ids: readonly string[], call: CallOptions = {}): Promise<Map<string, HubspotAssociation[]>> {
    const associations = new Map<string, HubspotAssociation[]>();
    for (const chunk of chunks(unique(ids), HUBSPOT_BATCH_LIMIT)) {
      const body = (await this.send('POST', `/crm/v4/associations/${fromType}/${toType}/batch/read`, { inputs: chunk.map((id) => ({ id })) }, call)) as {
        results?: { from: { id: string | number }; to?: { toObjectId: string | number; associationTypes?: HubspotAssociation['associationTypes'] }[] }[];
      };
      for (const result of body.results ?? []) {
        const to = (result.to ?? []).map((link) => ({ toObjectId: String(link.toObjectId), associationTypes: link.associationTypes ?? [] }));
        associations.set(String(result.from.id), [...(associations.get(String(result.from.id)) ?? []), ...to]);
      }
    }
    return associations;
  }

  async update(objectType: string, id: string, properties: Readonly<Record<string, string | null>>, call: CallOptions = {}): Promise<HubspotRecord> {
    if (!id) throw new TypeError(`update(${objectType}) needs an id`);
    // A PATCH of the same properties is idempotent: retrying one whose answer was lost changes nothing more.
    const body = (await this.send('PATCH', `/crm/v3/objects/${objectType}/${encodeURIComponent(id)}`, { properties }, call)) as HubspotRecord;
    return { ...body, id: String(body.id) };
  }

  /**
   * `POST /crm/v3/objects/{type}`: a new record with its properties and, in the same request, its associations
   * (HubSpot-defined type ids). Not idempotent by itself: the caller searches by its own key first.
   */
  async create(objectType: string, properties: Readonly<Record<string, string>>, associations: readonly HubspotNewAssociation[] = [], call: CallOptions = {}): Promise<HubspotRecord> {
    const body = (await this.send(
      'POST',
      `/crm/v3/objects/${objectType}`,
      { properties, associations: associations.map(({ toId, typeId }) => ({ to: { id: toId }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: typeId }] })) },
      call,
    )) as HubspotRecord;
    return { ...body, id: String(body.id) };
  }

  /**
   * `POST /crm/v3/objects/{type}/search` with every `equals` filter ANDed: the records whose properties have
   * those values (at most `limit`, HubSpot's ceiling is 200). HubSpot's search index trails writes by a few seconds.
   */
  async searchEqual(objectType: string, equals: Readonly<Record<string, string>>, properties: readonly string[], limit = 10, call: CallOptions = {}): Promise<HubspotRecord[]> {
    const filters = Object.entries(equals).map(([propertyName, value]) => ({ propertyName, operator: 'EQ', value }));
    const body = (await this.send('POST', `/crm/v3/objects/${objectType}/search`, { filterGroups: [{ filters }], properties, limit }, call)) as {
      results?: { id: string; properties?: Record<string, string | null>; updatedAt?: string; archived?: boolean }[];
    };
    return (body.results ?? []).map((result) => ({ id: String(result.id), properties: result.properties ?? {}, ...(result.updatedAt ? { updatedAt: result.updatedAt } : {}) }));
  }

  private async send(method: 'POST' | 'PATCH', path: string, payload: unknown, call: CallOptions): Promise<unknown> {
    const operation = `${method} ${path}`;
    // One moment bounds the whole call: the bucket's wait, each request in flight and each wait before a retry.
    const deadline = Math.min(call.deadline ?? Number.POSITIVE_INFINITY, this.clock.now() + this.retry.maxTotalMs);
    let refreshedToken = false;
    return retryWithBackoff(
      async () => {
        const outcome = await this.attempt(method, path, payload, operation, refreshedToken, deadline);
        if (outcome.ok || !outcome.tokenRejected || refreshedToken) return outcome;
        // A token rotated since it was cached: read it again once, at once and not counted as an attempt.
        refreshedToken = true;
        return this.attempt(method, path, payload, operation, refreshedToken, deadline);
      },
      this.retry,
      this.clock,
      { deadline },
    );
  }

  private async attempt(method: string, path: string, payload: unknown, operation: string, refreshToken: boolean, deadline: number): Promise<Outcome> {
    if (!(await this.bucket.take(deadline))) {
      const error = new HubspotUnavailableError({ operation, status: undefined, category: 'CLIENT_RATE_LIMIT' }, `the ${this.options.requestsPer10Seconds} requests / 10 s budget has no room before the deadline`);
      return { ok: false, error, retry: false };
    }
    const token = await this.options.token(refreshToken);
    // A request in flight is bounded by the deadline too: a hanging HubSpot must not outlive the caller's caller.
    const timeoutMs = Math.max(1, Math.min(this.timeoutMs, deadline - this.clock.now()));
    const answer = await exchange(
      this.fetchImpl,
      `${this.baseUrl}${path}`,
      { method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json' }, body: JSON.stringify(payload) },
      timeoutMs,
    );
    if (answer.response === undefined) {
      return { ok: false, error: new HubspotUnavailableError({ operation, status: undefined }, answer.failure, { cause: answer.cause }), retry: true };
    }
    const { response, text } = answer;
    const body = parseJsonBody(text);
    // 207: a batch read with some ids not found; the found ones are in `results`.
    if ((response.status === 200 || response.status === 201 || response.status === 207) && body !== undefined) return { ok: true, value: body };

    const hubspotError = body as { message?: string; category?: string; policyName?: string; correlationId?: string } | undefined;
    const details: HubspotErrorDetails = { operation, status: response.status };
    const category = hubspotError?.policyName ?? hubspotError?.category;
    if (category) details.category = category;
    if (hubspotError?.correlationId) details.correlationId = hubspotError.correlationId;
    const message = hubspotError?.message ?? (response.ok ? 'the answer is not JSON' : `HTTP ${response.status}`);
    if (response.status === 401) return { ok: false, error: new HubspotAuthError(details, message), retry: false, tokenRejected: true };
    if (response.status === 403) return { ok: false, error: new HubspotAuthError(details, message), retry: false };
    if (response.status === 429) {
      this.bucket.drain();
      // The daily allowance is gone until midnight in the portal's time zone: no retry within a call helps.
      if (hubspotError?.policyName === 'DAILY') return { ok: false, error: new HubspotUnavailableError(details, message), retry: false };
      const intervalMs = Number(response.headers.get('x-hubspot-ratelimit-interval-milliseconds'));
      const advisedMs = retryAfterMs(response) ?? (Number.isFinite(intervalMs) && intervalMs > 0 ? Math.min(intervalMs, HUBSPOT_RATE_WINDOW_MS) : undefined);
      return { ok: false, error: new HubspotUnavailableError(details, message), retry: true, ...(advisedMs === undefined ? {} : { retryAfterMs: advisedMs }) };
    }
    const transient = response.ok || response.status >= 500;
    if (!transient) return { ok: false, error: new HubspotRequestError(details, message), retry: false };
    return { ok: false, error: new HubspotUnavailableError(details, message), retry: true };
  }
}

function unique(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}

