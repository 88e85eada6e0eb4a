import { type ProviderApiErrorDetails, providerApiErrors } from '../../platform/provider-api-errors';

/** What Zendesk said about a failed request (`{ error, description }` or `{ error: { title, message } }`). */
export interface ZendeskErrorDetails extends ProviderApiErrorDetails {
  /** Zendesk's error name (`RecordNotFound`, `RecordInvalid`, `Couldn't authenticate you`). */
  error?: string;
  /** A `RecordInvalid` whose `details.name` says the name is another record's (Zendesk's names are unique). */
  nameTaken?: boolean;
}

const zendeskApiErrors = providerApiErrors<ZendeskErrorDetails>({ displayName: 'Zendesk', kind: (details) => details.error });

/** 401/403: a wrong or revoked API token, or a user without the role. */
export class ZendeskAuthError extends zendeskApiErrors.AuthError {
  override name = 'ZendeskAuthError';
}

/** 400, 404, 409 after retries, 422: Zendesk refuses the request itself. */
export class ZendeskRequestError extends zendeskApiErrors.RequestError {
  override name = 'ZendeskRequestError';
}

/** 429, 5xx, a network failure or a timeout that outlasted the client's bounded retries, or a rate wait past the deadline. */
export class ZendeskUnavailableError extends zendeskApiErrors.UnavailableError {
  override name = 'ZendeskUnavailableError';
}
