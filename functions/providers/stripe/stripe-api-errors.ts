import { type ProviderApiErrorDetails, providerApiErrors } from '../../platform/provider-api-errors';

/** What Stripe said about a failed request (`{ error: { type, code, message, param } }`, `Request-Id`). */
export interface StripeErrorDetails extends ProviderApiErrorDetails {
  type?: string;
  code?: string;
  param?: string;
  requestId?: string;
}

const stripeApiErrors = providerApiErrors<StripeErrorDetails>({
  displayName: 'Stripe',
  kind: (details) => [details.type, details.code].filter(Boolean).join('/'),
});

/** 401/403: a wrong, revoked or restricted key. Retrying with the same key cannot help. */
export class StripeAuthError extends stripeApiErrors.AuthError {
  override name = 'StripeAuthError';
}

/** 400, 402, 409 and other refusals of the request itself (Stripe's message says why), or a list's 404. */
export class StripeRequestError extends stripeApiErrors.RequestError {
  override name = 'StripeRequestError';
}

/** 429, 5xx, a network failure or a timeout that outlasted the client's bounded retries: try again later. */
export class StripeUnavailableError extends stripeApiErrors.UnavailableError {
  override name = 'StripeUnavailableError';
}

export type StripeApiError = StripeAuthError | StripeRequestError | StripeUnavailableError;
