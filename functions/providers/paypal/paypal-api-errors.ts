import { PermanentSyncError, RetryableSyncError } from '../../platform/errors';

/** What PayPal said about a failed request (`{ name, message, debug_id, details }`). */
export interface PaypalErrorDetails {
  /** `GET /v2/payments/captures/X`: never carries a token or the client secret. */
  operation: string;
  /** Undefined when no response came (network failure, timeout). */
  status: number | undefined;
  /** PayPal's error name: `RESOURCE_NOT_FOUND`, `RATE_LIMIT_REACHED`, `invalid_client` (OAuth). */
  name?: string;
  /** PayPal's id of the failed request, for their support. */
  debugId?: string;
}

function describe(details: PaypalErrorDetails, message: string): string {
  const status = details.status === undefined ? 'no response' : String(details.status);
  return `PayPal ${details.operation}: ${status}${details.name ? ` ${details.name}` : ''}: ${message}`;
}

/** 401/403 (after one fresh token): wrong or revoked client credentials, or an app without the permission. */
export class PaypalAuthError extends PermanentSyncError {
  override name = 'PaypalAuthError';
  constructor(
    readonly details: PaypalErrorDetails,
    message: string,
  ) {
    super(describe(details, message));
  }
}

/** 400, 404 of a path, 422 and other refusals of the request itself. */
export class PaypalRequestError extends PermanentSyncError {
  override name = 'PaypalRequestError';
  constructor(
    readonly details: PaypalErrorDetails,
    message: string,
  ) {
    super(describe(details, message));
  }
}

/** 429, 5xx, a network failure or a timeout that outlasted the client's bounded retries: try again later. */
export class PaypalUnavailableError extends RetryableSyncError {
  override name = 'PaypalUnavailableError';
  constructor(
    readonly details: PaypalErrorDetails,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(describe(details, message), options);
  }
}
