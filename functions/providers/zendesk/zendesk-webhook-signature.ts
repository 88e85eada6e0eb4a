import { createHmac, timingSafeEqual } from 'node:crypto';

/** The headers of Zendesk's webhook signature, by their lower-case names. */
export const ZENDESK_SIGNATURE_HEADER = 'x-zendesk-webhook-signature';
export const ZENDESK_TIMESTAMP_HEADER = 'x-zendesk-webhook-signature-timestamp';
/** Zendesk documents no tolerance: five minutes either way, as for the other providers' replay windows. */
export const ZENDESK_MAX_SKEW_MS = 5 * 60 * 1000;

/** base64(HMAC-SHA256(signing secret, timestamp + rawBody)): what Zendesk sends in `X-Zendesk-Webhook-Signature`. */
export function zendeskSignature(input: { secret: string; timestamp: string; rawBody: string }): string {
  return createHmac('sha256', input.secret).update(`${input.timestamp}${input.rawBody}`, 'utf8').digest('base64');
}

export type ZendeskSignatureCheck = { valid: true } | { valid: false; reason: string; mismatch: boolean };

/** `2024-04-17T17:18:10Z` (or with fractions or an offset): ISO-8601 with a time zone, as Zendesk sends it. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Verifies Zendesk's signature: the ISO-8601 timestamp within ±5 minutes (checked first: a stale request costs no
 * HMAC), then the HMAC over the timestamp as sent plus the raw body, compared in constant time on equal lengths.
 */
export function verifyZendeskSignature(input: { rawBody: string; header: (lowerCaseName: string) => string | undefined; secret: string; nowMs: number }): ZendeskSignatureCheck {
  const signature = input.header(ZENDESK_SIGNATURE_HEADER)?.trim();
  const timestamp = input.header(ZENDESK_TIMESTAMP_HEADER)?.trim();
  if (!signature || !timestamp) return { valid: false, reason: `missing ${!signature ? 'X-Zendesk-Webhook-Signature' : 'X-Zendesk-Webhook-Signature-Timestamp'}`, mismatch: false };
  const signedAt = ISO_INSTANT.test(timestamp) ? Date.parse(timestamp) : Number.NaN;
  if (Number.isNaN(signedAt)) return { valid: false, reason: 'X-Zendesk-Webhook-Signature-Timestamp is not an ISO-8601 instant', mismatch: false };
  const skew = input.nowMs - signedAt;
  if (Math.abs(skew) > ZENDESK_MAX_SKEW_MS) return { valid: false, reason: `signature timestamp ${Math.round(skew / 1000)} s off (over 5 minutes)`, mismatch: false };
  const expected = Buffer.from(zendeskSignature({ secret: input.secret, timestamp, rawBody: input.rawBody }), 'utf8');
  const given = Buffer.from(signature, 'utf8');
  if (expected.length === given.length && timingSafeEqual(expected, given)) return { valid: true };
  return { valid: false, reason: 'signature mismatch', mismatch: true };
}
