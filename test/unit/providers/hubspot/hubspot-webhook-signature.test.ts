import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hubspotSignatureV3, verifyHubspotSignatureV3 } from '../../../../functions/providers/hubspot/hubspot-webhook-signature';

const VECTORS = JSON.parse(readFileSync(join(__dirname, '../../../fixtures/hubspot/signature_vectors.DERIVED.json'), 'utf8')) as {
  hubspot_v3_derived: { secret: string; method: string; uri: string; body: string; timestamp: string; signature: string };
};
const vector = VECTORS.hubspot_v3_derived;
const SENT_AT = Number(vector.timestamp);

function check(overrides: { headers?: Record<string, string | undefined>; uri?: string; secret?: string; nowMs?: number; rawBody?: string } = {}) {
  const headers: Record<string, string | undefined> = { 'x-hubspot-signature-v3': vector.signature, 'x-hubspot-request-timestamp': vector.timestamp, ...overrides.headers };
  return verifyHubspotSignatureV3({
    rawBody: overrides.rawBody ?? vector.body,
    header: (name) => headers[name],
    secret: overrides.secret ?? vector.secret,
    uri: overrides.uri ?? vector.uri,
    method: vector.method,
    nowMs: overrides.nowMs ?? SENT_AT + 1_000,
  });
}

describe('HubSpot webhook signature v3', () => {
  it('reproduces the derived vector: base64(HMAC-SHA256(secret, method + uri + body + timestamp))', () => {
    expect(hubspotSignatureV3({ secret: vector.secret, method: vector.method, uri: vector.uri, rawBody: vector.body, timestamp: vector.timestamp })).toBe(vector.signature);
  });

  it('accepts the vector a second after it was sent, and up to five minutes later', () => {
    expect(check()).toEqual({ valid: true });
    expect(check({ nowMs: SENT_AT + 5 * 60 * 1000 })).toEqual({ valid: true });
  });

  it('refuses a forged signature (another secret), a changed body and a signature for another URL, as mismatches', () => {
    expect(check({ secret: 'not-the-app-secret' })).toMatchObject({ valid: false, status: 401, reason: 'signature mismatch', mismatch: true });
    expect(check({ rawBody: vector.body.replace('"objectId":123', '"objectId":124') })).toMatchObject({ valid: false, mismatch: true });
    expect(check({ uri: 'https://hooks.example.com/hubspot?portal=62516' })).toMatchObject({ valid: false, mismatch: true });
    expect(check({ uri: 'https://api.example.com/prod/webhooks/hubspot' })).toMatchObject({ valid: false, mismatch: true });
  });

  it('refuses a request older than five minutes before computing anything, and one from the future', () => {
    expect(check({ nowMs: SENT_AT + 5 * 60 * 1000 + 1 })).toMatchObject({ valid: false, status: 401, mismatch: false, reason: expect.stringContaining('over 5 minutes') });
    expect(check({ nowMs: SENT_AT - 10 * 60 * 1000 })).toMatchObject({ valid: false, mismatch: false, reason: 'request timestamp in the future' });
  });

  it('refuses a request without the headers or with a timestamp in seconds-like text', () => {
    expect(check({ headers: { 'x-hubspot-signature-v3': undefined } })).toMatchObject({ valid: false, reason: 'missing X-HubSpot-Signature-v3' });
    expect(check({ headers: { 'x-hubspot-request-timestamp': undefined } })).toMatchObject({ valid: false, reason: 'missing X-HubSpot-Request-Timestamp' });
    expect(check({ headers: { 'x-hubspot-request-timestamp': '2026-01-01T00:00:00Z' } })).toMatchObject({ valid: false, mismatch: false });
  });

  it('refuses a signature of another length without throwing (timingSafeEqual needs equal lengths)', () => {
    expect(check({ headers: { 'x-hubspot-signature-v3': 'c2hvcnQ=' } })).toMatchObject({ valid: false, reason: 'signature mismatch' });
  });

  it('accepts a signature over the URL HubSpot decoded (%3A → :), the unconfirmed rule read tolerantly', () => {
    const configured = 'https://hooks.example.com/hubspot?next=a%3Ab';
    const signedDecoded = hubspotSignatureV3({ secret: vector.secret, method: 'POST', uri: 'https://hooks.example.com/hubspot?next=a:b', rawBody: vector.body, timestamp: vector.timestamp });
    expect(check({ uri: configured, headers: { 'x-hubspot-signature-v3': signedDecoded } })).toEqual({ valid: true });
  });
});
