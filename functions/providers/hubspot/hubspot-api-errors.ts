import { PermanentSyncError, RetryableSyncError } from '../../platform/errors';

/** What HubSpot said about a failed request (`{ status, message, category, correlationId }`). */
export interface HubspotErrorDetails {
  /** `POST /crm/v3/objects/deals/batch/read`: never carries the token. */
  operation: string;
  /** Undefined when no response came (network failure, timeout). */
  status: number | undefined;
  /** HubSpot's category (`RATE_LIMITS`, `OBJECT_NOT_FOUND`, `VALIDATION_ERROR`) or 429 policy (`TEN_SECONDLY_ROLLING`, `DAILY`). */
  category?: string;
  /** HubSpot's id of the failed request, for their support. */
  correlationId?: string;
}

function describe(details: HubspotErrorDetails, message: string): string {
  const status = details.status === undefined ? 'no response' : String(details.status);
  return `HubSpot ${details.operation}: ${status}${details.category ? ` ${details.category}` : ''}: ${message}`;
}

/** 401/403: a wrong or revoked private-app token, or one without the scope. */
export class HubspotAuthError extends PermanentSyncError {
  override name = 'HubspotAuthError';
  constructor(
    readonly details: HubspotErrorDetails,
    message: string,
  ) {
    super(describe(details, message));
  }
}

/** 400, 404 of a path, 409, 422: HubSpot refuses the request itself. */
export class HubspotRequestError extends PermanentSyncError {
  override name = 'HubspotRequestError';
  constructor(
    readonly details: HubspotErrorDetails,
    message: string,
  ) {
    super(describe(details, message));
  }
}

/** 429, 5xx, a network failure or a timeout that outlasted the client's bounded retries, or a rate wait past the deadline. */
export class HubspotUnavailableError extends RetryableSyncError {
  override name = 'HubspotUnavailableError';
  constructor(
    readonly details: HubspotErrorDetails,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(describe(details, message), options);
  }
}
