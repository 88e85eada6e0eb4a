import { PermanentSyncError, RetryableSyncError } from '../../platform/errors';

/** What Stripe said about a failed request (`{ error: { type, code, message, param } }`, `Request-Id`). */
export interface StripeErrorDetails {
  /** `GET /v1/invoices/in_1`: never carries the key. */
  operation: string;
  /** Undefined when no response came (network failure, timeout). */
  status: number | undefined;
  type?: string;
  code?: string;
  param?: string;
  requestId?: string;
}

function describe(details: StripeErrorDetails, message: string): string {
  const status = details.status === undefined ? 'no response' : String(details.status);
  const kind = [details.type, details.code].filter(Boolean).join('/');
  return `Stripe ${details.operation}: ${status}${kind ? ` ${kind}` : ''}: ${message}`;
}

/** 401/403: a wrong, revoked or restricted key. Retrying with the same key cannot help. */
export class StripeAuthError extends PermanentSyncError {
  override name = 'StripeAuthError';
  constructor(
    readonly details: StripeErrorDetails,
    message: string,
  ) {
    super(describe(details, message));
  }
}

/** 400, 402, 409 and other refusals of the request itself (Stripe's message says why), or a list's 404. */
export class StripeRequestError extends PermanentSyncError {
  override name = 'StripeRequestError';
  constructor(
    readonly details: StripeErrorDetails,
    message: string,
  ) {
    super(describe(details, message));
  }
}

/** 429, 5xx, a network failure or a timeout that outlasted the client's bounded retries: try again later. */
export class StripeUnavailableError extends RetryableSyncError {
  override name = 'StripeUnavailableError';
  constructor(
    readonly details: StripeErrorDetails,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(describe(details, message), options);
  }
}

export type StripeApiError = StripeAuthError | StripeRequestError | StripeUnavailableError;
