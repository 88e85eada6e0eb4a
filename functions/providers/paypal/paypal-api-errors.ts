import { type ProviderApiErrorDetails, providerApiErrors } from '../../platform/provider-api-errors';

/** What PayPal said about a failed request (`{ name, message, debug_id, details }`). */
export interface PaypalErrorDetails extends ProviderApiErrorDetails {
  /** PayPal's error name: `RESOURCE_NOT_FOUND`, `RATE_LIMIT_REACHED`, `invalid_client` (OAuth). */
  name?: string;
  /** PayPal's id of the failed request, for their support. */
  debugId?: string;
}

const paypalApiErrors = providerApiErrors<PaypalErrorDetails>({ displayName: 'PayPal', kind: (details) => details.name });

/** 401/403 (after one fresh token): wrong or revoked client credentials, or an app without the permission. */
export class PaypalAuthError extends paypalApiErrors.AuthError {
  override name = 'PaypalAuthError';
}

/** 400, 404 of a path, 422 and other refusals of the request itself. */
export class PaypalRequestError extends paypalApiErrors.RequestError {
  override name = 'PaypalRequestError';
}

/** 429, 5xx, a network failure or a timeout that outlasted the client's bounded retries: try again later. */
export class PaypalUnavailableError extends paypalApiErrors.UnavailableError {
  override name = 'PaypalUnavailableError';
}
