import type { CanonicalEvent } from '../../../events/catalog';
import { describeIssue } from '../../shared/validation-issues';
import type { PaypalCertificateStore } from './paypal-certificates';
import { MalformedPaypalObjectError, paypalEventSchema, paypalEventToCanonical, type MappingResult } from './paypal-event-to-canonical';
import { verifyPaypalWebhookSignature } from './paypal-webhook-signature';

/*
 * The shapes below are those of the platform's generic webhook receiver (`ProviderWebhook` in
 * functions/platform/webhook-receiver.ts on the re-cut), written out here so that this module builds on main
 * before the re-cut lands; once it has, they are the platform's types and this file imports them instead.
 * One addition: a failed check says its HTTP status (400 unreadable, 401 refused, 503 PayPal unreachable).
 */
export interface SignedRequest {
  readonly rawBody: string;
  header(name: string): string | undefined;
  readonly nowSeconds: number;
}
export type SignatureCheck = { valid: true } | { valid: false; reason: string; credentialsMayBeStale: boolean; statusCode: 400 | 401 | 503 };
export interface ProviderEventAbout {
  readonly id: string;
  readonly type: string;
}
export type Translation =
  | { readonly kind: 'not-an-event'; readonly issue: string }
  | { readonly kind: 'ignored'; readonly about: ProviderEventAbout; readonly reason: string }
  | { readonly kind: 'set-aside'; readonly about: ProviderEventAbout; readonly outcome: 'RejectedApiVersion' | 'RejectedMalformed'; readonly reason: string }
  | { readonly kind: 'mapped'; readonly about: ProviderEventAbout; readonly events: CanonicalEvent[] };
export interface PaypalProviderWebhook {
  readonly name: 'PayPal';
  verify(request: SignedRequest, refresh: boolean): Promise<SignatureCheck>;
  translate(body: unknown): Translation;
}

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
export function paypalWebhook(settings: PaypalWebhookSettings): PaypalProviderWebhook {
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
