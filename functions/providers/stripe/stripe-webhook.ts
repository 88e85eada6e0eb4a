import { describeIssue } from '../../platform/validation-issues';
import type { MappingResult, ProviderWebhook, SignatureCheck, Translation } from '../../platform/webhook-receiver';
import {
  isHandledStripeEventType,
  MalformedStripeObjectError,
  STRIPE_API_VERSION,
  stripeEventSchema,
  stripeEventToCanonical,
} from './stripe-event-to-canonical';
import { parseSigningSecrets, verifyStripeSignature } from './verify-stripe-signature';

/**
 * Stripe's webhooks as the platform's receiver sees them: `Stripe-Signature` checked with the endpoint's
 * signing secrets, then the event translated — unless it was rendered in another API version than the
 * mappings are written for (set aside whole: a retry would bring the same bytes).
 */
export function stripeWebhook(signingSecret: (refresh: boolean) => Promise<string>): ProviderWebhook {
  return {
    name: 'Stripe',
    async verify(request, refresh): Promise<SignatureCheck> {
      const check = verifyStripeSignature({
        rawBody: request.rawBody,
        header: request.header('stripe-signature'),
        secrets: parseSigningSecrets(await signingSecret(refresh)),
        nowSeconds: request.nowSeconds,
      });
      // Only a mismatch can mean a secret rolled since it was cached; a stale timestamp or a bad header cannot.
      return check.valid ? check : { ...check, credentialsMayBeStale: check.reason === 'signature-mismatch' };
    },
    translate(body): Translation {
      const parsed = stripeEventSchema.safeParse(body);
      if (!parsed.success) return { kind: 'not-an-event', issue: describeIssue(parsed.error.issues[0]) };
      const event = parsed.data;
      const about = { id: event.id, type: event.type };
      if (isHandledStripeEventType(event.type) && event.api_version !== STRIPE_API_VERSION) {
        return { kind: 'set-aside', outcome: 'RejectedApiVersion', about, reason: `api_version ${event.api_version ?? 'null'} is not ${STRIPE_API_VERSION}` };
      }
      let mapping: MappingResult;
      try {
        mapping = stripeEventToCanonical(event);
      } catch (error) {
        if (error instanceof MalformedStripeObjectError) {
          return { kind: 'set-aside', outcome: 'RejectedMalformed', about, reason: `${event.type} ${event.id}: ${error.message}` };
        }
        throw error;
      }
      return mapping.handled ? { kind: 'mapped', about, events: mapping.events } : { kind: 'ignored', about, reason: mapping.reason };
    },
  };
}
