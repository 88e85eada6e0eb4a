import { PermanentSyncError, RetryableSyncError } from './errors';

/** What every provider's API client says about a failed request; a provider adds what its error bodies carry. */
export interface ProviderApiErrorDetails {
  /** `GET /v1/things/1`: the method and path, never a key or a token. */
  operation: string;
  /** Undefined when no response came (network failure, timeout). */
  status: number | undefined;
}

/** How one provider's failures read in a message: `<displayName> <operation>: <status> <kind>: <message>`. */
export interface ProviderApiErrorSource<D extends ProviderApiErrorDetails> {
  /** The provider as operators know it (the name on its dashboard). */
  displayName: string;
  /** What the provider's error body calls the failure (an error name, type or code), when it says. */
  kind(details: D): string | undefined;
}

/**
 * The three failures of one provider's API client, the same for every provider: a credential refused
 * (permanent), a request refused (permanent), the provider unavailable after the client's bounded retries
 * (retryable: the record goes back to its queue).
 *
 * The classes are abstract and leave `name` to the provider's module: each subclass sets its own as a literal
 * (`<Provider>AuthError`, …), because that name is the DLQ message's ErrorType that alarms, runbooks and
 * tests look for, and a bundler renames classes.
 */
export function providerApiErrors<D extends ProviderApiErrorDetails>(source: ProviderApiErrorSource<D>) {
  const describe = (details: D, message: string): string => {
    const status = details.status === undefined ? 'no response' : String(details.status);
    const kind = source.kind(details);
    return `${source.displayName} ${details.operation}: ${status}${kind ? ` ${kind}` : ''}: ${message}`;
  };

  /** 401/403: a wrong, revoked or under-privileged credential. Retrying with the same one cannot help. */
  abstract class AuthError extends PermanentSyncError {
    abstract override name: string;
    constructor(
      readonly details: D,
      message: string,
    ) {
      super(describe(details, message));
    }
  }

  /** 400, 404, 422 and other refusals of the request itself: the same request gets the same answer. */
  abstract class RequestError extends PermanentSyncError {
    abstract override name: string;
    constructor(
      readonly details: D,
      message: string,
    ) {
      super(describe(details, message));
    }
  }

  /** 429, 5xx, a network failure or a timeout that outlasted the client's bounded retries: try again later. */
  abstract class UnavailableError extends RetryableSyncError {
    abstract override name: string;
    constructor(
      readonly details: D,
      message: string,
      options?: { cause?: unknown },
    ) {
      super(describe(details, message), options);
    }
  }

  return { AuthError, RequestError, UnavailableError };
}
