import { describeIssue } from '../../platform/validation-issues';
import type { MappingResult, ProviderWebhook, SignatureCheck, Translation } from '../../platform/webhook-receiver';
import type { PaypalCertificateStore } from './paypal-certificates';
import { MalformedPaypalObjectError, paypalEventSchema, paypalEventToCanonical } from './paypal-event-to-canonical';
import { verifyPaypalWebhookSignature } from './paypal-webhook-signature';

export interface PaypalWebhookSettings {
  /** Our webhook's id at PayPal (stage config `paypal.webhookId`): part of what PayPal signs. */
  readonly webhookId: string;
  readonly certificates: PaypalCertificateStore;
}

/**
 * PayPal's webhooks as the platform's receiver sees them: the signature checked offline on the raw body
 * (paypal-webhook-signature.ts), then the event translated. PayPal has no per-endpoint API version to gate on
 * (resources carry `resource_version`, and the schemas here are tolerant of additions); a resource the mapping
 * cannot read is set aside whole with its reason.
 */
export function paypalWebhook(settings: PaypalWebhookSettings): ProviderWebhook {
  return {
    name: 'PayPal',
    async verify(request): Promise<SignatureCheck> {
      const check = await verifyPaypalWebhookSignature({
        rawBody: request.rawBody,
        header: (name) => request.header(name),
        webhookId: settings.webhookId,
        nowSeconds: request.nowSeconds,
        certificates: settings.certificates,
      });
      // No secret to re-read: the webhook id is configuration and the certificate is PayPal's, fetched by URL.
      return check.valid ? { valid: true } : { valid: false, reason: check.reason, credentialsMayBeStale: false, statusCode: check.status };
    },
    translate(body): Translation {
      const parsed = paypalEventSchema.safeParse(body);
      if (!parsed.success) return { kind: 'not-an-event', issue: describeIssue(parsed.error.issues[0]) };
      const event = parsed.data;
      const about = { id: event.id, type: event.event_type };
      let mapping: MappingResult;
      try {
        mapping = paypalEventToCanonical(event);
      } catch (error) {
        if (error instanceof MalformedPaypalObjectError) return { kind: 'set-aside', outcome: 'RejectedMalformed', about, reason: `${event.event_type} ${event.id}: ${error.message}` };
        throw error;
      }
      return mapping.handled ? { kind: 'mapped', about, events: mapping.events } : { kind: 'ignored', about, reason: mapping.reason };
    },
  };
}
