import type { CanonicalEvent } from '../../../events/catalog';
import { describeIssue } from '../../shared/validation-issues';
import { parseSigningSecrets, verifyStripeSignature } from './verify-stripe-signature';
import { MalformedStripeObjectError, stripeEventSchema, stripeEventToCanonical } from './stripe-event-to-canonical';

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
  readonly nowSeconds: () => number;
  readonly maxBodyBytes: number;
  /** Counts an outcome as a metric (`StripeWebhook<Outcome>`) and logs why, never the body. */
  readonly record: (outcome: WebhookOutcome, detail: Record<string, unknown>) => void;
}

export type WebhookOutcome =
  | 'Accepted'
  | 'Ignored'
  | 'RejectedSignature'
  | 'RejectedTooLarge'
  | 'RejectedBadRequest'
  | 'PublishFailed';

/** A re-read of the secret after a mismatch happens at most this often, so forged requests cannot flood Secrets Manager. */
const SECRET_REFRESH_INTERVAL_SECONDS = 60;

/**
 * Receives one Stripe webhook: size limit, signature on the raw body, parse, translate, publish.
 * Every rejection happens before anything is published. Event types we do not handle get 200 so
 * that Stripe does not retry them, and are counted.
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

    let mapping;
    try {
      mapping = stripeEventToCanonical(event);
    } catch (error) {
      if (error instanceof MalformedStripeObjectError) {
        return reject(400, 'RejectedBadRequest', error.message, { stripeEventId: event.id, stripeEventType: event.type });
      }
      throw error;
    }
    if (!mapping.handled) {
      ports.record('Ignored', { stripeEventId: event.id, stripeEventType: event.type });
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
