import { HubspotAuthError, type HubspotErrorDetails, HubspotRequestError, HubspotUnavailableError } from './hubspot-api-errors';
import { RequestBucket } from './hubspot-rate-limit';

export { HubspotAuthError, HubspotRequestError, HubspotUnavailableError, type HubspotErrorDetails } from './hubspot-api-errors';

/**
 * A thin client of HubSpot's CRM API on `fetch` (`@hubspot/api-client` is CommonJS-only and ~22 MB: every
 * generated API in a bundle that reads three object types). Batch reads, association batch reads and the one
 * write; records come back as HubSpot's property strings: mapping them is the caller's job.
 *
 * The transport (`send`: token, rate bucket, retries) is one private method, so that the providers' shared HTTP
 * helper can replace it without touching the CRM calls.
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

/** One association of a record, with HubSpot's labels (`Primary` marks a contact's or deal's primary company). */
export interface HubspotAssociation {
  readonly toObjectId: string;
  readonly associationTypes: readonly { readonly category?: string; readonly typeId?: number; readonly label?: string | null }[];
}

export interface HubspotRetrySettings {
  /** Attempts in all, the first one included. */
  maxAttempts: number;
  /** Ceiling of the first backoff; doubles per attempt (full jitter). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** No wait (for a token of the bucket or before a retry) goes past this long after the call began. */
  maxTotalMs: number;
}

export interface HubspotClock {
  now(): number;
  sleep(ms: number): Promise<void>;
  random(): number;
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
  retry?: Partial<HubspotRetrySettings>;
  clock?: Partial<HubspotClock>;
}

/** Per call: the moment after which no wait may end (the ingest answers HubSpot within its 5 s timeout). */
export interface CallOptions {
  readonly deadline?: number;
}

export const DEFAULT_HUBSPOT_RETRY: HubspotRetrySettings = { maxAttempts: 4, baseDelayMs: 250, maxDelayMs: 5_000, maxTotalMs: 20_000 };
const DEFAULT_TIMEOUT_MS = 10_000;

const systemClock: HubspotClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: () => Math.random(),
};

type Outcome =
  | { ok: true; body: unknown }
  | { ok: false; error: HubspotAuthError | HubspotRequestError | HubspotUnavailableError; retry: boolean; retryAfterMs?: number; tokenRejected?: boolean };

/**
 * - `batchRead(type, ids, properties)`: `POST /crm/v3/objects/{type}/batch/read`, ≤ 100 ids a request (more are
 *   chunked); ids HubSpot does not have (deleted since) are simply absent from the result (207 multi-status);
 * - `batchAssociations(from, to, ids)`: `POST /crm/v4/associations/{from}/{to}/batch/read`;
 * - `update(type, id, properties)`: `PATCH /crm/v3/objects/{type}/{id}`.
 *
 * Every request takes a token of the bucket first. Failures: 401 → the token read again once, then
 * `HubspotAuthError`; 403 → `HubspotAuthError`; other 4xx → `HubspotRequestError` (permanent); 429 (the bucket is
 * drained, HubSpot's `Retry-After` or its 10 s window honoured; a DAILY limit is not retried), 5xx, network failures
 * and timeouts retried with full-jitter backoff, bounded in attempts and time, then `HubspotUnavailableError`.
 */
export class HubspotCrmApi {
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;
  private readonly retry: HubspotRetrySettings;
  private readonly clock: HubspotClock;
  private readonly timeoutMs: number;
  private readonly bucket: RequestBucket;

  constructor(private readonly options: HubspotCrmApiOptions) {
    this.baseUrl = (options.baseUrl ?? HUBSPOT_API).replace(/\/+$/, '');
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.retry = { ...DEFAULT_HUBSPOT_RETRY, ...options.retry };
    this.clock = { ...systemClock, ...options.clock };
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

  private async send(method: 'POST' | 'PATCH', path: string, payload: unknown, call: CallOptions): Promise<unknown> {
    const operation = `${method} ${path}`;
    const startedAt = this.clock.now();
    const deadline = Math.min(call.deadline ?? Number.POSITIVE_INFINITY, startedAt + this.retry.maxTotalMs);
    let refreshedToken = false;
    for (let attempt = 1; ; attempt++) {
      if (!(await this.bucket.take(deadline))) {
        throw new HubspotUnavailableError({ operation, status: undefined, category: 'CLIENT_RATE_LIMIT' }, `the ${this.options.requestsPer10Seconds} requests / 10 s budget has no room before the deadline`);
      }
      // A request in flight is bounded by the deadline too: a hanging HubSpot must not outlive the caller's caller.
      const timeoutMs = Math.max(1, Math.min(this.timeoutMs, deadline - this.clock.now()));
      const outcome = await this.attempt(method, path, payload, operation, refreshedToken, timeoutMs);
      if (outcome.ok) return outcome.body;
      if (outcome.tokenRejected && !refreshedToken) {
        // A token rotated since it was cached: read it again once, not counted as an attempt.
        refreshedToken = true;
        attempt--;
        continue;
      }
      if (!outcome.retry || attempt >= this.retry.maxAttempts) throw outcome.error;
      const ceiling = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
      const delay = Math.max(this.clock.random() * ceiling, outcome.retryAfterMs ?? 0);
      if (this.clock.now() + delay > deadline) throw outcome.error;
      await this.clock.sleep(delay);
    }
  }

  private async attempt(method: string, path: string, payload: unknown, operation: string, refreshToken: boolean, timeoutMs: number): Promise<Outcome> {
    const token = await this.options.token(refreshToken);
    let response: Response;
    let text: string;
    try {
      response = await this.fetchImpl(`${this.baseUrl}${path}`, {
        method,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await response.text();
    } catch (cause) {
      const timedOut = cause instanceof Error && (cause.name === 'TimeoutError' || cause.name === 'AbortError');
      const message = timedOut ? `no answer within ${timeoutMs} ms` : `network failure (${cause instanceof Error ? cause.message : String(cause)})`;
      return { ok: false, error: new HubspotUnavailableError({ operation, status: undefined }, message, { cause }), retry: true };
    }
    const body = parseJson(text);
    // 207: a batch read with some ids not found; the found ones are in `results`.
    if ((response.status === 200 || response.status === 201 || response.status === 207) && body !== undefined) return { ok: true, body };

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
      const retryAfter = Number(response.headers.get('retry-after'));
      const intervalMs = Number(response.headers.get('x-hubspot-ratelimit-interval-milliseconds'));
      const retryAfterMs = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : Number.isFinite(intervalMs) && intervalMs > 0 ? Math.min(intervalMs, HUBSPOT_RATE_WINDOW_MS) : undefined;
      return { ok: false, error: new HubspotUnavailableError(details, message), retry: true, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
    }
    const transient = response.ok || response.status >= 500;
    if (!transient) return { ok: false, error: new HubspotRequestError(details, message), retry: false };
    return { ok: false, error: new HubspotUnavailableError(details, message), retry: true };
  }
}

function unique(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
