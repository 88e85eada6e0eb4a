import type { OdooTransportKind } from './odoo-errors';

/**
 * Odoo arguments by name, as JSON-2 takes them (`ids`, `vals_list`, `vals`, `domain`, `fields`,
 * `limit`, `context`, ...). Operations are written once with them; the JSON-RPC transport maps
 * them onto positional `args` + `kwargs` (see jsonrpc-transport.ts).
 */
export type OdooParams = Record<string, unknown>;

/** The API key (a password also works over JSON-RPC), e.g. read from Secrets Manager and cached. */
export interface ApiKeyProvider {
  get(): Promise<string>;
  /** Forget the cached key: the next `get()` reads it again (a rotated key, without a deploy). */
  invalidate(): void;
}

export interface HttpRequest {
  /** What is counted and reported: `res.partner.write`, `common.authenticate`, `web.version`. */
  operation: string;
  method: 'GET' | 'POST';
  /** Path under the server URL: `/jsonrpc`, `/json/2/res.partner/write`. */
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON; `undefined` when the body is not JSON (an HTML error page from a proxy). */
  json: unknown;
  /** A short prefix of the raw body, for error messages only. */
  snippet: string;
}

/**
 * One HTTP exchange with the Odoo server, with the per-database protections applied (rate limit,
 * concurrency limit, timeout) and counted. Rejects with an `OdooTimeoutError` or
 * `OdooConnectionError`; any HTTP status resolves, for the transport to interpret.
 */
export type OdooHttp = (request: HttpRequest) => Promise<HttpResponse>;

export interface OdooTransport {
  readonly kind: OdooTransportKind;
  /**
   * Calls `model.method` with named params and returns Odoo's result, normalized across transports:
   * `create` always resolves to a list of ids. Rejects with an `OdooError`.
   */
  execute(model: string, method: string, params: OdooParams, apiKey: string, http: OdooHttp): Promise<unknown>;
  /** Drop what was derived from the current key (JSON-RPC caches the uid): called when the key is rejected. */
  forgetCredentials(): void;
}
