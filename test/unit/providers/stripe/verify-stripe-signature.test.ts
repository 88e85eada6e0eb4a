import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { parseSigningSecrets, verifyStripeSignature } from '../../../../functions/providers/stripe/verify-stripe-signature';
import { signedHeader, stripeEvent, stripeObjects, TEST_SIGNING_SECRET } from '../../../fixtures/stripe/stripe-events';

const NOW = 1_800_000_000;
const body = JSON.stringify(stripeEvent('customer.created', stripeObjects.customer));

describe('verifyStripeSignature', () => {
  it('accepts a header made by the official stripe package', () => {
    const header = signedHeader(body, { timestamp: NOW - 10 });
    expect(verifyStripeSignature({ rawBody: body, header, secrets: [TEST_SIGNING_SECRET], nowSeconds: NOW })).toEqual({ valid: true, timestamp: NOW - 10 });
  });

  it('rejects the same header when one byte of the body changed', () => {
    const header = signedHeader(body, { timestamp: NOW });
    const tampered = body.replace('Acme', 'Acmf');
    expect(verifyStripeSignature({ rawBody: tampered, header, secrets: [TEST_SIGNING_SECRET], nowSeconds: NOW })).toEqual({ valid: false, reason: 'signature-mismatch' });
  });

  it('rejects a header signed with another secret', () => {
    const header = signedHeader(body, { timestamp: NOW, secret: 'whsec_someone_else' });
    expect(verifyStripeSignature({ rawBody: body, header, secrets: [TEST_SIGNING_SECRET], nowSeconds: NOW }).valid).toBe(false);
  });

  it('accepts any of several v1 signatures and any of several secrets (secret roll)', () => {
    const good = signedHeader(body, { timestamp: NOW }).split(',').find((part) => part.startsWith('v1='));
    const header = `t=${NOW},v1=${'0'.repeat(64)},${good},v0=${'1'.repeat(64)}`;
    expect(verifyStripeSignature({ rawBody: body, header, secrets: ['whsec_new', TEST_SIGNING_SECRET], nowSeconds: NOW }).valid).toBe(true);
  });

  it('refuses a timestamp more than 300 s old or ahead, and accepts one at the edge', () => {
    const at = (offset: number) =>
      verifyStripeSignature({ rawBody: body, header: signedHeader(body, { timestamp: NOW + offset }), secrets: [TEST_SIGNING_SECRET], nowSeconds: NOW });
    expect(at(-301)).toEqual({ valid: false, reason: 'timestamp-outside-window' });
    expect(at(+301)).toEqual({ valid: false, reason: 'timestamp-outside-window' });
    expect(at(-300).valid).toBe(true);
  });

  it('says what is wrong with a missing or malformed header', () => {
    const check = (header: string | undefined) => verifyStripeSignature({ rawBody: body, header, secrets: [TEST_SIGNING_SECRET], nowSeconds: NOW });
    expect(check(undefined)).toEqual({ valid: false, reason: 'missing-header' });
    expect(check('garbage')).toEqual({ valid: false, reason: 'malformed-header' });
    expect(check(`t=${NOW},v0=${'a'.repeat(64)}`)).toEqual({ valid: false, reason: 'no-v1-signature' });
    expect(check(`t=${NOW},v1=nothex`)).toEqual({ valid: false, reason: 'no-v1-signature' });
  });

  it('agrees with the stripe package on valid and invalid headers', () => {
    const cases = [
      { header: signedHeader(body, { timestamp: NOW }), payload: body },
      { header: signedHeader(body, { timestamp: NOW }), payload: `${body} ` },
      { header: signedHeader(body, { timestamp: NOW, secret: 'whsec_other' }), payload: body },
      { header: signedHeader(body, { timestamp: NOW - 400 }), payload: body },
    ];
    for (const { header, payload } of cases) {
      let stripeSays: boolean;
      try {
        Stripe.webhooks.signature?.verifyHeader(payload, header, TEST_SIGNING_SECRET, 300, undefined, NOW * 1000);
        stripeSays = true;
      } catch {
        stripeSays = false;
      }
      expect(verifyStripeSignature({ rawBody: payload, header, secrets: [TEST_SIGNING_SECRET], nowSeconds: NOW }).valid).toBe(stripeSays);
    }
  });
});

describe('parseSigningSecrets', () => {
  it('reads one secret or a comma-separated roll', () => {
    expect(parseSigningSecrets('whsec_a')).toEqual(['whsec_a']);
    expect(parseSigningSecrets(' whsec_new, whsec_old \n')).toEqual(['whsec_new', 'whsec_old']);
  });
});
