import { type ProviderApiErrorDetails, providerApiErrors } from '../../platform/provider-api-errors';

/** What Salesforce said about a failed request (its error bodies are `[{ message, errorCode }]`). */
export interface SalesforceErrorDetails extends ProviderApiErrorDetails {
  /** Salesforce's `errorCode` (`INVALID_SESSION_ID`, `REQUEST_LIMIT_EXCEEDED`, `INVALID_FIELD`), or OAuth's `error`. */
  errorCode?: string;
}

const salesforceApiErrors = providerApiErrors<SalesforceErrorDetails>({ displayName: 'Salesforce', kind: (details) => details.errorCode });

/** The connected app's client credentials refused, a session refused after a fresh token, or a 403 other than the API limit. */
export class SalesforceAuthError extends salesforceApiErrors.AuthError {
  override name = 'SalesforceAuthError';
}

/** 400, 404 of a path, 405, 415: Salesforce refuses the request itself (an unknown field, a malformed query). */
export class SalesforceRequestError extends salesforceApiErrors.RequestError {
  override name = 'SalesforceRequestError';
}

/** 5xx, a network failure, a timeout that outlasted the bounded retries, or the org's 24-hour API allowance spent. */
export class SalesforceUnavailableError extends salesforceApiErrors.UnavailableError {
  override name = 'SalesforceUnavailableError';
}
