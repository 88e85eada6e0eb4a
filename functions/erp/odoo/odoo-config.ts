/**
 * Connection settings of one Odoo database, with the defaults fixed once.
 *
 * The protection settings (concurrency, rate, breaker) apply per Odoo database and per Lambda
 * container: every client built for the same url + database shares them (see database-guards.ts).
 */

export type OdooTransportChoice = 'auto' | 'jsonrpc' | 'json2';

export interface OdooRetrySettings {
  /** Attempts in all, the first one included. */
  maxAttempts: number;
  /** Ceiling of the first backoff; doubles per attempt (full jitter: the delay is random in [0, ceiling)). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** No retry starts once this much time has gone since the first attempt. */
  maxTotalMs: number;
}

export interface OdooBreakerSettings {
  /** Consecutive transient failures (timeouts, resets, 429, 5xx) that open the circuit. */
  failureThreshold: number;
  /** How long the circuit stays open before one trial call is let through. */
  openMs: number;
}

export interface OdooConnectionConfig {
  /** Base URL of the Odoo server, without a trailing slash: `https://erp.example.com`. */
  url: string;
  database: string;
  /** Login of the integration user (JSON-RPC authenticates with it; JSON-2 identifies the user by the key). */
  login: string;
  /** `auto` probes the server version once: JSON-2 from Odoo 19, JSON-RPC before. */
  transport: OdooTransportChoice;
  /** Bound of one HTTP exchange (request and response body). */
  timeoutMs: number;
  /** HTTP requests in flight toward this database from one container. */
  maxConcurrency: number;
  /** Sustained HTTP requests per second toward this database from one container (burst: one second's worth). */
  ratePerSecond: number;
  retry: OdooRetrySettings;
  breaker: OdooBreakerSettings;
}

/** What a caller must say; everything else has a default. */
export type OdooConnectionSettings = Pick<OdooConnectionConfig, 'url' | 'database' | 'login'> &
  Partial<Omit<OdooConnectionConfig, 'url' | 'database' | 'login' | 'retry' | 'breaker'>> & {
    retry?: Partial<OdooRetrySettings>;
    breaker?: Partial<OdooBreakerSettings>;
  };

export const DEFAULT_ODOO_CONNECTION: Omit<OdooConnectionConfig, 'url' | 'database' | 'login'> = {
  transport: 'auto',
  // An invoice post with many lines can take seconds on a busy server; beyond 15 s something is wrong.
  timeoutMs: 15_000,
  // Several flows run in the same container only through Promise.all batches; 4 keeps a worker pool of
  // a small Odoo (often 2–8 workers) usable by humans while the SQS MaximumConcurrency bounds the rest.
  maxConcurrency: 4,
  ratePerSecond: 10,
  retry: { maxAttempts: 4, baseDelayMs: 200, maxDelayMs: 5_000, maxTotalMs: 20_000 },
  breaker: { failureThreshold: 5, openMs: 30_000 },
};

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`Odoo config: ${name} must be a positive integer, got ${value}`);
  return value;
}

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`Odoo config: ${name} must be a non-negative number, got ${value}`);
  return value;
}

/** Fills the defaults and fails fast on a setting that cannot work. */
export function resolveOdooConfig(settings: OdooConnectionSettings): OdooConnectionConfig {
  const retry = { ...DEFAULT_ODOO_CONNECTION.retry, ...settings.retry };
  const breaker = { ...DEFAULT_ODOO_CONNECTION.breaker, ...settings.breaker };
  const transport = settings.transport ?? DEFAULT_ODOO_CONNECTION.transport;
  if (!['auto', 'jsonrpc', 'json2'].includes(transport)) throw new RangeError(`Odoo config: unknown transport ${String(transport)}`);
  let url: URL;
  try {
    url = new URL(settings.url);
  } catch {
    throw new RangeError(`Odoo config: url is not a URL: ${settings.url}`);
  }
  if (!settings.database) throw new RangeError('Odoo config: database is required');
  if (!settings.login) throw new RangeError('Odoo config: login is required');
  const ratePerSecond = settings.ratePerSecond ?? DEFAULT_ODOO_CONNECTION.ratePerSecond;
  if (!(ratePerSecond > 0)) throw new RangeError(`Odoo config: ratePerSecond must be > 0, got ${ratePerSecond}`);
  return {
    url: `${url.origin}${url.pathname}`.replace(/\/+$/, ''),
    database: settings.database,
    login: settings.login,
    transport,
    timeoutMs: positiveInteger('timeoutMs', settings.timeoutMs ?? DEFAULT_ODOO_CONNECTION.timeoutMs),
    maxConcurrency: positiveInteger('maxConcurrency', settings.maxConcurrency ?? DEFAULT_ODOO_CONNECTION.maxConcurrency),
    ratePerSecond,
    retry: {
      maxAttempts: positiveInteger('retry.maxAttempts', retry.maxAttempts),
      baseDelayMs: nonNegative('retry.baseDelayMs', retry.baseDelayMs),
      maxDelayMs: nonNegative('retry.maxDelayMs', retry.maxDelayMs),
      maxTotalMs: nonNegative('retry.maxTotalMs', retry.maxTotalMs),
    },
    breaker: {
      failureThreshold: positiveInteger('breaker.failureThreshold', breaker.failureThreshold),
      openMs: nonNegative('breaker.openMs', breaker.openMs),
    },
  };
}
