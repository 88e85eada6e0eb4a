/**
 * One taxonomy for every way an Odoo call can fail, whatever the transport.
 *
 * - `OdooPermanentError`: retrying the same call cannot succeed (bad data, Odoo validation, missing
 *   record, unknown model/field, rejected credentials). Flows send the message to the DLQ at once,
 *   with `message` (Odoo's own text) as the reason.
 * - `OdooRetryableError`: the server or the network failed for a while (timeout, reset, 429, 502–504,
 *   PostgreSQL serialization failure). The client retries with backoff; past its budget, the flow lets
 *   SQS redeliver.
 *
 * Built from Odoo's payload: JSON-RPC answers HTTP 200 with `error.data.name` = the Python exception
 * class; JSON-2 answers a real status with a body `{ name, message, arguments, context, debug }`.
 * The traceback (`debug`) is dropped on purpose: it may hold record values (PII) and is useless in a DLQ.
 */

export type OdooTransportKind = 'jsonrpc' | 'json2';

export interface OdooErrorDetails {
  /** The Python exception class Odoo reported (`odoo.exceptions.ValidationError`). */
  odooName?: string;
  /** HTTP status of the response, when there was one. */
  status?: number;
  model?: string;
  method?: string;
  transport?: OdooTransportKind;
  cause?: unknown;
}

export abstract class OdooError extends Error {
  // Every class sets its name as a literal: minified bundles rename classes, and `name` ends up in
  // DLQ reasons and metrics.
  override name = 'OdooError';
  abstract readonly retryable: boolean;
  /** Worth paging someone: retrying or redriving will not fix it (credentials, rights, configuration). */
  readonly alarming: boolean = false;
  readonly odooName: string | undefined;
  readonly status: number | undefined;
  readonly model: string | undefined;
  readonly method: string | undefined;
  readonly transport: OdooTransportKind | undefined;

  constructor(message: string, details: OdooErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.odooName = details.odooName;
    this.status = details.status;
    this.model = details.model;
    this.method = details.method;
    this.transport = details.transport;
  }
}

// ---------------------------------------------------------------------------------------------
// Permanent
// ---------------------------------------------------------------------------------------------

/** Retrying cannot help. Also used as is for an Odoo exception class this client does not know. */
export class OdooPermanentError extends OdooError {
  override name = 'OdooPermanentError';
  readonly retryable = false;
}

export type OdooAccessFailure = 'authentication' | 'authorization';

/**
 * The key or login is rejected (`authentication`: AccessDenied, HTTP 401), or the integration user
 * lacks a right (`authorization`: AccessError, HTTP 403). The client re-reads the key once on an
 * authentication failure before raising this.
 */
export class OdooAccessError extends OdooPermanentError {
  override name = 'OdooAccessError';
  override readonly alarming = true;
  readonly failure: OdooAccessFailure;
  constructor(message: string, failure: OdooAccessFailure, details: OdooErrorDetails = {}) {
    super(message, details);
    this.failure = failure;
  }
}

/** A constraint refused the data (`ValidationError`, e.g. a duplicate external id). */
export class OdooValidationError extends OdooPermanentError {
  override name = 'OdooValidationError';
}
/** A business rule refused the action (`UserError`, e.g. posting an invoice twice or without lines). */
export class OdooUserError extends OdooPermanentError {
  override name = 'OdooUserError';
}
/** The record does not exist or was deleted (`MissingError`). */
export class OdooMissingError extends OdooPermanentError {
  override name = 'OdooMissingError';
}
/** Odoo rejected a value (`ValueError`). */
export class OdooValueError extends OdooPermanentError {
  override name = 'OdooValueError';
}
/** A field the model does not have: the mapping and the Odoo modules disagree. */
export class OdooUnknownFieldError extends OdooValueError {
  override name = 'OdooUnknownFieldError';
  override readonly alarming = true;
}
/** A model that does not exist on the server (a module is not installed). */
export class OdooUnknownModelError extends OdooPermanentError {
  override name = 'OdooUnknownModelError';
  override readonly alarming = true;
}
/** A method the model does not have (JSON-2 404). */
export class OdooUnknownMethodError extends OdooPermanentError {
  override name = 'OdooUnknownMethodError';
  override readonly alarming = true;
}
/** The server could not read the arguments (JSON-2 422 `UnprocessableEntity`, HTTP 400). */
export class OdooBadRequestError extends OdooPermanentError {
  override name = 'OdooBadRequestError';
}
/** The response is not what an Odoo server sends (HTML from a proxy, wrong URL, bad JSON). */
export class OdooProtocolError extends OdooPermanentError {
  override name = 'OdooProtocolError';
  override readonly alarming = true;
}

// ---------------------------------------------------------------------------------------------
// Retryable
// ---------------------------------------------------------------------------------------------

export interface OdooRetryableDetails extends OdooErrorDetails {
  /**
   * The server may have committed the call before the failure reached us (a timeout, a reset after
   * sending, a gateway timeout). The client then retries only idempotent calls: a second `create`
   * could duplicate an invoice.
   */
  mayHaveApplied?: boolean;
  /** Server-advised wait (`Retry-After`). */
  retryAfterMs?: number;
}

export class OdooRetryableError extends OdooError {
  override name = 'OdooRetryableError';
  readonly retryable = true;
  readonly mayHaveApplied: boolean;
  readonly retryAfterMs: number | undefined;
  constructor(message: string, details: OdooRetryableDetails = {}) {
    super(message, details);
    this.mayHaveApplied = details.mayHaveApplied ?? false;
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** PostgreSQL serialization failure / deadlock / lock timeout: the transaction was rolled back. */
export class OdooSerializationError extends OdooRetryableError {
  override name = 'OdooSerializationError';
}
/** HTTP 429. */
export class OdooRateLimitedError extends OdooRetryableError {
  override name = 'OdooRateLimitedError';
}
/** HTTP 502/503/504 (or a 5xx without an Odoo body), the database unreachable from Odoo. */
export class OdooUnavailableError extends OdooRetryableError {
  override name = 'OdooUnavailableError';
}
/** No complete answer within `timeoutMs`. */
export class OdooTimeoutError extends OdooRetryableError {
  override name = 'OdooTimeoutError';
}
/** Connection refused, reset, DNS failure. */
export class OdooConnectionError extends OdooRetryableError {
  override name = 'OdooConnectionError';
}
/**
 * The circuit breaker of this database is open: the call was not sent. Retryable later (SQS
 * redelivery); the client does not retry it itself, failing fast is the point.
 */
export class OdooCircuitOpenError extends OdooRetryableError {
  override name = 'OdooCircuitOpenError';
}

// ---------------------------------------------------------------------------------------------
// Classification
// ---------------------------------------------------------------------------------------------

const SERIALIZATION_NAME = /SerializationFailure|TransactionRollbackError|DeadlockDetected|LockNotAvailable|ConcurrencyError/;
const SERIALIZATION_MESSAGE = /could not serialize access|deadlock detected|concurrent update/i;
/**
 * Two documents posted at once in one journal can draw the same sequence number: the loser's commit breaks
 * the unique index on `account.move.name`, which Odoo reports as a ValidationError with its constraint's
 * message (in the API user's language: the README asks for an English integration user). A retry draws the
 * next number, so it is a concurrency failure, not bad data.
 */
const CONCURRENT_SEQUENCE_MESSAGE = /Another entry with the same name already exists/;

/**
 * The error for an Odoo exception class and its message; `undefined` when the class says nothing
 * this client can act on (the caller then falls back on the HTTP status).
 */
export function odooErrorFromName(name: string, message: string, details: OdooErrorDetails): OdooError | undefined {
  const d = { ...details, odooName: name };
  if (SERIALIZATION_NAME.test(name) || SERIALIZATION_MESSAGE.test(message) || CONCURRENT_SEQUENCE_MESSAGE.test(message)) return new OdooSerializationError(message, d);
  switch (name) {
    case 'odoo.exceptions.AccessDenied':
    case 'odoo.http.SessionExpiredException':
    case 'werkzeug.exceptions.Unauthorized':
      return new OdooAccessError(message, 'authentication', d);
    case 'odoo.exceptions.AccessError':
    case 'werkzeug.exceptions.Forbidden':
      return new OdooAccessError(message, 'authorization', d);
    case 'odoo.exceptions.ValidationError':
      return new OdooValidationError(message, d);
    case 'odoo.exceptions.MissingError':
      return new OdooMissingError(message, d);
    case 'odoo.exceptions.UserError':
    case 'odoo.exceptions.RedirectWarning':
      // JSON-RPC reports an unknown model as a UserError "Object x.y doesn't exist".
      if (/^Object \S+ doesn't exist/.test(message)) return new OdooUnknownModelError(message, d);
      return new OdooUserError(message, d);
    case 'builtins.ValueError':
      if (/^Invalid field /.test(message)) return new OdooUnknownFieldError(message, d);
      return new OdooValueError(message, d);
    case 'werkzeug.exceptions.NotFound':
      if (/^the model /i.test(message)) return new OdooUnknownModelError(message, d);
      if (/^the method /i.test(message)) return new OdooUnknownMethodError(message, d);
      return undefined;
    case 'werkzeug.exceptions.UnprocessableEntity':
    case 'werkzeug.exceptions.BadRequest':
      return new OdooBadRequestError(message, d);
    case 'werkzeug.exceptions.TooManyRequests':
      return new OdooRateLimitedError(message, d);
    case 'werkzeug.exceptions.ServiceUnavailable':
      return new OdooUnavailableError(message, d);
    case 'psycopg2.OperationalError':
    case 'psycopg2.errors.AdminShutdown':
      // Odoo lost its database: nothing was committed.
      return new OdooUnavailableError(message, d);
    default:
      return undefined;
  }
}

/**
 * The error for the rows `load()` refused. `load()` does not raise: it catches every database error per row
 * (a serialization failure under concurrent posting included: "could not serialize access due to concurrent
 * update", or "Unknown database error" once the transaction is aborted), rolls the whole call back and returns
 * the messages. A concurrency failure among them makes the call retryable like the same failure raised by any
 * other method; anything else is the data's fault.
 */
export function odooErrorFromLoadMessages(messages: ReadonlyArray<{ message?: string; field?: string }>, fallback: string, details: OdooErrorDetails): OdooError {
  const text = messages.map((message) => (message.field ? `${message.field}: ${message.message}` : message.message)).join('; ') || fallback;
  const d = { ...details, method: 'load' };
  if (messages.some((message) => SERIALIZATION_MESSAGE.test(message.message ?? '') || /current transaction is aborted/i.test(message.message ?? ''))) {
    return new OdooSerializationError(text, d);
  }
  return new OdooValidationError(text, d);
}

/** The failure of a move whose sequence number another move took (see CONCURRENT_SEQUENCE_MESSAGE). */
export function isSequenceNumberTaken(error: unknown): boolean {
  return error instanceof OdooSerializationError && CONCURRENT_SEQUENCE_MESSAGE.test(error.message);
}

/** Seconds or HTTP date, as `Retry-After` allows. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

export interface HttpFailure {
  status: number;
  /** A short, safe description of the body (not the body itself). */
  message: string;
  retryAfterMs?: number;
  /** The Odoo exception class, when the body said. */
  odooName?: string;
}

/** The error for an HTTP status whose body did not name a known Odoo exception. */
export function odooErrorFromStatus(failure: HttpFailure, details: OdooErrorDetails): OdooError {
  const { status, message } = failure;
  const d: OdooRetryableDetails = { ...details, status, odooName: failure.odooName, retryAfterMs: failure.retryAfterMs };
  if (status === 401) return new OdooAccessError(message, 'authentication', d);
  if (status === 403) return new OdooAccessError(message, 'authorization', d);
  if (status === 408) return new OdooTimeoutError(message, { ...d, mayHaveApplied: true });
  if (status === 409) return new OdooSerializationError(message, d);
  if (status === 429) return new OdooRateLimitedError(message, d);
  // 503: the server refused the work; 502/504/500 without an Odoo body: a proxy lost the answer,
  // the server may have done the work.
  if (status === 503) return new OdooUnavailableError(message, d);
  if (status >= 500 && failure.odooName === undefined) return new OdooUnavailableError(message, { ...d, mayHaveApplied: true });
  if (status === 404 && failure.odooName === undefined) return new OdooProtocolError(message, d);
  return new OdooPermanentError(message, d);
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** The error for a JSON-RPC `error` member (HTTP 200). */
export function odooErrorFromJsonRpc(error: unknown, details: OdooErrorDetails): OdooError {
  const e = asRecord(error);
  const data = asRecord(e?.data);
  const name = typeof data?.name === 'string' ? data.name : undefined;
  const message =
    (typeof data?.message === 'string' && data.message) || (typeof e?.message === 'string' && e.message) || 'Odoo Server Error';
  const known = name === undefined ? undefined : odooErrorFromName(name, message, { ...details, transport: 'jsonrpc' });
  if (known) return known;
  // Odoo's own JSON-RPC codes: 100 = session expired, 404 = route not found.
  if (e?.code === 100) return new OdooAccessError(message, 'authentication', { ...details, odooName: name, transport: 'jsonrpc' });
  return new OdooPermanentError(message, { ...details, odooName: name, transport: 'jsonrpc' });
}

/** The error for a JSON-2 response with a non-2xx status. */
export function odooErrorFromJson2(status: number, body: unknown, retryAfterMs: number | undefined, details: OdooErrorDetails): OdooError {
  const b = asRecord(body);
  const name = typeof b?.name === 'string' ? b.name : undefined;
  const message = typeof b?.message === 'string' && b.message ? b.message : `HTTP ${status}`;
  const d: OdooErrorDetails = { ...details, status, transport: 'json2' };
  const known = name === undefined ? undefined : odooErrorFromName(name, message, d);
  if (known) {
    if (known instanceof OdooRetryableError && retryAfterMs !== undefined) {
      return Object.assign(known, { retryAfterMs });
    }
    return known;
  }
  return odooErrorFromStatus({ status, message, odooName: name, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) }, d);
}

/** A `fetch` rejection: the request may or may not have reached the server. */
export function odooErrorFromNetwork(cause: unknown, details: OdooErrorDetails): OdooError {
  const code = networkCode(cause);
  // Refused, unknown host: the request never left; anything else (reset, socket closed) is ambiguous.
  const neverSent = code !== undefined && ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT'].includes(code);
  const text = code ?? (cause instanceof Error ? cause.message : 'network failure');
  return new OdooConnectionError(`Odoo unreachable: ${text}`, { ...details, cause, mayHaveApplied: !neverSent });
}

function networkCode(cause: unknown): string | undefined {
  for (let c: unknown = cause, depth = 0; c && depth < 4; c = (c as { cause?: unknown }).cause, depth++) {
    const code = (c as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}
