import { type AttemptOutcome, exchange, parseJsonBody, type RetryClock, type RetrySettings, retryWithBackoff, systemRetryClock } from '../../platform/provider-http';
import { SalesforceAuthError, type SalesforceErrorDetails, SalesforceRequestError, SalesforceUnavailableError } from './salesforce-api-errors';
import { chunks } from '../../platform/chunks';

export { SalesforceAuthError, SalesforceRequestError, SalesforceUnavailableError, type SalesforceErrorDetails } from './salesforce-api-errors';

/**
 * A thin client of Salesforce's REST API on `fetch` (`@jsforce/jsforce-node` is CommonJS and ~2 MB for three calls):
 * the OAuth 2.0 client-credentials token, sObject Collections reads, SOQL queries and the writes the CRM workspace makes. Records come back
 * as Salesforce's JSON (field name → value, `attributes` dropped): mapping them is the caller's job.
 */

/** Ids per `GET composite/sobjects`: Salesforce takes about 800 before the URL is too long (414); 200 keeps a margin. */
export const SALESFORCE_RETRIEVE_CHUNK = 200;
/** Ids per `IN (...)` of one SOQL query: its text goes in the URL too. */
export const SALESFORCE_QUERY_CHUNK = 200;

/** A record as the REST API returns it: `Id` and the fields asked for. */
export type SalesforceRecord = Readonly<Record<string, unknown>> & { readonly Id: string };

export interface SalesforceClientCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
}

export interface SalesforceRestApiOptions {
  /** The org's My Domain URL (`https://acme.my.salesforce.com`), where the client-credentials flow asks for a token. */
  instanceUrl: string;
  /** `62.0`: the REST API version of every path. */
  apiVersion: string;
  /** The connected app's client credentials; `refresh` asks for a fresh read (the cached ones were refused: rotated). */
  credentials: (refresh: boolean) => Promise<SalesforceClientCredentials>;
  /**
   * The client name our writes carry (`Sforce-Call-Options: client=<name>`): Salesforce puts it in the change
   * event's `changeOrigin`, which is how the ingest recognises our own writes coming back.
   */
  clientName: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
  retry?: Partial<RetrySettings>;
  clock?: Partial<RetryClock>;
}

export const DEFAULT_SALESFORCE_RETRY: RetrySettings = { maxAttempts: 4, baseDelayMs: 250, maxDelayMs: 5_000, maxTotalMs: 20_000 };
const DEFAULT_TIMEOUT_MS = 10_000;

interface Token {
  readonly accessToken: string;
  /** Where the org's data is served (`instance_url` of the token answer). */
  readonly instanceUrl: string;
}

type Outcome = AttemptOutcome<unknown> & { sessionRejected?: boolean };

/**
 * - `retrieve(type, ids, fields)`: `GET /services/data/vXX.X/composite/sobjects/{type}?ids=…&fields=…`, chunked; an
 *   id Salesforce does not return (deleted since, or no access) is absent from the result;
 * - `query(soql, { includeDeleted })`: `GET …/query?q=` (or `queryAll`, which also returns deleted and merged-away
 *   records), following `nextRecordsUrl`;
 * - `updateRecord(type, id, fields)`: `PATCH …/sobjects/{type}/{id}` with our client name in `Sforce-Call-Options`;
 * - `createRecord(type, fields)`: `POST …/sobjects/{type}`, the same way.
 *
 * The token (client-credentials flow) is cached in the container and asked for again once when Salesforce refuses it
 * (401: expired or revoked session), with the credentials read again. Failures: a refused token or credentials →
 * `SalesforceAuthError`; other 4xx → `SalesforceRequestError` (permanent); 5xx, network failures and timeouts retried
 * with full-jitter backoff, bounded in attempts and time, then `SalesforceUnavailableError`; the org's 24-hour API
 * allowance (403 `REQUEST_LIMIT_EXCEEDED`) is `SalesforceUnavailableError` at once: no retry within a call helps.
 */
export class SalesforceRestApi {
  private readonly fetchImpl: typeof fetch;
  private readonly retry: RetrySettings;
  private readonly clock: RetryClock;
  private readonly timeoutMs: number;
  private token: Promise<Token> | undefined;

  constructor(private readonly options: SalesforceRestApiOptions) {
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.retry = { ...DEFAULT_SALESFORCE_RETRY, ...options.retry };
    this.clock = { ...systemRetryClock, ...options.clock };
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  async retrieve(type: string, ids: readonly string[], fields: readonly string[]): Promise<Map<string, SalesforceRecord>> {
    const found = new Map<string, SalesforceRecord>();
    for (const chunk of chunks(unique(ids), SALESFORCE_RETRIEVE_CHUNK)) {
      const query = new URLSearchParams({ ids: chunk.join(','), fields: unique(['Id', ...fields]).join(',') });
      const body = await this.send('GET', `${this.dataPath()}/composite/sobjects/${encodeURIComponent(type)}?${query.toString()}`);
      // One entry per id asked, in order; null for an id Salesforce cannot give (deleted, no access).
      if (!Array.isArray(body)) throw new SalesforceUnavailableError({ operation: `GET composite/sobjects/${type}`, status: 200 }, 'the answer is not a list of records');
      for (const entry of body as unknown[]) {
        const record = asRecord(entry);
        if (record !== undefined) found.set(record.Id, record);
      }
    }
    return found;
  }

  async query(soql: string, options: { includeDeleted?: boolean } = {}): Promise<SalesforceRecord[]> {
    const records: SalesforceRecord[] = [];
    let path: string | undefined = `${this.dataPath()}/${options.includeDeleted ? 'queryAll' : 'query'}?${new URLSearchParams({ q: soql }).toString()}`;
    while (path !== undefined) {
      const body = (await this.send('GET', path)) as { records?: unknown[]; done?: boolean; nextRecordsUrl?: string };
      for (const entry of body.records ?? []) {
        const record = asRecord(entry);
        if (record !== undefined) records.push(record);
      }
      path = body.done === false && body.nextRecordsUrl ? body.nextRecordsUrl : undefined;
    }
    return records;
  }

  /**
   * Writes fields of one record. A PATCH of the same values is idempotent: retrying one whose answer was lost changes
   * nothing more. The change event it causes names our client in `changeOrigin`, and the ingest drops it.
   */
  async updateRecord(type: string, id: string, fields: Readonly<Record<string, string | number | boolean | null>>): Promise<void> {
    if (!id) throw new TypeError(`updateRecord(${type}) needs an id`);
    await this.send('PATCH', `${this.dataPath()}/sobjects/${encodeURIComponent(type)}/${encodeURIComponent(id)}`, fields);
  }

  /**
   * Creates one record (`POST …/sobjects/{type}`): its id. Not idempotent by itself: the caller queries by its own key
   * first. Made with our client name, like every write.
   */
  async createRecord(type: string, fields: Readonly<Record<string, string | number | boolean | null>>): Promise<string> {
    const body = (await this.send('POST', `${this.dataPath()}/sobjects/${encodeURIComponent(type)}`, fields)) as { id?: unknown } | undefined;
    if (typeof body?.id !== 'string') throw new SalesforceUnavailableError({ operation: `POST sobjects/${type}`, status: 201 }, 'the answer names no id');
    return body.id;
  }

  private dataPath(): string {
    return `/services/data/v${this.options.apiVersion}`;
  }

  private async send(method: 'GET' | 'PATCH' | 'POST', path: string, payload?: unknown): Promise<unknown> {
    const operation = `${method} ${path.split('?')[0]}`;
    const deadline = this.clock.now() + this.retry.maxTotalMs;
    let renewedToken = false;
    return retryWithBackoff(
      async () => {
        const outcome = await this.attempt(method, path, payload, operation, deadline);
        if (outcome.ok || !outcome.sessionRejected || renewedToken) return outcome;
        // An expired or revoked session: a new token once, at once and not counted as an attempt.
        renewedToken = true;
        this.token = undefined;
        return this.attempt(method, path, payload, operation, deadline, true);
      },
      this.retry,
      this.clock,
      { deadline },
    );
  }

  private async attempt(method: string, path: string, payload: unknown, operation: string, deadline: number, freshCredentials = false): Promise<Outcome> {
    let token: Token;
    try {
      token = await this.currentToken(freshCredentials, deadline);
    } catch (error) {
      if (error instanceof SalesforceUnavailableError) return { ok: false, error, retry: true };
      throw error;
    }
    const timeoutMs = Math.max(1, Math.min(this.timeoutMs, deadline - this.clock.now()));
    const headers: Record<string, string> = { Authorization: `Bearer ${token.accessToken}`, Accept: 'application/json' };
    if (payload !== undefined) headers['Content-Type'] = 'application/json';
    if (method !== 'GET') headers['Sforce-Call-Options'] = `client=${this.options.clientName}`;
    const url = path.startsWith('/') ? `${token.instanceUrl}${path}` : path;
    const answer = await exchange(this.fetchImpl, url, { method, headers, ...(payload === undefined ? {} : { body: JSON.stringify(payload) }) }, timeoutMs);
    if (answer.response === undefined) return { ok: false, error: new SalesforceUnavailableError({ operation, status: undefined }, answer.failure, { cause: answer.cause }), retry: true };
    const { response, text } = answer;
    if (response.status === 204) return { ok: true, value: undefined };
    const body = parseJsonBody(text);
    if (response.ok && body !== undefined) return { ok: true, value: body };

    // Salesforce's errors are a list of `{ message, errorCode }`.
    const first = (Array.isArray(body) ? body[0] : body) as { message?: string; errorCode?: string } | undefined;
    const details: SalesforceErrorDetails = { operation, status: response.status };
    if (first?.errorCode) details.errorCode = first.errorCode;
    const message = first?.message ?? (response.ok ? 'the answer is not JSON' : `HTTP ${response.status}`);
    if (response.status === 401) return { ok: false, error: new SalesforceAuthError(details, message), retry: false, sessionRejected: true };
    if (response.status === 403 && first?.errorCode === 'REQUEST_LIMIT_EXCEEDED') return { ok: false, error: new SalesforceUnavailableError(details, message), retry: false };
    if (response.status === 403) return { ok: false, error: new SalesforceAuthError(details, message), retry: false };
    if (response.ok || response.status >= 500 || response.status === 429) return { ok: false, error: new SalesforceUnavailableError(details, message), retry: true };
    return { ok: false, error: new SalesforceRequestError(details, message), retry: false };
  }

  /** The cached token, or a new one: concurrent calls of a cold container share one token request. */
  private currentToken(freshCredentials: boolean, deadline: number): Promise<Token> {
    if (this.token === undefined) {
      const request = this.requestToken(freshCredentials, deadline);
      this.token = request;
      // A failed request is not cached: the next call asks again.
      request.catch(() => {
        if (this.token === request) this.token = undefined;
      });
    }
    return this.token;
  }

  private async requestToken(freshCredentials: boolean, deadline: number): Promise<Token> {
    const operation = 'POST /services/oauth2/token';
    const { clientId, clientSecret } = await this.options.credentials(freshCredentials);
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret });
    const timeoutMs = Math.max(1, Math.min(this.timeoutMs, deadline - this.clock.now()));
    const answer = await exchange(
      this.fetchImpl,
      `${this.options.instanceUrl.replace(/\/+$/, '')}/services/oauth2/token`,
      { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' }, body: form.toString() },
      timeoutMs,
    );
    if (answer.response === undefined) throw new SalesforceUnavailableError({ operation, status: undefined }, answer.failure, { cause: answer.cause });
    const body = parseJsonBody(answer.text) as { access_token?: string; instance_url?: string; error?: string; error_description?: string } | undefined;
    const status = answer.response.status;
    if (answer.response.ok && body?.access_token) return { accessToken: body.access_token, instanceUrl: (body.instance_url ?? this.options.instanceUrl).replace(/\/+$/, '') };
    const details: SalesforceErrorDetails = { operation, status, ...(body?.error ? { errorCode: body.error } : {}) };
    const message = body?.error_description ?? `HTTP ${status}`;
    if (status >= 500 || status === 429) throw new SalesforceUnavailableError(details, message);
    // invalid_client, invalid_grant (no run-as user), unsupported_grant_type (the flow not enabled): the stage's setup.
    throw new SalesforceAuthError(details, message);
  }
}

/** A record of an answer, `attributes` (type and URL) left out; null (not found) and anything without an Id → undefined. */
function asRecord(entry: unknown): SalesforceRecord | undefined {
  if (typeof entry !== 'object' || entry === null || typeof (entry as { Id?: unknown }).Id !== 'string') return undefined;
  const { attributes: _attributes, ...fields } = entry as Record<string, unknown>;
  return fields as SalesforceRecord;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

