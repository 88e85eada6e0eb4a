import { describe, expect, it } from 'vitest';
import { realPaypalFrom } from '../../../local/sandboxes/paypal/dev-environment-binding';

describe('npm start against PayPal’s own API', () => {
  it('stays on the local PayPal sandbox when no PayPal credentials are given', () => {
    expect(realPaypalFrom({})).toBeUndefined();
    expect(realPaypalFrom(undefined)).toBeUndefined();
  });

  it('uses PayPal’s sandbox API with the app’s credentials and the webhook subscription’s id', () => {
    expect(realPaypalFrom({ PAYPAL_CLIENT_ID: 'AZ-client', PAYPAL_CLIENT_SECRET: 'EL-secret', PAYPAL_WEBHOOK_ID: '8PT597110X687430LKGECATA' })).toEqual({
      clientId: 'AZ-client',
      clientSecret: 'EL-secret',
      webhookId: '8PT597110X687430LKGECATA',
      apiUrl: 'https://api-m.sandbox.paypal.com',
    });
    expect(realPaypalFrom({ PAYPAL_CLIENT_ID: 'a', PAYPAL_CLIENT_SECRET: 'b', PAYPAL_WEBHOOK_ID: 'c', PAYPAL_API_URL: 'https://api-m.paypal.com' })?.apiUrl).toBe('https://api-m.paypal.com');
  });

  it('refuses half a set of credentials instead of quietly falling back to the local sandbox', () => {
    expect(() => realPaypalFrom({ PAYPAL_CLIENT_ID: 'AZ-client' })).toThrow(/missing: PAYPAL_CLIENT_SECRET, PAYPAL_WEBHOOK_ID/);
  });
});
