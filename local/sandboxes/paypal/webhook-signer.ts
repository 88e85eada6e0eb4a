import { randomUUID, sign } from 'node:crypto';
import { PAYPAL_AUTH_ALGO, paypalSignedMessage } from '../../../functions/providers/paypal/paypal-webhook-signature';
import type { TestSigningIdentity } from './self-signed-certificate';

/**
 * Signs webhook bodies the way PayPal does, with the sandbox's own key pair: RSA-SHA256 (PKCS#1 v1.5) over
 * `<transmissionId>|<transmissionTime>|<webhookId>|<crc32(body)>`, and the headers PayPal sends with it. The
 * certificate of the key is served at `certUrl` (the sandbox's `/v1/notifications/certs/<name>`), so the stack's
 * verifier checks these requests exactly as it checks PayPal's — given that the local stage allows that origin.
 */
export interface PaypalWebhookSigner {
  /** The headers of one delivery of `rawBody` (each call is a new transmission, as each PayPal retry is). */
  headersFor(rawBody: string, options?: { transmissionTime?: Date; transmissionId?: string }): Record<string, string>;
}

export function paypalWebhookSigner(input: { identity: TestSigningIdentity; certUrl: string; webhookId: string }): PaypalWebhookSigner {
  return {
    headersFor(rawBody, options = {}) {
      const transmissionId = options.transmissionId ?? randomUUID();
      // PayPal writes the time to the second, with a Z.
      const transmissionTime = (options.transmissionTime ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
      const message = paypalSignedMessage({ transmissionId, transmissionTime, webhookId: input.webhookId, rawBody });
      const signature = sign('sha256', Buffer.from(message, 'utf8'), input.identity.privateKey).toString('base64');
      return {
        'Content-Type': 'application/json',
        'PAYPAL-AUTH-ALGO': PAYPAL_AUTH_ALGO,
        'PAYPAL-AUTH-VERSION': 'v2',
        'PAYPAL-CERT-URL': input.certUrl,
        'PAYPAL-TRANSMISSION-ID': transmissionId,
        'PAYPAL-TRANSMISSION-SIG': signature,
        'PAYPAL-TRANSMISSION-TIME': transmissionTime,
      };
    },
  };
}
