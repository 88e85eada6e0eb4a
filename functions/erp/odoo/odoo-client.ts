import { breakerOutcomeOf } from './circuit-breaker';
import { DeadlineSignals } from './deadline-signals';
import { type DatabaseGuards, guardsFor } from './database-guards';
import { Json2Transport } from './json2-transport';
import { JsonRpcTransport } from './jsonrpc-transport';
import { type OdooClock, systemClock } from './odoo-clock';
import { type OdooConnectionConfig, type OdooConnectionSettings, resolveOdooConfig } from './odoo-config';
import {
  OdooAccessError,
  OdooCircuitOpenError,
  odooErrorFromNetwork,
  OdooTimeoutError,
  type OdooTransportKind,
} from './odoo-errors';
import type { ApiKeyProvider, HttpRequest, HttpResponse, OdooHttp, OdooParams, OdooTransport } from './odoo-transport';
import { backoffDelayMs, isWorthRetrying } from './retry-policy';
import { detectTransport } from './transport-detection';

/** One HTTP exchange with Odoo, for metrics (one CloudWatch datapoint per operation). */
export interface OdooCallEvent {
  /** `res.partner.write`, `account.move.action_post`, `common.authenticate`, `web.version`, ... */
  operation: string;
  /** `undefined` when no response came (timeout, reset). */
  status: number | undefined;
  durationMs: number;
  /** Error class name when the exchange itself failed (`OdooTimeoutError`, `OdooConnectionError`). */
  failure?: string;
}

export interface OdooClientOptions {
  connection: OdooConnectionSettings;
  apiKey: ApiKeyProvider;
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Defaults to the system clock; tests inject `now`/`sleep`/`random`. */
  clock?: Partial<OdooClock>;
  /** Called after every HTTP exchange. Must not throw. */
  onCall?: (event: OdooCallEvent) => void;
}

export interface OdooCallOptions {
  /**
   * Whether repeating the call after an ambiguous failure (timeout, reset, gateway timeout) is
   * harmless. Defaults per method: reads, `load` and `write` without create commands are;
   * `create`, `message_post`, `action_*`/`button_*` are not.
   */
  idempotent?: boolean;
}

const IDEMPOTENT_METHODS = new Set(['read', 'search', 'search_read', 'search_count', 'read_group', 'fields_get', 'name_search', 'load']);

/** `(0, 0, vals)` creates a line on every call; every other x2many command is idempotent. */
function hasCreateCommand(vals: unknown): boolean {
  if (typeof vals !== 'object' || vals === null) return false;
  return Object.values(vals).some((value) => Array.isArray(value) && value.some((command) => Array.isArray(command) && command[0] === 0));
}

export function isIdempotentByDefault(method: string, params: OdooParams): boolean {
  if (IDEMPOTENT_METHODS.has(method)) return true;
  if (method === 'write') return !hasCreateCommand(params.vals);
  return false;
}

/**
 * The Odoo client: one call = `call(model, method, namedParams)`, whatever the transport.
 *
 * Each call: circuit breaker (fail fast) → transport (probed once per database when `auto`) →
 * per HTTP request: token bucket, semaphore, timeout → Odoo error taxonomy → retries with full-jitter
 * backoff for retryable errors, bounded by attempts and total time. An authentication failure makes
 * it re-read the API key once.
 */
export class OdooClient {
  readonly config: OdooConnectionConfig;
  private readonly apiKey: ApiKeyProvider;
  private readonly fetchImpl: typeof fetch;
  private readonly clock: OdooClock;
  private readonly onCall: ((event: OdooCallEvent) => void) | undefined;
  private readonly guards: DatabaseGuards;
  private readonly counts = new Map<string, number>();
  private readonly transports = new Map<OdooTransportKind, OdooTransport>();
  private readonly deadlines: DeadlineSignals;

  constructor(options: OdooClientOptions) {
    this.config = resolveOdooConfig(options.connection);
    this.apiKey = options.apiKey;
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.clock = { ...systemClock, ...options.clock };
    this.onCall = options.onCall;
    this.guards = guardsFor(this.config, this.clock);
    // Timeouts are exact to within 1% (or 50 ms for short ones) of the configured value.
    this.deadlines = new DeadlineSignals(this.config.timeoutMs, Math.min(50, Math.ceil(this.config.timeoutMs / 100)) || 1, () => this.clock.now());
  }

  /** HTTP requests sent by this client, per operation (`res.partner.write`: 3). */
  callCounts(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  resetCallCounts(): void {
    this.counts.clear();
  }

  /** The transport in use (probing the server when configured `auto`). */
  async transportKind(): Promise<OdooTransportKind> {
    return (await this.transport()).kind;
  }

  /**
   * Calls `model.method` with named params (`ids`, `vals_list`, `vals`, `domain`, `fields`, `context`, ...).
   * `create` resolves to a list of ids on both transports. Rejects with an `OdooError`.
   */
  async call<T = unknown>(model: string, method: string, params: OdooParams = {}, options: OdooCallOptions = {}): Promise<T> {
    const idempotent = options.idempotent ?? isIdempotentByDefault(method, params);
    const { retry } = this.config;
    const startedAt = this.clock.now();
    for (let attempt = 1; ; attempt++) {
      try {
        return (await this.attempt(model, method, params)) as T;
      } catch (error) {
        // An open circuit fails fast: waiting here would hold the Lambda and the SQS batch.
        if (error instanceof OdooCircuitOpenError) throw error;
        if (!isWorthRetrying(error, idempotent) || attempt >= retry.maxAttempts) throw error;
        const delay = backoffDelayMs(attempt, retry, () => this.clock.random(), error.retryAfterMs);
        if (this.clock.now() - startedAt + delay > retry.maxTotalMs) throw error;
        await this.clock.sleep(delay);
      }
    }
  }

  private async attempt(model: string, method: string, params: OdooParams): Promise<unknown> {
    const pass = this.guards.breaker.pass({ model, method });
    try {
      const transport = await this.transport();
      const result = await this.executeWithKeyRefresh(transport, model, method, params);
      this.guards.breaker.record(pass, 'healthy');
      return result;
    } catch (error) {
      this.guards.breaker.record(pass, breakerOutcomeOf(error));
      throw error;
    }
  }

  /** A rotated key is picked up without a deploy: on an authentication failure, re-read it once. */
  private async executeWithKeyRefresh(transport: OdooTransport, model: string, method: string, params: OdooParams): Promise<unknown> {
    const key = await this.apiKey.get();
    try {
      return await transport.execute(model, method, params, key, this.http);
    } catch (error) {
      if (!(error instanceof OdooAccessError && error.failure === 'authentication')) throw error;
      this.apiKey.invalidate();
      transport.forgetCredentials();
      const fresh = await this.apiKey.get();
      // Same key: asking again would only add a failed login (Odoo throttles those).
      if (fresh === key) throw error;
      return await transport.execute(model, method, params, fresh, this.http);
    }
  }

  private async transport(): Promise<OdooTransport> {
    const choice = this.config.transport;
    if (choice !== 'auto') return this.transportOf(choice);
    let detected = this.guards.detected;
    if (!detected) {
      detected = detectTransport(this.http);
      this.guards.detected = detected;
      const probe = detected;
      // A failed probe is not cached: the next call probes again.
      probe.catch(() => {
        if (this.guards.detected === probe) this.guards.detected = undefined;
      });
    }
    return this.transportOf((await detected).kind);
  }

  private transportOf(kind: OdooTransportKind): OdooTransport {
    let transport = this.transports.get(kind);
    if (!transport) {
      transport =
        kind === 'json2' ? new Json2Transport(this.config.database) : new JsonRpcTransport(this.config.database, this.config.login, this.guards.uids);
      this.transports.set(kind, transport);
    }
    return transport;
  }

  /** One HTTP exchange under the database's rate limit, concurrency limit and a timeout. */
  private readonly http: OdooHttp = async (request: HttpRequest): Promise<HttpResponse> => {
    await this.guards.bucket.take();
    const release = await this.guards.semaphore.acquire();
    const signal = this.deadlines.signal();
    const startedAt = this.clock.now();
    let status: number | undefined;
    let failure: string | undefined;
    this.counts.set(request.operation, (this.counts.get(request.operation) ?? 0) + 1);
    try {
      const response = await this.fetchImpl(`${this.config.url}${request.path}`, {
        method: request.method,
        headers: request.headers,
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal,
      });
      status = response.status;
      // Reading the body is part of the exchange: the timeout covers it.
      const text = await response.text();
      let json: unknown;
      try {
        json = text === '' ? undefined : JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status, headers: response.headers, json, snippet: text.slice(0, 200) };
    } catch (error) {
      const [model, method] = splitOperation(request.operation);
      const odooError = signal.aborted
        ? new OdooTimeoutError(`No complete answer from Odoo within ${this.config.timeoutMs} ms (${request.operation})`, {
            model,
            method,
            mayHaveApplied: true,
            cause: error,
          })
        : odooErrorFromNetwork(error, { model, method });
      failure = odooError.name;
      throw odooError;
    } finally {
      release();
      this.onCall?.({ operation: request.operation, status, durationMs: this.clock.now() - startedAt, ...(failure ? { failure } : {}) });
    }
  };
}

function splitOperation(operation: string): [string | undefined, string | undefined] {
  const dot = operation.lastIndexOf('.');
  return dot < 0 ? [undefined, operation] : [operation.slice(0, dot), operation.slice(dot + 1)];
}
