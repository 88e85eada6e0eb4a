import { type ProviderApiErrorDetails, providerApiErrors } from '../../platform/provider-api-errors';

/** What HubSpot said about a failed request (`{ status, message, category, correlationId }`). */
export interface HubspotErrorDetails extends ProviderApiErrorDetails {
  /** HubSpot's category (`RATE_LIMITS`, `OBJECT_NOT_FOUND`, `VALIDATION_ERROR`) or 429 policy (`TEN_SECONDLY_ROLLING`, `DAILY`). */
  category?: string;
  /** HubSpot's id of the failed request, for their support. */
  correlationId?: string;
}

const hubspotApiErrors = providerApiErrors<HubspotErrorDetails>({ displayName: 'HubSpot', kind: (details) => details.category });

/** 401/403: a wrong or revoked private-app token, or one without the scope. */
export class HubspotAuthError extends hubspotApiErrors.AuthError {
  override name = 'HubspotAuthError';
}

/** 400, 404 of a path, 409, 422: HubSpot refuses the request itself. */
export class HubspotRequestError extends hubspotApiErrors.RequestError {
  override name = 'HubspotRequestError';
}

/** 429, 5xx, a network failure or a timeout that outlasted the client's bounded retries, or a rate wait past the deadline. */
export class HubspotUnavailableError extends hubspotApiErrors.UnavailableError {
  override name = 'HubspotUnavailableError';
}
