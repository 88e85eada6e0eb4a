import type { CanonicalEvent } from '../../events/catalog';

export interface WebhookRequest {
  readonly body: string | null;
  readonly isBase64Encoded: boolean;
  /** Header names as received; looked up case-insensitively. */
  readonly headers: Readonly<Record<string, string | undefined>>;
}

export interface WebhookResponse {
  readonly statusCode: number;
  readonly body: string;
}

/**
 * What a provider module tells the receiver about its webhooks: how a request is signed and how its body
 * becomes canonical events. Everything else (size limit, raw body, secret refresh, status codes, the rejected
 * events queue, metrics) is the same for every provider and lives here.
 */
export interface ProviderWebhook {
  /** The provider's name (capitalized): it names the metrics (`<Name>Webhook<Outcome>`), the log lines and the rejected message's attributes. */
  readonly name: string;
  /**
   * Checks the signature of the raw body, as received. `refresh` asks for freshly read credentials (a secret
   * rotated since it was cached); the receiver asks at most once a minute, after a check that says they may be stale.
   */
  verify(request: SignedRequest, refresh: boolean): Promise<SignatureCheck>;
  /**
   * The verified body (parsed JSON) → what to do with it. Throws only for a bug: every bad input is a `Translation`.
   * Asynchronous for a provider whose events are thin and must be completed by a read of its API before they can
   * become canonical events (a read that fails for now is `unavailable`).
   */
  translate(body: unknown): Translation | Promise<Translation>;
}

export interface SignedRequest {
  readonly rawBody: string;
  /** A header by its lower-case name. */
  header(name: string): string | undefined;
  readonly nowSeconds: number;
}

/**
 * A failed check refuses the request with `statusCode`: 401 by default; a provider whose check needs what it
 * cannot reach now (a signing certificate it fetches) says 503 so that the provider delivers again, and one whose
 * signature headers are unreadable says 400.
 */
export type SignatureCheck = { valid: true } | { valid: false; reason: string; credentialsMayBeStale: boolean; statusCode?: 400 | 401 | 503 };

/** The provider's own id and type of an event, for logs and the rejected events queue. */
export interface ProviderEventAbout {
  readonly id: string;
  readonly type: string;
}

export type Translation =
  /** Not an event of this provider at all: 400. */
  | { readonly kind: 'not-an-event'; readonly issue: string }
  /** An event we do not handle: 200 so that the provider stops retrying, counted. */
  | { readonly kind: 'ignored'; readonly about: ProviderEventAbout; readonly reason: string }
  /** An event of a handled type that can never be applied as it is: set aside whole with the reason. */
  | { readonly kind: 'set-aside'; readonly about: ProviderEventAbout; readonly outcome: 'RejectedApiVersion' | 'RejectedMalformed'; readonly reason: string }
  /**
   * The canonical events of the body. A body holding several provider events (a batch) may leave some out: each
   * is counted and logged with why (`skipped`), never silently.
   */
  | { readonly kind: 'mapped'; readonly about: ProviderEventAbout; readonly events: CanonicalEvent[]; readonly skipped?: readonly SkippedEvent[] }
  /** What the translation must read from the provider cannot be read now (throttled, down): 503, the provider delivers again. */
  | { readonly kind: 'unavailable'; readonly about: ProviderEventAbout; readonly reason: string };

/**
 * What one provider event becomes: its canonical events, or none and why (a type we do not handle, an object
 * gone since). A provider's translation turns the reason into an `ignored` answer or a `skipped` entry.
 */
export type MappingResult = { handled: true; events: CanonicalEvent[] } | { handled: false; reason: string };

/** A provider event that becomes these canonical events. */
export function mapped(...events: CanonicalEvent[]): MappingResult {
  return { handled: true, events };
}

/** A provider event of a batch that becomes no canonical event, and why. */
export interface SkippedEvent {
  readonly about: ProviderEventAbout;
  /**
   * `Ignored`: a type or object we do not handle. `DroppedOwnWrite`: a change the integration itself wrote to the
   * provider, which must not come back as a change (a write-back loop).
   */
  readonly outcome: 'Ignored' | 'DroppedOwnWrite';
  readonly reason: string;
}

/** What the use case needs from the outside world, so it can be tested without AWS. */
export interface WebhookPorts {
  readonly publish: (events: readonly CanonicalEvent[]) => Promise<void>;
  /**
   * Sets aside a well-signed event that can never be applied (another API version, an object that
   * fails the mapping schema), with the reason, for an operator to look at and replay.
   */
  readonly reject: (rawBody: string, rejection: Rejection) => Promise<void>;
  readonly nowSeconds: () => number;
  readonly maxBodyBytes: number;
  /** Counts an outcome as a metric (`<Provider>Webhook<Outcome>`) and logs why, never the body. */
  readonly record: (outcome: WebhookOutcome, detail: Record<string, unknown>) => void;
}

export interface Rejection {
  readonly reason: string;
  readonly about: ProviderEventAbout;
}

export type WebhookOutcome =
  | 'Accepted'
  | 'Ignored'
  | 'DroppedOwnWrite'
  | 'SourceUnavailable'
  | 'RejectedSignature'
  | 'SignatureUnverifiable'
  | 'RejectedTooLarge'
  | 'RejectedBadRequest'
  | 'RejectedApiVersion'
  | 'RejectedMalformed'
  | 'PublishFailed'
  | 'RejectFailed';

/** A re-read of the secret after a mismatch happens at most this often, so forged requests cannot flood Secrets Manager. */
const SECRET_REFRESH_INTERVAL_SECONDS = 60;

/**
 * Receives one provider webhook: size limit, signature on the raw body, parse, translate, publish.
 * Every rejection happens before anything is published. Event types we do not handle get 200 so
 * that the provider does not retry them, and are counted.
 *
 * A signed event of a handled type that can never be applied as it is (rendered in another API version
 * than the mappings are written for, or whose object fails the mapping schema) is acknowledged with 200
 * as well, since a retry would deliver the same bytes, and goes whole to the rejected events queue with
 * its reason: never half-applied, never lost silently.
 */
export function createWebhookReceiver(provider: ProviderWebhook, ports: WebhookPorts) {
  let lastRefreshAt = Number.NEGATIVE_INFINITY;
  // `<name>EventId` (camel case): the log keys name the provider, as an operator searching the logs expects.
  const logKey = provider.name.charAt(0).toLowerCase() + provider.name.slice(1);
  const describe = (about: ProviderEventAbout) => ({ [`${logKey}EventId`]: about.id, [`${logKey}EventType`]: about.type });

  async function verify(rawBody: string, headers: WebhookRequest['headers']) {
    const check = (refresh: boolean) =>
      provider.verify({ rawBody, header: (name) => header(headers, name), nowSeconds: ports.nowSeconds() }, refresh);
    const first = await check(false);
    if (first.valid || !first.credentialsMayBeStale) return first;
    // The secret may have been rolled since it was cached: read it again, at most once a minute.
    if (ports.nowSeconds() - lastRefreshAt < SECRET_REFRESH_INTERVAL_SECONDS) return first;
    lastRefreshAt = ports.nowSeconds();
    return check(true);
  }

  return async function receive(request: WebhookRequest): Promise<WebhookResponse> {
    if (request.body === null || request.body === '') {
      return reject(400, 'RejectedBadRequest', 'empty body', {});
    }
    const raw = request.isBase64Encoded ? Buffer.from(request.body, 'base64') : Buffer.from(request.body, 'utf8');
    if (raw.byteLength > ports.maxBodyBytes) {
      return reject(413, 'RejectedTooLarge', `body over ${ports.maxBodyBytes} bytes`, { bytes: raw.byteLength });
    }
    const rawBody = raw.toString('utf8');

    const signature = await verify(rawBody, request.headers);
    if (!signature.valid) {
      if (signature.statusCode === 503) return reject(503, 'SignatureUnverifiable', 'could not verify the signature now; retry later', { reason: signature.reason });
      return reject(signature.statusCode ?? 401, 'RejectedSignature', 'invalid signature', { reason: signature.reason });
    }

    let json: unknown;
    try {
      json = JSON.parse(rawBody);
    } catch {
      return reject(400, 'RejectedBadRequest', 'body is not JSON', {});
    }
    const translation = await provider.translate(json);
    switch (translation.kind) {
      case 'not-an-event':
        return reject(400, 'RejectedBadRequest', `body is not a ${provider.name} event`, { issue: translation.issue });
      case 'set-aside':
        return setAside(rawBody, translation.outcome, { reason: translation.reason, about: translation.about });
      case 'ignored':
        ports.record('Ignored', { ...describe(translation.about), reason: translation.reason });
        return json200({ received: true, ignored: translation.about.type });
      case 'unavailable':
        // Nothing published: the provider's retry finds the source readable again and maps the whole body then.
        ports.record('SourceUnavailable', { ...describe(translation.about), reason: translation.reason });
        return { statusCode: 503, body: JSON.stringify({ error: 'could not accept the event now; retry later' }) };
      case 'mapped':
        break;
    }
    const { about, events, skipped = [] } = translation;
    if (events.length === 0) {
      recordSkipped(skipped);
      return json200({ received: true, skipped: skipped.length });
    }

    try {
      await ports.publish(events);
    } catch (error) {
      // 5xx: the provider retries with backoff, and the canonical ids make the retry harmless.
      ports.record('PublishFailed', { [`${logKey}EventId`]: about.id, error });
      return { statusCode: 503, body: JSON.stringify({ error: 'could not accept the event now; retry later' }) };
    }
    // Counted once the body is accepted: a 503 above means the provider delivers it again, skipped events included.
    recordSkipped(skipped);
    ports.record('Accepted', { ...describe(about), canonicalIds: events.map((e) => e.id) });
    return json200({ received: true });
  };

  function recordSkipped(skipped: readonly SkippedEvent[]): void {
    for (const event of skipped) ports.record(event.outcome, { ...describe(event.about), reason: event.reason });
  }

  async function setAside(rawBody: string, outcome: 'RejectedApiVersion' | 'RejectedMalformed', rejection: Rejection): Promise<WebhookResponse> {
    const detail = { reason: rejection.reason, ...describe(rejection.about) };
    try {
      await ports.reject(rawBody, rejection);
    } catch (error) {
      // Not set aside: 5xx, so the provider delivers it again and it is set aside then.
      ports.record('RejectFailed', { ...detail, error });
      return { statusCode: 503, body: JSON.stringify({ error: 'could not accept the event now; retry later' }) };
    }
    ports.record(outcome, detail);
    return json200({ received: true, rejected: rejection.reason });
  }

  function reject(statusCode: number, outcome: WebhookOutcome, reason: string, detail: Record<string, unknown>): WebhookResponse {
    ports.record(outcome, { reason, ...detail });
    return { statusCode, body: JSON.stringify({ error: reason }) };
  }
}

function json200(body: unknown): WebhookResponse {
  return { statusCode: 200, body: JSON.stringify(body) };
}

function header(headers: WebhookRequest['headers'], name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return value;
  }
  return undefined;
}
