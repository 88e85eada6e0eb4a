import { describe, expect, it } from 'vitest';
import { MalformedStripeObjectError, parseStripeObject, stripePercentage } from '../../../../functions/providers/stripe/stripe-object-mapping';
import { providerTaxRateFromStripe, stripeTaxRateObjectSchema } from '../../../../functions/providers/stripe/stripe-tax-rate-mapping';
import { sample } from '../../../fixtures/stripe/stripe-events';

/** A tax rate as it comes off the wire: `percentage` is whatever JSON.parse makes of Stripe's text. */
const fromWire = (json: string) => parseStripeObject(stripeTaxRateObjectSchema, JSON.parse(json), 'tax rate');

describe('providerTaxRateFromStripe', () => {
  it('maps Stripe’s sample tax rate: 19 % exclusive, labelled as a line tax with an embedded rate is', () => {
    expect(providerTaxRateFromStripe(parseStripeObject(stripeTaxRateObjectSchema, sample('tax_rate'), 'tax rate'))).toEqual({
      id: 'txr_1Pgc7BB7WZ01zgkW4Iwwvf6z', percentage: '19', inclusive: false, label: 'VAT DE',
    });
  });

  it.each([
    ['19', '19'],
    ['19.0', '19'],
    ['8.875', '8.875'],
    ['7.25', '7.25'],
    ['0.3', '0.3'],
    ['0', '0'],
    ['15.1234', '15.1234'],
  ])('keeps the percentage %s exact as the decimal string %s (no float formatting)', (wire, expected) => {
    const rate = providerTaxRateFromStripe(fromWire(`{"id":"txr_1","object":"tax_rate","percentage":${wire},"inclusive":true,"display_name":"Tax","jurisdiction":null}`));
    expect(rate).toEqual({ id: 'txr_1', percentage: expected, inclusive: true, label: 'Tax' });
    expect(rate.percentage).toMatch(/^\d+(\.\d+)?$/);
  });

  it('gives no percentage for a flat-amount rate (only a config entry naming its id can map it)', () => {
    const rate = fromWire('{"id":"txr_flat","object":"tax_rate","percentage":0,"inclusive":false,"rate_type":"flat_amount","display_name":"Retail Delivery Fee","jurisdiction":"CO"}');
    expect(providerTaxRateFromStripe(rate)).toEqual({ id: 'txr_flat', percentage: null, inclusive: false, label: 'Retail Delivery Fee CO' });
  });

  it('refuses a percentage that is not a plain decimal rather than round it', () => {
    expect(() => stripePercentage(1e-7, 'tax rate txr_tiny')).toThrow(MalformedStripeObjectError);
    expect(() => stripePercentage(1e-7, 'tax rate txr_tiny')).toThrow(/txr_tiny.*1e-7/);
    expect(() => parseStripeObject(stripeTaxRateObjectSchema, { id: 'txr_neg', object: 'tax_rate', percentage: -1, inclusive: false }, 'tax rate')).toThrow(MalformedStripeObjectError);
  });
});
