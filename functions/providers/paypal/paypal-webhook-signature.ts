import { verify as verifySignature } from 'node:crypto';
import { crc32 } from 'node:zlib';
import type { PaypalCertificateStore } from './paypal-certificates';

/** The only algorithm PayPal signs webhooks with (`PAYPAL-AUTH-ALGO`). */
export const PAYPAL_AUTH_ALGO = 'SHA256withRSA';
/**
 * How far the transmission time may be from now, either way. Every PayPal delivery, retries included, is a new
 * transmission with its own time and signature, so an honest request is seconds old; an old one is a replay.
 */
export const PAYPAL_TRANSMISSION_TOLERANCE_SECONDS = 300;

/** The signature headers, by their lower-case names. */
export const PAYPAL_SIGNATURE_HEADERS = {
  transmissionId: 'paypal-transmission-id',
  transmissionTime: 'paypal-transmission-time',
  transmissionSig: 'paypal-transmission-sig',
  certUrl: 'paypal-cert-url',
  authAlgo: 'paypal-auth-algo',
} as const;

export type PaypalSignatureCheck =
  | { valid: true; transmissionId: string }
  /**
   * 400: the request is not a signed PayPal request at all (a header missing or unreadable).
   * 401: signed, but not by PayPal for our webhook now (forged, stale, wrong or expired certificate, another webhook id).
   * 503: the certificate could not be fetched from PayPal now; PayPal delivers again.
   */
  | { valid: false; status: 400 | 401 | 503; reason: string };

/** CRC32 (IEEE, zlib's) of the raw body bytes, as an unsigned decimal. */
export function paypalBodyCrc32(rawBody: Buffer | string): number {
  return crc32(typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody) >>> 0;
}

/** What PayPal signs: `<transmissionId>|<transmissionTime>|<webhookId>|<crc32(rawBody)>`. */
export function paypalSignedMessage(input: { transmissionId: string; transmissionTime: string; webhookId: string; rawBody: Buffer | string }): string {
  return `${input.transmissionId}|${input.transmissionTime}|${input.webhookId}|${paypalBodyCrc32(input.rawBody)}`;
}

export interface PaypalSignatureInput {
  /** The body exactly as received: the CRC is over its bytes, so a re-serialized body never verifies. */
  rawBody: Buffer | string;
  header: (lowerCaseName: string) => string | undefined;
  /** Our webhook subscription's id at PayPal (stage config), not the event's id. */
  webhookId: string;
  nowSeconds: number;
  certificates: PaypalCertificateStore;
  toleranceSeconds?: number;
}

/**
 * Verifies a PayPal webhook offline: RSA-SHA256 (PKCS#1 v1.5) of the signed message with the public key of the
 * certificate at `PAYPAL-CERT-URL` — fetched only from PayPal (PaypalCertificateStore), valid now — and the
 * transmission time within the tolerance. The checks that need no fetch come first, so a forged or stale request
 * costs no request to PayPal. Node's crypto does the RSA: no PayPal SDK (none verifies offline in Node without
 * pulling in a full REST client) and no online `verify-webhook-signature` call (a PayPal round trip per webhook).
 */
export async function verifyPaypalWebhookSignature(input: PaypalSignatureInput): Promise<PaypalSignatureCheck> {
  const read = (name: string) => input.header(name)?.trim() || undefined;
  const transmissionId = read(PAYPAL_SIGNATURE_HEADERS.transmissionId);
  const transmissionTime = read(PAYPAL_SIGNATURE_HEADERS.transmissionTime);
  const signatureText = read(PAYPAL_SIGNATURE_HEADERS.transmissionSig);
  const certUrl = read(PAYPAL_SIGNATURE_HEADERS.certUrl);
  const authAlgo = read(PAYPAL_SIGNATURE_HEADERS.authAlgo);
  const missing = Object.entries({ transmissionId, transmissionTime, signatureText, certUrl })
    .filter(([, value]) => value === undefined)
    .map(([name]) => name);
  if (missing.length > 0 || !transmissionId || !transmissionTime || !signatureText || !certUrl) {
    return { valid: false, status: 400, reason: `missing PayPal signature header(s): ${missing.join(', ')}` };
  }
  if (authAlgo !== undefined && authAlgo !== PAYPAL_AUTH_ALGO) return { valid: false, status: 400, reason: `unsupported PAYPAL-AUTH-ALGO ${authAlgo}` };
  const sentAt = Date.parse(transmissionTime);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(transmissionTime) || Number.isNaN(sentAt)) {
    return { valid: false, status: 400, reason: 'PAYPAL-TRANSMISSION-TIME is not an ISO 8601 time' };
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signatureText)) return { valid: false, status: 400, reason: 'PAYPAL-TRANSMISSION-SIG is not base64' };

  const tolerance = input.toleranceSeconds ?? PAYPAL_TRANSMISSION_TOLERANCE_SECONDS;
  if (Math.abs(input.nowSeconds - sentAt / 1000) > tolerance) return { valid: false, status: 401, reason: 'transmission time outside the window' };

  const lookup = await input.certificates.certificate(certUrl);
  if (!lookup.ok) return { valid: false, status: lookup.kind === 'unavailable' ? 503 : 401, reason: lookup.reason };

  const message = paypalSignedMessage({ transmissionId, transmissionTime, webhookId: input.webhookId, rawBody: input.rawBody });
  const signed = verifySignature('sha256', Buffer.from(message, 'utf8'), lookup.certificate.publicKey, Buffer.from(signatureText, 'base64'));
  return signed ? { valid: true, transmissionId } : { valid: false, status: 401, reason: 'signature mismatch' };
}
