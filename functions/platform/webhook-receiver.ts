import type { CanonicalEvent } from '../../events/catalog';
import { describeIssue } from './validation-issues';
import { parseSigningSecrets, verifyStripeSignature } from '../providers/stripe/verify-stripe-signature';
import {
  isHandledStripeEventType,
  MalformedStripeObjectError,
  STRIPE_API_VERSION,
  stripeEventSchema,
  stripeEventToCanonical,
  type MappingResult,
} from '../providers/stripe/stripe-event-to-canonical';

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

/** What the use case needs from the outside world, so it can be tested without AWS. */
export interface StripeWebhookPorts {
  /** The signing secret value; `refresh` asks for a fresh read (a rotated secret). */
  readonly signingSecret: (refresh: boolean) => Promise<string>;
  readonly publish: (events: readonly CanonicalEvent[]) => Promise<void>;
  /**
   * Sets aside a well-signed event that can never be applied (another API version, an object that
   * fails the mapping schema), with the reason, for an operator to look at and replay.
   */
  readonly reject: (rawBody: string, rejection: Rejection) => Promise<void>;
  readonly nowSeconds: () => number;
  readonly maxBodyBytes: number;
  /** Counts an outcome as a metric (`StripeWebhook<Outcome>`) and logs why, never the body. */
  readonly record: (outcome: WebhookOutcome, detail: Record<string, unknown>) => void;
}

export interface Rejection {
  readonly reason: string;
  readonly stripeEventId: string;
  readonly stripeEventType: string;
}

export type WebhookOutcome =
  | 'Accepted'
  | 'Ignored'
  | 'RejectedSignature'
  | 'RejectedTooLarge'
  | 'RejectedBadRequest'
  | 'RejectedApiVersion'
  | 'RejectedMalformed'
  | 'PublishFailed'
  | 'RejectFailed';

/** A re-read of the secret after a mismatch happens at most this often, so forged requests cannot flood Secrets Manager. */
const SECRET_REFRESH_INTERVAL_SECONDS = 60;

/**
 * Receives one Stripe webhook: size limit, signature on the raw body, parse, translate, publish.
 * Every rejection happens before anything is published. Event types we do not handle get 200 so
 * that Stripe does not retry them, and are counted.
 *
 * A signed event of a handled type that can never be applied as it is (rendered in another API version
 * than the mappings are written for, or whose object fails the mapping schema) is acknowledged with 200
 * as well, since a retry would deliver the same bytes, and goes whole to the rejected events queue with
 * its reason: never half-applied, never lost silently.
 */
export function createStripeWebhookReceiver(ports: StripeWebhookPorts) {
  let lastRefreshAt = Number.NEGATIVE_INFINITY;

  async function verify(rawBody: string, header: string | undefined) {
    const check = async (refresh: boolean) =>
      verifyStripeSignature({ rawBody, header, secrets: parseSigningSecrets(await ports.signingSecret(refresh)), nowSeconds: ports.nowSeconds() });
    const first = await check(false);
    if (first.valid || first.reason !== 'signature-mismatch') return first;
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

    const signature = await verify(rawBody, header(request.headers, 'stripe-signature'));
    if (!signature.valid) return reject(401, 'RejectedSignature', 'invalid signature', { reason: signature.reason });

    let json: unknown;
    try {
      json = JSON.parse(rawBody);
    } catch {
      return reject(400, 'RejectedBadRequest', 'body is not JSON', {});
    }
    const parsed = stripeEventSchema.safeParse(json);
    if (!parsed.success) {
      return reject(400, 'RejectedBadRequest', 'body is not a Stripe event', { issue: describeIssue(parsed.error.issues[0]) });
    }
    const event = parsed.data;
    const about = { stripeEventId: event.id, stripeEventType: event.type };

    if (isHandledStripeEventType(event.type) && event.api_version !== STRIPE_API_VERSION) {
      const reason = `api_version ${event.api_version ?? 'null'} is not ${STRIPE_API_VERSION}`;
      return setAside(rawBody, 'RejectedApiVersion', { reason, ...about });
    }

    let mapping: MappingResult;
    try {
      mapping = stripeEventToCanonical(event);
    } catch (error) {
      if (error instanceof MalformedStripeObjectError) {
        return setAside(rawBody, 'RejectedMalformed', { reason: `${event.type} ${event.id}: ${error.message}`, ...about });
      }
      throw error;
    }
    if (!mapping.handled) {
      ports.record('Ignored', { ...about, reason: mapping.reason });
      return json200({ received: true, ignored: event.type });
    }

    try {
      await ports.publish(mapping.events);
    } catch (error) {
      // 5xx: Stripe retries with backoff, and the canonical ids make the retry harmless.
      ports.record('PublishFailed', { stripeEventId: event.id, error });
      return { statusCode: 503, body: JSON.stringify({ error: 'could not accept the event now; retry later' }) };
    }
    ports.record('Accepted', { stripeEventId: event.id, stripeEventType: event.type, canonicalIds: mapping.events.map((e) => e.id) });
    return json200({ received: true });
  };

  async function setAside(rawBody: string, outcome: 'RejectedApiVersion' | 'RejectedMalformed', rejection: Rejection): Promise<WebhookResponse> {
    try {
      await ports.reject(rawBody, rejection);
    } catch (error) {
      // Not set aside: 5xx, so Stripe delivers it again and it is set aside then.
      ports.record('RejectFailed', { ...rejection, error });
      return { statusCode: 503, body: JSON.stringify({ error: 'could not accept the event now; retry later' }) };
    }
    ports.record(outcome, { ...rejection });
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
