import { createHmac, timingSafeEqual } from 'node:crypto';

/** The headers of HubSpot's v3 signature, by their lower-case names. */
export const HUBSPOT_SIGNATURE_HEADER = 'x-hubspot-signature-v3';
export const HUBSPOT_TIMESTAMP_HEADER = 'x-hubspot-request-timestamp';
/** HubSpot's rule: a request whose timestamp is older than five minutes is refused (a replay). */
export const HUBSPOT_MAX_REQUEST_AGE_MS = 5 * 60 * 1000;
/** How far in the future a timestamp may be: clocks drift, a request from the future by more is not HubSpot's. */
const FUTURE_TOLERANCE_MS = 60 * 1000;

/** base64(HMAC-SHA256(app secret, method + uri + rawBody + timestamp)): what HubSpot sends in `X-HubSpot-Signature-v3`. */
export function hubspotSignatureV3(input: { secret: string; method: string; uri: string; rawBody: string; timestamp: string }): string {
  return createHmac('sha256', input.secret).update(`${input.method}${input.uri}${input.rawBody}${input.timestamp}`, 'utf8').digest('base64');
}

/**
 * HubSpot's docs say it decodes some percent-encoded characters of the URL before signing (`%3A` → `:` …); no
 * official SDK does, and it is unconfirmed. The tolerant reading: a signature over the URL as configured or over
 * that decoding is accepted (the endpoint URL is ours, so both name the same endpoint).
 */
const HUBSPOT_DECODED_ESCAPES: Readonly<Record<string, string>> = {
  '%3A': ':', '%2F': '/', '%3F': '?', '%40': '@', '%21': '!', '%24': '$', '%27': "'", '%28': '(', '%29': ')', '%2A': '*', '%2C': ',', '%3B': ';',
};

export function hubspotSignedUriCandidates(uri: string): string[] {
  const decoded = uri.replace(/%[0-9A-Fa-f]{2}/g, (escape) => HUBSPOT_DECODED_ESCAPES[escape.toUpperCase()] ?? escape);
  return decoded === uri ? [uri] : [uri, decoded];
}

export type HubspotSignatureCheck = { valid: true } | { valid: false; status: 400 | 401; reason: string; mismatch: boolean };

export interface HubspotSignatureInput {
  rawBody: string;
  header: (lowerCaseName: string) => string | undefined;
  secret: string;
  /** The endpoint URL HubSpot is configured to call (stage setting): part of what is signed. */
  uri: string;
  /** The route's method; HubSpot signs it as sent (`POST`). */
  method: string;
  nowMs: number;
}

/**
 * Verifies HubSpot's v3 signature: the timestamp within five minutes (checked first: a stale request costs no
 * HMAC), then the HMAC compared in constant time, on buffers of equal length (`timingSafeEqual` throws otherwise,
 * and a length check that leaks only the length is what every HMAC comparison does).
 */
export function verifyHubspotSignatureV3(input: HubspotSignatureInput): HubspotSignatureCheck {
  const signature = input.header(HUBSPOT_SIGNATURE_HEADER)?.trim();
  const timestamp = input.header(HUBSPOT_TIMESTAMP_HEADER)?.trim();
  if (!signature || !timestamp) {
    return { valid: false, status: 401, reason: `missing ${!signature ? 'X-HubSpot-Signature-v3' : 'X-HubSpot-Request-Timestamp'}`, mismatch: false };
  }
  if (!/^\d{1,16}$/.test(timestamp)) return { valid: false, status: 401, reason: 'X-HubSpot-Request-Timestamp is not epoch milliseconds', mismatch: false };
  const age = input.nowMs - Number(timestamp);
  if (age > HUBSPOT_MAX_REQUEST_AGE_MS) return { valid: false, status: 401, reason: `request timestamp ${Math.round(age / 1000)} s old (over 5 minutes)`, mismatch: false };
  if (age < -FUTURE_TOLERANCE_MS) return { valid: false, status: 401, reason: 'request timestamp in the future', mismatch: false };

  const given = Buffer.from(signature, 'utf8');
  for (const uri of hubspotSignedUriCandidates(input.uri)) {
    const expected = Buffer.from(hubspotSignatureV3({ secret: input.secret, method: input.method, uri, rawBody: input.rawBody, timestamp }), 'utf8');
    if (expected.length === given.length && timingSafeEqual(expected, given)) return { valid: true };
  }
  return { valid: false, status: 401, reason: 'signature mismatch', mismatch: true };
}
