import { afterEach, describe, expect, it, vi } from 'vitest';
import { MissingConfigError } from '../../../functions/platform/env';
import { billingSourcesFromEnv, providerOf, UnknownProviderError } from '../../../functions/providers/registry';

describe('provider registry', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('knows PayPal by its source system, with its display name and currency facts', () => {
    expect(providerOf('paypal').displayName).toBe('PayPal');
    expect(providerOf('paypal').currencyExponent('JPY')).toBe(0);
    expect(providerOf('paypal').currencyExponent('USD')).toBe(2);
  });

  it('builds only the read APIs of the providers the stage runs: a stage without PayPal needs no PayPal settings', () => {
    vi.stubEnv('STRIPE_API_KEY_SECRET_NAME', 'stripe-key');
    vi.stubEnv('PAYPAL_API_CREDENTIALS_SECRET_NAME', undefined);
    const sourceFor = billingSourcesFromEnv({ PROVIDER_SYSTEMS: 'stripe' });
    expect(sourceFor('stripe', null)).toBeDefined();
    expect(() => sourceFor('paypal', null)).toThrow(UnknownProviderError);
  });

  it('fails the cold start when a provider the stage runs lacks its settings', () => {
    vi.stubEnv('STRIPE_API_KEY_SECRET_NAME', 'stripe-key');
    vi.stubEnv('PAYPAL_API_CREDENTIALS_SECRET_NAME', undefined);
    expect(() => billingSourcesFromEnv({ PROVIDER_SYSTEMS: 'stripe,paypal' })).toThrow(/PAYPAL_API_CREDENTIALS_SECRET_NAME/);
  });

  it('refuses a provider list it cannot honour', () => {
    expect(() => billingSourcesFromEnv({})).toThrow(MissingConfigError);
    expect(() => billingSourcesFromEnv({ PROVIDER_SYSTEMS: 'stripe,paypall' })).toThrow(/paypall/);
  });
});
